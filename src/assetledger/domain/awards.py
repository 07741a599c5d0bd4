"""Performance evaluation (绩效评价) and performance-based awards (奖励): scoring, grading, ranking. Pure.

A policy names indicators (each a built-in computation), their weights and scoring bands, the minimum score of each
grade (优秀 A, 良好 B, 合格 C; below C 不合格 D), the awards by grade and by rank with their eligibility, and how
ties are broken. The services compute each unit's indicator values; this module turns them into points, a score,
a grade, a rank and an award — the same values and policy always give the same result.

Awards from a higher level's evaluation use its results (DOMAIN rule 18): its 等次 (`source = "external"`) and
its 名次 or 得分 (`ranking = "given_rank"` / `"given_score"`) decide, not a score computed here; ties and gaps in
given ranks are paid as the policy says (award_ranking). A policy that takes everything as given needs no
indicators at all.

Arithmetic is Decimal throughout: an indicator value is a percentage quantized to 2 places (half up) before it
meets the bands (bands are written in percent), the score (out of 100) to 2 places before it meets the grade
thresholds and the tie rules; award amounts are exact yuan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from assetledger.domain.award_ranking import Gaps, Placement, Ranked, Ties, dense_ranks, place
from assetledger.domain.award_reasons import Reason, ReasonKind, explanation
from assetledger.domain.indicator_causes import Cause

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
    "contract_coverage": "operating assets under a contract in force at year end / operating assets (合同覆盖率)",
    "rent_collection": "revenue posted on contracted assets in the year / rent their contracts made due (收缴率)",
    "handover_rate": "value of public-benefit and operating assets handed over (移交) by year end / their value",
    "idle_share": "share of active asset value idle at year end (闲置率, lower is better)",
    "loss_share": "share of active asset value loss-making at year end (亏损率, lower is better)",
    "rectification_completion": "rectification cases (整改) opened by year end and closed by then / opened",
}
PARAMS: dict[str, tuple[str, ...]] = {
    "idle_loss_share": ("idle_months", "loss_months"),
    "idle_share": ("idle_months", "loss_months"),
    "loss_share": ("idle_months", "loss_months"),
    "governance_progress": ("idle_months", "loss_months"),
}


class Missing(StrEnum):
    """How an indicator that cannot be computed for a unit is scored."""

    EXCLUDE = "exclude"  # left out; the other weights are renormalised
    ZERO = "zero"  # scores 0 points, its weight stays


class GradeSource(StrEnum):
    COMPUTED = "computed"  # the grade this evaluation gives
    EXTERNAL = "external"  # a grade given from outside (e.g. the province's), read from a file


class Ranking(StrEnum):
    """What orders the units for the rank awards."""

    COMPUTED = "computed"  # this evaluation's score, by the policy's tie rules
    GIVEN_RANK = "given_rank"  # the 名次 given from outside (the province's)
    GIVEN_SCORE = "given_score"  # the 得分 given from outside, higher first (equal scores tie)


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
    source: GradeSource = GradeSource.COMPUTED  # the grade that makes a unit eligible
    among_eligible: bool = False  # False: the unit at overall rank k gets amounts[k-1] if eligible, else nobody
    ranking: Ranking = Ranking.COMPUTED
    ties: Ties | None = None  # how tied given ranks are paid; None: a tie on a paid place is refused
    gaps: Gaps | None = None  # how skipped given ranks are read; None: a gap before a paid place is refused


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
    edition: str | None = None  # the policy's edition (a stored policy's version: 第2版), shown beside its title

    @property
    def name(self) -> str:
        """What users call the policy: its title and edition (the code names its awards in the books)."""
        return f"{self.title}（{self.edition}）" if self.edition else self.title

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

    @property
    def ranking(self) -> Ranking | None:
        return self.rank_award.ranking if self.rank_award is not None else None

    def given_kinds(self) -> frozenset[str]:
        """The award kinds (grade, rank) that a higher level's results decide wholly: nothing computed here."""
        kinds = set()
        if self.grade_award is not None and self.grade_award.source is GradeSource.EXTERNAL:
            kinds.add("grade")
        rank = self.rank_award
        if rank is not None and rank.source is GradeSource.EXTERNAL and rank.ranking is not Ranking.COMPUTED:
            kinds.add("rank")
        return frozenset(kinds)

    def own_kinds(self) -> frozenset[str]:
        """The award kinds this evaluation's own scoring decides (in whole or in part)."""
        kinds = {k for k, a in (("grade", self.grade_award), ("rank", self.rank_award)) if a is not None}
        return frozenset(kinds) - self.given_kinds()

    def given_fields(self) -> frozenset[str]:
        """What the given results must hold for this policy: grade (等次), rank (名次), score (得分)."""
        needed = {"grade"} if self.needs_external_grades() else set()
        if self.ranking is Ranking.GIVEN_RANK:
            needed.add("rank")
        elif self.ranking is Ranking.GIVEN_SCORE:
            needed.add("score")
        return frozenset(needed)


@dataclass(frozen=True)
class Measure:
    """One indicator's value for one unit, or why it cannot be computed (never a silent zero)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    reason: Cause | None = None

    @staticmethod
    def ratio(numerator: Decimal | int, denominator: Decimal | int, reason_if_none: Cause) -> Measure:
        """numerator / denominator in percent; cannot be computed (with the reason) when the denominator is 0."""
        num, den = Decimal(numerator), Decimal(denominator)
        if den == 0:
            return Measure(None, num, den, reason_if_none)
        return Measure((num * HUNDRED / den).quantize(VALUE_PLACES, ROUND_HALF_UP), num, den)

    @staticmethod
    def missing(reason: Cause) -> Measure:
        return Measure(None, reason=reason)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    measures: Mapping[str, Measure]  # by indicator code
    external_grade: Grade | None = None  # given results (e.g. the province's): 等次, 名次, 得分
    given_rank: int | None = None
    given_score: Decimal | None = None


class UndecidedRanking(ValueError):
    """Given ranks tie or skip on a paid place and the policy does not say how to pay them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


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
    rank: int | None = None  # by this evaluation's score (None: not graded)
    grade_award: Decimal = ZERO_YUAN
    rank_award: Decimal = ZERO_YUAN
    reasons: tuple[Reason, ...] = ()  # why: points lost, indicators not computed, what was given, the awards
    given_rank: int | None = None
    given_score: Decimal | None = None
    award_rank: int | None = None  # the rank the rank awards read: computed, the given 名次, or by the given 得分
    placement: Reason | None = None  # how its award place was found (a tie, a gap), None when plain

    @property
    def award(self) -> Decimal:
        return self.grade_award + self.rank_award

    @property
    def explanation(self) -> str:
        """The reasons as one line, in Chinese with English beside it."""
        return explanation(self.reasons)


def score_unit(policy: AwardPolicy, unit: Unit) -> UnitResult:
    """Points per indicator, the weighted score out of 100, and the computed grade."""
    entered: list[tuple[IndicatorSpec, Measure, Decimal]] = []
    for spec in policy.indicators:
        measure = unit.measures.get(spec.code) or Measure.missing(Cause.NOT_COMPUTED)
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
            unit.measures.get(spec.code) or Measure.missing(Cause.NOT_COMPUTED),
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
    return UnitResult(unit.code, unit.name, scores, share, score, grade, unit.external_grade,
                      given_rank=unit.given_rank, given_score=unit.given_score)  # fmt: skip


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
    """Score, grade, rank (graded units, by the policy's tie rules) and award every unit.

    Grade awards go to every unit whose grade (computed or given) has an amount; rank awards by the ranking the
    policy names (its own, or the given 名次 / 得分), ties and gaps as it says — an undecided one raises
    UndecidedRanking. Returns the units in the order of the ranking that pays rank awards (the policy's own when
    it has none), then the others (graded ones by rank, then by region code).
    """
    scored = [score_unit(policy, u) for u in units]
    graded = sorted((r for r in scored if r.score is not None), key=lambda r: rank_key(policy, r))
    computed = {r.code: position for position, r in enumerate(graded, start=1)}
    results = [replace(r, rank=computed.get(r.code)) for r in scored]
    award_ranks = _award_ranks(policy, results)
    placements = _placements(policy, results, award_ranks)
    awarded = []
    for r in results:
        grade_amount = ZERO_YUAN
        if policy.grade_award is not None:
            g = award_grade(r, policy.grade_award.source)
            grade_amount = policy.grade_award.amounts.get(g, ZERO_YUAN) if g else ZERO_YUAN
        placed = placements.get(r.code)
        rank_amount = placed.amount if placed else ZERO_YUAN
        if policy.combine == "higher" and grade_amount and rank_amount:
            if grade_amount >= rank_amount:
                rank_amount = ZERO_YUAN
            else:
                grade_amount = ZERO_YUAN
        how = placed.how if placed else None
        awarded.append(replace(r, grade_award=grade_amount, rank_award=rank_amount, award_rank=award_ranks.get(r.code),
                               placement=how))  # fmt: skip
    if policy.ranking in (Ranking.GIVEN_RANK, Ranking.GIVEN_SCORE):

        def order(r: UnitResult) -> tuple[int, int, str]:
            return (0, r.award_rank, r.code) if r.award_rank is not None else (1, r.rank or 10**9, r.code)

    else:

        def order(r: UnitResult) -> tuple[int, int, str]:
            return (0, r.rank, r.code) if r.rank is not None else (1, 0, r.code)

    return [_explained(policy, r, placements.get(r.code)) for r in sorted(awarded, key=order)]


def _award_ranks(policy: AwardPolicy, results: Sequence[UnitResult]) -> dict[str, int]:
    """The rank each unit has in the ranking that pays rank awards."""
    if policy.ranking is Ranking.GIVEN_RANK:
        return {r.code: r.given_rank for r in results if r.given_rank is not None}
    if policy.ranking is Ranking.GIVEN_SCORE:
        return dense_ranks([(r.code, r.given_score) for r in results if r.given_score is not None])
    return {r.code: r.rank for r in results if r.rank is not None}


def _placements(policy: AwardPolicy, results: Sequence[UnitResult], ranks: Mapping[str, int]) -> dict[str, Placement]:
    ra = policy.rank_award
    if ra is None:
        return {}
    ranked = [Ranked(r.code, r.name, ranks[r.code], award_grade(r, ra.source) in ra.eligible)
              for r in results if r.code in ranks]  # fmt: skip
    placements, problems = place(ranked, ra.amounts, among_eligible=ra.among_eligible, ties=ra.ties, gaps=ra.gaps)
    if problems:
        raise UndecidedRanking(problems)
    return placements


def _explained(policy: AwardPolicy, r: UnitResult, placed: Placement | None) -> UnitResult:
    """Which indicators cost points, which could not be computed and how they were scored, what was given from
    outside, and the award with how its place was found."""
    reasons: list[Reason] = []
    if not policy.indicators:
        pass  # nothing is computed here: the given results decide
    elif r.score is None:
        reasons.append(Reason(ReasonKind.NOT_GRADED, {"share": r.weight_share, "needed": policy.min_weight_share}))
    else:
        reasons.append(Reason(ReasonKind.SCORED, {"score": r.score, "grade": r.grade.value if r.grade else None,
                                                  "rank": r.rank}))  # fmt: skip
    lost = sorted((s for s in r.scores if s.points is not None and s.cost > 0), key=lambda s: (-s.cost, s.spec.code))
    for s in lost:
        cost = s.cost.quantize(SCORE_PLACES, ROUND_HALF_UP)
        if s.measure.value is None:
            reasons.append(Reason(ReasonKind.SCORED_ZERO, {"indicator": s.spec.label, "points": s.points,
                                                           "lost": cost, "cause": s.measure.reason}))  # fmt: skip
        else:
            reasons.append(Reason(ReasonKind.POINTS_LOST, {"indicator": s.spec.label, "value": s.measure.value,
                                                           "points": s.points, "lost": cost}))  # fmt: skip
    for s in r.scores:
        if s.points is None:
            reasons.append(Reason(ReasonKind.EXCLUDED, {"indicator": s.spec.label, "cause": s.measure.reason}))
    given = {"grade": r.external_grade.value if r.external_grade is not None else None, "rank": r.given_rank,
             "score": r.given_score}  # fmt: skip
    if any(v is not None for v in given.values()):
        reasons.append(Reason(ReasonKind.GIVEN, given))
    fields = policy.given_fields()
    missing = tuple(f for f in ("grade", "rank", "score") if given[f] is None and f in fields)
    if missing and (r.score is not None or not policy.indicators):
        reasons.append(Reason(ReasonKind.NOT_GIVEN, {"fields": missing}))
    if r.grade_award:
        reasons.append(Reason(ReasonKind.GRADE_AWARD, {"amount": r.grade_award}))
    if placed is not None and placed.places and policy.rank_award is not None:
        where = {"first": placed.places[0], "last": placed.places[-1]}
        if r.rank_award:
            reasons.append(Reason(ReasonKind.RANK_AWARD, where | {"amount": r.rank_award}, placed.how))
        elif placed.places[0] <= len(policy.rank_award.amounts) and not placed.amount:
            g = award_grade(r, policy.rank_award.source)
            reasons.append(Reason(ReasonKind.NOT_ELIGIBLE, where | {"grade": g.value if g else None}, placed.how))
    return replace(r, reasons=tuple(reasons))
