"""Objections (异议) to a distribution's public notice, their decisions, and the rule a payout waits on (DOMAIN 15).

A distribution's households are paid only when (`require_payable`, called by `distribution_settlement.pay`, the
one payout path of the CLI, the web and the library):
- its notice was published (a row of `notice_publications`: `distribute publish`), and
- its objection period (公示期) — counted from the day of publication, as long as the rule says — has passed, and
- no objection to it is undecided on the payout date, and none was upheld (an upheld objection means the
  distribution is wrong: it is reversed with `distribute reverse` and made again, with a notice of its own).

Objections are raised within the objection period only, by a household of the village's roster or a person named as
they gave their name (or both); a decision (upheld or dismissed, with its reason) is dated on or after the day the
objection was raised and not after today, one per objection. Both are acts of record (append-only, sealed) made by
whoever may distribute for the village; reading them — what villagers said, and who — is reading household personal
data (services/access.read_households).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.objections import ObjectionPeriod, Outcome, pending_on
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.services.access import read_households, region_name, require
from assetledger.services.context import now, today
from assetledger.services.distribution import parse_period, rule_from_json, standing_of_period
from assetledger.services.stored import unknown_stored
from assetledger.store.db import Database
from assetledger.store.distribution_models import (
    Distribution,
    DistributionRuleRow,
    Household,
    Payout,
)
from assetledger.store.objection_models import NoticeObjection, NoticeObjectionDecision
from assetledger.store.publication_models import NoticePublication
from assetledger.store.text_rules import require_fits


@dataclass(frozen=True)
class Objection:
    """An objection as recorded, with its decision when there is one."""

    id: int
    distribution_id: int
    village: str
    period: str
    rule_code: str
    raised_on: dt.date
    household_id: str | None
    head: str | None  # the household's head, from the roster
    raised_by: str | None
    text: str
    recorded_by: str
    decided_on: dt.date | None
    outcome: Outcome | str | None  # a stored text that is none of Outcome: as it is
    reason: str | None
    decided_by: str | None

    @property
    def state(self) -> str:
        return "未处理 (undecided)" if self.outcome is None else _outcome_label(self.outcome)


# --- the objection period and the payout rule ---------------------------------------------------------------------


def objection_period(session: Session, dist: Distribution) -> ObjectionPeriod | None:
    """The objection period of a distribution's notice, or None while the notice is not published."""
    published = session.scalar(
        select(NoticePublication.published_on).where(NoticePublication.distribution_id == dist.id)
    )
    if published is None:
        return None
    body = session.scalar(select(DistributionRuleRow.body).where(DistributionRuleRow.id == dist.rule_id))
    assert body is not None
    return ObjectionPeriod(published, rule_from_json(body).objection_days)


def _place(session: Session, village: str) -> str:
    return f"{region_name(session, village)}（{village}）"


def require_payable(session: Session, dist: Distribution, on: dt.date) -> None:
    """Refuse (RuleViolation) a payout of `dist` dated `on` unless its notice was published, its objection period
    has passed by `on`, no objection to it is undecided on `on` and none was upheld."""
    village, period = dist.village_code, dist.period
    place = _place(session, village)
    window = objection_period(session, dist)
    if window is None:
        raise RuleViolation(
            f"{place} {period} 的收益分配公示尚未发布，不能发放：须先发布公示，公示期满且无异议后方可发放；"
            f"请先运行 assetledger distribute publish --village {village} --period {period} --date 公示日期 "
            f"(the notice of village {village}'s {period} distribution has not been published: households are paid "
            f"only after it is published and its objection period has passed; publish it first with "
            f"`assetledger distribute publish --village {village} --period {period} --date DATE`)"
        )
    if on < dist.distributed_on:
        raise RuleViolation(
            f"发放日期 {on} 早于 {period} 的分配日期 {dist.distributed_on}，分配之前不能发放；"
            f"公示期满后 {window.first_payout_day} 起方可发放 (a payout cannot be dated {on}, before distribution "
            f"{dist.id} was made on {dist.distributed_on}; households may be paid from {window.first_payout_day})"
        )
    if on < window.first_payout_day:
        raise RuleViolation(
            f"{place} {period} 的分配于 {window.published_on} 公示，公示期未满（{window}），"
            f"{window.first_payout_day} 起方可发放 (the notice of village {village}'s {period} distribution was "
            f"published on {window.published_on} and its objection period runs until {window.last_day}; households "
            f"may be paid from {window.first_payout_day}, not on {on})"
        )
    rows = session.execute(
        select(NoticeObjection.id, NoticeObjection.raised_on, NoticeObjectionDecision.decided_on,
               NoticeObjectionDecision.outcome)
        .outerjoin(NoticeObjectionDecision, NoticeObjectionDecision.objection_id == NoticeObjection.id)
        .where(NoticeObjection.distribution_id == dist.id)
        .order_by(NoticeObjection.id)
    ).all()  # fmt: skip
    known = {o.value for o in Outcome}
    unread = [r for r in rows if r.outcome is not None and r.outcome not in known]
    if unread:  # a decision whose outcome this version cannot read might have upheld the objection: no payout
        first = unread[0]
        raise unknown_stored((f"第 {first.id} 号公示异议", f"objection {first.id}"), "objection outcome", first.outcome,
                             where="在处理记录中")  # fmt: skip
    upheld = [r for r in rows if r.outcome == Outcome.UPHELD.value]
    if upheld:
        first = upheld[0]
        raise RuleViolation(
            f"{place} {period} 的公示异议成立（第 {first.id} 号，{first.decided_on} 处理），本次分配不能发放："
            f"须冲销后重新分配：assetledger distribute reverse --village {village} --period {period} --reason 原因，"
            f"再重新分配并公示 (objection {first.id} to the notice of village {village}'s {period} distribution was "
            f"upheld on {first.decided_on}: the distribution is not paid; reverse it with `assetledger distribute "
            f"reverse --village {village} --period {period} --reason REASON` and distribute it again, with a notice "
            f"of its own)"
        )
    pending = [r for r in rows if pending_on(r.decided_on, on)]
    if pending:
        numbers = "、".join(f"第 {r.id} 号（{r.raised_on} 提出）" for r in pending)
        ids = ", ".join(str(r.id) for r in pending)
        raise RuleViolation(
            f"{place} {period} 的公示有 {len(pending)} 条异议在 {on} 尚未处理：{numbers}；处理之前不能发放，请先运行 "
            f"assetledger distribute objection decide 编号 --date 处理日期 --dismiss 或 --uphold --reason 理由 "
            f"({len(pending)} objection(s) to the notice of village {village}'s {period} distribution were undecided "
            f"on {on} (number {ids}): households are not paid until each is decided; record the decision with "
            f"`assetledger distribute objection decide ID --date DATE --dismiss|--uphold --reason REASON`)"
        )


# --- recording objections and decisions ----------------------------------------------------------------------------


def _standing(session: Session, village: str, period_text: str, rule_code: str | None, source: str) -> Distribution:
    period = parse_period(period_text, source)
    found = standing_of_period(session, village, period)
    chosen = [d for d in found if rule_code in (None, d.rule_code)]
    if not chosen:
        raise NotFoundError("distribution", f"{village} {period.label}" + (f" {rule_code}" if rule_code else ""))
    if len(chosen) > 1:
        codes = ", ".join(d.rule_code for d in chosen)
        raise InputError([Finding(source, None, "--rule", None,
                                  f"{period.label} 有 {len(chosen)} 个方案的分配（{codes}），请用 --rule 指定 "
                                  f"({len(chosen)} distributions share {period.label}, by rules {codes}: name one "
                                  "with --rule)")])  # fmt: skip
    return chosen[0]


def raise_objection(
    db: Database,
    village: str,
    period_text: str,
    on: dt.date,
    text: str,
    actor: str,
    *,
    household: str | None = None,
    raised_by: str | None = None,
    rule_code: str | None = None,
) -> Objection:
    """Record an objection to the notice of a village's standing distribution of a period, raised on `on` by a
    household of the village's roster and/or a person by name; refused outside the notice's objection period."""
    source = "distribute objection add"
    household = (household or "").strip() or None
    raised_by = (raised_by or "").strip() or None
    problems = []
    if not text.strip():
        problems.append(Finding(source, None, "--text", text, "须写明异议内容 (say what the objection is)"))
    if household is None and raised_by is None:
        problems.append(Finding(source, None, "--household / --name", None,
                                "须写明异议人：农户编号或姓名 (name who raised it)"))  # fmt: skip
    if problems:
        raise InputError(problems)
    require_fits(source, ("--text", text, NoticeObjection.text), ("--name", raised_by, NoticeObjection.raised_by))
    if on > today():
        raise RuleViolation(f"异议日期 {on} 晚于今天 (an objection cannot be dated after today, {today()})")
    with db.transaction() as session:
        require(session, actor, Action.DISTRIBUTE, [village])
        dist = _standing(session, village, period_text, rule_code, source)
        if household is not None:
            on_roster = session.scalar(select(Household.village_code).where(Household.household_id == household))
            if on_roster != village:
                raise InputError([Finding(source, None, "--household", household,
                                          f"不是本村（{village}）名册中的农户 (not a household of village {village}'s "
                                          "roster)")])  # fmt: skip
        window = objection_period(session, dist)
        place = _place(session, village)
        if window is None:
            raise RuleViolation(
                f"{place} {dist.period} 的收益分配公示尚未发布，公示期尚未开始，不能提出异议；请先发布公示："
                f"assetledger distribute publish --village {village} --period {dist.period} (the notice of village "
                f"{village}'s {dist.period} distribution has not been published: its objection period has not begun)"
            )
        if not window.covers(on):
            raise RuleViolation(
                f"{place} {dist.period} 的公示期为 {window}，异议须在公示期内提出，{on} 不在其中 (objections to the "
                f"notice of village {village}'s {dist.period} distribution are raised within its objection period, "
                f"{window.published_on} to {window.last_day}; {on} is outside it)"
            )
        paid = session.scalar(select(func.min(Payout.paid_on)).where(Payout.distribution_id == dist.id))
        if paid is not None:  # recorded late: the payout was made while the objection stood unrecorded
            raise RuleViolation(
                f"{place} {dist.period} 的分配已于 {paid} 起发放，不能再记录公示期内的异议 (the {dist.period} "
                f"distribution of village {village} was paid from {paid}: an objection can no longer be recorded "
                "against its notice)"
            )
        row = NoticeObjection(distribution_id=dist.id, village_code=village, raised_on=on, household_id=household,
                              raised_by=raised_by, text=text.strip(), actor=actor, recorded_at=now())  # fmt: skip
        session.add(row)
        session.flush()
        return _objection(session, row.id)


def decide_objection(
    db: Database, objection_id: int, on: dt.date, outcome: Outcome, reason: str, actor: str
) -> Objection:
    """Record the decision on an objection, dated on or after the day it was raised and not after today; once."""
    source = "distribute objection decide"
    if not reason.strip():
        raise InputError([Finding(source, None, "--reason", reason, "须说明处理理由 (a reason is needed)")])
    require_fits(source, ("--reason", reason, NoticeObjectionDecision.reason))
    if on > today():
        raise RuleViolation(f"处理日期 {on} 晚于今天 (a decision cannot be dated after today, {today()})")
    with db.transaction() as session:
        objection = session.get(NoticeObjection, objection_id)
        if objection is None:
            raise NotFoundError("objection", str(objection_id))
        require(session, actor, Action.DISTRIBUTE, [objection.village_code])
        earlier = session.scalar(
            select(NoticeObjectionDecision).where(NoticeObjectionDecision.objection_id == objection_id)
        )
        if earlier is not None:
            said = _outcome_label(earlier.outcome)  # decided once, whatever it says: a text that is none as it is
            raise RuleViolation(
                f"第 {objection_id} 号异议已于 {earlier.decided_on} 处理（{said}），不能再次处理 (objection "
                f"{objection_id} was decided on {earlier.decided_on}: {earlier.outcome}; a decision is recorded once)"
            )
        if on < objection.raised_on:
            raise RuleViolation(
                f"处理日期 {on} 早于异议提出日期 {objection.raised_on} (an objection is decided on or after the day "
                f"it was raised, {objection.raised_on})"
            )
        session.add(NoticeObjectionDecision(objection_id=objection_id, decided_on=on, outcome=outcome.value,
                                            reason=reason.strip(), actor=actor, recorded_at=now()))  # fmt: skip
        session.flush()
        return _objection(session, objection_id)


# --- reading -------------------------------------------------------------------------------------------------------


def _query() -> Select[NoticeObjection, str, str, str, NoticeObjectionDecision]:
    return (
        select(NoticeObjection, Distribution.period, Distribution.rule_code, Household.head, NoticeObjectionDecision)
        .join(Distribution, Distribution.id == NoticeObjection.distribution_id)
        .outerjoin(Household, Household.household_id == NoticeObjection.household_id)
        .outerjoin(NoticeObjectionDecision, NoticeObjectionDecision.objection_id == NoticeObjection.id)
        .order_by(NoticeObjection.id)
    )


def _outcome_label(outcome: str) -> str:
    """An outcome in words; a stored text that is none of Outcome (written around the product) as it is."""
    found = Outcome._value2member_map_.get(outcome)
    return found.label if isinstance(found, Outcome) else outcome


def _of(row: Any) -> Objection:
    """An Objection from a row of `_query`: (objection, period, rule code, head, decision or None)."""
    o, period, rule_code, head, d = row
    return Objection(
        id=o.id, distribution_id=o.distribution_id, village=o.village_code, period=period, rule_code=rule_code,
        raised_on=o.raised_on, household_id=o.household_id, head=head, raised_by=o.raised_by, text=o.text,
        recorded_by=o.actor, decided_on=d.decided_on if d else None, outcome=d.outcome if d else None,
        reason=d.reason if d else None, decided_by=d.actor if d else None,
    )  # fmt: skip


def _objection(session: Session, objection_id: int) -> Objection:
    row = session.execute(_query().where(NoticeObjection.id == objection_id)).one()
    return _of(row)


def list_objections(db: Database, actor: str, village: str, period_text: str | None = None) -> list[Objection]:
    """The objections to a village's notices (of one period, when given), oldest first, with their decisions: for a
    reader who may read the village's household records."""
    period = parse_period(period_text, "distribute objection list") if period_text else None
    with db.reading() as session:
        read_households(session, actor, village)
        query = _query().where(NoticeObjection.village_code == village)
        if period is not None:
            query = query.where(Distribution.period_start == period.start, Distribution.period_end == period.end)
        return [_of(row) for row in session.execute(query)]
