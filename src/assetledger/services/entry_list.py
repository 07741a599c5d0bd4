"""An entity's journal entries a page at a time, newest first, with the entry that reverses each (if any)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from assetledger.domain.access import Action
from assetledger.services.access import region_of_entity, require_read
from assetledger.services.entry_refs import RefWords, describe_refs
from assetledger.store.db import Database
from assetledger.store.journal_models import Entry, PostingRow
from assetledger.store.models import Asset

MAX_PAGE = 500


@dataclass(frozen=True)
class EntryLine:
    """One entry as the books page lists it."""

    id: int
    date: dt.date
    kind: str
    narration: str
    asset_id: str | None
    asset_name: str | None
    ref: str | None
    ref_words: RefWords | None  # a system ref in words; None: a voucher number as typed
    reverses_id: int | None
    amount: Decimal | None  # the sum of its debits
    actor: str
    recorded_at: dt.datetime
    reversed_by: int | None  # the entry that reverses it


@dataclass(frozen=True)
class EntryPage:
    rows: list[EntryLine]
    total: int
    offset: int
    limit: int


def entries_page(db: Database, entity: str, actor: str, *, offset: int = 0, limit: int = 50) -> EntryPage:
    """Entries of one entity (refused outside the reader's scope), newest first: id, date, kind, narration, asset,
    ref (and `ref_words`: a system ref in words, services/entry_refs.py), amount (the sum of its debits), who recorded
    it, and the id of the entry that reverses it."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    later = aliased(Entry)
    debits = (
        select(PostingRow.entry_id, func.sum(PostingRow.amount).label("amount"))
        .where(PostingRow.amount > 0)
        .group_by(PostingRow.entry_id)
        .subquery()
    )
    query = (
        select(
            Entry.id, Entry.date, Entry.kind, Entry.narration, Entry.asset_id, Asset.name.label("asset_name"),
            Entry.ref, Entry.reverses_id, debits.c.amount, Entry.actor, Entry.recorded_at,
            later.id.label("reversed_by"),
        )
        .outerjoin(Asset, Asset.asset_id == Entry.asset_id)
        .outerjoin(debits, debits.c.entry_id == Entry.id)
        .outerjoin(later, later.reverses_id == Entry.id)
        .where(Entry.entity_code == entity)
        .order_by(Entry.date.desc(), Entry.id.desc())
        .offset(offset)
        .limit(limit)
    )  # fmt: off
    with db.reading() as session:
        require_read(session, actor, region_of_entity(entity), action=Action.BOOKS)
        total = session.scalar(select(func.count()).select_from(Entry).where(Entry.entity_code == entity)) or 0
        found = session.execute(query).all()
        words = describe_refs(session, [r.ref for r in found], actor)
    rows = [
        EntryLine(r.id, r.date, r.kind, r.narration, r.asset_id, r.asset_name, r.ref, words.get(r.ref or ""),
                  r.reverses_id, r.amount, r.actor, r.recorded_at, r.reversed_by)
        for r in found
    ]  # fmt: skip
    return EntryPage(rows, total, offset, limit)
