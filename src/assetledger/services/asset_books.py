"""Keeping books and registers in step: opening entries at registration, transfers at confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.booking import (
    BOOKS_START,
    BookedAsset,
    accounts_of,
    books_of,
    opening_entry,
    value_account,
)
from assetledger.domain.enums import FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.journal import EntryKind, JournalEntry
from assetledger.services.books import Books, Located
from assetledger.store.bulk import chunks
from assetledger.store.journal_models import PostingRow
from assetledger.store.models import Asset, AssetFunding

BOOKED_COLUMNS = (
    Asset.asset_id, Asset.name, Asset.register, Asset.category, Asset.operating_mode, Asset.owner_kind,
    Asset.county_code, Asset.township_code, Asset.village_code, Asset.current_value,
)  # fmt: skip


def load_booked(session: Session, asset_ids: Sequence[str]) -> dict[str, BookedAsset]:
    """The booking facts of many assets, read as plain rows (no ORM objects: imports book 100k at a time)."""
    funding: dict[str, list[tuple[FundSource, object]]] = {}
    for part in chunks(asset_ids):
        for asset_id, source, amount in session.execute(
            select(AssetFunding.asset_id, AssetFunding.source, AssetFunding.amount)
            .where(AssetFunding.asset_id.in_(part))
            .order_by(AssetFunding.id)
        ):
            funding.setdefault(asset_id, []).append((FundSource(source), amount))
    booked: dict[str, BookedAsset] = {}
    for part in chunks(asset_ids):
        for r in session.execute(select(*BOOKED_COLUMNS).where(Asset.asset_id.in_(part))):
            booked[r.asset_id] = booked_asset(r, funding.get(r.asset_id, []))
    return booked


def booked_asset(a: Any, funding: Sequence[tuple[FundSource, object]]) -> BookedAsset:
    """The booking facts of an asset (an Asset or a row with the same column names) with its funding."""
    return BookedAsset(
        asset_id=a.asset_id,
        name=a.name,
        register=Register(a.register),
        category=a.category,
        operating_mode=OperatingMode(a.operating_mode) if a.operating_mode else None,
        owner_kind=OwnerKind(a.owner_kind) if a.owner_kind else None,
        county_code=a.county_code,
        township_code=a.township_code,
        village_code=a.village_code,
        value=a.current_value,
        funding=tuple((s, amt) for s, amt in funding),  # type: ignore[misc]
    )


def asset_date(a: Asset) -> dt.date:
    """The date an asset enters the books: handover, else confirmation, else the end of its build year."""
    return _entry_date(a.handed_over_on, a.confirmed_on, a.build_year, a.registered_at)


def _entry_date(
    handed_over: dt.date | None, confirmed: dt.date | None, build_year: int | None, registered: dt.datetime
) -> dt.date:
    on = handed_over or confirmed
    if on is None:
        on = dt.date(build_year, 12, 31) if build_year else registered.date()
    return max(on, BOOKS_START)


def _accounts_for(entity: str, asset: BookedAsset, on: dt.date) -> list[tuple[str, str, str, dt.date, str | None]]:
    """The asset's value account opens on its first entry; the fund-source equity accounts with the books."""
    value_name, value_cn = value_account(asset)
    wanted: list[tuple[str, str, str, dt.date, str | None]] = [(entity, value_name, value_cn, on, asset.asset_id)]
    for name, cn_name in accounts_of(asset):
        if name != value_name:
            wanted.append((entity, name, cn_name, BOOKS_START, None))
    return wanted


def _open_date(books: Books, entity: str, wanted: dt.date, today: dt.date) -> dt.date:
    closed = books.closed_through(entity)
    return today if closed is not None and wanted <= closed else wanted  # late registration: 补录 in the open period


def book_openings(books: Books, asset_ids: Sequence[str], today: dt.date) -> int:
    """Post the opening entry of each newly registered asset in its owner's books. Returns entries posted."""
    session = books.session
    booked = load_booked(session, asset_ids)
    dates: dict[str, dt.date] = {}
    columns = (Asset.asset_id, Asset.handed_over_on, Asset.confirmed_on, Asset.build_year, Asset.registered_at)
    for part in chunks(asset_ids):
        for r in session.execute(select(*columns).where(Asset.asset_id.in_(part))):
            dates[r.asset_id] = _entry_date(r.handed_over_on, r.confirmed_on, r.build_year, r.registered_at)
    entries: list[JournalEntry] = []
    opens: list[tuple[str, str, str, dt.date, str | None]] = []
    books.ensure_entities({place for a in booked.values() if (place := books_of(a)) is not None})
    for asset_id in asset_ids:
        asset = booked[asset_id]
        place = books_of(asset)
        if place is None:
            continue
        entity = books.ensure_entity(*place)
        on = _open_date(books, entity, dates[asset_id], today)
        opens += _accounts_for(entity, asset, on)
        entries.append(opening_entry(entity, asset, on))
    books.open_accounts(opens)
    books.post(entries, [Located("registration")] * len(entries))
    return len(entries)


def book_value(books: Books, entity: str, account: str) -> tuple[Decimal, dt.date | None]:
    """Balance of one account and the date it opened (None when it is not open)."""
    found = books.accounts(entity).get(account)
    if found is None:
        return Decimal("0.00"), None
    total = books.session.scalar(select(func.sum(PostingRow.amount)).where(PostingRow.account_id == found[0]))
    return total or Decimal("0.00"), found[1]


def book_transfer(books: Books, before: BookedAsset, after: BookedAsset, on: dt.date, today: dt.date) -> int:
    """When confirmation moves an asset to other books, take it out of the old books and into the new ones."""
    old, new = books_of(before), books_of(after)
    if old == new:
        return 0
    amount = after.value
    entries: list[JournalEntry] = []
    if old is not None:
        old_entity = books.ensure_entity(*old)
        balance, opened = book_value(books, old_entity, value_account(before)[0])
        if balance:
            amount = balance
            on = _open_date(books, old_entity, max(on, opened or on), today)
            entries.append(opening_entry(old_entity, replace(before, value=balance), on, EntryKind.TRANSFER_OUT))
    if new is not None:
        entity = books.ensure_entity(*new)
        on = _open_date(books, entity, on, today)
        books.open_accounts(_accounts_for(entity, after, on))
        entries.append(opening_entry(entity, replace(after, value=amount), on, EntryKind.TRANSFER_IN))
    books.post(entries, [Located("confirmation")] * len(entries))
    return len(entries)
