"""Registering assets and the register changes that follow: confirmation, handover, custody, status."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.asset_changes import (
    Change,
    Outcome,
    Refusal,
    StatusChange,
    check,
    closed_reason,
    registration_date,
    registration_event,
)
from assetledger.domain.assets import AssetDraft, Custody, Handover, Ownership, label, register_problems
from assetledger.domain.enums import AssetStatus, OperatingMode, OwnerKind, Register
from assetledger.domain.regions import RegionIndex
from assetledger.domain.text import require_texts, text_findings
from assetledger.errors import DuplicateError, Finding, InputError, NotFoundError, RuleViolation, duplicate_of_row
from assetledger.io.asset_rows import parse_assets
from assetledger.io.tabular import read_table
from assetledger.services import acceptance
from assetledger.services.access import require, write_scope
from assetledger.services.asset_books import book_openings
from assetledger.services.asset_changes import Unread, load_facts, write_changes
from assetledger.services.books import Books
from assetledger.services.context import now, today
from assetledger.services.regions import load_index
from assetledger.services.stored import unknown_asset_value
from assetledger.store.bulk import existing_keys, insert_values
from assetledger.store.db import Database
from assetledger.store.models import Asset, AssetEvent, AssetFunding, CustodianAssignment, ImportBatch
from assetledger.store.tables import table_of
from assetledger.store.text_rules import EVENT_TEXT, require_fits, table_rules


@dataclass(frozen=True)
class ImportResult:
    source: str
    rows: int
    by_register: dict[Register, int]
    batch_id: int | None
    already_imported: bool = False
    dry_run: bool = False
    ignored: tuple[str, ...] = ()  # headers of the file's columns that were not used (列 X 未使用)
    skipped: tuple[Finding, ...] = ()  # rows not imported, each named: totals rows (合计) (io/tabular.py)


# What each text field of a draft may hold: the rule of the register column that stores it (the custody history's
# columns are the same types).
TEXT_RULES = table_rules(table_of(Asset))


def file_checksum(path: Path, sheet: str | None = None) -> str:
    """The file's SHA-256; with a sheet named, of the file and the sheet's name (each sheet of a workbook is a file
    of its own to the "same file twice" rule)."""
    digest = hashlib.sha256(path.read_bytes())
    if sheet is not None:
        digest.update(b"\0sheet:" + sheet.encode())
    return digest.hexdigest()


def import_assets(
    db: Database, path: Path, actor: str, *, dry_run: bool = False, sheet: str | None = None
) -> ImportResult:
    """All or nothing: every bad row is reported and nothing is written; the same file (sheet) twice is a no-op.
    `sheet`: the workbook's sheet to read (else its one visible sheet with data)."""
    table = read_table(path, sheet=sheet)
    checksum = file_checksum(path, sheet)
    with db.transaction() as session:
        write_scope(session, actor, Action.REGISTER)  # an unknown name or another role learns nothing of the file
        prior = session.scalar(
            select(ImportBatch.id).where(ImportBatch.kind == "assets", ImportBatch.checksum == checksum)
        )
        if prior is not None:
            return ImportResult(str(path), 0, {}, prior, already_imported=True, dry_run=dry_run)
        index = load_index(session)
        drafts, findings, ids, ignored, id_column = parse_assets(table, index, TEXT_RULES, today=today())
        source, empty, skipped = table.source, not table.rows, tuple(table.notes)
        del table  # every cell of the file: a large part of the peak memory, and not needed past parsing
        if empty:
            findings.append(
                Finding(source, None, None, None, "文件只有表头，没有数据行 (the file has a header but no data rows)")
            )
        require(session, actor, Action.REGISTER, {d.region_code for _, d in drafts})
        findings += _duplicates(session, source, ids, id_column)
        findings += acceptance.after_today(source, drafts)
        if findings:
            findings.sort(key=lambda f: f.row or 0)
            raise InputError(findings)
        counts = {r: sum(1 for _, d in drafts if d.register is r) for r in Register}
        if dry_run:
            return ImportResult(str(path), len(drafts), counts, None, dry_run=True, ignored=ignored, skipped=skipped)
        batch = ImportBatch(
            kind="assets",
            source_name=path.name,
            checksum=checksum,
            row_count=len(drafts),
            actor=actor,
            recorded_at=now(),
        )
        session.add(batch)
        session.flush()
        asset_ids = [d.asset_id for _, d in drafts]
        _insert_drafts(session, [d for _, d in drafts], actor, batch.id, index)
        del drafts, ids  # the books read what they need from the database
        book_openings(Books(session, actor), asset_ids, batch_id=batch.id)
        return ImportResult(str(path), len(asset_ids), counts, batch.id, ignored=ignored, skipped=skipped)


def register_asset(db: Database, draft: AssetDraft, actor: str) -> None:
    with db.transaction() as session:
        register_in(session, draft, actor)


def register_in(session: Session, draft: AssetDraft, actor: str) -> None:
    """Register one asset inside a unit of work the caller owns (so it can be part of a larger change)."""
    problems = [
        Finding("asset register", None, label(f), _shown(getattr(draft, f, None)), r)
        for f, r in register_problems(draft, today())
    ]
    problems += _long_texts("asset register", _draft_texts(draft))
    if problems:
        raise InputError(problems)
    require(session, actor, Action.REGISTER, [draft.region_code])
    if session.get(Asset, draft.asset_id) is not None:
        raise DuplicateError("asset", draft.asset_id)
    index = load_index(session)
    try:
        index.place_of(draft.region_code)
    except LookupError as exc:
        raise InputError([Finding("asset register", None, "region", draft.region_code, str(exc))]) from exc
    _insert_drafts(session, [draft], actor, None, index)
    book_openings(Books(session, actor), [draft.asset_id])


def _shown(value: object) -> str | None:
    """A draft's field as a finding names it (2099 for a build year refused); None for what is no single value."""
    return None if value is None or isinstance(value, tuple) else str(value)


def _draft_texts(d: AssetDraft) -> dict[str, str | None]:
    """The free text of a draft by field (the names the register file's columns map to)."""
    o, h, c = d.ownership, d.handover, d.custody
    return {
        "asset_id": d.asset_id, "name": d.name, "category": d.category, "location": d.location,
        "project_name": d.project_name, "implementer": d.implementer, "unit": d.unit, "operator": d.operator,
        "household_id": d.household_id, "household_head": d.household_head,
        "owner_name": o.owner_name if o else None, "confirm_doc": o.document if o else None,
        "handed_over_by": h.handed_over_by if h else None, "handover_doc": h.document if h else None,
        "custodian": c.custodian if c else None, "custodian_duties": c.duties if c else None,
    }  # fmt: skip


def _long_texts(source: str, texts: dict[str, str | None]) -> list[Finding]:
    """A finding for each text its column refuses: control characters, or longer than it holds."""
    return text_findings(source, None, ((label(f), t, TEXT_RULES[f]) for f, t in texts.items() if f in TEXT_RULES))


def _check_texts(source: str, **texts: str | None) -> None:
    require_texts(source, ((label(f), t, TEXT_RULES[f]) for f, t in texts.items() if f in TEXT_RULES))


def _duplicates(session: Session, source: str, ids: Sequence[tuple[int, str]], column: str) -> list[Finding]:
    """Ids twice in the file or already registered, over every row whose id reads (a bad row's too)."""
    findings = []
    first_row: dict[str, int] = {}
    for number, asset_id in ids:
        first = first_row.setdefault(asset_id, number)
        if first != number:
            findings.append(Finding(source, number, column, asset_id, duplicate_of_row(first)))
    for asset_id in sorted(_registered(session, list(first_row))):
        findings.append(
            Finding(source, first_row[asset_id], column, asset_id, "该资产编号已登记 (asset id is already registered)")
        )
    return findings


def _registered(session: Session, ids: list[str]) -> set[str]:
    """Which of `ids` are in the register: every registered id read once when the register is not much larger
    than the file (one query instead of one per 900 ids), else asked in chunks."""
    if not ids:
        return set()
    registered = session.scalar(select(func.count()).select_from(Asset)) or 0
    if registered > 4 * len(ids):
        return existing_keys(session, Asset.asset_id, ids)
    wanted = set(ids)
    return {asset_id for asset_id in session.scalars(select(Asset.asset_id)) if asset_id in wanted}


_ASSET_COLUMNS = (
    "asset_id", "name", "register", "category", "county_code", "township_code", "village_code", "location",
    "project_name", "build_year", "acquired_on", "implementer", "original_value", "current_value", "quantity", "unit",
    "status",
    "owner_name", "owner_kind", "confirmed_on", "confirm_doc", "handed_over_on", "handover_doc", "handed_over_by",
    "custodian", "custodian_duties", "custodian_since", "operating_mode", "operator", "contract_start",
    "contract_end", "contract_annual_income", "household_id", "household_head",
)  # fmt: skip
_FUNDING_COLUMNS = ("asset_id", "source", "amount")
_EVENT_COLUMNS = ("asset_id", "kind", "event_date", "payload")
_CUSTODY_COLUMNS = ("asset_id", "custodian", "duties", "start_on")


def _insert_drafts(
    session: Session, drafts: Sequence[AssetDraft], actor: str, batch_id: int | None, index: RegionIndex
) -> None:
    """The assets, their funding, registration events and custodians: one executemany per table; who registered
    them and when (the same for every row) is given once."""
    at = now()
    assets, funding, events, custody = _draft_rows(drafts, batch_id, index)
    registered = {"registered_at": at, "registered_by": actor, "batch_id": batch_id}
    insert_values(session, table_of(Asset), _ASSET_COLUMNS, assets, same=registered)
    insert_values(session, table_of(AssetFunding), _FUNDING_COLUMNS, funding)
    insert_values(session, table_of(AssetEvent), _EVENT_COLUMNS, events, same={"actor": actor, "recorded_at": at})
    insert_values(session, table_of(CustodianAssignment), _CUSTODY_COLUMNS, custody,
                  same={"actor": actor, "recorded_at": at})  # fmt: skip
    acceptance.accepted_on_registering(session, drafts, index, actor)


_Rows = list[tuple[Any, ...]]


def _draft_rows(
    drafts: Sequence[AssetDraft], batch_id: int | None, index: RegionIndex
) -> tuple[_Rows, _Rows, _Rows, _Rows]:
    """Plain values in the column orders above (`insert_values` converts them as SQLAlchemy would)."""
    assets: _Rows = []
    funding: _Rows = []
    events: _Rows = []
    custody: _Rows = []
    household = Register.HOUSEHOLD
    day = today()  # one import, one day (an asset known only by this year's 建设年度 enters on it)
    for d in drafts:
        place = index.place_of(d.region_code)
        o, h, c = d.ownership, d.handover, d.custody
        if d.register is household and o is None and d.household_head:
            # 户有户管: a household-level asset belongs to its household from registration.
            o = Ownership(d.household_head, OwnerKind.HOUSEHOLD, registration_date(d, day) or day)  # 户有户管
        asset_id = d.asset_id
        assets.append(
            (
                asset_id, d.name, d.register.value, d.category,
                place.county_code, place.township_code, place.village_code,
                d.location, d.project_name, d.build_year, d.acquired_on, d.implementer,
                d.original_value, d.original_value, d.quantity, d.unit, d.status.value,
                *((o.owner_name, o.owner_kind.value, o.confirmed_on, o.document) if o else _NONE4),
                *((h.handed_over_on, h.document, h.handed_over_by) if h else _NONE3),
                *((c.custodian, c.duties, c.start_on) if c else _NONE3),
                d.operating_mode.value if d.operating_mode else None,
                d.operator, d.contract_start, d.contract_end, d.contract_annual_income,
                d.household_id, d.household_head,
            )
        )  # fmt: skip
        for source, amount in d.funding:
            funding.append((asset_id, source.value, amount))
        event = registration_event(d, o, batch_id, day)
        events.append((asset_id, event.kind.value, event.on, event.payload))
        if c:
            custody.append((asset_id, c.custodian, c.duties, c.start_on))
    return assets, funding, events, custody


_NONE3 = (None, None, None)
_NONE4 = (None, None, None, None)


# --- changes to one asset -------------------------------------------------------------------------------


def load_for_change(session: Session, asset_id: str, actor: str) -> Asset:
    """The asset, locked for the change, after checking the actor may change it and it is still in the register."""
    asset = session.get(Asset, asset_id, with_for_update=True)
    if asset is None:
        raise NotFoundError("asset", asset_id)
    require(session, actor, Action.REGISTER, [asset_region(asset)])
    refuse_unknown_values(asset)
    closed = closed_reason(asset.status)
    if closed:
        raise RuleViolation(closed, asset_id=asset_id)
    return asset


def refuse_unknown_values(asset: Asset) -> None:
    """Refuse (exit 5), naming the asset and the text, a change decided from an asset whose stored status, register,
    owner kind or operating mode is none of its vocabulary (written around the product, or by a later version)."""
    for what, value, vocabulary in (
        ("status", asset.status, AssetStatus), ("register", asset.register, Register),
        ("owner kind", asset.owner_kind, OwnerKind), ("operating mode", asset.operating_mode, OperatingMode),
    ):  # fmt: skip
        if value is not None and not isinstance(value, vocabulary):
            raise unknown_asset_value(asset.asset_id, what, value)


def change_in(session: Session, asset_id: str, change: Change, actor: str) -> bool:
    """Make one register change inside a unit of work the caller owns: the path of a bulk file (services/
    asset_changes.py) for one asset, its rule checked by the same `check`. False when the register already says
    so (nothing is recorded)."""
    facts = load_facts(session, [asset_id]).get(asset_id)
    if facts is None:
        raise NotFoundError("asset", asset_id)
    require(session, actor, Action.REGISTER, [facts.region])
    if isinstance(facts, Unread):
        raise facts.refusal()
    verdict = check(facts, change)
    if isinstance(verdict, Refusal):
        raise RuleViolation(verdict.reason, asset_id=asset_id)
    if verdict is Outcome.ALREADY:
        return False
    write_changes(session, {asset_id: facts}, [(asset_id, change)], actor)
    return True


def _change(db: Database, asset_id: str, change: Change, actor: str) -> bool:
    with db.transaction() as session:
        return change_in(session, asset_id, change, actor)


def confirm_ownership(db: Database, asset_id: str, ownership: Ownership, actor: str) -> bool:
    """确权登记: record the owner. A later confirmation (e.g. after a transfer) supersedes, history stays; moving
    the asset to its owner's books is a transfer on the confirmation's date. False when already so confirmed."""
    _check_texts("asset confirm", owner_name=ownership.owner_name, confirm_doc=ownership.document)
    return _change(db, asset_id, ownership, actor)


def record_handover(db: Database, asset_id: str, handover: Handover, actor: str) -> bool:
    """移交: from the implementing unit to the owner. False when this handover is already recorded."""
    _check_texts("asset handover", handed_over_by=handover.handed_over_by, handover_doc=handover.document)
    return _change(db, asset_id, handover, actor)


def assign_custodian(db: Database, asset_id: str, custody: Custody, actor: str) -> bool:
    """管护: a new custodian from a date; the previous assignment ends the day before. False when already so."""
    _check_texts("asset custodian", custodian=custody.custodian, custodian_duties=custody.duties)
    return _change(db, asset_id, custody, actor)


def change_status(
    db: Database, asset_id: str, status: AssetStatus, on: dt.date, actor: str, *, reason: str | None = None
) -> bool:
    """在用 / 闲置 / 毁损 (disposal and write-off have their own procedures). False when the status is already so."""
    require_fits("asset status", ("--reason", reason, EVENT_TEXT))
    return _change(db, asset_id, StatusChange(status, on, reason), actor)


def asset_region(asset: Asset) -> str:
    """The lowest region an asset belongs to: its village, else its township, else its county."""
    return asset.village_code or asset.township_code or asset.county_code
