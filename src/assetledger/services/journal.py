"""Posting revenue and expenses against assets, reversing, closing periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import (
    EXPENSE_ACCOUNTS,
    REVENUE_ACCOUNTS,
    AssetPosting,
    BookedAsset,
    books_of,
    entity_code,
    expense_entry,
    revenue_entry,
)
from assetledger.domain.journal import EntryKind, JournalEntry, Posting, reversal_of, reversal_period_note
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation, ScopeRefusal
from assetledger.io.entry_rows import EntryRow, parse_entry_rows
from assetledger.io.tabular import read_table
from assetledger.services.access import RowPlace, entity_name, region_of_entity, require, rows_outside, write_scope
from assetledger.services.asset_books import load_booked
from assetledger.services.assets import file_checksum
from assetledger.services.books import Books, Located, PostResult
from assetledger.services.context import now, today
from assetledger.services.stored import unknown_stored
from assetledger.store.db import Database
from assetledger.store.journal_models import Account, Entity, Entry, PeriodClose, PostingRow
from assetledger.store.text_rules import require_fits, rules

ENTRY_TEXT = rules(narration=Entry.narration, ref=Entry.ref)


def entity_of_asset(session: Session, asset_id: str) -> str:
    booked = load_booked(session, [asset_id]).get(asset_id)
    if booked is None:
        raise NotFoundError("asset", asset_id)
    place = books_of(booked)
    if place is None:
        raise RuleViolation(
            "到户类资产和企业所有的资产不记入集体账 "
            "(household-level and enterprise-owned assets are off the public books)",
            asset_id=asset_id,
        )
    return entity_code(*place)


def _entry_for(session: Session, p: AssetPosting, entities: dict[str, str]) -> JournalEntry:
    if p.asset_id not in entities:
        entities[p.asset_id] = entity_of_asset(session, p.asset_id)
    return entry_for_posting(p, entities)


def entry_for_posting(p: AssetPosting, entities: dict[str, str]) -> JournalEntry:
    """The journal entry of a revenue or expense posting, in the books of the asset's entity."""
    maker = revenue_entry if p.direction == "revenue" else expense_entry
    entity = entities[p.asset_id]
    return maker(entity, p.asset_id, p.date, p.type, p.amount, counter=p.counter, narration=p.narration, ref=p.ref)


def post_for_asset(db: Database, posting: AssetPosting, actor: str, where: Located | None = None) -> PostResult:
    """One revenue or expense of an asset; `where` names the caller's form and date field in a refusal."""
    types = REVENUE_ACCOUNTS if posting.direction == "revenue" else EXPENSE_ACCOUNTS
    if posting.type not in types:
        raise InputError(
            [
                Finding(
                    "ledger post", None, "--type", posting.type, f"科目类型应为以下之一 (use one of {', '.join(types)})"
                )
            ]
        )
    with db.transaction() as session:
        entry = _entry_for(session, posting, {})
        return Books(session, actor).post([entry], [where or Located("ledger post", date_column="--date")])


def post_entry(db: Database, entry: JournalEntry, actor: str) -> PostResult:
    """A general entry with explicit postings (e.g. a transfer between bank and cash)."""
    with db.transaction() as session:
        return Books(session, actor).post([entry], [Located("ledger post")])


def import_entries(
    db: Database, path: Path, actor: str, *, dry_run: bool = False, sheet: str | None = None
) -> PostResult:
    """Bulk revenue/expense postings from CSV/XLSX, all or nothing; each row's ref makes re-running a no-op.
    `sheet`: the workbook's sheet to read (else its one visible sheet with data)."""
    table = read_table(path, sheet=sheet)
    rows, findings = parse_entry_rows(table, file_checksum(path, sheet)[:16], ENTRY_TEXT)
    findings += table.empty_findings()
    if findings:
        raise InputError(findings)
    with db.transaction() as session:
        # who may post where, before any row is compared with the register (which would tell what it holds)
        scope = write_scope(session, actor, Action.BOOKS)
        booked = load_booked(session, sorted({r.posting.asset_id for r in rows}))
        places = [
            RowPlace(r.row, r.asset_column, r.posting.asset_id, (_asset_region(booked[r.posting.asset_id]),))
            for r in rows
            if r.posting.asset_id in booked
        ]
        refused = rows_outside(session, scope, table.source, places)
        if refused:
            raise ScopeRefusal(refused)
        entries, where = _entries_for_rows(table.source, rows, booked)
        result = Books(session, actor).post(entries, where)
        if dry_run:
            session.rollback()
        return result


def _asset_region(asset: BookedAsset) -> str:
    return asset.village_code or asset.township_code or asset.county_code


def _entries_for_rows(
    source: str, rows: Sequence[EntryRow], booked: dict[str, BookedAsset]
) -> tuple[list[JournalEntry], list[Located]]:
    findings: list[Finding] = []
    entities: dict[str, str] = {}
    for asset_id, asset in booked.items():
        place = books_of(asset)
        if place is not None:
            entities[asset_id] = entity_code(*place)
    entries, where = [], []
    for r in rows:
        if r.posting.asset_id not in booked:
            findings.append(Finding(source, r.row, r.asset_column, r.posting.asset_id, "没有这项资产 (no such asset)"))
            continue
        if r.posting.asset_id not in entities:
            findings.append(
                Finding(
                    source,
                    r.row,
                    r.asset_column,
                    r.posting.asset_id,
                    "到户类资产不记入集体账 (asset is off the public books (household))",
                )
            )
            continue
        entries.append(entry_for_posting(r.posting, entities))
        where.append(Located(source, r.row, r.date_column))
    if findings:
        raise InputError(findings)
    return entries, where


def load_entry(session: Session, entry_id: int) -> JournalEntry:
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFoundError("entry", str(entry_id))
    rows = session.execute(
        select(Account.name, PostingRow.amount)
        .join(Account, Account.id == PostingRow.account_id)
        .where(PostingRow.entry_id == entry_id)
        .order_by(PostingRow.id)
    )
    return JournalEntry(
        entity=entry.entity_code,
        date=entry.date,
        narration=entry.narration,
        postings=tuple(Posting(name, amount) for name, amount in rows),
        kind=entry.kind,  # as stored: a text that is none of EntryKind decides nothing (`known_kind`)
        asset_id=entry.asset_id,
        ref=entry.ref,
        reverses=entry.reverses_id,
        meta=entry.meta or {},
        id=entry.id,
    )


def known_kind(entry: JournalEntry) -> EntryKind:
    """The kind a correction of the entry is decided by; a stored text that is none of EntryKind (written around the
    product, or by a later version) is refused, naming the entry and the text (exit 5)."""
    if isinstance(entry.kind, EntryKind):
        return entry.kind
    record = (f"第 {entry.id} 号分录", f"entry {entry.id}")
    raise unknown_stored(record, "entry kind", entry.kind, where="在账簿中")


# Entries another record stands behind: reversing one alone would leave that record saying otherwise.
_CORRECTED_ELSEWHERE = {
    EntryKind.DISTRIBUTION: (
        "收益分配，请用收益分配的冲销 (distribute reverse)",
        "a distribution: use `distribute reverse`",
    ),
    EntryKind.PAYOUT: (
        "分红发放，发放到户的款项不在账簿中单独收回",
        "a payout to a household: payouts are not taken back in the books alone",
    ),
    EntryKind.OPENING: ("资产登记入账", "an asset's registration"),
    EntryKind.TRANSFER_IN: ("确权移交转入", "an ownership transfer"),
    EntryKind.TRANSFER_OUT: ("确权移交转出", "an ownership transfer"),
    EntryKind.DISPOSAL: ("资产处置", "a disposal"),
    EntryKind.REINVESTMENT: ("再投入", "a reinvestment"),
    EntryKind.INVENTORY: ("清查处理", "an inventory's result"),
    EntryKind.AWARD: ("绩效奖励", "an award"),
}  # (Chinese, English): where such an entry is corrected


@dataclass(frozen=True)
class Reversal:
    entry_id: int  # the reversal's
    original_date: dt.date
    date: dt.date
    note: str | None  # when the reversal falls in a later month than the original (domain `reversal_period_note`)


def reverse(db: Database, entry_id: int, reason: str, actor: str, on: dt.date | None = None) -> Reversal:
    """Correct a mistake: post the opposite entry, naming the one it reverses. The original stays.

    The reversal is dated `on`, else the day it is made (never before the original): a correction's business date
    is the day it is made, and its original's period keeps the totals already reported or distributed (DOMAIN
    rule 16); when it falls in a later month than the original, the result carries a note saying so.

    Only entries posted as such (revenue, expenses, general and imported entries) are reversed here; an entry made
    by a register event, a distribution, a payout or an award is corrected where that record is kept."""
    if not reason.strip():
        raise InputError(
            [Finding("ledger reverse", None, "--reason", reason, "冲销须写明原因 (a reversal needs a reason)")]
        )
    require_fits("ledger reverse", ("--reason", reason, Entry.narration))  # it becomes the reversal's narration
    with db.transaction() as session:
        original = load_entry(session, entry_id)
        require(session, actor, Action.BOOKS, [region_of_entity(original.entity)])
        kind = known_kind(original)
        if kind is EntryKind.REVERSAL:
            raise RuleViolation(
                f"第 {entry_id} 号分录本身是冲销分录，不能再冲销；请重新记账 "
                f"(entry {entry_id} is itself a reversal; post the entry again instead)"
            )
        elsewhere = _CORRECTED_ELSEWHERE.get(kind)
        if elsewhere is not None:
            raise RuleViolation(
                f"第 {entry_id} 号分录属于{elsewhere[0]}，不能单独冲销 "
                f"(entry {entry_id} is not reversed on its own: {elsewhere[1]})"
            )
        already = session.scalar(select(Entry.id).where(Entry.reverses_id == entry_id))
        if already is not None:
            raise RuleViolation(
                f"第 {entry_id} 号分录已由第 {already} 号分录冲销 "
                f"(entry {entry_id} was already reversed by entry {already})"
            )
        if on is not None and on > today():
            raise RuleViolation(
                f"冲销日期 {on} 晚于今天 ({today()})，不能预先记账 (a reversal cannot be dated after today)"
            )
        books = Books(session, actor)
        closed = books.closed_through(original.entity)
        when = on or max(original.date, today())
        if closed is not None and when <= closed:
            raise RuleViolation(
                f"{original.entity} 的账簿已结账至 {closed}，请选择之后的冲销日期 "
                f"(the books of {original.entity} are closed through {closed}; reverse on a later date)"
            )
        result = books.post([reversal_of(original, when, reason)], [Located("ledger reverse")])
        return Reversal(result.posted[0], original.date, when, reversal_period_note(original.date, when))


def close_period(db: Database, entity: str, through: dt.date, actor: str) -> dt.date | None:
    """Close an entity's books through a date. Returns the previous close."""
    with db.transaction() as session:
        if session.get(Entity, entity) is None:
            raise NotFoundError("entity", entity)
        require(session, actor, Action.BOOKS, [region_of_entity(entity)])
        previous = session.scalar(select(func.max(PeriodClose.through)).where(PeriodClose.entity_code == entity))
        if previous is not None and through <= previous:
            raise RuleViolation(
                f"{entity_name(session, entity)}已结账至 {previous} ({entity} is already closed through {previous})"
            )
        session.add(PeriodClose(entity_code=entity, through=through, actor=actor, recorded_at=now()))
        return previous
