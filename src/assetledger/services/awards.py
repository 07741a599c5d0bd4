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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from assetledger.domain.access import Action
from assetledger.domain.awards import AwardPolicy, Ranking, UndecidedRanking, Unit, UnitResult, award_grade, evaluate
from assetledger.domain.booking import BOOKS_START, entity_code
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.errors import Finding, InputError, PermissionDenied, RuleViolation
from assetledger.services.access import read_scope, region_of_entity, require
from assetledger.services.award_results import GivenResults, match_units
from assetledger.services.books import Books, Located
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
) -> Evaluation:
    """Indicators (SQL inside the database), scores, grades, ranks and awards of every unit in the policy's scope,
    with the given results (the province's 等次 / 名次 / 得分) where the policy takes them. The actor must be able
    to read awards (finance, auditors) and every unit evaluated: an evaluation ranks its units against each other,
    so it is read whole or not at all."""
    with db.reading() as session:
        visible = read_scope(session, actor, action=Action.AWARDS)
    needed = policy.given_fields()
    if needed and given is None:
        wanted = "、".join({"grade": "等次", "rank": "名次", "score": "得分"}[f] for f in sorted(needed))
        raise InputError(
            [Finding(policy.source, None, "awards", policy.code,
                     f"the policy awards by given results ({wanted}): give them with --results FILE "
                     "(区划代码 and 等次, 名次, 得分 as the policy needs)")]
        )  # fmt: skip
    requests = [Request(i.code, i.compute, i.params) for i in policy.indicators]
    table = compute(db, year, policy.level, requests, prefix=policy.code_prefix, exclude=policy.exclude)
    hidden = [code for code, _ in table.units if visible is not None and code not in visible]
    if hidden:
        raise PermissionDenied(
            f"{actor} 无权查看评价 {policy.code}：{len(hidden)} 个{LEVEL_LABELS.get(policy.level, policy.level)}级"
            f"单位不在其范围内 ({actor} may not read {hidden[0]}: {len(hidden)} {policy.level} unit(s) outside the "
            "scope)"
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
    return Evaluation(policy, year, results, given, matched.notes if matched else ())


def distinct_policies(policies: Sequence[AwardPolicy]) -> None:
    """Policies evaluated together must have distinct codes: the code names their awards in the books."""
    seen: dict[str, str] = {}
    findings = []
    for p in policies:
        if p.code in seen:
            findings.append(Finding(p.source, None, "code", p.code, f"the same code as {seen[p.code]}"))
        seen.setdefault(p.code, p.source)
    if findings:
        raise InputError(findings)


def result_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per unit: every indicator value (percent; None when it cannot be computed), score, grade, what was
    given from outside, awards and the explanation."""
    policy = evaluation.policy
    given = evaluation.given
    shown = {f for f in ("rank", "score") if given is not None and given.has(f)}
    if policy.ranking is Ranking.GIVEN_RANK:
        shown.add("rank")
    elif policy.ranking is Ranking.GIVEN_SCORE:
        shown.add("score")
    rows = []
    for r in evaluation.results:
        row: dict[str, Any] = {"rank": r.rank} if policy.indicators else {}  # the rank by the score computed here
        row |= {"region_code": r.code, "region_name": r.name}
        for s in r.scores:
            row[s.spec.code] = s.measure.value
        if policy.indicators:
            row |= {"weight_share": r.weight_share, "score": r.score, "grade": r.grade.value if r.grade else None}
        if policy.needs_external_grades() or (given is not None and given.has("grade")):
            row["external_grade"] = r.external_grade.value if r.external_grade else None
        if "rank" in shown:
            row["given_rank"] = r.given_rank
        if "score" in shown:
            row["given_score"] = r.given_score
        row |= {"grade_award": r.grade_award, "rank_award": r.rank_award, "award": r.award,
                "explanation": r.explanation}  # fmt: skip
        rows.append(row)
    return rows


@dataclass(frozen=True)
class AwardLine:
    """One evaluation's part of a unit's awards."""

    policy: str
    grade: str | None  # the grade the awards read (given or computed)
    rank: int | None  # the rank the rank awards read
    grade_award: Decimal
    rank_award: Decimal

    @property
    def award(self) -> Decimal:
        return self.grade_award + self.rank_award


@dataclass(frozen=True)
class UnitAwards:
    """A unit's awards of the year, side by side by evaluation, with their total."""

    code: str
    name: str
    lines: tuple[AwardLine | None, ...]  # in the order of the evaluations; None: not evaluated by that one

    @property
    def total(self) -> Decimal:
        return sum((line.award for line in self.lines if line is not None), ZERO)


def side_by_side(evaluations: Sequence[Evaluation]) -> list[UnitAwards]:
    """Every unit of the evaluations, by region code, with each evaluation's grade, rank and awards and the total."""
    names: dict[str, str] = {}
    found: dict[tuple[str, int], AwardLine] = {}
    for i, e in enumerate(evaluations):
        source = e.policy.grade_award.source if e.policy.grade_award else (
            e.policy.rank_award.source if e.policy.rank_award else None
        )  # fmt: skip
        for r in e.results:
            names.setdefault(r.code, r.name)
            grade = award_grade(r, source) if source is not None else r.grade
            found[(r.code, i)] = AwardLine(e.policy.code, grade.value if grade else None, r.award_rank,
                                           r.grade_award, r.rank_award)  # fmt: skip
    return [
        UnitAwards(code, names[code], tuple(found.get((code, i)) for i in range(len(evaluations))))
        for code in sorted(names)
    ]


def side_by_side_rows(evaluations: Sequence[Evaluation]) -> list[dict[str, Any]]:
    """The side-by-side table as rows: per evaluation CODE its grade, rank and award, then the total."""
    rows = []
    for unit in side_by_side(evaluations):
        row: dict[str, Any] = {"region_code": unit.code, "region_name": unit.name}
        for e, line in zip(evaluations, unit.lines, strict=True):
            code = e.policy.code
            row[f"{code}:grade"] = line.grade if line else None
            if e.policy.rank_award is not None:
                row[f"{code}:rank"] = line.rank if line else None
            row[f"{code}:award"] = line.award if line else None
        row["total"] = unit.total
        rows.append(row)
    return rows


def side_by_side_headers(evaluations: Sequence[Evaluation]) -> dict[str, str]:
    headers = {"region_code": "区划代码", "region_name": "名称", "total": "奖励合计"}
    for e in evaluations:
        code = e.policy.code
        headers |= {f"{code}:grade": f"{code} 等次", f"{code}:rank": f"{code} 名次", f"{code}:award": f"{code} 奖励"}
        # (a rank column only for an evaluation with rank awards: side_by_side_rows leaves the others out)
    return headers


def indicator_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per unit and indicator: the value with its numerator and denominator, points, and points lost."""
    rows = []
    for r in evaluation.results:
        for s in r.scores:
            if s.points is None:
                scored = "excluded"
            elif s.measure.value is None:
                scored = "zero (cannot be computed)"
            else:
                scored = "scored"
            rows.append(
                {"region_code": r.code, "region_name": r.name, "indicator": s.spec.code, "label": s.spec.label,
                 "compute": s.spec.compute, "weight": s.spec.weight, "value": s.measure.value,
                 "numerator": s.measure.numerator, "denominator": s.measure.denominator, "points": s.points,
                 "scored": scored, "points_lost": s.cost.quantize(Decimal("0.01")), "reason": s.measure.reason}
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
        outcomes: list[PostOutcome] = []
        entries: list[JournalEntry] = []
        for e, (wanted, expected) in zip(evaluations, plans, strict=True):
            policy, year = e.policy, e.year
            before = _posted_awards(books, f"award:{policy.code}:{year}:")
            done = tuple((r.code, kind, amount) for r, kind, amount in wanted)
            if before:
                if before != expected:
                    changed = sorted(set(before.items()) ^ set(expected.items()))
                    shown = "; ".join(f"{entity} {ref} {amount}" for (entity, ref), amount in changed[:6])
                    raise RuleViolation(
                        f"awards of {policy.code} for {year} were already posted, and this evaluation differs from "
                        f"them ({shown}); reverse the posted awards first"
                    )
                outcomes.append(PostOutcome(policy.code, payer, already=done))
                continue
            receiver_kind = EntityKind(policy.level)
            for r, kind, amount in wanted:
                receiver = books.ensure_entity(receiver_kind, r.code)
                books.open_accounts([(payer, *PAYER_ACCOUNT, BOOKS_START, None),
                                     (receiver, *RECEIVER_ACCOUNT, BOOKS_START, None)])  # fmt: skip
                entries += _entries(e, r, kind, amount, (payer, receiver), on)
            outcomes.append(PostOutcome(policy.code, payer, posted=done))
        if entries:
            result = books.post(entries, [Located("awards post")] * len(entries))
            assert not result.skipped
        return outcomes


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
            raise RuleViolation(f"{payer} cannot pay an award to itself ({r.code} {r.name})")
        ref = award_ref(policy, e.year, r.code, kind)
        expected[(payer, ref)] = expected[(receiver, ref)] = amount
    return wanted, expected


def _entries(
    e: Evaluation, r: UnitResult, kind: str, amount: Decimal, parties: tuple[str, str], on: dt.date
) -> list[JournalEntry]:
    policy, year = e.policy, e.year
    payer, receiver = parties
    narration = f"{year}年度{policy.title}：{r.name}（{r.code}）{KIND_LABELS[kind]}"
    if kind == "rank":
        narration += f" 第{r.award_rank}名" + ("（并列）" if "并列" in r.placement else "")
    elif policy.grade_award is not None:
        narration += f" 等次{award_grade(r, policy.grade_award.source)}"
    meta = {"award": policy.code, "year": str(year), "unit": r.code, "award_kind": kind,
            "grade": r.grade.value if r.grade else "", "rank": str(r.award_rank), "fund": policy.fund,
            "policy": policy.source}  # fmt: skip
    if e.given is not None:
        meta["given"] = e.given.digest  # the file whose 等次 / 名次 / 得分 decided
        if r.external_grade is not None:
            meta["given_grade"] = r.external_grade.value
    if kind == "rank" and r.placement:
        meta["placement"] = r.placement
    ref = award_ref(policy, year, r.code, kind)
    pay = (Posting(PAYER_ACCOUNT[0], amount), Posting(BANK, -amount))
    receive = (Posting(BANK, amount), Posting(RECEIVER_ACCOUNT[0], -amount))
    return [
        JournalEntry(payer, on, narration, pay, EntryKind.AWARD, ref=ref, meta=meta),
        JournalEntry(receiver, on, narration, receive, EntryKind.AWARD, ref=ref, meta=meta),
    ]
