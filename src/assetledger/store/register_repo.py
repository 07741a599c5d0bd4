"""The SQL that the books read from the registers: regions, the assets' booking facts and the dates they enter the
books, and which assets left the books. Typed Core selects, many assets at a time (imports book 100k at once); and
the register's one bulk change, many assets to one status (an inventory's close)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import RowMapping, bindparam, select, text, update
from sqlalchemy.orm import Session

from assetledger.domain.booking import BookedAsset
from assetledger.domain.enums import OFF_BOOKS_VALUES, AssetStatus, FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.unknown import unknown_words
from assetledger.errors import RuleViolation
from assetledger.store.bulk import CHUNK, chunks
from assetledger.store.models import Asset, AssetFunding, Region
from assetledger.store.tables import table_of

ASSETS = table_of(Asset)
FUNDING = table_of(AssetFunding)
REGIONS = table_of(Region)

_A, _F = ASSETS.c, FUNDING.c
_OFF_BOOKS = select(_A.asset_id, _A.disposed_on, _A.status).where(
    _A.status.in_(OFF_BOOKS_VALUES), _A.asset_id.in_(bindparam("ids", expanding=True))
)
_ALL_OFF_BOOKS = select(_A.asset_id, _A.disposed_on, _A.status).where(_A.status.in_(OFF_BOOKS_VALUES))
_FUNDING = (
    select(_F.asset_id, _F.source, _F.amount).where(_F.asset_id.in_(bindparam("ids", expanding=True))).order_by(_F.id)
)
_BOOKED_COLUMNS = (
    _A.asset_id, _A.name, _A.register, _A.category, _A.operating_mode, _A.owner_kind, _A.county_code,
    _A.township_code, _A.village_code, _A.current_value,
)  # fmt: skip
_DATE_COLUMNS = (_A.acquired_on, _A.handed_over_on, _A.confirmed_on, _A.build_year)
_BOOKED = select(*_BOOKED_COLUMNS).where(_A.asset_id.in_(bindparam("ids", expanding=True)))
_BATCH_BOOKED = select(*_BOOKED_COLUMNS, *_DATE_COLUMNS).where(_A.batch_id == bindparam("batch"))
_BATCH_FUNDING = (
    select(_F.asset_id, _F.source, _F.amount)
    .where(_F.asset_id.in_(select(_A.asset_id).where(_A.batch_id == bindparam("batch"))))
    .order_by(_F.id)
)
_ENTRY_DATES = select(_A.asset_id, *_DATE_COLUMNS).where(_A.asset_id.in_(bindparam("ids", expanding=True)))

# (asset id, acquired on, handed over on, confirmed on, build year): what `booking.entry_date` dates an asset by
EntryDateFacts = tuple[str, dt.date | None, dt.date | None, dt.date | None, int | None]

_REGISTERS = {r.value: r for r in Register}
_MODES = {m.value: m for m in OperatingMode}
_OWNER_KINDS = {k.value: k for k in OwnerKind}
_SOURCES = {s.value: s for s in FundSource}
E = TypeVar("E", bound=Enum)


def set_status(
    session: Session,
    asset_ids: Sequence[str],
    status: AssetStatus,
    *,
    disposed_on: dt.date | None = None,
    current_value: Decimal | None = None,
) -> None:
    """Put these assets in `status` (with the date and the value a write-off leaves them), many at a time. The
    caller records the event of each change (AssetEvent) in the same transaction."""
    values: dict[str, Any] = {"status": status.value}
    if disposed_on is not None:
        values["disposed_on"] = disposed_on
    if current_value is not None:
        values["current_value"] = current_value
    for part in chunks(asset_ids):
        session.execute(update(Asset).where(Asset.asset_id.in_(part)).values(**values))


def regions_by_code(session: Session, codes: Sequence[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for part in chunks(codes):
        found.update((r.code, r) for r in session.scalars(select(Region).where(Region.code.in_(part))))
    return found


def region_names(session: Session) -> dict[str, str]:
    """Code -> name of every region."""
    return {code: name for code, name in session.execute(select(REGIONS.c.code, REGIONS.c.name))}


def off_books(session: Session, asset_ids: Sequence[str]) -> dict[str, tuple[dt.date, str]]:
    """Assets of `asset_ids` that left the books (disposed of or written off): the date they left (date.min when
    none is recorded) and their status. Asked by id for a few assets; for more than one chunk of ids (a bulk
    posting, an import's opening entries) every asset off the books is read once by its status (few, indexed)
    instead of one query per 900 ids."""
    conn = session.connection()
    if len(asset_ids) > CHUNK:
        wanted = set(asset_ids)
        rows = [row for row in conn.execute(_ALL_OFF_BOOKS) if row[0] in wanted]
    else:
        rows = list(conn.execute(_OFF_BOOKS, {"ids": list(asset_ids)})) if asset_ids else []
    return {asset_id: (on or dt.date.min, status) for asset_id, on, status in rows}


def booked_assets(session: Session, asset_ids: Sequence[str]) -> dict[str, BookedAsset]:
    """The booking facts of the assets: register, places, owner, value and funding by source (in the order the
    funding was recorded)."""
    conn = session.connection()
    funding: dict[str, list[tuple[FundSource, Decimal]]] = {}
    booked: dict[str, BookedAsset] = {}
    for part in chunks(asset_ids):
        _add_funding(funding, conn.execute(_FUNDING, {"ids": list(part)}))
        for row in conn.execute(_BOOKED, {"ids": list(part)}):
            booked[row[0]] = _booked(row, funding)
    return booked


def booked_batch(session: Session, batch_id: int) -> dict[str, tuple[BookedAsset, EntryDateFacts]]:
    """The booking facts and entry-date facts of every asset an import batch registered, in two set-based reads
    (the batch's assets, and their funding through them) instead of two reads per 900 ids: an import books 100k
    assets at once."""
    conn = session.connection()
    funding: dict[str, list[tuple[FundSource, Decimal]]] = {}
    _add_funding(funding, conn.execute(_BATCH_FUNDING, {"batch": batch_id}))
    found: dict[str, tuple[BookedAsset, EntryDateFacts]] = {}
    for row in conn.execute(_BATCH_BOOKED, {"batch": batch_id}):
        found[row[0]] = (_booked(row, funding), (row[0], *row[10:]))
    return found


def _add_funding(funding: dict[str, list[tuple[FundSource, Decimal]]], rows: Iterable[Any]) -> None:
    for asset_id, source, amount in rows:
        funding.setdefault(asset_id, []).append((_member(_SOURCES, source, asset_id, "fund source"), amount))


def _member(members: dict[str, E], text: str, asset_id: str, what: str) -> E:
    """The member a stored text names; a text that is none (a tampered row, a later version) is refused by name,
    since the books of the asset are decided from it (services/stored.py)."""
    found = members.get(text)
    if found is None:
        record = (f"资产 {asset_id}", f"asset {asset_id}")
        raise RuleViolation(unknown_words(record, what, text), asset_id=asset_id)
    return found


def _booked(row: Any, funding: dict[str, list[tuple[FundSource, Decimal]]]) -> BookedAsset:
    """A BookedAsset of a row of `_BOOKED`'s columns (more may follow) and the funding read beside it."""
    asset_id, name, register, category, mode, owner, county, township, village, value = row[:10]
    return BookedAsset(
        asset_id=asset_id,
        name=name,
        register=_member(_REGISTERS, register, asset_id, "register"),
        category=category,
        operating_mode=_member(_MODES, mode, asset_id, "operating mode") if mode else None,
        owner_kind=_member(_OWNER_KINDS, owner, asset_id, "owner kind") if owner else None,
        county_code=county,
        township_code=township,
        village_code=village,
        value=value,
        funding=tuple(funding.get(asset_id, ())),
    )


def entry_date_facts(session: Session, asset_ids: Sequence[str]) -> list[EntryDateFacts]:
    """(asset id, acquired on, handed over on, confirmed on, build year) of each asset."""
    conn = session.connection()
    found: list[EntryDateFacts] = []
    for part in chunks(asset_ids):
        found += [
            (i, acq, hand, conf, year) for i, acq, hand, conf, year in conn.execute(_ENTRY_DATES, {"ids": list(part)})
        ]
    return found


def inventory_counts_of(session: Session, asset_id: str) -> list[RowMapping]:
    """Every inventory count of the asset, in the order recorded, as the rows stand (none on a database from
    before the inventory tables, revision 0005)."""
    conn = session.connection()
    if "inventory_counts" not in conn.dialect.get_table_names(conn):
        return []
    query = text("SELECT * FROM inventory_counts WHERE asset_id = :a ORDER BY id")
    return list(conn.execute(query, {"a": asset_id}).mappings())
