"""Evaluate units for a year under an award policy, and book the awards once (DOMAIN rule 12).

The payer's books get Dr Expenses:Other:PerformanceAward / Cr Assets:Bank, each receiver's books
Dr Assets:Bank / Cr Income:Subsidy:PerformanceAward, one entry per unit and award kind (grade, rank), each with the
ref award:<policy>:<year>:<unit>:<kind> in both books. Posting again finds the refs and posts nothing; posting a
different result for the same policy and year (data or grades changed since) is refused: reverse first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from assetledger.domain.awards import AwardPolicy, Grade, Unit, UnitResult, award_grade, evaluate
from assetledger.domain.booking import BOOKS_START, entity_code
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.errors import Finding, InputError, RuleViolation
from assetledger.io import values
from assetledger.io.headers import build_index, map_header
from assetledger.io.tabular import read_table
from assetledger.services.books import Books, Located
from assetledger.services.indicators import Request, compute
from assetledger.store.db import Database
from assetledger.store.journal_models import Entity, Entry, PostingRow

PAYER_ACCOUNT = ("Expenses:Other:PerformanceAward", "其他支出-绩效考核奖励")
RECEIVER_ACCOUNT = ("Income:Subsidy:PerformanceAward", "补助收入-绩效考核奖励")
BANK = "Assets:Bank"
KIND_LABELS = {"grade": "等次奖励", "rank": "名次奖励"}
GRADES_HEADERS = build_index({"region_code": ("区划代码", "代码", "县代码"), "grade": ("等次", "评价等次", "等级")})


@dataclass(frozen=True)
class Evaluation:
    policy: AwardPolicy
    year: int
    results: list[UnitResult]

    @property
    def total_award(self) -> Decimal:
        return sum((r.award for r in self.results), Decimal("0.00"))


def read_grades(path: Path) -> dict[str, Grade]:
    """External grades (e.g. the province's): one row per unit with 区划代码/region_code and 等次/grade."""
    table = read_table(path)
    columns = {c.field: c for c in map_header(table.header, GRADES_HEADERS)}
    if "region_code" not in columns or "grade" not in columns:
        shown = ", ".join(table.header)
        raise InputError([Finding(table.source, None, None, shown, "columns needed: 区划代码/region_code, 等次/grade")])
    code_col, grade_col = columns["region_code"], columns["grade"]
    findings: list[Finding] = []
    grades: dict[str, Grade] = {}
    seen: set[str] = set()
    for number, cells in table.rows:
        code = values.text(cells[code_col.position]) if code_col.position < len(cells) else None
        text = values.text(cells[grade_col.position]) if grade_col.position < len(cells) else None
        if not code:
            findings.append(Finding(table.source, number, code_col.header, None, "empty region code"))
        elif code in seen:
            findings.append(Finding(table.source, number, code_col.header, code, "the same region twice"))
        else:
            seen.add(code)
            try:
                grades[code] = Grade.parse(text or "")
            except ValueError as exc:
                findings.append(Finding(table.source, number, grade_col.header, text, str(exc)))
    if findings:
        raise InputError(findings)
    return grades


def evaluate_year(
    db: Database,
    year: int,
    policy: AwardPolicy,
    grades: Mapping[str, Grade] | None = None,
    grades_source: str = "--grades",
) -> Evaluation:
    """Indicators (SQL inside the database), scores, grades, ranks and awards of every unit in the policy's scope."""
    if policy.needs_external_grades() and grades is None:
        raise InputError(
            [Finding(policy.source, None, "awards.*.source", "external",
                     "the policy awards by external grades: give them with --grades FILE (区划代码,等次)")]
        )  # fmt: skip
    requests = [Request(i.code, i.compute, i.params) for i in policy.indicators]
    table = compute(db, year, policy.level, requests, prefix=policy.code_prefix, exclude=policy.exclude)
    known = {code for code, _ in table.units}
    given = grades or {}
    unknown = sorted(set(given) - known)
    if unknown:
        reason = f"not a {policy.level} in this evaluation"
        raise InputError([Finding(grades_source, None, "region_code", c, reason) for c in unknown])
    units = [Unit(code, name, table.measures[code], given.get(code)) for code, name in table.units]
    return Evaluation(policy, year, evaluate(policy, units))


def result_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per unit: every indicator value (percent; None when it cannot be computed), score, grade, award."""
    policy = evaluation.policy
    rows = []
    for r in evaluation.results:
        row: dict[str, Any] = {"rank": r.rank, "region_code": r.code, "region_name": r.name}
        for s in r.scores:
            row[s.spec.code] = s.measure.value
        row |= {"weight_share": r.weight_share, "score": r.score, "grade": r.grade.value if r.grade else None}
        if policy.needs_external_grades():
            row["external_grade"] = r.external_grade.value if r.external_grade else None
        row |= {"grade_award": r.grade_award, "rank_award": r.rank_award, "award": r.award,
                "explanation": r.explanation}  # fmt: skip
        rows.append(row)
    return rows


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


@dataclass
class PostOutcome:
    payer: str
    posted: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (unit, kind, amount)
    already: list[tuple[str, str, Decimal]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((a for _, _, a in self.posted), Decimal("0.00"))


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
    """The paying entity: existing books of any kind, or county-kind books created for a region (C + code)."""
    if books.entity_exists(code):
        return code
    return books.ensure_entity_code(code)


def post_awards(
    db: Database,
    evaluation: Evaluation,
    paying_entity: str,
    on: dt.date,
    actor: str,
) -> PostOutcome:
    """Book every award of the evaluation in the payer's and the receivers' books, once."""
    policy, year = evaluation.policy, evaluation.year
    wanted = [
        (r, kind, amount)
        for r in evaluation.results
        for kind, amount in (("grade", r.grade_award), ("rank", r.rank_award))
        if amount
    ]
    receiver_kind = EntityKind(policy.level)
    with db.transaction() as session:
        books = Books(session, actor)
        payer = _payer(books, paying_entity)
        payer_region = session.scalar(select(Entity.region_code).where(Entity.code == payer))
        expected: dict[tuple[str, str], Decimal] = {}
        for r, kind, amount in wanted:
            receiver = entity_code(receiver_kind, r.code)
            if receiver == payer or payer_region == r.code:
                raise RuleViolation(f"{payer} cannot pay an award to itself ({r.code} {r.name})")
            ref = award_ref(policy, year, r.code, kind)
            expected[(payer, ref)] = expected[(receiver, ref)] = amount
        outcome = PostOutcome(payer)
        before = _posted_awards(books, f"award:{policy.code}:{year}:")
        if before:
            if before != expected:
                changed = sorted(set(before.items()) ^ set(expected.items()))
                shown = "; ".join(f"{e} {ref} {amount}" for (e, ref), amount in changed[:6])
                raise RuleViolation(
                    f"awards of {policy.code} for {year} were already posted, and this evaluation differs from them "
                    f"({shown}); reverse the posted awards first"
                )
            outcome.already = [(r.code, kind, amount) for r, kind, amount in wanted]
            return outcome
        entries: list[JournalEntry] = []
        for r, kind, amount in wanted:
            receiver = books.ensure_entity(receiver_kind, r.code)
            books.open_accounts([(payer, *PAYER_ACCOUNT, BOOKS_START, None),
                                 (receiver, *RECEIVER_ACCOUNT, BOOKS_START, None)])  # fmt: skip
            entries += _entries(policy, year, r, kind, amount, (payer, receiver), on)
        result = books.post(entries, [Located("awards post")] * len(entries))
        assert not result.skipped
        outcome.posted = [(r.code, kind, amount) for r, kind, amount in wanted]
        return outcome


def _entries(
    policy: AwardPolicy, year: int, r: UnitResult, kind: str, amount: Decimal, parties: tuple[str, str], on: dt.date
) -> list[JournalEntry]:
    payer, receiver = parties
    narration = f"{year}年度{policy.title}：{r.name}（{r.code}）{KIND_LABELS[kind]}"
    if kind == "rank":
        narration += f" 第{r.rank}名"
    elif policy.grade_award is not None:
        narration += f" 等次{award_grade(r, policy.grade_award.source)}"
    meta = {"award": policy.code, "year": str(year), "unit": r.code, "award_kind": kind,
            "grade": r.grade.value if r.grade else "", "rank": str(r.rank), "fund": policy.fund,
            "policy": policy.source}  # fmt: skip
    ref = award_ref(policy, year, r.code, kind)
    pay = (Posting(PAYER_ACCOUNT[0], amount), Posting(BANK, -amount))
    receive = (Posting(BANK, amount), Posting(RECEIVER_ACCOUNT[0], -amount))
    return [
        JournalEntry(payer, on, narration, pay, EntryKind.AWARD, ref=ref, meta=meta),
        JournalEntry(receiver, on, narration, receive, EntryKind.AWARD, ref=ref, meta=meta),
    ]
