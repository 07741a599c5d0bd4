"""Rectification cases (整改): a warning made a case with a responsible unit and a deadline, its steps, its close.

Opening re-runs the warning's rule and refuses a warning that does not fire (or one with a case still open);
closing re-runs it again and refuses (RuleRefusal, exit 5) while it still fires. Every act is a row of record with
actor and time, sealed in the hash chain; a case's state is derived from its events (domain/supervision.py).
Finance (县财政局) opens and closes cases in its scope; the village accountant (村会计) records steps for its own
village's cases; auditors (审计) read.

A stored rule or event kind that is none of its vocabulary (written around the product, or by a later version; store/
types.EnumText reads it back as the text) is shown as it was stored; what would decide from it (a step, a close, a
second case on the warning) is refused, naming the case and the stored text, until `audit verify` has been answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.supervision import (
    CaseEvent,
    CaseEventKind,
    CaseState,
    RuleKind,
    SupervisionPolicy,
    SupervisionWarning,
    case_state,
    is_overdue,
    parse_key,
)
from assetledger.domain.text import visible
from assetledger.errors import DuplicateError, Finding, InputError, NotFoundError, RuleRefusal, RuleViolation
from assetledger.services.access import require, require_read
from assetledger.services.context import now, today
from assetledger.services.contracts import reading_scope
from assetledger.services.documents import keep_file
from assetledger.services.places import Places
from assetledger.services.supervision import warnings_in
from assetledger.store.db import Database
from assetledger.store.document_files import DocumentPlace
from assetledger.store.document_models import Document
from assetledger.store.supervision_models import RectificationCase, RectificationEvent
from assetledger.store.text_rules import require_fits


@dataclass(frozen=True)
class CaseView:
    """A case as its rows and events leave it."""

    number: int
    key: str
    rule: RuleKind | str  # a stored text that is no rule: as it is
    subject: str
    name: str
    county_code: str
    township_code: str | None
    village_code: str | None
    since: dt.date
    evidence: str
    unit: str
    deadline: dt.date
    opened_on: dt.date
    opened_by: str
    policy_version: str
    note: str | None
    events: tuple[CaseEvent, ...]  # an event's kind that is none of CaseEventKind: the stored text
    state: CaseState  # of the events of a known kind
    overdue: bool

    @property
    def region_code(self) -> str:
        return self.village_code or self.township_code or self.county_code

    def line(self) -> dict[str, object]:
        """The values of its line in the audit package's rectification.jsonl: the rule and the events' kinds by
        their codes (a stored text that is none as it is), the state as "open" or "closed"."""
        values: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(rule=str(self.rule), events=[{**asdict(e), "kind": str(e.kind)} for e in self.events],
                      state="closed" if self.state.closed else "open")  # fmt: skip
        return values

    @property
    def rule_label(self) -> str:
        """The rule in words ("已登记未确权 registered, not confirmed"); a stored text that is no rule as it is."""
        return self.rule.label if isinstance(self.rule, RuleKind) else self.rule


def _key(key: str) -> tuple[RuleKind, str]:
    try:
        return parse_key(key)
    except ValueError as exc:
        raise InputError([Finding("supervise", None, "WARNING-KEY", key, str(exc))]) from exc


def _firing(session: Session, rule: RuleKind, key: str, as_of: dt.date, policy: SupervisionPolicy,
            region: str | None) -> SupervisionWarning | None:  # fmt: skip
    found = warnings_in(session, as_of, policy, region, [rule])
    return next((w for w in found if w.key == key), None)


def open_case(
    db: Database,
    actor: str,
    key: str,
    unit: str,
    deadline: dt.date,
    *,
    policy: SupervisionPolicy,
    on: dt.date | None = None,
    note: str | None = None,
) -> CaseView:
    """整改立案: the warning `key` (rule:subject) must fire on `on` (default today) in the actor's scope."""
    rule, _ = _key(key)
    require_fits("supervise open", ("--unit", unit, RectificationCase.unit), ("--note", note, RectificationCase.note))
    if not unit.strip():
        raise InputError([Finding("supervise open", None, "--unit", unit, "责任单位不能为空 the unit is required")])
    on = on or today()
    if deadline < on:
        raise InputError([Finding("supervise open", None, "--deadline", str(deadline),
                                  f"整改期限早于立案日 {on} the deadline is before the case opens")])  # fmt: skip
    with db.transaction() as session:
        require(session, actor, Action.SUPERVISE, [])  # the role first: a warning elsewhere is not news to anyone
        scope = reading_scope(session, actor, None)
        warning = _firing(session, rule, key.strip(), on, policy, scope)
        if warning is None:
            raise NotFoundError(f"warning firing on {on} (预警截至 {on} 未触发)", key)
        require(session, actor, Action.SUPERVISE, [warning.region_code])
        if _open_case_on(session, warning.key) is not None:
            raise DuplicateError("open rectification case (整改中) on warning", warning.key)
        row = RectificationCase(
            warning_key=warning.key, rule=rule.value, subject=warning.subject, name=warning.name[:200],
            county_code=warning.county_code, township_code=warning.township_code, village_code=warning.village_code,
            since=warning.since, evidence=warning.evidence, unit=unit.strip(), deadline=deadline, opened_on=on,
            policy_version=policy.version, note=note, actor=actor, recorded_at=now(),
        )  # fmt: skip
        session.add(row)
        session.flush()
        return _view(row, [], on)


def _open_case_on(session: Session, key: str) -> int | None:
    for row in session.scalars(select(RectificationCase).where(RectificationCase.warning_key == key)):
        if not _decided_state(row.id, _events(session, [row.id]).get(row.id, [])).closed:
            return row.id
    return None


def record_step(
    db: Database,
    place: DocumentPlace,
    actor: str,
    number: int,
    text: str,
    *,
    on: dt.date | None = None,
    document: Path | None = None,
) -> CaseView:
    """整改措施: one step taken on an open case, with an optional document of record (kept and sealed)."""
    require_fits("supervise step", ("--text", text, RectificationEvent.text))
    if not text.strip():
        raise InputError([Finding("supervise step", None, "--text", text, "整改措施不能为空 the step needs its text")])
    on = on or today()
    with db.transaction() as session:
        row = _open_case(
            session, actor, Action.RECTIFY, number, on, "supervise step", "is closed: nothing follows its close"
        )
        document_id = keep_file(session, place, document, actor)[0] if document else None
        session.add(RectificationEvent(case_id=number, kind=CaseEventKind.STEP.value, event_date=on, text=text,
                                       document_id=document_id, actor=actor, recorded_at=now()))  # fmt: skip
        session.flush()
        return _view(row, _events(session, [number]).get(number, []), on)


def close_case(
    db: Database,
    actor: str,
    number: int,
    *,
    policy: SupervisionPolicy,
    on: dt.date | None = None,
    note: str | None = None,
) -> CaseView:
    """整改销号: re-run the case's rule as of `on` (default today); refused (exit 5) while its warning still fires."""
    require_fits("supervise close", ("--note", note, RectificationEvent.text))
    on = on or today()
    with db.transaction() as session:
        row = _open_case(session, actor, Action.SUPERVISE, number, on, "supervise close", "is already closed")
        rule = row.rule
        if not isinstance(rule, RuleKind):
            raise RuleViolation(
                f"整改案件 {number} 记录的预警规则「{visible(rule)}」不是本版本认识的规则，无法重新核查，不能销号；"
                f"请先运行 audit verify (case {number}: its stored rule {rule!r} is no rule this version knows, so it "
                "cannot be run again to close the case; run `audit verify`)"
            )
        still = _firing(session, rule, row.warning_key, on, policy.for_closing(rule), _region(row))
        if still is not None:
            raise RuleRefusal(
                [
                    Finding(
                        f"整改案件 case {number}",
                        None,
                        rule.label,
                        row.warning_key,
                        f"预警仍然触发，不能销号 the warning still fires as of {on}: {still.evidence}",
                    )
                ]
            )
        session.add(RectificationEvent(case_id=number, kind=CaseEventKind.CLOSED.value, event_date=on, text=note,
                                       document_id=None, actor=actor, recorded_at=now()))  # fmt: skip
        session.flush()
        return _view(row, _events(session, [number]).get(number, []), on)


def list_cases(
    db: Database, actor: str, *, region: str | None = None, as_of: dt.date | None = None, overdue: bool = False
) -> list[CaseView]:
    """Cases in a region (default: the reader's scope), oldest first; `overdue`: only those open past deadline."""
    as_of = as_of or today()
    with db.reading() as session:
        scope = reading_scope(session, actor, region)
        query = select(RectificationCase).order_by(RectificationCase.id)
        if scope:
            counties = Places(session, scope).parts()  # a city's cases are its counties'
            query = query.where(or_(RectificationCase.county_code.in_(counties),
                                    RectificationCase.township_code == scope,
                                    RectificationCase.village_code == scope))  # fmt: skip
        rows = list(session.scalars(query))
        events = _events(session, [r.id for r in rows])
        views = [_view(r, events.get(r.id, []), as_of) for r in rows]
    return [v for v in views if v.overdue] if overdue else views


def show_case(db: Database, actor: str, number: int, as_of: dt.date | None = None) -> CaseView:
    with db.reading() as session:
        row = _case(session, number)
        require_read(session, actor, _region(row))
        return _view(row, _events(session, [number]).get(number, []), as_of or today())


def case_records(db: Database, actor: str, within: str | None = None) -> list[CaseView]:
    """Every case in a region with its events, for the audit package (rectification.jsonl: `CaseView.line`)."""
    return list_cases(db, actor, region=within)


def open_cases_by_key(db: Database, actor: str, region: str | None = None) -> dict[str, int]:
    """warning key → the number of its open case, for the warnings list."""
    return {v.key: v.number for v in list_cases(db, actor, region=region) if not v.state.closed}


def _open_case(
    session: Session, actor: str, action: Action, number: int, on: dt.date, command: str, if_closed: str
) -> RectificationCase:
    """The case a step or a close is recorded on: the actor may do `action` in its region, it is not closed (else
    refused: "case N " + `if_closed`), and the date is not before it was opened."""
    require(session, actor, action, [])
    row = _case(session, number)
    require(session, actor, action, [_region(row)])
    if _decided_state(number, _events(session, [number]).get(number, [])).closed:
        raise RuleViolation(f"整改案件 {number} 已销号 case {number} {if_closed}")
    if on < row.opened_on:
        raise InputError([Finding(command, None, "--date", str(on),
                                  f"早于立案日 {row.opened_on} before the case was opened")])  # fmt: skip
    return row


def _case(session: Session, number: int) -> RectificationCase:
    row = session.get(RectificationCase, number)
    if row is None:
        raise NotFoundError("rectification case (整改案件)", str(number))
    return row


def _region(row: RectificationCase) -> str:
    return row.village_code or row.township_code or row.county_code


def _events(session: Session, numbers: Sequence[int]) -> dict[int, list[CaseEvent]]:
    found: dict[int, list[CaseEvent]] = {}
    for start in range(0, len(numbers), 900):
        part = list(numbers[start : start + 900])
        rows = session.execute(
            select(RectificationEvent, Document.sha256)
            .outerjoin(Document, Document.id == RectificationEvent.document_id)
            .where(RectificationEvent.case_id.in_(part))
            .order_by(RectificationEvent.id)
        )
        for event, sha256 in rows:  # the kind as EnumText read it: a member, or a stored text that is none
            found.setdefault(event.case_id, []).append(
                CaseEvent(event.kind, event.event_date, event.text, sha256, event.actor)
            )
    return found


def _known(events: Sequence[CaseEvent]) -> list[CaseEvent]:
    """The events of a kind this version knows (domain `apply` takes any other kind for a close)."""
    return [e for e in events if isinstance(e.kind, CaseEventKind)]


def _decided_state(number: int, events: Sequence[CaseEvent]) -> CaseState:
    """The state a step, a close or a second case is decided by: refused while an event of the case has a kind this
    version does not know (it may have closed the case, or not)."""
    unknown = [str(e.kind) for e in events if not isinstance(e.kind, CaseEventKind)]
    if unknown:
        kinds = "、".join(f"「{visible(k)}」" for k in unknown)
        raise RuleViolation(
            f"整改案件 {number} 有记录的类别{kinds}不是本版本认识的类别（措施、销号），无法判断是否已销号；"
            f"请先运行 audit verify (case {number}: an event's stored kind {', '.join(map(repr, unknown))} is neither "
            "step nor closed, so whether the case is closed cannot be told; run `audit verify`)"
        )
    return case_state(events)


def _view(row: RectificationCase, events: Sequence[CaseEvent], as_of: dt.date) -> CaseView:
    state = case_state(_known(events))  # shown: a stored kind that is none is listed as it is, and counts for nothing
    return CaseView(
        row.id, row.warning_key, row.rule, row.subject, row.name, row.county_code, row.township_code,
        row.village_code, row.since, row.evidence, row.unit, row.deadline, row.opened_on, row.actor,
        row.policy_version, row.note, tuple(events), state, is_overdue(row.deadline, state, as_of),
    )  # fmt: skip
