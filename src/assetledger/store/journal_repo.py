"""The SQL of the books: entities, accounts, period closes, entries and postings, as the posting service needs them.

Reads are typed Core selects on the tables, many keys at a time (a county's import or a month's postings touch
thousands of entities and tens of thousands of vouchers); dates come back as dates on both databases. Writes go
through the one bulk path (store/bulk.py); the ids of new accounts, entries and postings are the database's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, bindparam, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from assetledger.store.bulk import chunks, insert_new
from assetledger.store.journal_models import Account, Entity, Entry, PeriodClose, PostingRow
from assetledger.store.tables import table_of

ENTITIES = table_of(Entity)
ACCOUNTS = table_of(Account)
ENTRIES = table_of(Entry)
POSTINGS = table_of(PostingRow)
PERIOD_CLOSES = table_of(PeriodClose)

ACCOUNT_COLUMNS = ("entity_code", "name", "cn_name", "opened_on", "asset_id")
ENTRY_COLUMNS = ("entity_code", "date", "kind", "narration", "asset_id", "ref", "reverses_id", "meta")
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
# Statements are built once, with their keys as parameters: building a select (aliases above all) costs more than
# running it does for the one-key probes of an interactive posting.

_E, _R, _A, _P, _C = ENTRIES.alias("e"), ENTRIES.alias("r"), ACCOUNTS.c, POSTINGS.c, PERIOD_CLOSES.c
_EXISTING = select(ENTITIES.c.code).where(ENTITIES.c.code.in_(bindparam("codes", expanding=True)))
_ACCOUNTS = select(_A.entity_code, _A.name, _A.id, _A.opened_on).where(
    _A.entity_code.in_(bindparam("codes", expanding=True))
)
_CLOSED = (
    select(_C.entity_code, func.max(_C.through))
    .where(_C.entity_code.in_(bindparam("codes", expanding=True)))
    .group_by(_C.entity_code)
)
_BOOKED = select(
    _E.c.id, _E.c.ref, _E.c.date, _E.c.kind, _E.c.narration, _E.c.asset_id, _E.c.reverses_id,
    select(_R.c.id).where(_R.c.reverses_id == _E.c.id).scalar_subquery(),
).where(_E.c.entity_code == bindparam("entity"), _E.c.ref.in_(bindparam("refs", expanding=True)))  # fmt: skip
_LINES = (
    select(_P.entry_id, _A.name, type_coerce(_P.amount, BigInteger))
    .join_from(POSTINGS, ACCOUNTS, _A.id == _P.account_id)
    .where(_P.entry_id.in_(bindparam("ids", expanding=True)))
)


def existing_entities(session: Session, codes: Sequence[str]) -> set[str]:
    """Which of `codes` have books."""
    conn = session.connection()
    return {code for part in chunks(codes) for code in conn.execute(_EXISTING, {"codes": list(part)}).scalars()}


def accounts_of(session: Session, entities: Sequence[str]) -> dict[str, dict[str, tuple[int, dt.date]]]:
    """Per entity (each of `entities`, none left out), account name -> (id, opened on)."""
    found: dict[str, dict[str, tuple[int, dt.date]]] = {code: {} for code in entities}
    conn = session.connection()
    for part in chunks(entities):
        for code, name, id_, opened in conn.execute(_ACCOUNTS, {"codes": list(part)}):
            found[code][name] = (id_, opened)
    return found


def closed_through(session: Session, entities: Sequence[str]) -> dict[str, dt.date | None]:
    """Per entity (each of `entities`), the last day of its closed periods, or None."""
    found: dict[str, dt.date | None] = dict.fromkeys(entities)
    conn = session.connection()
    for part in chunks(entities):
        found.update({code: through for code, through in conn.execute(_CLOSED, {"codes": list(part)})})
    return found


def booked_heads(session: Session, entity: str, refs: Sequence[str]) -> list[BookedHead]:
    """The entries of one entity under any of `refs`, each with the id of its reversal (per entity, so each probe
    uses the (entity_code, ref) index)."""
    conn = session.connection()
    found = []
    for part in chunks(refs):
        found += [BookedHead(*row) for row in conn.execute(_BOOKED, {"entity": entity, "refs": list(part)})]
    return found


def posting_lines(session: Session, entry_ids: Sequence[int]) -> list[tuple[int, str, int]]:
    """(entry id, account name, amount in integer fen) of every posting of the entries."""
    conn = session.connection()
    found: list[tuple[int, str, int]] = []
    for part in chunks(entry_ids):
        found += [(entry_id, name, fen) for entry_id, name, fen in conn.execute(_LINES, {"ids": list(part)})]
    return found


def account_sums(session: Session, account_ids: Sequence[int]) -> dict[int, Decimal]:
    """The balance of each account that has postings (accounts without any are left out)."""
    found: dict[int, Decimal] = {}
    for part in chunks(sorted(account_ids)):
        query = (
            select(PostingRow.account_id, func.sum(PostingRow.amount))
            .where(PostingRow.account_id.in_(part))
            .group_by(PostingRow.account_id)
        )
        found.update({int(account_id): total for account_id, total in session.execute(query)})
    return found


# --- writes ------------------------------------------------------------------------------------------------------


def insert_entities(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New books: one row per entity (entities are sealed by key, state_seals)."""
    if rows:
        session.connection().execute(insert(ENTITIES), list(rows))


def insert_accounts(session: Session, rows: Sequence[Sequence[Any]], created_at: dt.datetime) -> list[int]:
    """Open accounts, given in ACCOUNT_COLUMNS order, all at `created_at`; their ids, in order."""
    return insert_new(session, ACCOUNTS, ACCOUNT_COLUMNS, rows, same={"created_at": created_at})


def insert_entries(session: Session, rows: Sequence[Sequence[Any]], actor: str, at: dt.datetime) -> list[int]:
    """Entries given in ENTRY_COLUMNS order, each value converted by its column's type, all recorded by `actor`
    at `at`; their ids, in order."""
    return insert_new(session, ENTRIES, ENTRY_COLUMNS, rows, same={"actor": actor, "recorded_at": at})


def insert_postings(session: Session, rows: Iterable[tuple[int, int, int]]) -> None:
    """Postings as (entry id, account id, amount in integer fen): already in stored form."""
    insert_new(session, POSTINGS, POSTING_COLUMNS, list(rows), stored=True)
