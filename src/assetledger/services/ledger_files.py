"""The books as Beancount: export an entity, check every entity, run BQL over the live books, import a ledger."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.journal import DISTRIBUTION_KINDS, AccountSpec, EntryKind, JournalEntry, Posting
from assetledger.errors import Finding, InputError, NotFoundError
from assetledger.ledger.beancount_io import EntityBooks, check, parse_ledger, render, run_bql
from assetledger.services.access import read_scope, region_of_entity, regions_within, require_read
from assetledger.services.books import Books, Located
from assetledger.services.context import now
from assetledger.store.bulk import existing_keys
from assetledger.store.db import Database
from assetledger.store.journal_models import Account, Entity, Entry, PostingRow
from assetledger.store.models import Asset, ImportBatch


def load_books(session: Session, entity: str, through: dt.date | None = None) -> EntityBooks:
    """One entity's accounts and entries, streamed from the database in id order."""
    found = session.get(Entity, entity)
    if found is None:
        raise NotFoundError("entity", entity)
    accounts = [
        AccountSpec(a.name, a.cn_name, a.opened_on, a.asset_id)
        for a in session.scalars(select(Account).where(Account.entity_code == entity).order_by(Account.name))
    ]
    postings: dict[int, list[Posting]] = defaultdict(list)
    rows = session.execute(
        select(PostingRow.entry_id, Account.name, PostingRow.amount)
        .join(Account, Account.id == PostingRow.account_id)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(Entry.entity_code == entity)
        .order_by(PostingRow.id)
    )
    for entry_id, name, amount in rows:
        postings[entry_id].append(Posting(name, amount))
    query = select(Entry).where(Entry.entity_code == entity).order_by(Entry.date, Entry.id)
    if through:
        query = query.where(Entry.date <= through)
    entries = [
        JournalEntry(
            entity=e.entity_code,
            date=e.date,
            narration=e.narration,
            postings=tuple(postings[e.id]),
            kind=e.kind,  # as stored: a text that is none of EntryKind is shown (exported, checked) as it is
            asset_id=e.asset_id,
            ref=e.ref,
            reverses=e.reverses_id,
            meta=e.meta or {},
            id=e.id,
        )
        for e in session.scalars(query)
    ]
    return EntityBooks(entity, found.name, accounts, entries)


def readable_entity(db: Database, entity: str, actor: str) -> str:
    """The entity's name, for a reader whose scope covers the entity (refused otherwise; not found if none)."""
    with db.reading() as session:
        require_read(session, actor, region_of_entity(entity), action=Action.BOOKS)
        found = session.get(Entity, entity)
        if found is None:
            raise NotFoundError("entity", entity)
        return found.name


def export_entity(db: Database, entity: str, out: Path, actor: str) -> tuple[Path, int]:
    """Write an entity's books as a .beancount file, for a reader whose scope covers the entity (nothing is written
    otherwise)."""
    with db.reading() as session:
        require_read(session, actor, region_of_entity(entity), action=Action.BOOKS)
        books = load_books(session, entity)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(books), encoding="utf-8")
    return out, len(books.entries)


def entities_in(session: Session, regions: set[str] | None) -> list[str]:
    """The entities whose region is one of `regions` (None: every entity), in code order."""
    query = select(Entity.code).order_by(Entity.code)
    if regions is not None:
        query = query.where(Entity.region_code.in_(sorted(regions)))
    return list(session.scalars(query))


@dataclass(frozen=True)
class CheckResult:
    entity: str
    entries: int
    errors: list[str]


def check_entities(
    db: Database, actor: str, within: str | None = None, *, action: Action | None = Action.BOOKS
) -> Iterator[CheckResult]:
    """Render each entity's books and run Beancount's own validation over the text (what bean-check does): the
    entities whose region lies within `within` (refused outside the reader's scope), else within the reader's
    scope, for a reader of the books (`audit verify` asks for any known user, and shows others the counts only)."""
    with db.reading() as session:
        visible = read_scope(session, actor, within, action=action)
        codes = entities_in(session, regions_within(session, within) if within else visible)
    for entity in codes:
        with db.reading() as session:
            books = load_books(session, entity)
        yield CheckResult(entity, len(books.entries), check(render(books)))


def query_entity(db: Database, entity: str, bql: str, actor: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """BQL over an entity's live books, for a reader whose scope covers the entity."""
    with db.reading() as session:
        require_read(session, actor, region_of_entity(entity), action=Action.BOOKS)
        books = load_books(session, entity)
    return run_bql(books, bql)


def import_ledger(db: Database, path: Path, entity: str, actor: str) -> int:
    """Bring an existing Beancount ledger (CNY, simple transactions) into an entity's books, all or nothing."""
    accounts, entries, findings = parse_ledger(path, entity)
    if findings:
        raise InputError(findings)
    # A file's word that an entry is a distribution or a payout is not taken: those are recorded only beside their
    # distribution records, so such an entry comes in as imported and meets the rule on the accounts they keep.
    entries = [replace(e, kind=EntryKind.IMPORTED) if e.kind in DISTRIBUTION_KINDS else e for e in entries]
    with db.transaction() as session:
        assets = {a.asset_id for a in accounts if a.asset_id} | {e.asset_id for e in entries if e.asset_id}
        known_assets = existing_keys(session, Asset.asset_id, sorted(assets))
        unknown = [
            Finding(str(path), None, "asset", a, "资产不在台账中 (asset is not in the register)")
            for a in sorted(assets - known_assets)
        ]
        if unknown:
            raise InputError(unknown)
        checksum = hashlib.sha256(path.read_bytes()).hexdigest()
        kind = f"ledger:{entity}"
        if session.scalar(select(ImportBatch.id).where(ImportBatch.kind == kind, ImportBatch.checksum == checksum)):
            return 0  # the same file into the same books: already done
        session.add(
            ImportBatch(
                kind=kind,
                source_name=path.name,
                checksum=checksum,
                row_count=len(entries),
                actor=actor,
                recorded_at=now(),
            )
        )
        books = Books(session, actor)
        books.ensure_entity_code(entity)
        known = books.accounts(entity)
        clashes = [
            Finding(
                str(path),
                None,
                "open",
                a.name,
                f"开账日期 {a.opened_on} 与账簿的 {known[a.name][1]} 不一致 "
                f"(opens on {a.opened_on} but the books open it on {known[a.name][1]})",
            )
            for a in accounts
            if a.name in known and a.opened_on < known[a.name][1]
        ]
        if clashes:
            raise InputError(clashes)
        books.open_accounts((entity, a.name, a.cn_name, a.opened_on, a.asset_id) for a in accounts)
        result = books.post(entries, [Located(str(path))] * len(entries))
        return len(result.posted)
