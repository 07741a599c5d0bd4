"""Register changes to assets already registered — confirmation, handover, custody, status — one or many at once.

`asset confirm A-1 ...` and `asset bulk confirm 确权.xlsx` take the same path: the facts of the assets are read once
(locked), the actor's scope is checked on every asset, each change is checked by the one rule of the domain
(domain/asset_changes.check), and then the register rows are updated, the custody history extended, the events
written (sealed into the chain at commit like every other) and, for confirmations that move an asset between
books, the transfers posted: one executemany per table, never a statement or a unit-of-work flush per asset, so
a district's 10,000 confirmations take seconds.

A file is all or nothing: every problem is listed (file, row, the file's own header, value) and nothing is
written; a row the register already says is counted as already applied, so the same file twice is a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain import asset_events
from assetledger.domain.access import Action
from assetledger.domain.asset_changes import (
    Change,
    Facts,
    Outcome,
    Refusal,
    check,
    event_of,
)
from assetledger.domain.asset_events import register_values
from assetledger.domain.assets import Custody, Ownership
from assetledger.domain.enums import AssetStatus, OperatingMode, OwnerKind, Register
from assetledger.domain.regions import RegionIndex
from assetledger.errors import Finding, InputError, RuleRefusal, RuleViolation, ScopeRefusal
from assetledger.io.asset_rows import Unresolved, resolve_ownership
from assetledger.io.change_rows import KINDS, ChangeRow, Claim, ParsedChanges, parse_changes
from assetledger.io.tabular import read_table
from assetledger.services.access import write_scope
from assetledger.services.asset_books import book_transfers, load_booked
from assetledger.services.books import Books
from assetledger.services.context import now
from assetledger.services.regions import load_index
from assetledger.services.stored import unknown_asset_value, unknown_words
from assetledger.store.bulk import chunks, insert_values
from assetledger.store.bulk_update import update_values
from assetledger.store.db import Database
from assetledger.store.models import Asset, AssetEvent, CustodianAssignment
from assetledger.store.tables import table_of
from assetledger.store.text_rules import EVENT_TEXT, table_rules

CHANGE_KINDS = tuple(KINDS)
TEXT_RULES = {**table_rules(table_of(Asset)), "status_reason": EVENT_TEXT}


@dataclass(frozen=True)
class ChangeResult:
    source: str
    kind: str
    rows: int  # rows in the file
    applied: int  # changes recorded (or, in a dry run, that would be)
    already: int  # rows the register already said: nothing to record
    dry_run: bool = False
    ignored: tuple[str, ...] = ()  # headers of the file's columns that were not used (列 X 未使用)


# --- reading the facts ------------------------------------------------------------------------------------------

_FACT_COLUMNS = (
    Asset.asset_id, Asset.register, Asset.status, Asset.county_code, Asset.township_code, Asset.village_code,
    Asset.owner_name, Asset.owner_kind, Asset.confirmed_on, Asset.confirm_doc, Asset.handed_over_on,
    Asset.handed_over_by, Asset.handover_doc, Asset.custodian, Asset.custodian_since, Asset.custodian_duties,
    Asset.household_id, Asset.household_head, Asset.acquired_on, Asset.build_year, Asset.operating_mode,
)  # fmt: skip
_VOCABULARIES: dict[str, tuple[str, dict[str, Any]]] = {
    "register": ("register", {r.value: r for r in Register}),
    "status": ("status", {s.value: s for s in AssetStatus}),
    "owner_kind": ("owner kind", {k.value: k for k in OwnerKind}),
    "operating_mode": ("operating mode", {m.value: m for m in OperatingMode}),  # booked by a confirmation's transfer
}


@dataclass(frozen=True)
class Unread:
    """An asset whose register entry holds, in `field`, a stored text that is none of its vocabulary (written around
    the product, or by a later version): its place, for the scope check, and the refusal of any change to it."""

    asset_id: str
    region: str
    field: str  # the register column
    text: str

    @property
    def reason(self) -> str:
        what = _VOCABULARIES[self.field][0]
        return unknown_words((f"资产 {self.asset_id}", f"asset {self.asset_id}"), what, self.text)

    def refusal(self) -> RuleViolation:
        return unknown_asset_value(self.asset_id, _VOCABULARIES[self.field][0], self.text)


def load_facts(session: Session, asset_ids: Sequence[str]) -> dict[str, Facts | Unread]:
    """The register entries of the assets that exist among `asset_ids`, locked for the change (PostgreSQL); an entry
    with a stored register, status or owner kind that is none of its vocabulary as `Unread` (no rule decides from
    it)."""
    found: dict[str, Facts | Unread] = {}
    for part in chunks(sorted(set(asset_ids))):
        query = select(*_FACT_COLUMNS).where(Asset.asset_id.in_(part)).with_for_update()
        for row in session.execute(query):
            values = row._asdict()
            unknown = [
                name
                for name, (_, members) in _VOCABULARIES.items()
                if values[name] is not None and values[name] not in members
            ]
            if unknown:
                region = row.village_code or row.township_code or row.county_code
                found[row.asset_id] = Unread(row.asset_id, region, unknown[0], str(values[unknown[0]]))
                continue
            del values["operating_mode"]
            for name in ("register", "status", "owner_kind"):
                values[name] = _VOCABULARIES[name][1].get(values[name] or "")
            found[row.asset_id] = Facts(**values)
    return found


# --- writing ----------------------------------------------------------------------------------------------------

_EVENT_COLUMNS = ("asset_id", "kind", "event_date", "payload", "actor", "recorded_at")
_CUSTODY_COLUMNS = ("asset_id", "custodian", "duties", "start_on", "actor", "recorded_at")


def write_changes(
    session: Session, facts: Mapping[str, Facts], changes: Sequence[tuple[str, Change]], actor: str
) -> None:
    """Record changes already checked (`check` said APPLY for each; one change per asset): register rows, custody
    history, events, and the book transfers of confirmations."""
    if not changes:
        return
    at = now()
    confirmed = [(asset_id, c) for asset_id, c in changes if isinstance(c, Ownership)]
    before = load_booked(session, [asset_id for asset_id, _ in confirmed]) if confirmed else {}
    events = []
    custody = []
    values = []
    for asset_id, change in changes:
        event = event_of(facts[asset_id], change)
        events.append((asset_id, event.kind.value, event.on, event.payload, actor, at))
        # the register takes what the recorded event says, as `audit verify` replays it: one model, not two
        values.append((asset_id, register_values(asset_events.event_of(event.kind, event.on, event.payload))))
        if isinstance(change, Custody):
            custody.append((asset_id, change.custodian, change.duties, change.start_on, actor, at))
    _update_assets(session, values)
    insert_values(session, table_of(CustodianAssignment), _CUSTODY_COLUMNS, custody)
    insert_values(session, table_of(AssetEvent), _EVENT_COLUMNS, events)
    if confirmed:
        moves = [
            (before[asset_id], replace(before[asset_id], owner_kind=o.owner_kind), o.confirmed_on)
            for asset_id, o in confirmed
        ]
        book_transfers(Books(session, actor), moves)


def _update_assets(session: Session, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Set each asset's new values: one executemany per set of columns changed (each kind of change sets its own)."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for asset_id, values in rows:
        groups.setdefault(tuple(values), []).append((asset_id, *values.values()))
    for columns, grouped in groups.items():
        update_values(session, table_of(Asset), "asset_id", columns, grouped)


# --- a file of changes ------------------------------------------------------------------------------------------


def apply_file(
    db: Database, kind: str, path: Path, actor: str, *, dry_run: bool = False, sheet: str | None = None
) -> ChangeResult:
    """Apply a file of changes of one kind (confirm, handover, custodian, status) to registered assets, all or
    nothing. Problems of input (exit 2) come before refusals by a rule (exit 5); rows of assets outside the actor's
    scope are refused (exit 6), each named by its row and place with the file's other problems of input; and
    only the rows within the scope are checked against the rules (a rule's answer would tell what the register
    holds out of scope). A dry run checks everything, books included, and writes nothing. `sheet`: the
    workbook's sheet to read (else its one visible sheet with data)."""
    if kind not in KINDS:
        raise InputError(
            [Finding(str(path), None, None, kind, f"变更类型应为以下之一 (write one of {', '.join(KINDS)})")]
        )
    table = read_table(path, sheet=sheet)
    parsed = parse_changes(table, kind, TEXT_RULES)
    del table
    with db.transaction() as session:
        scope = write_scope(session, actor, Action.REGISTER)  # an unknown name or another role: refused outright
        facts = load_facts(session, [r.asset_id for r in parsed.rows])
        missing = [
            parsed.finding(
                r.number,
                "asset_id",
                r.asset_id,
                "台账中没有这项资产，请先导入或登记 (not in the register; import or register it first)",
            )
            for r in parsed.rows
            if r.asset_id not in facts
        ]
        # a row outside the scope names its own asset id and the writer's scope, never the asset's place
        foreign = [
            parsed.finding(r.number, "asset_id", r.asset_id, scope.refusal())
            for r in parsed.rows
            if r.asset_id in facts and not scope.covers(session, facts[r.asset_id].region)
        ]
        if parsed.findings or missing or foreign:  # every problem at once, the rules' on the other rows too
            within = {r.number for r in parsed.rows
                      if r.asset_id in facts and scope.covers(session, facts[r.asset_id].region)}  # fmt: skip
            _, bad, refused, _ = _checked(session, parsed, facts, within)
            found = sorted([*parsed.findings, *missing, *foreign, *bad, *refused], key=lambda f: f.row or 0)
            raise ScopeRefusal(found) if foreign else InputError(found)
        changes, bad, refused, already = _checked(session, parsed, facts)
        if bad or refused:
            if bad:
                raise InputError(bad + refused)
            raise RuleRefusal(refused)
        write_changes(session, _read(facts), changes, actor)
        if dry_run:
            session.rollback()
        return ChangeResult(parsed.source, kind, len(parsed.rows), len(changes), already, dry_run, parsed.ignored)


def _read(facts: Mapping[str, Facts | Unread]) -> dict[str, Facts]:
    return {asset_id: f for asset_id, f in facts.items() if isinstance(f, Facts)}


def _checked(
    session: Session, parsed: ParsedChanges, facts: Mapping[str, Facts | Unread], numbers: set[int] | None = None
) -> tuple[list[tuple[str, Change]], list[Finding], list[Finding], int]:
    """(changes to record, bad input, refusals by a rule, rows already so) of the file's rows (those `numbers`)."""
    changes: list[tuple[str, Change]] = []
    bad: list[Finding] = []
    refused: list[Finding] = []
    already = 0
    index = load_index(session) if parsed.kind == "confirm" else None
    for row in parsed.rows:
        if numbers is not None and row.number not in numbers:
            continue
        current = facts[row.asset_id]
        if isinstance(current, Unread):  # no rule decides from a stored text that is none of its vocabulary
            refused.append(_refusal(parsed, row, Refusal(current.field, current.reason)))
            continue
        change = row.change
        if isinstance(change, Claim):
            assert index is not None
            resolved = _resolve(change, current, index)
            if isinstance(resolved, Unresolved):
                field = resolved.field if resolved.field in parsed.headers else "owner_kind"
                bad.append(parsed.finding(row.number, field, row.cells.get(field), resolved.reason))
                continue
            change = resolved
        verdict = check(current, change)
        if isinstance(verdict, Refusal):
            refused.append(_refusal(parsed, row, verdict))
        elif verdict is Outcome.ALREADY:
            already += 1
        else:
            changes.append((row.asset_id, change))
    return changes, bad, refused, already


def _resolve(claim: Claim, facts: Facts, index: RegionIndex) -> Ownership | Unresolved:
    """The owner a row names, or the standard owner of its level at the asset's place (the importer's rule), dated
    by the row, else by the asset's own dates (移交日期, 取得日期, 建设年度)."""
    found = resolve_ownership(
        claim.kind,
        claim.owner,
        claim.confirmed_on,
        claim.document,
        (facts.handed_over_on, facts.acquired_on, facts.build_year),
        index.place_of(facts.region),
        index,
        (facts.household_head, facts.household_id),
    )
    assert found is not None  # a claim always names a level
    return found


def _refusal(parsed: ParsedChanges, row: ChangeRow, refusal: Refusal) -> Finding:
    """A rule's refusal, on the row's column that states what is refused (the asset's id when the file has none)."""
    field = refusal.field if refusal.field in parsed.headers else "asset_id"
    return parsed.finding(row.number, field, row.cells.get(field), refusal.reason)
