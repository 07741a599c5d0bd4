"""The operating contracts register (经营合同台账): record contracts one by one or from a file, end them early, and
read them back. The register is the source of truth for who runs an operating asset, how and until when: recording
a contract brings the asset's operator, mode and contract columns in step with its latest contract, with an event
in the asset's history.

Rules of record: a contract covers operating assets (经营性) only, none disposed of; one asset is under one contract
at a time (terms may not overlap; end the old one first with `contract terminate`); a self-run (自营) asset has no
contract; codes are unique. An import is all or nothing, and the same file twice is a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.asset_events import AssetEventKind
from assetledger.domain.contracts import (
    NO_CONTRACT_MODES,
    ContractPolicy,
    Frequency,
    Terms,
    Timing,
    effective_end,
    term_problems,
)
from assetledger.domain.enums import AssetStatus, OperatingMode, Register
from assetledger.domain.money import FEN
from assetledger.errors import (
    DuplicateError,
    Finding,
    InputError,
    NotFoundError,
    RuleViolation,
    ScopeRefusal,
    duplicate_of_row,
)
from assetledger.io.contract_rows import ContractRow, parse_contracts
from assetledger.io.tabular import read_table
from assetledger.services.access import (
    RowPlace,
    current_user,
    require,
    require_read,
    rows_outside,
    visible_regions,
    write_scope,
)
from assetledger.services.assets import file_checksum
from assetledger.services.context import now
from assetledger.services.stored import unknown_words
from assetledger.store import contract_repo
from assetledger.store.contract_repo import StoredContract
from assetledger.store.db import Database
from assetledger.store.models import AssetEvent, ImportBatch

DEFAULT_POLICY = ContractPolicy()


@dataclass(frozen=True)
class ContractView:
    """One contract as lists and the asset page show it."""

    code: str
    asset_ids: tuple[str, ...]
    operator: str
    mode: OperatingMode
    signed_on: dt.date | None
    start: dt.date
    end: dt.date
    effective_end: dt.date
    terminated_on: dt.date | None
    termination_reason: str | None
    amount: Decimal | None
    frequency: Frequency
    timing: Timing
    annual: Decimal | None
    deposit: Decimal | None
    paid_through: dt.date | None
    renews: str | None
    note: str | None
    actor: str
    recorded_at: dt.datetime

    @classmethod
    def of(cls, c: StoredContract, policy: ContractPolicy = DEFAULT_POLICY) -> ContractView:
        t = c.terms
        return cls(c.code, c.asset_ids, c.operator, t.mode, c.signed_on, t.start, t.end, effective_end(t, policy),
                   t.terminated_on, c.termination_reason, t.amount, t.frequency, t.timing, t.annual, c.deposit,
                   t.paid_through, c.renews_code, c.note, c.actor, c.recorded_at)  # fmt: skip


@dataclass(frozen=True)
class ContractImportResult:
    source: str
    contracts: int
    assets: int
    batch_id: int | None
    already_imported: bool = False
    dry_run: bool = False


def import_contracts(
    db: Database, path: Path, actor: str, *, dry_run: bool = False, sheet: str | None = None
) -> ContractImportResult:
    """A contracts file (合同台账), all or nothing: every bad row is listed and nothing is written.
    `sheet`: the workbook's sheet to read (else its one visible sheet with data)."""
    table = read_table(path, sheet=sheet)
    checksum = file_checksum(path, sheet)
    rows, findings = parse_contracts(table)
    findings += table.empty_findings()
    with db.transaction() as session:
        scope = write_scope(session, actor, Action.REGISTER)  # an unknown name or another role: refused outright
        # who may write where, before any row is compared with the register: a refused row names its own asset ids
        regions = contract_repo.asset_facts(session, [a for r in rows for a in r.asset_ids])
        places = [
            RowPlace(
                r.row, "资产编号", "、".join(r.asset_ids), tuple(regions[a].region for a in r.asset_ids if a in regions)
            )
            for r in rows
        ]
        refused = rows_outside(session, scope, table.source, places)
        if refused:
            raise ScopeRefusal(sorted(findings + refused, key=lambda f: f.row or 0))
        prior = session.scalar(
            select(ImportBatch.id).where(ImportBatch.kind == "contracts", ImportBatch.checksum == checksum)
        )
        if prior is not None:
            return ContractImportResult(str(path), 0, 0, prior, already_imported=True, dry_run=dry_run)
        findings += _check(session, table.source, rows)
        if findings:
            raise InputError(sorted(findings, key=lambda f: (f.row or 0, f.column or "")))
        assets = len({a for r in rows for a in r.asset_ids})
        if dry_run:
            return ContractImportResult(str(path), len(rows), assets, None, dry_run=True)
        batch = ImportBatch(kind="contracts", source_name=path.name, checksum=checksum, row_count=len(rows),
                            actor=actor, recorded_at=now())  # fmt: skip
        session.add(batch)
        session.flush()
        _record(session, rows, actor, batch.id)
        return ContractImportResult(str(path), len(rows), assets, batch.id)


def add_contract(db: Database, row: ContractRow, actor: str) -> None:
    """One contract, by the same rules as a file's row (its row number is 0)."""
    with db.transaction() as session:
        require(session, actor, Action.REGISTER, [])
        findings = _check(session, "contract add", [row])
        if findings:
            duplicate = [f for f in findings if f.column == "合同编号" and "already" in f.reason]
            if duplicate and len(findings) == 1:
                raise DuplicateError("contract", row.code)
            raise InputError([replace(f, row=None) for f in findings])
        facts = contract_repo.asset_facts(session, row.asset_ids)
        require(session, actor, Action.REGISTER, {f.region for f in facts.values()})
        _record(session, [row], actor, None)


_REGISTERS = frozenset(r.value for r in Register)
_STATUSES = frozenset(s.value for s in AssetStatus)


def _unknown_fact(fact: contract_repo.AssetFacts) -> str | None:
    """Why no contract is decided for an asset whose stored register or status is none of its vocabulary."""
    record = (f"资产 {fact.asset_id}", f"asset {fact.asset_id}")
    for what, value, known in (("register", fact.register, _REGISTERS), ("status", fact.status, _STATUSES)):
        if value not in known:
            return unknown_words(record, what, value)
    return None


def _check(session: Session, source: str, rows: Sequence[ContractRow]) -> list[Finding]:
    """Codes unique, renewals known, assets operating and in the register, terms not overlapping."""
    findings: list[Finding] = []
    first: dict[str, int] = {}
    for r in rows:
        if r.code in first:
            findings.append(Finding(source, r.row, "合同编号", r.code, duplicate_of_row(first[r.code])))
        first.setdefault(r.code, r.row)
    taken = contract_repo.codes_taken(session, [r.code for r in rows] + [r.renews for r in rows if r.renews])
    facts = contract_repo.asset_facts(session, [a for r in rows for a in r.asset_ids])
    for r in rows:
        if r.code in taken:
            findings.append(
                Finding(source, r.row, "合同编号", r.code, "合同编号已登记 (contract code is already registered)")
            )
        if r.renews and r.renews not in taken and r.renews not in first:
            findings.append(
                Finding(source, r.row, "续签合同编号", r.renews, "没有这个编号的合同 (no contract with this code)")
            )
        if r.renews == r.code:
            findings.append(
                Finding(source, r.row, "续签合同编号", r.renews, "合同不能续签自己 (a contract cannot renew itself)")
            )
        for asset_id in r.asset_ids:
            fact = facts.get(asset_id)
            unknown = _unknown_fact(fact) if fact is not None else None
            if fact is None:
                findings.append(Finding(source, r.row, "资产编号", asset_id, "资产未登记 (asset is not registered)"))
            elif unknown is not None:  # a stored text that is none of its vocabulary decides nothing
                findings.append(Finding(source, r.row, "资产编号", asset_id, unknown))
            elif fact.register != Register.OPERATING.value:
                label = Register(fact.register).label
                findings.append(Finding(source, r.row, "资产编号", asset_id, f"只有经营性资产有经营合同 only "
                                        f"operating assets have operating contracts; this one is {label}"))  # fmt: skip
            elif fact.status == AssetStatus.DISPOSED.value:
                findings.append(
                    Finding(source, r.row, "资产编号", asset_id, "资产已处置 (the asset has been disposed of)")
                )
    return findings + _overlaps(session, source, rows)


def _overlaps(session: Session, source: str, rows: Sequence[ContractRow]) -> list[Finding]:
    """One asset, one contract at a time: each new term against the recorded ones and the file's other rows."""
    held: dict[str, list[tuple[str, dt.date, dt.date]]] = {}
    for c in contract_repo.load_contracts(session, asset_ids=[a for r in rows for a in r.asset_ids]):
        end = c.terms.terminated_on or c.terms.end
        for asset_id in c.asset_ids:
            held.setdefault(asset_id, []).append((c.code, c.terms.start, min(end, c.terms.end)))
    findings = []
    for r in sorted(rows, key=lambda r: r.row):
        for asset_id in r.asset_ids:
            for code, start, end in held.get(asset_id, []):
                if r.terms.start <= end and start <= r.terms.end:
                    findings.append(Finding(source, r.row, "合同起始日期", str(r.terms.start),
                                            f"资产 {asset_id} 已有合同 {code} ({start} – {end}): terms may not "
                                            "overlap; end that contract first (contract terminate)"))  # fmt: skip
            held.setdefault(asset_id, []).append((r.code, r.terms.start, r.terms.end))
    return findings


def _record(session: Session, rows: Sequence[ContractRow], actor: str, batch_id: int | None) -> None:
    at = now()
    ids = contract_repo.codes_taken(session, [r.renews for r in rows if r.renews])
    latest = {a: f.start for a, f in contract_repo.asset_facts(session, [a for r in rows for a in r.asset_ids]).items()}
    for r in sorted(rows, key=lambda r: (r.terms.start, r.row)):
        t = r.terms
        values = {"code": r.code, "operator": r.operator, "mode": t.mode.value, "signed_on": r.signed_on,
                  "start_on": t.start, "end_on": t.end, "amount": t.amount, "frequency": t.frequency.value,
                  "timing": t.timing.value, "paid_through": t.paid_through, "deposit": r.deposit,
                  "renews_id": ids.get(r.renews) if r.renews else None, "note": r.note, "batch_id": batch_id,
                  "actor": actor, "recorded_at": at}  # fmt: skip
        ids[r.code] = contract_repo.add_contract(session, values, r.asset_ids)
        for asset_id in r.asset_ids:
            held = latest.get(asset_id)
            if held is None or t.start >= held:
                latest[asset_id] = t.start
                contract_repo.keep_asset_in_step(session, asset_id, {
                    "operator": r.operator, "operating_mode": t.mode.value, "contract_start": t.start,
                    "contract_end": t.end, "contract_annual_income": t.annual})  # fmt: skip
            session.add(AssetEvent(asset_id=asset_id, kind=AssetEventKind.CONTRACT_RECORDED.value,
                                   event_date=r.signed_on or t.start,
                                   payload={"contract": r.code, "operator": r.operator, "mode": t.mode.value,
                                            "start": t.start.isoformat(), "end": t.end.isoformat(),
                                            "annual": None if t.annual is None else str(t.annual.quantize(FEN)),
                                            "renews": r.renews},
                                   actor=actor, recorded_at=at))  # fmt: skip


@dataclass(frozen=True)
class AdoptResult:
    contracts: int
    dry_run: bool


def adopt_register(
    db: Database, actor: str, *, within: str | None = None, paid_through: dt.date | None = None,
    dry_run: bool = False,
) -> AdoptResult:  # fmt: skip
    """Record, as contracts, the contract facts the register holds on operating assets that have none recorded
    (registered before the contracts register existed): operator, mode, start, end and yearly income (paid once a
    year, in arrears). Codes are TZ-<asset id>; `paid_through` says what was settled before. All or nothing."""
    with db.transaction() as session:
        require(session, actor, Action.REGISTER, [within] if within else [])
        assets = contract_repo.register_contracts(session, within)
        held = {a for c in contract_repo.load_contracts(session, asset_ids=[a.asset_id for a in assets])
                for a in c.asset_ids}  # fmt: skip
        rows: list[ContractRow] = []
        unread: list[Finding] = []
        for a in assets:
            if a.asset_id in held or a.operating_mode in {m.value for m in NO_CONTRACT_MODES}:
                continue
            mode = OperatingMode._value2member_map_.get(a.operating_mode or "")
            if not isinstance(mode, OperatingMode):  # a stored text that is none: no contract is made up from it
                record = (f"资产 {a.asset_id}", f"asset {a.asset_id}")
                reason = unknown_words(record, "operating mode", a.operating_mode)
                unread.append(Finding("contract adopt", None, "资产编号", a.asset_id, reason))
                continue
            annual = a.contract_annual_income
            terms = Terms(mode, a.contract_start, a.contract_end, annual,
                          Frequency.ANNUAL, Timing.ARREARS, paid_through)  # fmt: skip
            note = "由台账合同信息生成 adopted from the register"
            rows.append(ContractRow(len(rows) + 1, f"TZ-{a.asset_id}"[:64], (a.asset_id,), a.operator or "未登记",
                                    None, terms, None, None, note))  # fmt: skip
        problems = [Finding("contract adopt", None, "资产编号", r.asset_ids[0], reason)
                    for r in rows for _, reason in term_problems(r.terms)]  # fmt: skip
        problems += [replace(f, source="contract adopt") for f in _check(session, "contract adopt", rows)] + unread
        if problems:
            raise InputError(problems)
        require(
            session, actor, Action.REGISTER, {a.region for a in assets if a.asset_id in {r.asset_ids[0] for r in rows}}
        )
        if not dry_run:
            _record(session, rows, actor, None)
        return AdoptResult(len(rows), dry_run)


def terminate_contract(db: Database, code: str, on: dt.date, reason: str, actor: str) -> ContractView:
    """End a contract before its term (解除/终止): it binds through `on`; the asset then needs a new one."""
    with db.transaction() as session:
        require(session, actor, Action.REGISTER, [])
        found = contract_repo.contract_by_code(session, code)
        if found is None:
            raise NotFoundError("contract", code)
        facts = contract_repo.asset_facts(session, found.asset_ids)
        require(session, actor, Action.REGISTER, {f.region for f in facts.values()})
        if found.terms.terminated_on is not None:
            raise RuleViolation(
                f"合同 {code} 已于 {found.terms.terminated_on} 解除 "
                f"(contract {code} was already terminated on {found.terms.terminated_on})"
            )
        if not found.terms.start <= on <= found.terms.end:
            raise RuleViolation(
                f"合同 {code} 期限为 {found.terms.start} 至 {found.terms.end}，{on} 不在期限内 "
                f"(contract {code} runs {found.terms.start} – {found.terms.end}; {on} is outside it)"
            )
        if not reason.strip():
            raise InputError([Finding("contract terminate", None, "reason", reason, "请写明原因 (give the reason)")])
        at = now()
        contract_repo.add_termination(session, found.id, on, reason, actor, at)
        for asset_id in found.asset_ids:
            if facts[asset_id].start == found.terms.start:
                contract_repo.keep_asset_in_step(session, asset_id, {"contract_end": on})
            session.add(AssetEvent(asset_id=asset_id, kind=AssetEventKind.CONTRACT_TERMINATED.value, event_date=on,
                                   payload={"contract": code, "reason": reason}, actor=actor,
                                   recorded_at=at))  # fmt: skip
        return ContractView.of(replace(found, terms=replace(found.terms, terminated_on=on), termination_reason=reason))


def reading_scope(session: Session, actor: str, region: str | None) -> str | None:
    """The region a reader reads: the one asked for (checked), else the reader's whole scope."""
    if region:
        require_read(session, actor, region)
        return region
    if visible_regions(session, actor) is None:
        return None
    user = current_user(session, actor)
    return None if user is None or user.scope == "*" else user.scope


def list_contracts(
    db: Database, actor: str, *, within: str | None = None, as_of: dt.date | None = None
) -> list[ContractView]:
    """Contracts of the assets in a region (default: the reader's scope); with `as_of`, only those in force then."""
    with db.reading() as session:
        region = reading_scope(session, actor, within)
        stored = contract_repo.load_contracts(session, region=region)
    views = [ContractView.of(c) for c in stored]
    if as_of is not None:
        views = [v for v in views if v.start <= as_of <= v.effective_end]
    return views


def contracts_of(db: Database, asset_id: str, actor: str) -> list[ContractView]:
    with db.reading() as session:
        facts = contract_repo.asset_facts(session, [asset_id]).get(asset_id)
        if facts is None:
            raise NotFoundError("asset", asset_id)
        require_read(session, actor, facts.region)
        return [ContractView.of(c) for c in contract_repo.load_contracts(session, asset_ids=[asset_id])]
