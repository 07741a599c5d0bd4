"""Posting to the books inside one transaction: entities, accounts, validation and fast inserts.

Every entry is checked before anything is written: it balances, its amounts are within the bound, it is not dated
after today (a reversal keeps its original's date), its accounts are open on its date, its period is not closed, its
asset is not disposed of. An entry with a ref (voucher number 凭证号) is a voucher whose identity is `voucher_key`
(entity, ref and, for vouchers people enter, the month): the same voucher posted again with the same content is
skipped, so re-running a posting or an import is a no-op; with other content it is a conflict (exit code 4) naming
both, unless the booked one was reversed (the way to correct it). Writers are serialised (see Database.transaction),
so the check and the insert cannot race.

Problems are all listed, and the exit code says what kind they are: bad input 2 before conflicts 4 before refusals
by a rule 5 (a closed period, a disposed asset, a date after today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import BOOKS_START, ENTITY_PREFIX
from assetledger.domain.enums import AssetStatus, RegionLevel
from assetledger.domain.journal import (
    EntityKind,
    EntryContent,
    EntryKind,
    JournalEntry,
    distribution_accounts_problem,
    entry_in_fen,
    voucher_key,
    voucher_month,
)
from assetledger.domain.money import amount_problem, from_fen, to_fen
from assetledger.domain.text import any_refused, text_findings, visible
from assetledger.errors import ConflictError, Finding, InputError, NotFoundError, RuleRefusal, RuleViolation
from assetledger.services.access import region_of_entity, require
from assetledger.services.context import now, today
from assetledger.services.stored import unknown_stored
from assetledger.store import journal_repo, register_repo
from assetledger.store.journal_models import Entry
from assetledger.store.models import Region
from assetledger.store.text_rules import rules

ENTRY_TEXT = rules(narration=Entry.narration, ref=Entry.ref)

ENTITY_SUFFIX = {EntityKind.VILLAGE: "股份经济合作社", EntityKind.TOWNSHIP: "人民政府", EntityKind.COUNTY: "财政局",
                 EntityKind.CITY: "财政局"}  # fmt: skip


@dataclass(frozen=True)
class Located:
    """Where an entry came from, for error messages: a file and row, or a command; `date_column` is the header or
    option that gave the entry's date (named when the date is refused)."""

    source: str
    row: int | None = None
    date_column: str | None = None


@dataclass
class PostResult:
    posted: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # refs already posted with the same content


Head = tuple[dt.date, str, str, str | None, int | None]  # date, kind, narration, asset, reverses of a booked entry


class Booked(NamedTuple):
    """An entry already in the books under a voucher identity: its id, content, and whether it was reversed."""

    id: int
    content: EntryContent
    reversed: bool


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
        existing = journal_repo.existing_entities(self.session, missing)
        self._entities.update(existing)
        new = [code for code in missing if code not in existing]
        if not new:
            return
        regions = register_repo.regions_by_code(self.session, [wanted[c][1] for c in new])
        at = now()
        rows = []
        for code in new:
            kind, region_code = wanted[code]
            region = regions.get(region_code)
            if region is None:
                raise NotFoundError("region", region_code)
            _same_level(code, kind, region)
            rows.append(
                {"code": code, "name": f"{region.name}{ENTITY_SUFFIX[kind]}", "kind": kind.value,
                 "region_code": region_code, "county_code": region.county_code, "books_start": BOOKS_START,
                 "created_at": at, "created_by": self.actor}
            )  # fmt: off
        journal_repo.insert_entities(self.session, rows)
        self._entities.update(new)
        for code in new:
            self._accounts[code] = {}
        self.open_accounts([(code, a.name, a.cn_name, BOOKS_START, None) for code in new for a in _chart()])

    def ensure_entity(self, kind: EntityKind, region_code: str) -> str:
        code = f"{ENTITY_PREFIX[kind]}{region_code}"
        if self.entity_exists(code):
            return code
        region = register_repo.regions_by_code(self.session, [region_code]).get(region_code)
        if region is None:
            raise NotFoundError("region", region_code)
        _same_level(code, kind, region)
        row = {"code": code, "name": f"{region.name}{ENTITY_SUFFIX[kind]}", "kind": kind.value,
               "region_code": region_code, "county_code": region.county_code, "books_start": BOOKS_START,
               "created_at": now(), "created_by": self.actor}  # fmt: skip
        journal_repo.insert_entities(self.session, [row])
        self._entities.add(code)
        self.open_accounts([(code, a.name, a.cn_name, BOOKS_START, None) for a in _chart()])
        return code

    def ensure_entity_code(self, code: str) -> str:
        """Create the books named by an entity code (V/T/C/S + region code) if they do not exist yet."""
        kinds = {prefix: kind for kind, prefix in ENTITY_PREFIX.items()}
        kind = kinds.get(code[:1])
        if kind is None:
            raise NotFoundError("entity", code)
        return self.ensure_entity(kind, code[1:])

    def accounts(self, entity: str) -> dict[str, tuple[int, dt.date]]:
        """Account name -> (id, opened on) for one entity, loaded once."""
        if entity not in self._accounts:
            self._accounts.update(journal_repo.accounts_of(self.session, [entity]))
        return self._accounts[entity]

    def open_accounts(self, wanted: Iterable[tuple[str, str, str, dt.date, str | None]]) -> None:
        """Open (entity, name, Chinese name, date, asset) accounts that are not open yet; keep earlier opens."""
        rows: list[tuple[Any, ...]] = []
        seen: set[tuple[str, str]] = set()
        at = now()
        for entity, name, cn_name, opened_on, asset_id in wanted:
            if name in self.accounts(entity) or (entity, name) in seen:
                continue
            seen.add((entity, name))
            rows.append((entity, name, cn_name, opened_on, asset_id))
        if not rows:
            return
        ids = journal_repo.insert_accounts(self.session, rows, at)
        for row, id_ in zip(rows, ids, strict=True):
            self._accounts[row[0]][row[1]] = (id_, row[3])

    def preload(self, entities: set[str]) -> None:
        """Existence, accounts and period closes of many entities in a few queries (a county's import or a
        month's postings touch thousands)."""
        unseen = sorted(e for e in entities if e not in self._entities)
        self._entities.update(journal_repo.existing_entities(self.session, unseen))
        missing = sorted(e for e in entities if e not in self._accounts and e in self._entities)
        self._accounts.update(journal_repo.accounts_of(self.session, missing))
        unknown = sorted(e for e in entities if e not in self._closed and e in self._entities)
        self._closed.update(journal_repo.closed_through(self.session, unknown))

    def closed_through(self, entity: str) -> dt.date | None:
        if entity not in self._closed:
            self._closed.update(journal_repo.closed_through(self.session, [entity]))
        return self._closed[entity]

    def entity_exists(self, entity: str) -> bool:
        if entity in self._entities:
            return True
        if journal_repo.existing_entities(self.session, [entity]):
            self._entities.add(entity)
            return True
        return False

    # --- posting --------------------------------------------------------------------------------------------

    def post(self, entries: Sequence[JournalEntry], where: Sequence[Located] | None = None) -> PostResult:
        """Validate every entry, then insert all of them, or raise with every problem and insert nothing."""
        located = list(where) if where is not None else [Located("entry")] * len(entries)
        require(self.session, self.actor, Action.BOOKS, {region_of_entity(e.entity) for e in entries})
        text_problems = _text_findings(entries, located)  # before any lookup: a NUL in a ref cannot reach PostgreSQL
        if text_problems:
            raise InputError(text_problems)
        bad: list[Finding] = []
        conflicts: list[Finding] = []
        refused: list[Finding] = []
        if len(entries) > 1:
            self.preload({e.entity for e in entries})
        keys = [None if e.ref is None else voucher_key(e) for e in entries]
        booked = self._booked_vouchers(entries, {k for k in keys if k is not None})
        disposed = self._disposed_assets({e.asset_id for e in entries if e.asset_id})
        fresh: list[JournalEntry] = []
        amounts: list[tuple[int, ...]] = []
        seen: set[tuple[str, str, str]] = set()
        result = PostResult()
        day = today()  # one batch, one day: a batch posted across midnight is judged by the day it began
        for entry, loc, key in zip(entries, located, keys, strict=True):
            problems, rules, fens = self._problems(entry, disposed)
            if key is not None and entry.ref is not None:
                earlier = booked.get(key)
                if earlier:
                    content = EntryContent.of(entry, fens)
                    if any(b.content == content for b in earlier):
                        result.skipped.append(entry.ref)  # the same voucher again: a no-op, whatever else changed
                        continue
                    standing = [b for b in earlier if not b.reversed]
                    if standing:
                        conflicts.append(_conflict(loc, entry, key[2], standing[0], content))
                        continue
                if key in seen:
                    bad.append(
                        Finding(
                            loc.source,
                            loc.row,
                            "ref",
                            entry.ref,
                            "同一批中凭证号重复 (the same ref twice in one batch)",
                        )
                    )
                    continue
                seen.add(key)
            if problems:
                bad.extend(Finding(loc.source, loc.row, None, None, p) for p in problems)
            if rules:
                refused.extend(Finding(loc.source, loc.row, None, None, p) for p in rules)
            if entry.date > day and entry.reverses is None:
                refused.append(_future(loc, entry.date))
            fresh.append(entry)
            amounts.append(fens)
        if bad:
            raise InputError(bad + conflicts + refused)
        if conflicts:
            raise ConflictError(conflicts + refused)
        if refused:
            raise RuleRefusal(refused)
        result.posted = self._insert(fresh, amounts)
        return result

    def _problems(
        self, entry: JournalEntry, disposed: dict[str, tuple[dt.date, str]]
    ) -> tuple[list[str], list[str], tuple[int, ...]]:
        """(bad input, refusals by a rule, amounts in fen) of one entry."""
        problems, fens = entry_in_fen(entry)
        if not isinstance(entry.kind, EntryKind):  # only an entry read back from the store can hold one
            kind = str(entry.kind)
            problems.append(
                f"分录类别「{visible(kind)}」不是本版本认识的类别 (entry kind {kind!r}: no kind this version knows)"
            )
        if not self.entity_exists(entry.entity):
            return [*problems, f"核算主体 {entry.entity} 还没有账簿 (no books for entity {entry.entity})"], [], fens
        accounts = self.accounts(entry.entity)
        for p in entry.postings:
            account = accounts.get(p.account)
            if account is None:
                problems.append(
                    f"科目 {p.account} 在该核算主体的账簿中未开设 "
                    f"(account {p.account} is not open in the books of {entry.entity})"
                )
            elif entry.date < account[1]:
                problems.append(
                    f"科目 {p.account} 自 {account[1]} 起开设，记账日期 {entry.date} 在此之前 "
                    f"account {p.account} opens on {account[1]}, after the entry date {entry.date}"
                )
        rules = []
        kept = distribution_accounts_problem(entry)
        if kept is not None:
            rules.append(kept)
        closed = self.closed_through(entry.entity)
        if closed is not None and entry.date <= closed:
            rules.append(
                f"账簿已结账至 {closed}，不能记 {entry.date} 的账 "
                f"(the books of {entry.entity} are closed through {closed}; entry dated {entry.date})"
            )
        gone = disposed.get(entry.asset_id) if entry.asset_id else None
        if gone is not None and entry.date > gone[0] and str(entry.kind) != "disposal":
            disposed_of = gone[1] == AssetStatus.DISPOSED.value
            how, zh = ("disposed of", "处置") if disposed_of else ("written off (已核销)", "核销")
            rules.append(
                f"资产 {entry.asset_id} 已于 {gone[0]} {zh}，此后不能再记账 "
                f"(asset {entry.asset_id} was {how} on {gone[0]}; it takes no postings after that)"
            )
        return problems, rules, fens

    def _booked_vouchers(
        self, entries: Sequence[JournalEntry], wanted: set[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], list[Booked]]:
        """Entries already in the books under any of the voucher identities `wanted`, with their content.

        Postings are read only for entries whose identity matches (a re-run)."""
        refs: dict[str, set[str]] = {}
        for e in entries:
            if e.ref is not None:
                refs.setdefault(e.entity, set()).add(e.ref)
        heads: dict[int, tuple[tuple[str, str, str], Head, bool]] = {}
        for entity, names in refs.items():
            for h in journal_repo.booked_heads(self.session, entity, sorted(names)):
                key = (entity, h.ref, voucher_month(h.kind, h.date))
                if key in wanted:
                    heads[h.id] = (
                        key,
                        (h.date, h.kind, h.narration, h.asset_id, h.reverses_id),
                        h.reversed_by is not None,
                    )
        postings: dict[int, list[tuple[str, int]]] = {i: [] for i in heads}
        for entry_id, account, fen in journal_repo.posting_lines(self.session, sorted(heads)):
            postings[entry_id].append((account, fen))
        found: dict[tuple[str, str, str], list[Booked]] = {}
        for id_, (key, head, reversed_) in heads.items():
            content = EntryContent(*head, postings=tuple(sorted(postings[id_])))
            found.setdefault(key, []).append(Booked(id_, content, reversed_))
        for booked in found.values():
            booked.sort()  # by id: the conflict names the earliest standing entry
        return found

    def _disposed_assets(self, asset_ids: set[str]) -> dict[str, tuple[dt.date, str]]:
        """Assets that left the books (disposed of or written off): the date they left and their status."""
        return register_repo.off_books(self.session, sorted(asset_ids))

    def _insert(self, entries: Sequence[JournalEntry], amounts: Sequence[Sequence[int]]) -> list[int]:
        """Entries, then their postings (in stored form: entry id, account id, integer fen), by the bulk path."""
        if not entries:
            return []
        at = now()
        rows = [
            (e.entity, e.date, e.kind, e.narration, e.asset_id, e.ref, e.reverses, dict(e.meta) if e.meta else None)
            for e in entries
        ]
        ids = journal_repo.insert_entries(self.session, rows, self.actor, at)
        postings = []
        for entry_id, entry, fens in zip(ids, entries, amounts, strict=True):
            accounts = self._accounts[entry.entity]
            for p, fen in zip(entry.postings, fens, strict=True):
                postings.append((entry_id, accounts[p.account][0], fen))
        journal_repo.insert_postings(self.session, postings)
        return ids


def _text_findings(entries: Sequence[JournalEntry], located: Sequence[Located]) -> list[Finding]:
    """Narrations and refs that break their columns' rules, each named by where its entry came from; looked at
    entry by entry only when the batch as a whole shows a problem."""
    narration, ref = ENTRY_TEXT["narration"], ENTRY_TEXT["ref"]
    refs = [e.ref for e in entries if e.ref is not None]
    if not any_refused([e.narration for e in entries], narration) and not any_refused(refs, ref):
        return []
    found = []
    for e, loc in zip(entries, located, strict=True):
        found += text_findings(loc.source, loc.row, [("narration", e.narration, narration), ("ref", e.ref, ref)])
    return found


def require_amount(source: str, field: str, amount: object, *, positive: bool = True) -> Decimal:
    """An amount a service was given, by any caller (the CLI and the web parse theirs; the Python API may not):
    a Decimal within the bound, two places, above zero unless `positive` is False. Checked before any comparison
    or row that would choke on NaN or a value beyond the bound. Returned with its two places written out
    (Decimal("0") as 0.00), as the CLI's parser gives it, so that what a record says of it is the same text
    whoever called."""
    problem = (
        amount_problem(amount) if isinstance(amount, Decimal) else "金额须为 Decimal 元 (money must be Decimal yuan)"
    )
    if problem is None and positive and isinstance(amount, Decimal) and amount <= 0:
        problem = "须大于 0 (must be greater than 0)"
    if problem is not None or not isinstance(amount, Decimal):
        raise InputError([Finding(source, None, field, str(amount), problem or "不是金额 (not an amount)")])
    return from_fen(to_fen(amount))


def _future(loc: Located, on: dt.date) -> Finding:
    """An entry dated after today: the books record what happened, never what is planned (a 2099 rent would also
    block every disposal before it, DOMAIN rule 16). A reversal keeps its original's date and is not refused."""
    reason = (
        f"记账日期晚于今天 ({today()})，不能预先记账；请填写业务实际发生的日期 "
        f"(an entry cannot be dated after today; give the date it happened)"
    )
    return Finding(loc.source, loc.row, loc.date_column or "日期 date", str(on), reason)


def _conflict(loc: Located, entry: JournalEntry, month: str, booked: Booked, content: EntryContent) -> Finding:
    """The finding of a voucher whose identity is taken by another entry: both named, and how to correct."""
    ref = entry.ref or ""
    of = f" ({month})" if month else ""
    reason = (
        f"凭证号 {ref}{of} 已记账 is already entry {booked.id} ({booked.content.describe()}), "
        f"与本条不同 this one differs ({content.describe()}); "
        f"冲销分录 {booked.id} 后再记 reverse entry {booked.id} first, or use another voucher number"
    )
    return Finding(loc.source, loc.row, "ref", ref, reason)


def _chart() -> list[Any]:
    """The chart of accounts of new books. Imported here, not at the top: reading the template needs Beancount,
    which costs every command that posts (an asset import among them) 0.2 s of start-up otherwise."""
    from assetledger.ledger.chart import load_chart

    return list(load_chart())


def _same_level(code: str, kind: EntityKind, region: Region) -> None:
    """Books are of their region's level: a city's books are a city's (S…), never a county's (C…), and so on."""
    if not isinstance(region.level, RegionLevel):  # a stored text that is none: no books are decided from it
        raise unknown_stored((f"区划 {region.code}", f"region {region.code}"), "region level", region.level,
                             where="在区划表中")  # fmt: skip
    if region.level != kind.value:
        right = {k.value: p for k, p in ENTITY_PREFIX.items()}.get(region.level, "?")
        raise RuleViolation(
            f"{code}: {region.code} {region.name} 是{region.level.label}级 (a {region.level}), "
            f"its books are {right}{region.code}, not {kind.value} books"
        )
