"""Reading the journal entries of the reader's scope: one page, filtered, sorted and counted in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, extract, func, or_, select
from sqlalchemy.orm import aliased

from assetledger.domain.access import Action
from assetledger.services.access import listed_within, read_scope
from assetledger.services.entry_refs import RefWords, describe_refs
from assetledger.services.paging import Sorting, fetch_page
from assetledger.store.db import Database
from assetledger.store.journal_models import Entity, Entry, PostingRow

AMOUNT = (
    select(func.sum(PostingRow.amount))
    .where(PostingRow.entry_id == Entry.id, PostingRow.amount > 0)
    .correlate(Entry)
    .scalar_subquery()
)
_LATER = aliased(Entry)
REVERSED = exists().where(_LATER.reverses_id == Entry.id)
SORTS: dict[str, Any] = {
    "date": Entry.date,
    "entity": Entry.entity_code,
    "kind": Entry.kind,
    "asset_id": Entry.asset_id,
    "amount": AMOUNT,
    "id": Entry.id,
}
LATEST_FIRST = Sorting("date", descending=True)  # the list's order unless asked otherwise


@dataclass(frozen=True)
class EntryFilter:
    region: str | None = None  # the entities of this region and the regions below it
    kind: str | None = None  # revenue, expense, distribution, ...
    year: int | None = None
    words: tuple[str, ...] = ()  # each in the narration, the voucher, the asset id or the entity's name
    limit: int | None = None


def _matches(word: str) -> ColumnElement[bool]:
    needle = word.lower()
    named = select(Entity.code).where(func.lower(Entity.name).contains(needle, autoescape=True))
    return or_(
        func.lower(Entry.narration).contains(needle, autoescape=True),
        func.lower(Entry.ref).contains(needle, autoescape=True),
        func.lower(Entry.asset_id).contains(needle, autoescape=True),
        Entry.entity_code.in_(named),
    )


@dataclass(frozen=True)
class EntryLine:
    """A journal entry as a list shows it: its entity's code and name, kind, asset, narration, voucher, the entry it
    reverses, who recorded it, its amount (the sum of its debits) and whether a later entry reverses it."""

    id: int
    date: dt.date
    entity_code: str
    entity_name: str
    kind: str
    asset_id: str | None
    narration: str
    ref: str | None
    reverses_id: int | None
    actor: str
    amount: Decimal | None
    reversed: bool
    ref_words: RefWords | None = None  # a system ref in words (services/entry_refs.py); None: a voucher as typed


def entry_page(
    db: Database, flt: EntryFilter, actor: str, order: Sorting = LATEST_FIRST
) -> tuple[list[EntryLine], int]:
    """One page of the entries that pass the filter (all without a limit), and how many pass it: each with its
    entity's name, its amount (the sum of its debits) and whether a later entry reverses it."""
    term = order.term(SORTS)
    columns: list[Any] = [
        Entry.id, Entry.date, Entry.entity_code, Entity.name.label("entity_name"), Entry.kind, Entry.asset_id,
        Entry.narration, Entry.ref, Entry.reverses_id, Entry.actor, AMOUNT.label("amount"),
        REVERSED.label("reversed"),
    ]  # fmt: skip
    query = select(*columns).join(Entity, Entity.code == Entry.entity_code)
    with db.reading() as session:
        visible = read_scope(session, actor, flt.region, action=Action.BOOKS)
        query = query.where(*listed_within(session, Entity.region_code, flt.region, visible))
        if flt.kind:
            query = query.where(Entry.kind == flt.kind)
        if flt.year:
            query = query.where(extract("year", Entry.date) == flt.year)
        for word in flt.words:
            query = query.where(_matches(word))
        by = [term, Entry.id.desc() if order.descending else Entry.id]
        rows, total = fetch_page(session, query, by, order.offset, flt.limit)
        words = describe_refs(session, [row["ref"] for row in rows], actor)
    return [EntryLine(**(row | {"reversed": bool(row["reversed"]), "ref_words": words.get(row["ref"])}))
            for row in rows], total  # fmt: skip


def entry_years(db: Database, actor: str) -> list[int]:
    """The years of the entries the reader may see, latest first."""
    query = select(extract("year", Entry.date)).distinct().join(Entity, Entity.code == Entry.entity_code)
    with db.reading() as session:
        visible = read_scope(session, actor, action=Action.BOOKS)
        if visible is not None:
            query = query.where(Entity.region_code.in_(sorted(visible)))
        return sorted((int(y) for (y,) in session.execute(query) if y is not None), reverse=True)
