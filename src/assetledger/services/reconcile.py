"""Do the books and the registers agree? Every booked asset's value account must hold its register value,
in the books of its current owner, and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from assetledger.domain.booking import BookedAsset, books_of, entity_code
from assetledger.domain.enums import OFF_BOOKS_VALUES, OperatingMode, OwnerKind, Register
from assetledger.services.access import read_scope, region_of_entity, regions_within
from assetledger.services.asset_queries import ASSET_PLACE
from assetledger.store.db import Database
from assetledger.store.journal_models import Account, PostingRow
from assetledger.store.models import Asset


@dataclass(frozen=True)
class Mismatch:
    asset_id: str
    register_value: Decimal
    expected_entity: str | None
    book_value: Decimal
    held_elsewhere: dict[str, Decimal]

    def __str__(self) -> str:
        where = f"in {self.expected_entity}" if self.expected_entity else "off the books"
        extra = ", ".join(f"{e}: {v}" for e, v in sorted(self.held_elsewhere.items()))
        tail = f"; also held by {extra}" if extra else ""
        return f"{self.asset_id}: register {self.register_value}, books {self.book_value} {where}{tail}"


PLACE_COLUMNS = (
    Asset.asset_id, Asset.name, Asset.register, Asset.category, Asset.operating_mode, Asset.owner_kind,
    Asset.county_code, Asset.township_code, Asset.village_code, Asset.current_value,
)  # fmt: skip
_REGISTERS = {r.value: r for r in Register}
_MODES = {m.value: m for m in OperatingMode}
_OWNERS = {k.value: k for k in OwnerKind}


def _placed(r: Any) -> BookedAsset:
    asset_id, name, register, category, mode, owner, county, township, village, value = r
    return BookedAsset(asset_id, name, _REGISTERS[register], category, _MODES.get(mode), _OWNERS.get(owner),
                       county, township, village, value, ())  # fmt: skip


def reconcile(db: Database, actor: str, within: str | None = None) -> list[Mismatch]:
    """Assets whose book value differs from their register value (SQL sums; one pass over the assets): of the region
    `within` (refused outside the reader's scope), else of every asset the reader may see."""
    with db.reading() as session:
        visible = read_scope(session, actor, within)
        regions = regions_within(session, within) if within else visible
    return _mismatches(db, regions)


def _mismatches(db: Database, regions: set[str] | None) -> list[Mismatch]:
    with db.reading() as session:
        balances: dict[str, dict[str, Decimal]] = {}
        asset_accounts = select(Account.id).where(Account.asset_id.is_not(None))
        query = (  # driven from the asset accounts through the postings' account index, not a scan of postings
            select(Account.asset_id, Account.entity_code, func.sum(PostingRow.amount))
            .join(PostingRow, PostingRow.account_id == Account.id)
            .where(PostingRow.account_id.in_(asset_accounts))
            .group_by(Account.asset_id, Account.entity_code)
        )
        for asset_id, entity, total in session.execute(query):
            if total and asset_id is not None:
                balances.setdefault(asset_id, {})[entity] = total
        assets = select(*PLACE_COLUMNS).where(Asset.status.not_in(OFF_BOOKS_VALUES)).order_by(Asset.asset_id)
        if regions is not None:
            assets = assets.where(ASSET_PLACE.in_(sorted(regions)))
        # Only what decides the books an asset is in, and its value: one pass, no funding rows (not needed here).
        booked: dict[str, BookedAsset] = {r[0]: _placed(r) for r in session.execute(assets)}
        active = list(booked)
        elsewhere: set[str] = set()  # active assets outside the regions read: theirs are not leftover balances
        if regions is not None:
            on_books = select(Asset.asset_id).where(Asset.status.not_in(OFF_BOOKS_VALUES))
            elsewhere = set(session.scalars(on_books)) - set(booked)
    mismatches = []
    for asset_id in active:
        asset = booked[asset_id]
        place = books_of(asset)
        expected = entity_code(*place) if place else None
        held = dict(balances.pop(asset_id, {}))
        value = held.pop(expected, Decimal("0.00")) if expected else Decimal("0.00")
        want = asset.value if expected else Decimal("0.00")
        if value != want or held:
            mismatches.append(Mismatch(asset_id, asset.value, expected, value, held))
    # Balances left are of assets no longer active (disposed) that still carry a book value: in the books read.
    for asset_id, held in sorted(balances.items()):
        if regions is not None:
            held = {} if asset_id in elsewhere else {e: v for e, v in held.items() if region_of_entity(e) in regions}
        if held:
            mismatches.append(Mismatch(asset_id, Decimal("0.00"), None, Decimal("0.00"), held))
    return mismatches
