"""The beneficiary roster of each village: households join, change and leave as events; nothing is deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.distribution import persons_problem
from assetledger.domain.enums import RegionLevel
from assetledger.domain.households import HouseholdFacts, roster_date_problem
from assetledger.domain.text import TextRule, require_texts
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation, ScopeRefusal, duplicate_of_row
from assetledger.io.household_rows import (
    CATEGORY_LABELS,
    FACTOR_LABELS,
    HouseholdRow,
    asset_column,
    column_header,
    parse_households,
)
from assetledger.io.tabular import read_table
from assetledger.services.access import RowPlace, read_households, region_name, require, rows_outside, write_scope
from assetledger.services.asset_changes import load_facts
from assetledger.services.asset_households import plan_attachments, write_attachments
from assetledger.services.context import now, today
from assetledger.services.regions import load_index
from assetledger.store.db import Database
from assetledger.store.distribution_models import Household, HouseholdEvent
from assetledger.store.text_rules import rules

TEXT_RULES = rules(household_id=Household.household_id, head=Household.head)


@dataclass(frozen=True)
class RosterResult:
    joined: int
    changed: int
    left: int
    unchanged: int
    attached: int = 0  # households attached to household-level assets (到户类) by the 资产编号 column
    already_attached: int = 0


def import_roster(
    db: Database,
    path: Path,
    actor: str,
    *,
    dry_run: bool = False,
    on: dt.date | None = None,
    sheet: str | None = None,
) -> RosterResult:
    """Add new households, record changes and departures of known ones; all or nothing.

    A change of a known household (户主, 人口, 类别, 因素) is dated by its row's 变更日期, else by `on` (the
    command's --date): the date the user states, never the machine's clock (DOMAIN rule 16); a change with neither
    is a finding, as is one dated before the household joined or after today. `sheet`: the workbook's sheet to
    read (else its one visible sheet with data)."""
    table = read_table(path, sheet=sheet)
    rows, findings = parse_households(table, TEXT_RULES)
    findings += table.empty_findings()
    with db.transaction() as session:
        scope = write_scope(session, actor, Action.DISTRIBUTE)  # an unknown name or another role: refused outright
        index = load_index(session)
        villages = {n.code: n for n in index.by_code.values() if n.level is RegionLevel.VILLAGE}
        by_name: dict[str, list[str]] = {}
        for node in villages.values():
            by_name.setdefault(node.name, []).append(node.code)
        resolved: list[tuple[HouseholdRow, str]] = []
        seen: dict[str, int] = {}
        for r in rows:
            for field, value in (("joined_on", r.joined_on), ("left_on", r.left_on)):
                problem = roster_date_problem(value, today()) if value is not None else None
                if problem:
                    findings.append(Finding(table.source, r.row, column_header(table, field), str(value), problem))
            code = r.village if r.village in villages else None
            if code is None and len(by_name.get(r.village, [])) == 1:
                code = by_name[r.village][0]
            if code is None:
                findings.append(
                    Finding(
                        table.source,
                        r.row,
                        "村",
                        r.village,
                        "村名不存在或有重名，请填写村的代码 (unknown or ambiguous village; use its code)",
                    )
                )
                continue
            if r.household_id in seen:
                findings.append(
                    Finding(table.source, r.row, "户编号", r.household_id, duplicate_of_row(seen[r.household_id]))
                )
                continue
            seen[r.household_id] = r.row
            resolved.append((r, code))
        # who may write where, before any row is compared with the roster: a refused row names only its own cell
        places = [RowPlace(r.row, "村", r.village, (code,)) for r, code in resolved]
        assets = load_facts(session, [a for r, _ in resolved for a in r.asset_ids])  # 资产编号: each asset's place too
        places += [
            RowPlace(r.row, asset_column(table), a, (assets[a].region,))
            for r, _ in resolved
            for a in r.asset_ids
            if a in assets
        ]
        refused = rows_outside(session, scope, table.source, places)
        if refused:
            raise ScopeRefusal(sorted(findings + refused, key=lambda f: f.row or 0))
        existing = (
            {
                h.household_id: h
                for h in session.scalars(select(Household).where(Household.household_id.in_(list(seen))))
            }
            if seen
            else {}
        )
        moved: set[str] = set()
        for r, code in resolved:
            h = existing.get(r.household_id)
            if h is not None and h.village_code != code:
                moved.add(r.household_id)  # the household's facts are not compared with a row of another village
                where = region_name(session, h.village_code) if scope.covers(session, h.village_code) else "其他村"
                findings.append(
                    Finding(
                        table.source,
                        r.row,
                        "户编号",
                        r.household_id,
                        f"该户编号已登记在{where} (household id is registered in another village)",
                    )
                )
            elif h is not None and h.left_on is not None and (r.left_on != h.left_on):
                findings.append(
                    Finding(
                        table.source,
                        r.row,
                        column_header(table, "left_on"),
                        str(r.left_on or ""),
                        f"该户已于 {h.left_on} 退出 the household left on {h.left_on}; "
                        "if that is wrong, correct it first (beneficiary correct-exit)",
                    )
                )
        dates: dict[str, dt.date] = {}
        for r, _ in resolved:
            h = None if r.household_id in moved else existing.get(r.household_id)
            when, problem = _change_date(h, r, on) if h is not None else (None, None)
            if problem:
                shown = str(r.changed_on or on or "")
                findings.append(Finding(table.source, r.row, column_header(table, "changed_on"), shown, problem))
            elif when is not None:
                dates[r.household_id] = when
        plan = plan_attachments(session, table.source, asset_column(table), resolved)
        findings += plan.findings
        if findings:
            raise InputError(sorted(findings, key=lambda f: f.row or 0))
        result = _apply(session, resolved, existing, actor, dates)
        attached = write_attachments(session, plan.new, actor)
        result = replace(result, attached=attached, already_attached=plan.already)
        if dry_run:
            session.rollback()
        return result


def _apply(
    session: Session,
    rows: list[tuple[HouseholdRow, str]],
    existing: dict[str, Household],
    actor: str,
    dates: dict[str, dt.date] | None = None,
) -> RosterResult:
    """`dates`: the date each changed household's change took effect (checked by `_change_date`)."""
    joined = changed = left = unchanged = 0
    at = now()
    for r, code in rows:
        h = existing.get(r.household_id)
        if h is None:
            session.add(
                Household(
                    household_id=r.household_id,
                    village_code=code,
                    head=r.head,
                    persons=r.persons,
                    category=r.category,
                    factors=list(r.factors),
                    joined_on=r.joined_on,
                    left_on=r.left_on,
                    left_reason=r.left_reason,
                    created_at=at,
                    created_by=actor,
                )
            )
            session.flush()
            _event(session, r.household_id, "joined", r.joined_on, _facts(r), actor)
            if r.left_on:
                _event(session, r.household_id, "left", r.left_on, {"reason": r.left_reason}, actor)
                left += 1
            joined += 1
            continue
        facts, current = _facts(r), _current(h)
        if facts != current:
            h.head, h.persons, h.category, h.factors = r.head, r.persons, r.category, list(r.factors)
            _event(session, r.household_id, "changed", (dates or {})[r.household_id], {"from": current, "to": facts},
                   actor)  # fmt: skip
            changed += 1
        elif r.left_on is None or h.left_on is not None:
            unchanged += 1
        if r.left_on and h.left_on is None:
            h.left_on, h.left_reason = r.left_on, r.left_reason
            _event(session, r.household_id, "left", r.left_on, {"reason": r.left_reason}, actor)
            left += 1
    return RosterResult(joined, changed, left, unchanged)


def _facts(r: HouseholdRow) -> dict[str, Any]:
    return {"head": r.head, "persons": r.persons, "category": r.category, "factors": list(r.factors)}


def _current(h: Household) -> dict[str, Any]:
    return {"head": h.head, "persons": h.persons, "category": h.category, "factors": list(h.factors)}


def _change_date(h: Household, r: HouseholdRow, on: dt.date | None) -> tuple[dt.date | None, str | None]:
    """(the date a known household's change took effect, None) — its row's 变更日期, else the command's date —, or
    (None, why it cannot be dated); (None, None) when the row changes nothing."""
    before, after = _current(h), _facts(r)
    if before == after:
        return None, None
    when = r.changed_on or on
    if when is None:
        what = "; ".join(_shown_change(k, before[k], after[k]) for k in before if before[k] != after[k])
        return None, f"{what}: 变更须注明日期 the change needs the date it took effect (变更日期 column, or --date)"
    if when < h.joined_on:
        return None, f"变更日期早于纳入日期 the change is dated before the household joined ({h.joined_on})"
    problem = roster_date_problem(when, today())
    if problem:
        return None, f"变更{problem}"
    return when, None


_CHANGE_LABELS = {"head": "户主", "persons": "人口", "category": "类别", "factors": "因素"}


def _shown_change(key: str, before: Any, after: Any) -> str:
    def shown(value: Any) -> str:
        if key == "category":
            return str(CATEGORY_LABELS.get(value, value))
        if key == "factors":
            return "、".join(FACTOR_LABELS.get(f, f) for f in value) or "无"
        return str(value)

    return f"{_CHANGE_LABELS[key]} {shown(before)} → {shown(after)}"


def _event(session: Session, household_id: str, kind: str, on: dt.date, payload: dict[str, Any], actor: str) -> None:
    session.add(
        HouseholdEvent(
            household_id=household_id, kind=kind, event_date=on, payload=payload, actor=actor, recorded_at=now()
        )
    )


def remove_household(db: Database, household_id: str, on: dt.date, reason: str, actor: str) -> None:
    """A household leaves the roster (exit or death): it receives nothing for months after `on`."""
    if reason not in ("exit", "death"):
        raise InputError(
            [
                Finding(
                    "beneficiary remove",
                    None,
                    "--reason",
                    reason,
                    "原因应为 exit（退出）或 death（死亡） (write exit or death)",
                )
            ]
        )
    _refuse_future("beneficiary remove", "--date", on)
    with db.transaction() as session:
        h = session.get(Household, household_id, with_for_update=True)
        if h is None:
            raise NotFoundError("household", household_id)
        require(session, actor, Action.DISTRIBUTE, [h.village_code])
        if h.left_on is not None:
            raise RuleViolation(
                f"{h.head} 户已于 {h.left_on} 退出受益名单；如有误，请用 `beneficiary correct-exit` 更正 "
                f"(household {household_id} already left on {h.left_on}; if that is wrong, correct it with "
                "`beneficiary correct-exit`)"
            )
        if on < h.joined_on:
            raise RuleViolation(
                f"{h.head} 户于 {h.joined_on} 纳入，晚于 {on} (household "
                f"{household_id} joined on {h.joined_on}, after {on})"
            )
        h.left_on, h.left_reason = on, reason
        _event(session, household_id, "left", on, {"reason": reason}, actor)


def _refuse_future(source: str, option: str, on: dt.date) -> None:
    problem = roster_date_problem(on, today())
    if problem:
        raise InputError([Finding(source, None, option, str(on), problem)])


def correct_exit(
    db: Database, household_id: str, why: str, actor: str, *, left_on: dt.date | None = None,
    left_reason: str | None = None,
) -> tuple[dt.date, dt.date | None]:  # fmt: skip
    """Correct an exit recorded by mistake or with the wrong date: with `left_on`, the household left then instead
    (for `left_reason`, else the reason recorded); without, it never left and is back on the roster. The exit event
    stays; an "exit_corrected" event dated the day the correction is made records what was, what is and why, and
    the distributions from then on share by the corrected facts. Returns (the exit corrected, the new exit or None)."""
    source = "beneficiary correct-exit"
    if not why.strip():
        raise InputError([Finding(source, None, "--reason", why, "更正须写明原因 (a correction needs a reason)")])
    require_texts(source, [("--reason", why, TextRule(limit=200))])
    if left_reason is not None and left_reason not in ("exit", "death"):
        raise InputError(
            [
                Finding(
                    source, None, "--cause", left_reason, "原因应为 exit（退出）或 death（死亡） (write exit or death)"
                )
            ]
        )
    if left_reason is not None and left_on is None:  # a reason of exit for a household that never left
        raise InputError(
            [
                Finding(
                    source, None, "--cause", left_reason,
                    "退出原因须与正确的退出日期（--date）一起给出 (a cause goes with the right date of exit, --date)",
                )
            ]
        )  # fmt: skip
    if left_on is not None:
        _refuse_future(source, "--date", left_on)
    with db.transaction() as session:
        h = session.get(Household, household_id, with_for_update=True)
        if h is None:
            raise NotFoundError("household", household_id)
        require(session, actor, Action.DISTRIBUTE, [h.village_code])
        if h.left_on is None:
            raise RuleViolation(
                f"{h.head} 户没有退出受益名单，无需更正 "
                f"(household {household_id} has not left the roster; nothing to correct)"
            )
        if left_on is not None and left_on < h.joined_on:
            raise RuleViolation(
                f"{h.head} 户于 {h.joined_on} 纳入，晚于 {left_on} "
                f"(household {household_id} joined on {h.joined_on}, after {left_on})"
            )
        was = h.left_on
        reason = (left_reason or h.left_reason) if left_on is not None else None
        before = {"left_on": was.isoformat(), "reason": h.left_reason}
        after = {"left_on": left_on.isoformat(), "reason": reason} if left_on is not None else None
        h.left_on, h.left_reason = left_on, reason
        _event(session, household_id, "exit_corrected", today(), {"from": before, "to": after, "why": why}, actor)
        return was, left_on


def add_household(db: Database, row: HouseholdRow, village_code: str, actor: str) -> None:
    problem = persons_problem(row.persons)
    if problem:
        raise InputError([Finding("beneficiary add", None, "--persons", str(row.persons), problem)])
    _refuse_future("beneficiary add", "--joined", row.joined_on)
    require_texts("beneficiary add", [(f, getattr(row, f), r) for f, r in TEXT_RULES.items()])
    with db.transaction() as session:
        require(session, actor, Action.DISTRIBUTE, [village_code])
        if session.get(Household, row.household_id) is not None:
            raise RuleViolation(f"{row.head} 户已在受益名单中 (household {row.household_id} is already on a roster)")
        plan = plan_attachments(session, "beneficiary add", "--asset", [(row, village_code)])
        if plan.findings:
            raise InputError(plan.findings)
        _apply(session, [(row, village_code)], {}, actor)
        write_attachments(session, plan.new, actor)


def roster(db: Database, village: str, actor: str) -> list[HouseholdFacts]:
    """A village's roster, households that left included, for a reader whose scope covers the village."""
    with db.reading() as session:
        read_households(session, actor, village)
        rows = session.scalars(
            select(Household).where(Household.village_code == village).order_by(Household.household_id)
        )
        return [
            HouseholdFacts(
                h.household_id,
                h.village_code,
                h.head,
                h.persons,
                h.category,
                tuple(h.factors),
                h.joined_on,
                h.left_on,
                h.left_reason,
            )
            for h in rows
        ]
