"""Performance evaluation (绩效评价) and performance-based awards (奖励): scoring, grading, ranking. Pure.

A policy names indicators (each a built-in computation), their weights and scoring bands, the minimum score of each
grade (优秀 A, 良好 B, 合格 C; below C 不合格 D), the awards by grade and by rank with their eligibility, and how
ties are broken. The services compute each unit's indicator values; this module turns them into points, a score,
a grade, a rank and an award — the same values and policy always give the same result.

Arithmetic is Decimal throughout: an indicator value is a percentage quantized to 2 places (half up) before it
meets the bands (bands are written in percent), the score (out of 100) to 2 places before it meets the grade
thresholds and the tie rules; award amounts are exact yuan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
ZERO = Decimal(0)
ZERO_YUAN = Decimal("0.00")
VALUE_PLACES = Decimal("0.01")
SCORE_PLACES = Decimal("0.01")


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Grade:
        key = text.strip()
        for grade, label in GRADE_LABELS.items():
            if key.upper() == grade.value or key in (label, f"{label}{grade.value}", f"{grade.value}{label}"):
                return grade
        raise ValueError(f"unknown grade {text!r}; write A/优秀, B/良好, C/合格 or D/不合格")


GRADE_LABELS = {Grade.A: "优秀", Grade.B: "良好", Grade.C: "合格", Grade.D: "不合格"}


# The built-in computations an indicator can name, and what they measure (every value is a percentage).
COMPUTATIONS: dict[str, str] = {
    "ownership_confirmed": "share of active asset value with confirmed ownership (确权) by year end",
    "custodian_coverage": "handed-over public-benefit and operating assets with a custodian (管护) at year end",
    "operating_yield": "operating assets' revenue in the year / their current value (经营性资产收益率)",
    "distributed_share": "revenue distributed under approved rules / asset income booked in village books",
    "idle_loss_share": "share of active asset value idle or loss-making at year end (lower is better)",
    "governance_progress": "idle/loss-making assets with a governance decision in the year / found",
    "proceeds_reused": "restricted disposal proceeds spent / received, through year end",
    "inventory_completion": "inventory (清查) completion, from the inventory service",
}
PARAMS: dict[str, tuple[str, ...]] = {
    "idle_loss_share": ("idle_months", "loss_months"),
    "governance_progress": ("idle_months", "loss_months"),
}


class Missing(StrEnum):
    """How an indicator that cannot be computed for a unit is scored."""

    EXCLUDE = "exclude"  # left out; the other weights are renormalised
    ZERO = "zero"  # scores 0 points, its weight stays


class GradeSource(StrEnum):
    COMPUTED = "computed"  # the grade this evaluation gives
    EXTERNAL = "external"  # a grade given from outside (e.g. the province's), read from a file


@dataclass(frozen=True)
class Band:
    bound: Decimal  # a minimum (higher is better) or a maximum (lower is better) of the value
    points: Decimal  # 0..100


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    compute: str  # the built-in computation
    label: str
    weight: Decimal
    higher_is_better: bool
    bands: tuple[Band, ...]  # best first
    otherwise: Decimal = ZERO  # points when no band matches
    missing: Missing = Missing.EXCLUDE
    params: Mapping[str, int] = field(default_factory=dict)

    def points(self, value: Decimal) -> Decimal:
        for band in self.bands:
            if (value >= band.bound) if self.higher_is_better else (value <= band.bound):
                return band.points
        return self.otherwise


@dataclass(frozen=True)
class GradeAward:
    amounts: Mapping[Grade, Decimal]
    source: GradeSource = GradeSource.COMPUTED


@dataclass(frozen=True)
class RankAward:
    amounts: tuple[Decimal, ...]  # for rank 1, 2, 3, ...
    eligible: frozenset[Grade]
    source: GradeSource = GradeSource.COMPUTED
    among_eligible: bool = False  # False: the unit at overall rank k gets amounts[k-1] if eligible, else nobody


@dataclass(frozen=True)
class TieKey:
    kind: str  # "score" | "indicator" | "region_code"
    indicator: str | None = None

    def __str__(self) -> str:
        return f"indicator:{self.indicator}" if self.kind == "indicator" else self.kind


@dataclass(frozen=True)
class AwardPolicy:
    code: str
    title: str
    level: str  # county / township / village: the units evaluated and awarded
    fund: str
    indicators: tuple[IndicatorSpec, ...]
    thresholds: tuple[tuple[Grade, Decimal], ...]  # (A, min), (B, min), (C, min); below: D
    grade_award: GradeAward | None = None
    rank_award: RankAward | None = None
    combine: str = "sum"  # "sum" of grade and rank awards, or the "higher" of the two
    tie_break: tuple[TieKey, ...] = (TieKey("score"), TieKey("region_code"))
    min_weight_share: Decimal = Decimal(50)  # percent of the total weight that must enter a unit's score
    code_prefix: str | None = None
    exclude: frozenset[str] = frozenset()
    asset_min_yield: Decimal = Decimal(6)  # percent a year
    source: str = ""

    @property
    def total_weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators), ZERO)

    def grade_of(self, score: Decimal) -> Grade:
        for grade, minimum in self.thresholds:
            if score >= minimum:
                return grade
        return Grade.D

    def needs_external_grades(self) -> bool:
        awards = (self.grade_award, self.rank_award)
        return any(a is not None and a.source is GradeSource.EXTERNAL for a in awards)


@dataclass(frozen=True)
class Measure:
    """One indicator's value for one unit, or why it cannot be computed (never a silent zero)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    reason: str | None = None

    @staticmethod
    def ratio(numerator: Decimal | int, denominator: Decimal | int, reason_if_none: str) -> Measure:
        """numerator / denominator in percent; cannot be computed (with the reason) when the denominator is 0."""
        num, den = Decimal(numerator), Decimal(denominator)
        if den == 0:
            return Measure(None, num, den, reason_if_none)
        return Measure((num * HUNDRED / den).quantize(VALUE_PLACES, ROUND_HALF_UP), num, den)

    @staticmethod
    def missing(reason: str) -> Measure:
        return Measure(None, reason=reason)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    measures: Mapping[str, Measure]  # by indicator code
    external_grade: Grade | None = None


@dataclass(frozen=True)
class IndicatorScore:
    spec: IndicatorSpec
    measure: Measure
    points: Decimal | None  # None: excluded
    cost: Decimal  # points of the unit's 100-point score this indicator lost (0 when excluded)


@dataclass(frozen=True)
class UnitResult:
    code: str
    name: str
    scores: tuple[IndicatorScore, ...]
    weight_share: Decimal  # percent of the total weight that entered the score
    score: Decimal | None  # None: not graded (too little could be computed)
    grade: Grade | None
    external_grade: Grade | None
    rank: int | None = None
    grade_award: Decimal = ZERO_YUAN
    rank_award: Decimal = ZERO_YUAN
    explanation: str = ""

    @property
    def award(self) -> Decimal:
        return self.grade_award + self.rank_award


def score_unit(policy: AwardPolicy, unit: Unit) -> UnitResult:
    """Points per indicator, the weighted score out of 100, and the computed grade."""
    entered: list[tuple[IndicatorSpec, Measure, Decimal]] = []
    for spec in policy.indicators:
        measure = unit.measures.get(spec.code) or Measure.missing("not computed")
        if measure.value is not None:
            entered.append((spec, measure, spec.points(measure.value)))
        elif spec.missing is Missing.ZERO:
            entered.append((spec, measure, ZERO))
    weight = sum((s.weight for s, _, _ in entered), ZERO)
    total = policy.total_weight
    share = (weight * HUNDRED / total).quantize(SCORE_PLACES, ROUND_HALF_UP) if total else ZERO
    points = {s.code: p for s, _, p in entered}
    scores = tuple(
        IndicatorScore(
            spec,
            unit.measures.get(spec.code) or Measure.missing("not computed"),
            points.get(spec.code),
            spec.weight * (HUNDRED - points[spec.code]) / weight if spec.code in points and weight else ZERO,
        )
        for spec in policy.indicators
    )
    score: Decimal | None = None
    grade: Grade | None = None
    if weight and share >= policy.min_weight_share:
        exact = sum((s.weight * p for s, _, p in entered), ZERO) / weight
        score = exact.quantize(SCORE_PLACES, ROUND_HALF_UP)
        grade = policy.grade_of(score)
    return UnitResult(unit.code, unit.name, scores, share, score, grade, unit.external_grade)


def _tie_value(key: TieKey, result: UnitResult) -> tuple[int, Decimal | str]:
    if key.kind == "score":
        assert result.score is not None
        return (0, -result.score)
    if key.kind == "region_code":
        return (0, result.code)
    found = next(s for s in result.scores if s.spec.code == key.indicator)
    if found.measure.value is None:
        return (1, ZERO)  # cannot be computed: after every unit where it can
    return (0, -found.measure.value if found.spec.higher_is_better else found.measure.value)


def rank_key(policy: AwardPolicy, result: UnitResult) -> tuple[tuple[int, Decimal | str], ...]:
    return tuple(_tie_value(key, result) for key in policy.tie_break)


def award_grade(result: UnitResult, source: GradeSource) -> Grade | None:
    return result.external_grade if source is GradeSource.EXTERNAL else result.grade


def evaluate(policy: AwardPolicy, units: Sequence[Unit]) -> list[UnitResult]:
    """Score, grade, rank (graded units only, by the policy's tie rules) and award every unit.

    Returns the graded units in rank order, then the ungraded ones by region code.
    """
    scored = [score_unit(policy, u) for u in units]
    graded = sorted((r for r in scored if r.score is not None), key=lambda r: rank_key(policy, r))
    ungraded = sorted((r for r in scored if r.score is None), key=lambda r: r.code)
    results: list[UnitResult] = []
    eligible_seen = 0
    for position, r in enumerate(graded, start=1):
        grade_amount = ZERO_YUAN
        rank_amount = ZERO_YUAN
        if policy.grade_award is not None:
            g = award_grade(r, policy.grade_award.source)
            grade_amount = policy.grade_award.amounts.get(g, ZERO_YUAN) if g else ZERO_YUAN
        ra = policy.rank_award
        if ra is not None:
            g = award_grade(r, ra.source)
            if g in ra.eligible:
                eligible_seen += 1
                slot = eligible_seen if ra.among_eligible else position
                if slot <= len(ra.amounts):
                    rank_amount = ra.amounts[slot - 1]
        if policy.combine == "higher" and grade_amount and rank_amount:
            if grade_amount >= rank_amount:
                rank_amount = ZERO_YUAN
            else:
                grade_amount = ZERO_YUAN
        ranked = UnitResult(
            r.code, r.name, r.scores, r.weight_share, r.score, r.grade, r.external_grade, position, grade_amount,
            rank_amount,
        )  # fmt: off
        results.append(_explained(policy, ranked))
    results.extend(_explained(policy, r) for r in ungraded)
    return results


def _pct(value: Decimal) -> str:
    return f"{value:.2f}"


def _explained(policy: AwardPolicy, r: UnitResult) -> UnitResult:
    """Which indicators cost points, which could not be computed and how they were scored, and the award."""
    parts: list[str] = []
    if r.score is None:
        parts.append(
            f"未评定 not graded: only {_pct(r.weight_share)}% of the weight could be computed "
            f"(policy needs {_pct(policy.min_weight_share)}%)"
        )
    else:
        grade = r.grade.label if r.grade else ""
        parts.append(f"得分 {r.score} ({r.grade}{grade}), 第{r.rank}名")
    lost = sorted((s for s in r.scores if s.points is not None and s.cost > 0), key=lambda s: (-s.cost, s.spec.code))
    for s in lost:
        value = "—" if s.measure.value is None else str(s.measure.value)
        why = f" [不能计算 cannot be computed: {s.measure.reason}; 按0分]" if s.measure.value is None else ""
        cost = s.cost.quantize(SCORE_PLACES, ROUND_HALF_UP)
        parts.append(f"{s.spec.label} {value}→{s.points}分, 扣{cost}{why}")
    for s in r.scores:
        if s.points is None:
            parts.append(
                f"{s.spec.label} 不能计算 cannot be computed ({s.measure.reason}): 不计入, 权重重新分配 excluded, "
                "weights renormalised"
            )
    if r.external_grade is not None:
        parts.append(f"外部等次 external grade {r.external_grade}")
    elif policy.needs_external_grades() and r.score is not None:
        parts.append("无外部等次 no external grade given")
    if r.grade_award:
        parts.append(f"等次奖励 {r.grade_award:,.2f}")
    if r.rank_award:
        parts.append(f"名次奖励 {r.rank_award:,.2f}")
    return UnitResult(
        r.code, r.name, r.scores, r.weight_share, r.score, r.grade, r.external_grade, r.rank, r.grade_award,
        r.rank_award, "; ".join(parts),
    )  # fmt: off
