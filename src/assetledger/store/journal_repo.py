"""The SQL of the books: entities, accounts, period closes, entries and postings, as the posting service needs them.

Reads are typed Core selects on the tables, many keys at a time (a county's import or a month's postings touch
thousands of entities and tens of thousands of vouchers); dates come back as dates on both databases. Writes go
through the one bulk path (store/bulk.py); the ids of new accounts, entries and postings are the database's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from assetledger.store.bulk import chunks, insert_new
from assetledger.store.journal_models import Account, Entity, Entry, PeriodClose, PostingRow
from assetledger.store.tables import table_of

ENTITIES = table_of(Entity)
ACCOUNTS = table_of(Account)
ENTRIES = table_of(Entry)
POSTINGS = table_of(PostingRow)
PERIOD_CLOSES = table_of(PeriodClose)

ACCOUNT_COLUMNS = ("entity_code", "name", "cn_name", "opened_on", "asset_id", "created_at")
ENTRY_COLUMNS = ("entity_code", "date", "kind", "narration", "asset_id", "ref", "reverses_id", "meta", "actor",
                 "recorded_at")  # fmt: skip
POSTING_COLUMNS = ("entry_id", "account_id", "amount")  # amount in stored form: integer fen


class BookedHead(NamedTuple):
    """An entry found under a voucher number: its head, and the id of the entry reversing it, if any."""

    id: int
    ref: str
    date: dt.date
    kind: str
    narration: str
    asset_id: str | None
    reverses_id: int | None
    reversed_by: int | None


# --- reads -------------------------------------------------------------------------------------------------------


def existing_entities(session: Session, codes: Sequence[str]) -> set[str]:
    """Which of `codes` have books."""
    found: set[str] = set()
    for part in chunks(codes):
        found.update(session.scalars(select(ENTITIES.c.code).where(ENTITIES.c.code.in_(part))))
    return found


def accounts_of(session: Session, entities: Sequence[str]) -> dict[str, dict[str, tuple[int, dt.date]]]:
    """Per entity (each of `entities`, none left out), account name -> (id, opened on)."""
    found: dict[str, dict[str, tuple[int, dt.date]]] = {code: {} for code in entities}
    a = ACCOUNTS.c
    for part in chunks(entities):
        for code, name, id_, opened in session.execute(
            select(a.entity_code, a.name, a.id, a.opened_on).where(a.entity_code.in_(part))
        ):
            found[code][name] = (id_, opened)
    return found


def closed_through(session: Session, entities: Sequence[str]) -> dict[str, dt.date | None]:
    """Per entity (each of `entities`), the last day of its closed periods, or None."""
    found: dict[str, dt.date | None] = dict.fromkeys(entities)
    c = PERIOD_CLOSES.c
    for part in chunks(entities):
        query = select(c.entity_code, func.max(c.through)).where(c.entity_code.in_(part)).group_by(c.entity_code)
        found.update({code: through for code, through in session.execute(query)})
    return found


def booked_heads(session: Session, entity: str, refs: Sequence[str]) -> list[BookedHead]:
    """The entries of one entity under any of `refs`, each with the id of its reversal (per entity, so each probe
    uses the (entity_code, ref) index)."""
    e, r = ENTRIES.alias("e"), ENTRIES.alias("r")
    reversal = select(r.c.id).where(r.c.reverses_id == e.c.id).scalar_subquery()
    columns = (e.c.id, e.c.ref, e.c.date, e.c.kind, e.c.narration, e.c.asset_id, e.c.reverses_id, reversal)
    found = []
    for part in chunks(refs):
        query = select(*columns).where(e.c.entity_code == entity, e.c.ref.in_(part))
        found += [BookedHead(*row) for row in session.execute(query)]
    return found


def posting_lines(session: Session, entry_ids: Sequence[int]) -> list[tuple[int, str, int]]:
    """(entry id, account name, amount in integer fen) of every posting of the entries."""
    p, a = POSTINGS.c, ACCOUNTS.c
    found: list[tuple[int, str, int]] = []
    for part in chunks(entry_ids):
        query = (
            select(p.entry_id, a.name, type_coerce(p.amount, BigInteger))
            .join_from(POSTINGS, ACCOUNTS, a.id == p.account_id)
            .where(p.entry_id.in_(part))
        )
        found += [(entry_id, name, fen) for entry_id, name, fen in session.execute(query)]
    return found


# --- writes ------------------------------------------------------------------------------------------------------


def insert_entities(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New books: one row per entity (entities are sealed by key, state_seals)."""
    if rows:
        session.connection().execute(insert(ENTITIES), list(rows))


def insert_accounts(session: Session, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Open accounts, given in ACCOUNT_COLUMNS order; their ids, in order."""
    return insert_new(session, ACCOUNTS, ACCOUNT_COLUMNS, rows)


def insert_entries(session: Session, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Entries given in ENTRY_COLUMNS order, each value converted by its column's type; their ids, in order."""
    return insert_new(session, ENTRIES, ENTRY_COLUMNS, rows)


def insert_postings(session: Session, rows: Iterable[tuple[int, int, int]]) -> None:
    """Postings as (entry id, account id, amount in integer fen): already in stored form."""
    insert_new(session, POSTINGS, POSTING_COLUMNS, list(rows), stored=True)
