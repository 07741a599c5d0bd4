"""Posting to the books inside one transaction: entities, accounts, validation and fast inserts.

Every entry is checked before anything is written: it balances, its accounts are open on its date, its period is
not closed, its asset is not disposed of, and its source key (ref) was not posted before (then it is skipped, so
re-running the same posting is a no-op).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import BOOKS_START, ENTITY_PREFIX
from assetledger.domain.enums import AssetStatus
from assetledger.domain.journal import EntityKind, JournalEntry, entry_problems
from assetledger.errors import Finding, InputError, NotFoundError
from assetledger.ledger.chart import load_chart
from assetledger.services.access import region_of_entity, require
from assetledger.services.context import now
from assetledger.store.bulk import chunks, insert_with_ids
from assetledger.store.journal_models import Account, Entity, Entry, PeriodClose, PostingRow
from assetledger.store.models import Asset, Region

ENTITY_SUFFIX = {EntityKind.VILLAGE: "股份经济合作社", EntityKind.TOWNSHIP: "人民政府", EntityKind.COUNTY: "财政局"}


@dataclass(frozen=True)
class Located:
    """Where an entry came from, for error messages: a file and row, or a command."""

    source: str
    row: int | None = None


@dataclass
class PostResult:
    posted: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # refs already posted


class Books:
    """The books of every entity, as seen from one open transaction. Caches what it has looked up."""

    def __init__(self, session: Session, actor: str) -> None:
        self.session, self.actor = session, actor
        self._accounts: dict[str, dict[str, tuple[int, dt.date]]] = {}
        self._closed: dict[str, dt.date | None] = {}
        self._entities: set[str] = set()

    # --- entities and accounts ------------------------------------------------------------------------------

    def ensure_entities(self, places: set[tuple[EntityKind, str]]) -> None:
        """Create the books of many entities at once (a county's import touches hundreds of villages)."""
        wanted = {f"{ENTITY_PREFIX[k]}{r}": (k, r) for k, r in places} if places else {}
        missing = sorted(set(wanted) - self._entities)
        if not missing:
            return
        existing: set[str] = set()
        for part in chunks(missing):
            existing.update(self.session.scalars(select(Entity.code).where(Entity.code.in_(part))))
        self._entities.update(existing)
        new = [code for code in missing if code not in existing]
        if not new:
            return
        regions = {}
        for part in chunks([wanted[c][1] for c in new]):
            for r in self.session.scalars(select(Region).where(Region.code.in_(part))):
                regions[r.code] = r
        at = now()
        rows = []
        for code in new:
            kind, region_code = wanted[code]
            region = regions.get(region_code)
            if region is None:
                raise NotFoundError("region", region_code)
            rows.append(
                {"code": code, "name": f"{region.name}{ENTITY_SUFFIX[kind]}", "kind": kind.value,
                 "region_code": region_code, "county_code": region.county_code, "books_start": BOOKS_START,
                 "created_at": at, "created_by": self.actor}
            )  # fmt: off
        self.session.connection().execute(insert(Entity.__table__), rows)  # type: ignore[arg-type]
        self._entities.update(new)
        for code in new:
            self._accounts[code] = {}
        self.open_accounts([(code, a.name, a.cn_name, BOOKS_START, None) for code in new for a in load_chart()])

    def ensure_entity(self, kind: EntityKind, region_code: str) -> str:
        code = f"{ENTITY_PREFIX[kind]}{region_code}"
        if code in self._entities or self.session.get(Entity, code) is not None:
            self._entities.add(code)
            return code
        region = self.session.get(Region, region_code)
        if region is None:
            raise NotFoundError("region", region_code)
        at = now()
        self.session.execute(
            insert(Entity),
            [
                {
                    "code": code,
                    "name": f"{region.name}{ENTITY_SUFFIX[kind]}",
                    "kind": kind.value,
                    "region_code": region_code,
                    "county_code": region.county_code,
                    "books_start": BOOKS_START,
                    "created_at": at,
                    "created_by": self.actor,
                }
            ],
        )
        self._entities.add(code)
        self.open_accounts([(code, a.name, a.cn_name, BOOKS_START, None) for a in load_chart()])
        return code

    def ensure_entity_code(self, code: str) -> str:
        """Create the books named by an entity code (V/T/C + region code) if they do not exist yet."""
        kinds = {prefix: kind for kind, prefix in ENTITY_PREFIX.items()}
        kind = kinds.get(code[:1])
        if kind is None:
            raise NotFoundError("entity", code)
        return self.ensure_entity(kind, code[1:])

    def accounts(self, entity: str) -> dict[str, tuple[int, dt.date]]:
        """Account name -> (id, opened on) for one entity, loaded once."""
        if entity not in self._accounts:
            rows = self.session.execute(
                select(Account.name, Account.id, Account.opened_on).where(Account.entity_code == entity)
            )
            self._accounts[entity] = {name: (id_, opened) for name, id_, opened in rows}
        return self._accounts[entity]

    def open_accounts(self, wanted: Iterable[tuple[str, str, str, dt.date, str | None]]) -> None:
        """Open (entity, name, Chinese name, date, asset) accounts that are not open yet; keep earlier opens."""
        rows: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        at = now()
        for entity, name, cn_name, opened_on, asset_id in wanted:
            if name in self.accounts(entity) or (entity, name) in seen:
                continue
            seen.add((entity, name))
            rows.append(
                {
                    "entity_code": entity,
                    "name": name,
                    "cn_name": cn_name,
                    "opened_on": opened_on,
                    "asset_id": asset_id,
                    "created_at": at,
                }
            )
        if not rows:
            return
        ids = insert_with_ids(self.session, Account.__table__, rows)  # type: ignore[arg-type]
        for row, id_ in zip(rows, ids, strict=True):
            self._accounts[row["entity_code"]][row["name"]] = (id_, row["opened_on"])

    def closed_through(self, entity: str) -> dt.date | None:
        if entity not in self._closed:
            self._closed[entity] = self.session.scalar(
                select(func.max(PeriodClose.through)).where(PeriodClose.entity_code == entity)
            )
        return self._closed[entity]

    def entity_exists(self, entity: str) -> bool:
        if entity in self._entities:
            return True
        if self.session.get(Entity, entity) is not None:
            self._entities.add(entity)
            return True
        return False

    # --- posting --------------------------------------------------------------------------------------------

    def post(self, entries: Sequence[JournalEntry], where: Sequence[Located] | None = None) -> PostResult:
        """Validate every entry, then insert all of them, or raise with every problem and insert nothing."""
        located = list(where) if where is not None else [Located("entry")] * len(entries)
        require(self.session, self.actor, Action.BOOKS, {region_of_entity(e.entity) for e in entries})
        findings: list[Finding] = []
        done = self._already_posted(entries)
        disposed = self._disposed_assets({e.asset_id for e in entries if e.asset_id})
        fresh: list[JournalEntry] = []
        seen_refs: set[tuple[str, str]] = set()
        result = PostResult()
        for entry, loc in zip(entries, located, strict=True):
            if entry.ref is not None:
                key = (entry.entity, entry.ref)
                if key in done:
                    result.skipped.append(entry.ref)
                    continue
                if key in seen_refs:
                    findings.append(Finding(loc.source, loc.row, "ref", entry.ref, "the same ref twice in one batch"))
                    continue
                seen_refs.add(key)
            problems = self._problems(entry, disposed)
            findings.extend(Finding(loc.source, loc.row, None, None, p) for p in problems)
            fresh.append(entry)
        if findings:
            raise InputError(findings)
        result.posted = self._insert(fresh)
        return result

    def _problems(self, entry: JournalEntry, disposed: dict[str, dt.date]) -> list[str]:
        problems = entry_problems(entry)
        if not self.entity_exists(entry.entity):
            return [*problems, f"no books for entity {entry.entity}"]
        accounts = self.accounts(entry.entity)
        for p in entry.postings:
            account = accounts.get(p.account)
            if account is None:
                problems.append(f"account {p.account} is not open in the books of {entry.entity}")
            elif entry.date < account[1]:
                problems.append(f"account {p.account} opens on {account[1]}, after the entry date {entry.date}")
        closed = self.closed_through(entry.entity)
        if closed is not None and entry.date <= closed:
            problems.append(f"the books of {entry.entity} are closed through {closed}; entry dated {entry.date}")
        gone = disposed.get(entry.asset_id) if entry.asset_id else None
        if gone is not None and entry.date > gone and entry.kind.value != "disposal":
            problems.append(f"asset {entry.asset_id} was disposed of on {gone}; it takes no postings after that")
        return problems

    def _already_posted(self, entries: Sequence[JournalEntry]) -> set[tuple[str, str]]:
        keys = sorted({(e.entity, e.ref) for e in entries if e.ref is not None})
        found: set[tuple[str, str]] = set()
        for part in chunks(keys, 400):
            rows = self.session.execute(
                select(Entry.entity_code, Entry.ref).where(tuple_(Entry.entity_code, Entry.ref).in_(part))
            )
            found.update((entity, ref) for entity, ref in rows if ref is not None)
        return found

    def _disposed_assets(self, asset_ids: set[str]) -> dict[str, dt.date]:
        found: dict[str, dt.date] = {}
        for part in chunks(sorted(asset_ids)):
            rows = self.session.execute(
                select(Asset.asset_id, Asset.disposed_on).where(
                    Asset.asset_id.in_(part), Asset.status == AssetStatus.DISPOSED.value
                )
            )
            found.update((asset_id, on or dt.date.min) for asset_id, on in rows)
        return found

    def _insert(self, entries: Sequence[JournalEntry]) -> list[int]:
        if not entries:
            return []
        at = now()
        rows = [
            {
                "entity_code": e.entity,
                "date": e.date,
                "kind": e.kind.value,
                "narration": e.narration,
                "asset_id": e.asset_id,
                "ref": e.ref,
                "reverses_id": e.reverses,
                "meta": dict(e.meta) or None,
                "actor": self.actor,
                "recorded_at": at,
            }
            for e in entries
        ]
        ids = insert_with_ids(self.session, Entry.__table__, rows)  # type: ignore[arg-type]
        postings = []
        for entry, entry_id in zip(entries, ids, strict=True):
            accounts = self._accounts[entry.entity]
            for p in entry.postings:
                postings.append({"entry_id": entry_id, "account_id": accounts[p.account][0], "amount": p.amount})
        self.session.connection().execute(insert(PostingRow.__table__), postings)  # type: ignore[arg-type]
        return ids
