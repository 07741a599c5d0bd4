"""Keeping books and registers in step: opening entries at registration, transfers at confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from assetledger.domain.booking import (
    BOOKS_START,
    BookedAsset,
    books_of,
    capital_account,
    entity_code,
    entry_date,
    opening_entry,
    value_account,
)
from assetledger.domain.enums import FundSource
from assetledger.domain.journal import EntryKind, JournalEntry
from assetledger.services.books import Books, Located
from assetledger.services.context import today
from assetledger.store import journal_repo, register_repo
from assetledger.store.bulk import chunks
from assetledger.store.journal_models import Entry, PostingRow


def load_booked(session: Session, asset_ids: Sequence[str]) -> dict[str, BookedAsset]:
    """The booking facts of many assets (imports book 100k at a time)."""
    return register_repo.booked_assets(session, asset_ids)


def _accounts_for(entity: str, asset: BookedAsset, on: dt.date) -> list[tuple[str, str, str, dt.date, str | None]]:
    """The asset's value account opens on its first entry; the fund-source equity accounts with the books."""
    value_name, value_cn = value_account(asset)
    wanted: list[tuple[str, str, str, dt.date, str | None]] = [(entity, value_name, value_cn, on, asset.asset_id)]
    for source in [s for s, _ in asset.funding] or [FundSource.OTHER]:
        name, cn_name = capital_account(asset.register, source)
        wanted.append((entity, name, cn_name, BOOKS_START, None))
    return wanted


def first_open_day(books: Books, entity: str, wanted: dt.date) -> dt.date:
    """`wanted`, or the first day after the entity's closed period when it falls inside it: an event recorded
    late (补录) is booked in the open period, never in a closed one."""
    closed = books.closed_through(entity)
    return closed + dt.timedelta(days=1) if closed is not None and wanted <= closed else wanted


def book_openings(books: Books, asset_ids: Sequence[str], *, batch_id: int | None = None) -> int:
    """Post the opening entry of each newly registered asset in its owner's books, dated by the asset's own dates
    (`entry_date`); an asset with none of them is part of the opening balance (期初), dated the day the books
    start, and an asset registered into a closed period enters on the first open day (补录). Never by the clock.

    The assets are read back as the register stores them: those of an import `batch_id` (which are `asset_ids`)
    in two set-based reads, others by their ids."""
    session = books.session
    if batch_id is not None:
        found = register_repo.booked_batch(session, batch_id)
        booked = {asset_id: asset for asset_id, (asset, _) in found.items()}
        dates = _dates_of(facts for _, facts in found.values())
    else:
        booked = load_booked(session, asset_ids)
        dates = _dates_of(register_repo.entry_date_facts(session, asset_ids))
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
        on = first_open_day(books, entity, dates[asset_id])
        opens += _accounts_for(entity, asset, on)
        entries.append(opening_entry(entity, asset, on))
    books.open_accounts(opens)
    books.post(entries, [Located("registration")] * len(entries))
    return len(entries)


def _dates_of(facts: Iterable[register_repo.EntryDateFacts]) -> dict[str, dt.date]:
    """The date each asset enters the books (see `entry_date`), for many assets."""
    day = today()
    return {
        asset_id: entry_date(acquired, handed, confirmed, year, today=day) or BOOKS_START
        for asset_id, acquired, handed, confirmed, year in facts
    }


def book_value(books: Books, entity: str, account: str) -> tuple[Decimal, dt.date | None]:
    """Balance of one account and the date it opened (None when it is not open)."""
    found = books.accounts(entity).get(account)
    if found is None:
        return Decimal("0.00"), None
    total = books.session.scalar(select(func.sum(PostingRow.amount)).where(PostingRow.account_id == found[0]))
    return total or Decimal("0.00"), found[1]


def book_transfer(books: Books, before: BookedAsset, after: BookedAsset, on: dt.date) -> int:
    """One asset's `book_transfers`."""
    return book_transfers(books, [(before, after, on)])


def book_transfers(books: Books, moves: Sequence[tuple[BookedAsset, BookedAsset, dt.date]]) -> int:
    """When confirmation moves an asset to other books, take it out of the old books and into the new ones on the
    confirmation's date, or on the day it entered the old books when that is later (confirmed before its
    handover), and in each books not before the first day after a closed period. Many assets at once (a bulk
    confirmation of a district): the books, accounts and balances they need are read in a few queries."""
    pending = [(b, a, on, books_of(b), books_of(a)) for b, a, on in moves]
    pending = [move for move in pending if move[3] != move[4]]
    if not pending:
        return 0
    places = {place for *_, old, new in pending for place in (old, new) if place is not None}
    books.ensure_entities(places)
    codes = {place: entity_code(*place) for place in places}
    books.preload(set(codes.values()))
    held = _value_balances(books, [(codes[old], value_account(b)[0]) for b, _, _, old, _ in pending if old])
    entries: list[JournalEntry] = []
    opens: list[tuple[str, str, str, dt.date, str | None]] = []
    for before, after, on, old, new in pending:
        amount = after.value
        if old is not None:
            old_entity = codes[old]
            balance, opened = held.get((old_entity, value_account(before)[0]), (Decimal("0.00"), None))
            if balance:
                amount = balance
                on = max(on, opened or on)  # it cannot leave the old books before it entered them
                out_on = first_open_day(books, old_entity, on)
                entries.append(
                    opening_entry(old_entity, replace(before, value=balance), out_on, EntryKind.TRANSFER_OUT)
                )
        if new is not None:
            entity = codes[new]
            in_on = first_open_day(books, entity, on)
            opens += _accounts_for(entity, after, in_on)
            entries.append(opening_entry(entity, replace(after, value=amount), in_on, EntryKind.TRANSFER_IN))
    books.open_accounts(opens)
    books.post(entries, [Located("confirmation")] * len(entries))
    return len(entries)


def _value_balances(
    books: Books, accounts: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[Decimal, dt.date | None]]:
    """Balance and opening date of each (entity, account) that is open (`book_value` of many at once)."""
    ids: dict[int, tuple[str, str, dt.date]] = {}
    for entity, name in accounts:
        found = books.accounts(entity).get(name)
        if found is not None:
            ids[found[0]] = (entity, name, found[1])
    sums = journal_repo.account_sums(books.session, list(ids))
    return {(e, n): (sums.get(i, Decimal("0.00")), opened) for i, (e, n, opened) in ids.items()}


def entries_after(session: Session, asset_ids: Sequence[str], on: dt.date) -> dict[str, list[tuple[int, dt.date, str]]]:
    """Per asset, (id, date, kind) of its entries dated after `on` that stand: neither reversed nor reversals.
    No posting may stand after an asset leaves the books (DOMAIN rule 16)."""
    reversal = aliased(Entry)
    found: dict[str, list[tuple[int, dt.date, str]]] = {}
    for part in chunks(asset_ids):
        rows = session.execute(
            select(Entry.asset_id, Entry.id, Entry.date, Entry.kind)
            .outerjoin(reversal, reversal.reverses_id == Entry.id)
            .where(Entry.asset_id.in_(part), Entry.date > on, Entry.reverses_id.is_(None), reversal.id.is_(None))
            .order_by(Entry.asset_id, Entry.date, Entry.id)
        )
        for asset_id, id_, date, kind in rows:
            found.setdefault(str(asset_id), []).append((id_, date, kind))
    return found


def later_entries_message(on: dt.date, later: Sequence[tuple[int, dt.date, str]]) -> str:
    named = ", ".join(f"#{id_} ({date}, {kind})" for id_, date, kind in later[:10])
    more = f" and {len(later) - 10} more" if len(later) > 10 else ""
    return (
        f"{on} 之后还有分录，请先冲销 (entries dated after {on} stand: {named}{more}; reverse them first with "
        "`ledger reverse`, or date the change later)"
    )
