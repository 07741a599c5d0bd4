"""Keeping books and registers in step: opening entries at registration, transfers at confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.booking import (
    BOOKS_START,
    BookedAsset,
    books_of,
    capital_account,
    entity_code,
    opening_entry,
    value_account,
)
from assetledger.domain.enums import FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.journal import EntryKind, JournalEntry
from assetledger.domain.money import from_fen
from assetledger.services.books import Books, Located
from assetledger.store.bulk import chunks, fetch_raw, marker
from assetledger.store.journal_models import PostingRow
from assetledger.store.models import Asset

_REGISTERS = {r.value: r for r in Register}
_MODES = {m.value: m for m in OperatingMode}
_OWNER_KINDS = {k.value: k for k in OwnerKind}
_SOURCES = {s.value: s for s in FundSource}


def load_booked(session: Session, asset_ids: Sequence[str]) -> dict[str, BookedAsset]:
    """The booking facts of many assets, read by plain driver SQL (imports book 100k at a time): money columns
    are integer fen in the store, enums are looked up by value."""
    m = marker(session)
    funding: dict[str, list[tuple[FundSource, Decimal]]] = {}
    booked: dict[str, BookedAsset] = {}
    for part in chunks(asset_ids):
        marks = ", ".join([m] * len(part))
        sql = f"SELECT asset_id, source, amount FROM asset_funding WHERE asset_id IN ({marks}) ORDER BY id"
        for asset_id, source, amount in fetch_raw(session, sql, part):
            funding.setdefault(asset_id, []).append((_SOURCES[source], from_fen(amount)))
        sql = (
            "SELECT asset_id, name, register, category, operating_mode, owner_kind, county_code, township_code, "
            f"village_code, current_value FROM assets WHERE asset_id IN ({marks})"
        )
        for asset_id, name, register, category, mode, owner, county, township, village, value in fetch_raw(
            session, sql, part
        ):
            booked[asset_id] = BookedAsset(
                asset_id=asset_id,
                name=name,
                register=_REGISTERS[register],
                category=category,
                operating_mode=_MODES[mode] if mode else None,
                owner_kind=_OWNER_KINDS[owner] if owner else None,
                county_code=county,
                township_code=township,
                village_code=village,
                value=from_fen(value),
                funding=tuple(funding.get(asset_id, ())),
            )
    return booked


def asset_date(a: Asset) -> dt.date:
    """The date an asset enters the books: handover, else confirmation, else the end of its build year."""
    return _entry_date(a.handed_over_on, a.confirmed_on, a.build_year, a.registered_at.date())


def _entry_date(
    handed_over: dt.date | None, confirmed: dt.date | None, build_year: int | None, registered: dt.date | None
) -> dt.date:
    on = handed_over or confirmed
    if on is None:
        on = dt.date(build_year, 12, 31) if build_year else (registered or dt.date.today())
    return max(on, BOOKS_START)


def _accounts_for(entity: str, asset: BookedAsset, on: dt.date) -> list[tuple[str, str, str, dt.date, str | None]]:
    """The asset's value account opens on its first entry; the fund-source equity accounts with the books."""
    value_name, value_cn = value_account(asset)
    wanted: list[tuple[str, str, str, dt.date, str | None]] = [(entity, value_name, value_cn, on, asset.asset_id)]
    for source in [s for s, _ in asset.funding] or [FundSource.OTHER]:
        name, cn_name = capital_account(asset.register, source)
        wanted.append((entity, name, cn_name, BOOKS_START, None))
    return wanted


def _open_date(books: Books, entity: str, wanted: dt.date, today: dt.date) -> dt.date:
    closed = books.closed_through(entity)
    return today if closed is not None and wanted <= closed else wanted  # late registration: 补录 in the open period


def book_openings(books: Books, asset_ids: Sequence[str], today: dt.date) -> int:
    """Post the opening entry of each newly registered asset in its owner's books. Returns entries posted."""
    session = books.session
    booked = load_booked(session, asset_ids)
    dates = _entry_dates(session, asset_ids)
    entries: list[JournalEntry] = []
    opens: list[tuple[str, str, str, dt.date, str | None]] = []
    places = {asset_id: books_of(asset) for asset_id, asset in booked.items()}
    books.ensure_entities({place for place in places.values() if place is not None})
    codes = {place: entity_code(*place) for place in set(places.values()) if place is not None}
    books.preload(set(codes.values()))
    for asset_id in asset_ids:
        place = places[asset_id]
        if place is None:
            continue
        asset, entity = booked[asset_id], codes[place]
        on = _open_date(books, entity, dates[asset_id], today)
        opens += _accounts_for(entity, asset, on)
        entries.append(opening_entry(entity, asset, on))
    books.open_accounts(opens)
    books.post(entries, [Located("registration")] * len(entries))
    return len(entries)


def _entry_dates(session: Session, asset_ids: Sequence[str]) -> dict[str, dt.date]:
    """The date each asset enters the books (see `asset_date`), for many assets by plain driver SQL."""
    m = marker(session)
    dates: dict[str, dt.date] = {}
    for part in chunks(asset_ids):
        sql = (
            "SELECT asset_id, handed_over_on, confirmed_on, build_year, registered_at FROM assets "
            f"WHERE asset_id IN ({', '.join([m] * len(part))})"
        )
        for asset_id, handed, confirmed, year, registered in fetch_raw(session, sql, part):
            dates[asset_id] = _entry_date(_day(handed), _day(confirmed), year, _day(registered))
    return dates


def _day(value: object) -> dt.date | None:
    """A DATE or DATETIME read by plain driver SQL: date/datetime objects on PostgreSQL, ISO text on SQLite."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


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
