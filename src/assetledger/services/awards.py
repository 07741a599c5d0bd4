"""Evaluate units for a year under award policies, and book the awards once (DOMAIN rules 12, 18).

The payer's books (the city's, S + city code) get Dr Expenses:Other:PerformanceAward / Cr Assets:Bank, each
receiver's books Dr Assets:Bank / Cr Income:Subsidy:PerformanceAward, one entry per unit and award kind (grade,
rank), each with the ref award:<policy>:<year>:<unit>:<kind> in both books. Several evaluations of one year (the
fund-performance and the consolidation evaluation) are posted together in one transaction or one by one; each is
posted once: posting again finds the refs and posts nothing; posting a different result for the same policy and
year (data or given results changed since) is refused: reverse first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.award_reasons import TIES, Reason, text
from assetledger.domain.awards import AwardPolicy, Ranking, UndecidedRanking, Unit, UnitResult, award_grade, evaluate
from assetledger.domain.booking import BOOKS_START, entity_code
from assetledger.domain.indicator_causes import Cause
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.errors import Finding, InputError, PermissionDenied, RuleViolation
from assetledger.services.access import read_scope, region_of_entity, require
from assetledger.services.award_guards import (
    Award,
    bases,
    booked_awards,
    check_bank,
    check_once,
    check_payer,
    check_province_decides,
)
from assetledger.services.award_results import GivenResults, ResultsFile, check_year, given_results, match_units
from assetledger.services.books import Books, Located
from assetledger.services.context import today
from assetledger.services.indicators import Request, compute
from assetledger.store.db import Database
from assetledger.store.journal_models import Entity, Entry, PostingRow

PAYER_ACCOUNT = ("Expenses:Other:PerformanceAward", "其他支出-绩效考核奖励")
RECEIVER_ACCOUNT = ("Income:Subsidy:PerformanceAward", "补助收入-绩效考核奖励")
BANK = "Assets:Bank"
KIND_LABELS = {"grade": "等次奖励", "rank": "名次奖励"}
ZERO = Decimal("0.00")
LEVEL_LABELS = {"county": "县", "township": "乡镇", "village": "村"}


@dataclass(frozen=True)
class Evaluation:
    policy: AwardPolicy
    year: int
    results: list[UnitResult]
    given: GivenResults | None = None  # the given results it read (their file and checksum go with the awards)
    notes: tuple[Finding, ...] = ()  # what the given results hold that is not used, or is missing: shown

    @property
    def total_award(self) -> Decimal:
        return sum((r.award for r in self.results), Decimal("0.00"))


def evaluate_year(
    db: Database,
    year: int,
    policy: AwardPolicy,
    actor: str,
    given: GivenResults | None = None,
    *,
    results_source: str = "results",
) -> Evaluation:
    """Indicators (SQL inside the database), scores, grades, ranks and awards of every unit in the policy's scope,
    with the given results (the province's 等次 / 名次 / 得分) where the policy takes them. The actor must be able
    to read awards (finance, auditors) and every unit evaluated: an evaluation ranks its units against each other,
    so it is read whole or not at all. `results_source`: how the caller names the results it can be given (the
    CLI's option), in the refusal of a policy that needs them."""
    this_year = today().year
    if year > this_year:
        reason = f"评价年度 {year} 年晚于今年（{this_year} 年） (the year evaluated is after this year, {this_year})"
        raise InputError([Finding("--year", None, None, str(year), reason)])
    year_notes = check_year(given, year) if given is not None else ()
    with db.reading() as session:
        read_scope(session, actor, action=Action.AWARDS)  # refused before anything else is looked at
    needed = policy.given_fields()
    if needed and given is None:
        wanted = "、".join({"grade": "等次", "rank": "名次", "score": "得分"}[f] for f in sorted(needed))
        raise InputError(
            [Finding(policy.source, None, "awards", policy.code,
                     f"该办法按上级给定的{wanted}评奖，须提供结果文件 {results_source}（区划代码及{wanted}） "
                     f"(the policy awards by given results ({wanted}): give them with {results_source}, 区划代码 and "
                     f"{wanted})")]
        )  # fmt: skip
    requests = [Request(i.code, i.compute, i.params) for i in policy.indicators]
    table = compute(db, actor, year, policy.level, requests, prefix=policy.code_prefix, exclude=policy.exclude,
                    action=Action.AWARDS)  # fmt: skip
    if table.hidden:  # named by the policy's title and a count: the units outside the scope are not told
        raise PermissionDenied(
            f"{actor} 无权查看评价“{policy.title}”：{table.hidden} 个{LEVEL_LABELS.get(policy.level, policy.level)}级"
            f"单位不在其范围内 ({actor} may not read the evaluation {policy.title}: {table.hidden} unit(s) outside the "
            "scope)",
            reason="evaluation_outside_scope",
            actor=actor,
            policy=policy.title,
            n=str(table.hidden),
        )
    matched = match_units(policy, given, table.units) if given is not None else None
    rows = matched.by_unit if matched else {}
    units = [
        Unit(code, name, table.measures[code], *(
            (rows[code].grade, rows[code].rank, rows[code].score) if code in rows else (None, None, None)
        ))
        for code, name in table.units
    ]  # fmt: skip
    try:
        results = evaluate(policy, units)
    except UndecidedRanking as exc:
        raise InputError(
            [Finding(policy.source, None, "awards.rank", None, problem) for problem in exc.problems]
        ) from exc
    return Evaluation(policy, year, results, given, (*year_notes, *(matched.notes if matched else ())))


def evaluate_policies(
    db: Database,
    year: int,
    policies: Sequence[AwardPolicy],
    actor: str,
    results: Sequence[ResultsFile | str] = (),
    *,
    sheet: str | None = None,
    source: str = "results",
) -> list[Evaluation]:
    """The year's evaluations under several policies together, in their order, as `awards compute` and `awards
    post` take them: the policies' codes distinct (a code names its awards in the books), each results file matched
    to its policy and read (award_results.given_results: `source` and `sheet` as there), then each policy evaluated
    with its given results (evaluate_year)."""
    distinct_policies(policies)
    given = given_results(policies, results, sheet=sheet, source=source)
    return [evaluate_year(db, year, p, actor, given.get(p.code), results_source=source) for p in policies]


def distinct_policies(policies: Sequence[AwardPolicy]) -> None:
    """Policies evaluated together must have distinct codes: the code names their awards in the books."""
    seen: dict[str, str] = {}
    findings = []
    for p in policies:
        if p.code in seen:
            findings.append(
                Finding(
                    p.source, None, "code", p.code, f"与 {seen[p.code]} 的代码相同 (the same code as {seen[p.code]})"
                )
            )
        seen.setdefault(p.code, p.source)
    if findings:
        raise InputError(findings)


@dataclass(frozen=True)
class ResultRow:
    """One unit's result in an evaluation: its indicator values (percent; None when one cannot be computed), score,
    grade, what was given from outside, its awards and why (typed reasons, rendered by the reader)."""

    rank: int | None  # by the score computed here (None: not graded)
    region_code: str
    region_name: str
    values: Mapping[str, Decimal | None]  # by indicator code, in the policy's order
    weight_share: Decimal
    score: Decimal | None
    grade: str | None
    external_grade: str | None
    given_rank: int | None
    given_score: Decimal | None
    grade_award: Decimal
    rank_award: Decimal
    award: Decimal
    reasons: tuple[Reason, ...]

    def cell(self, column: str) -> object:
        """The value of one of `result_columns` (an indicator by its code)."""
        return self.values[column] if column in self.values else getattr(self, column)


def result_columns(evaluation: Evaluation) -> tuple[str, ...]:
    """The columns of `result_rows` that mean something for this evaluation, in order: the rank, score and grade
    computed here only when the policy has indicators, the given ones only where given or needed; reasons last."""
    policy, given = evaluation.policy, evaluation.given
    shown = {f for f in ("rank", "score") if given is not None and given.has(f)}
    if policy.ranking is Ranking.GIVEN_RANK:
        shown.add("rank")
    elif policy.ranking is Ranking.GIVEN_SCORE:
        shown.add("score")
    columns = ["rank"] if policy.indicators else []
    columns += ["region_code", "region_name", *(i.code for i in policy.indicators)]
    if policy.indicators:
        columns += ["weight_share", "score", "grade"]
    if policy.needs_external_grades() or (given is not None and given.has("grade")):
        columns.append("external_grade")
    columns += [f"given_{f}" for f in ("rank", "score") if f in shown]
    return (*columns, "grade_award", "rank_award", "award", "reasons")


def result_rows(evaluation: Evaluation) -> list[ResultRow]:
    """One row per unit, in the evaluation's order."""
    return [
        ResultRow(
            r.rank, r.code, r.name, {s.spec.code: s.measure.value for s in r.scores}, r.weight_share, r.score,
            r.grade.value if r.grade else None, r.external_grade.value if r.external_grade else None, r.given_rank,
            r.given_score, r.grade_award, r.rank_award, r.award, r.reasons,
        )
        for r in evaluation.results
    ]  # fmt: skip


class Scored(StrEnum):
    """How an indicator entered a unit's score."""

    SCORED = "scored"
    ZERO = "zero"  # cannot be computed, scored 0 points (missing = "zero")
    EXCLUDED = "excluded"  # cannot be computed, left out, the other weights renormalised


@dataclass(frozen=True)
class IndicatorRow:
    """One unit's value of one indicator, with its numerator and denominator, points, and the points it lost."""

    region_code: str
    region_name: str
    indicator: str
    label: str
    compute: str
    weight: Decimal
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    points: Decimal | None
    scored: Scored
    points_lost: Decimal
    reason: Cause | None  # why it cannot be computed


def indicator_rows(evaluation: Evaluation) -> list[IndicatorRow]:
    """One row per unit and indicator."""
    rows = []
    for r in evaluation.results:
        for s in r.scores:
            if s.points is None:
                scored = Scored.EXCLUDED
            elif s.measure.value is None:
                scored = Scored.ZERO
            else:
                scored = Scored.SCORED
            rows.append(
                IndicatorRow(r.code, r.name, s.spec.code, s.spec.label, s.spec.compute, s.spec.weight,
                             s.measure.value, s.measure.numerator, s.measure.denominator, s.points, scored,
                             s.cost.quantize(Decimal("0.01")), s.measure.reason)
            )  # fmt: skip
    return rows


# --- posting ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostOutcome:
    """What posting one evaluation did: the awards it booked now, or found booked already."""

    policy: str
    payer: str
    posted: tuple[tuple[str, str, Decimal], ...] = ()  # (unit, kind, amount)
    already: tuple[tuple[str, str, Decimal], ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((a for _, _, a in self.posted or self.already), ZERO)


def award_ref(policy: AwardPolicy, year: int, unit: str, kind: str) -> str:
    return f"award:{policy.code}:{year}:{unit}:{kind}"


def _posted_awards(books: Books, prefix: str) -> dict[tuple[str, str], Decimal]:
    """(entity, ref) -> amount of every award entry already booked under this policy and year, in any books."""
    rows = books.session.execute(
        select(Entry.entity_code, Entry.ref, func.sum(PostingRow.amount).filter(PostingRow.amount > 0))
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .where(Entry.kind == EntryKind.AWARD.value, Entry.ref.startswith(prefix, autoescape=True))
        .group_by(Entry.entity_code, Entry.ref)
    )
    return {(entity, ref): amount for entity, ref, amount in rows if ref is not None}


def _payer(books: Books, code: str) -> str:
    """The paying entity: existing books, or the books an entity code names for its region (S + a city's code)."""
    if books.entity_exists(code):
        return code
    return books.ensure_entity_code(code)


def post_awards(
    db: Database,
    evaluations: Sequence[Evaluation],
    paying_entity: str,
    on: dt.date,
    actor: str,
) -> list[PostOutcome]:
    """Book every award of the evaluations in the payer's and the receivers' books, in one transaction: each
    evaluation once (found booked with the same result: nothing posted; with another: refused, nothing posted)."""
    distinct_policies([e.policy for e in evaluations])
    receivers = {r.code for e in evaluations for r in e.results if r.award}
    with db.transaction() as session:
        require(session, actor, Action.AWARDS, {region_of_entity(paying_entity), *receivers})
        books = Books(session, actor)
        payer = _payer(books, paying_entity)
        payer_region = session.scalar(select(Entity.region_code).where(Entity.code == payer))
        plans = [_plan(books, e, payer, payer_region) for e in evaluations]
        check_payer(session, payer, sorted({(r.code, r.name) for e in evaluations for r in e.results if r.award}))
        outcomes: list[PostOutcome] = []
        entries: list[JournalEntry] = []
        new: list[Award] = []
        for e, (wanted, expected) in zip(evaluations, plans, strict=True):
            policy, year = e.policy, e.year
            before = _posted_awards(books, f"award:{policy.code}:{year}:")
            done = tuple((r.code, kind, amount) for r, kind, amount in wanted)
            if before:
                if before != expected:
                    changed = sorted(set(before.items()) ^ set(expected.items()))
                    shown = "; ".join(f"{entity} {ref} {amount}" for (entity, ref), amount in changed[:6])
                    raise RuleViolation(
                        f"{policy.name} {year} 年度的奖励已入账，本次评价结果与之不同（{shown}），请先冲销已入账的奖励 "
                        f"(awards of {policy.code} for {year} were already posted, and this evaluation differs from "
                        f"them ({shown}); reverse the posted awards first)"
                    )
                outcomes.append(PostOutcome(policy.code, payer, already=done))
                continue
            receiver_kind = EntityKind(policy.level)
            for r, kind, amount in wanted:
                receiver = books.ensure_entity(receiver_kind, r.code)
                books.open_accounts([(payer, *PAYER_ACCOUNT, BOOKS_START, None),
                                     (receiver, *RECEIVER_ACCOUNT, BOOKS_START, None)])  # fmt: skip
                basis = _basis(e, kind)
                entries += _entries(e, r, kind, amount, (payer, receiver), on, basis)
                new.append(Award(policy.code, policy.title, year, r.code, r.name, kind, basis, amount))
            outcomes.append(PostOutcome(policy.code, payer, posted=done))
        _guard(session, evaluations, new, payer, on)
        if entries:
            result = books.post(entries, [Located("awards post")] * len(entries))
            assert not result.skipped
        return outcomes


def _basis(e: Evaluation, kind: str) -> frozenset[str]:
    return bases(e.policy, kind, e.results, e.given.digest if e.given is not None else None)


def _guard(session: Session, evaluations: Sequence[Evaluation], new: list[Award], payer: str, on: dt.date) -> None:
    """The rules an award posting keeps whatever its entry point (award_guards): once per unit, year, kind and
    basis; the province decides where it gives results; money in the payer's bank behind it."""
    booked = booked_awards(session, {e.year for e in evaluations})
    check_once(new, booked)
    given_now = [(e.policy, e.year) for e in evaluations if e.given is not None and e.policy.given_kinds()]
    units = {r.code for e in evaluations for r in e.results}
    check_province_decides(new, booked, given_now, units)
    check_bank(session, payer, on, sum((a.amount for a in new), ZERO))


def _plan(
    books: Books, e: Evaluation, payer: str, payer_region: str | None
) -> tuple[list[tuple[UnitResult, str, Decimal]], dict[tuple[str, str], Decimal]]:
    """The awards of one evaluation, and (entity, ref) -> amount as they must stand in the books; refuses a payer
    that is one of the units evaluated (a city is never one of its counties) or that would pay itself."""
    policy = e.policy
    evaluated = {r.code: r.name for r in e.results}
    if payer_region in evaluated:
        raise RuleViolation(
            f"{payer} 是 {policy.code} 评价的对象 {payer_region} {evaluated[payer_region]}，不能支付奖励 (the payer is "
            f"one of the {policy.level} units this evaluation scores; a city pays from its own books: S + its code)"
        )
    wanted = [(r, kind, amount) for r in e.results
              for kind, amount in (("grade", r.grade_award), ("rank", r.rank_award)) if amount]  # fmt: skip
    expected: dict[tuple[str, str], Decimal] = {}
    for r, kind, amount in wanted:
        receiver = entity_code(EntityKind(policy.level), r.code)
        if receiver == payer:
            raise RuleViolation(
                f"{r.name} 不能向自己支付奖励 ({payer} cannot pay an award to itself ({r.code} {r.name}))"
            )
        ref = award_ref(policy, e.year, r.code, kind)
        expected[(payer, ref)] = expected[(receiver, ref)] = amount
    return wanted, expected


def _entries(
    e: Evaluation,
    r: UnitResult,
    kind: str,
    amount: Decimal,
    parties: tuple[str, str],
    on: dt.date,
    basis: frozenset[str],
) -> list[JournalEntry]:
    policy, year = e.policy, e.year
    payer, receiver = parties
    narration = f"{year}年度{policy.title}：{r.name}（{r.code}）{KIND_LABELS[kind]}"
    if kind == "rank":
        tied = r.placement is not None and r.placement.kind in TIES
        narration += f" 第{r.award_rank}名" + ("（并列）" if tied else "")
    elif policy.grade_award is not None:
        narration += f" 等次{award_grade(r, policy.grade_award.source)}"
    meta = {"award": policy.code, "year": str(year), "unit": r.code, "award_kind": kind,
            "grade": r.grade.value if r.grade else "", "rank": str(r.award_rank), "fund": policy.fund,
            "policy": policy.source, "basis": " ".join(sorted(basis))}  # fmt: skip
    if e.given is not None:
        meta["given"] = e.given.digest  # the file whose 等次 / 名次 / 得分 decided
        if r.external_grade is not None:
            meta["given_grade"] = r.external_grade.value
    if kind == "rank" and r.placement is not None:
        meta["placement"] = text(r.placement)
    ref = award_ref(policy, year, r.code, kind)
    pay = (Posting(PAYER_ACCOUNT[0], amount), Posting(BANK, -amount))
    receive = (Posting(BANK, amount), Posting(RECEIVER_ACCOUNT[0], -amount))
    return [
        JournalEntry(payer, on, narration, pay, EntryKind.AWARD, ref=ref, meta=meta),
        JournalEntry(receiver, on, narration, receive, EntryKind.AWARD, ref=ref, meta=meta),
    ]
