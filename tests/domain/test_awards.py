"""Scoring, grading, ranking, ties and awards — unit tests and properties over any indicator values; policy files."""

from __future__ import annotations

import random
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetledger.domain.award_reasons import Reason, ReasonKind, text
from assetledger.domain.awards import (
    AwardPolicy,
    Band,
    Grade,
    GradeAward,
    GradeSource,
    IndicatorSpec,
    Measure,
    Missing,
    RankAward,
    TieKey,
    Unit,
    UnitResult,
    evaluate,
    score_unit,
)
from assetledger.domain.indicator_causes import Cause
from assetledger.errors import InputError
from assetledger.rules.award_policy import parse_policy

EXAMPLE = Path(__file__).parents[2] / "ledgers" / "policy" / "awards-city-example.toml"
D = Decimal

HIGH = IndicatorSpec(
    "high", "ownership_confirmed", "确权", D(60), True, (Band(D(90), D(100)), Band(D(50), D(60))), D(10)
)
LOW = IndicatorSpec("low", "idle_loss_share", "闲置", D(40), False, (Band(D(5), D(100)), Band(D(20), D(50))))


def policy(**over: object) -> AwardPolicy:
    values: dict[str, object] = {
        "code": "T",
        "title": "test",
        "level": "county",
        "fund": "fund",
        "indicators": (HIGH, LOW),
        "thresholds": ((Grade.A, D(90)), (Grade.B, D(80)), (Grade.C, D(60))),
        "grade_award": GradeAward({Grade.A: D("300000.00")}),
        "rank_award": RankAward((D("2000000.00"), D("1500000.00"), D("1000000.00")), frozenset({Grade.A})),
        "tie_break": (TieKey("score"), TieKey("indicator", "low"), TieKey("region_code")),
    }
    values.update(over)
    return AwardPolicy(**values)  # type: ignore[arg-type]


def unit(code: str, high: str | None, low: str | None, external: Grade | None = None) -> Unit:
    def m(v: str | None) -> Measure:
        return Measure(D(v)) if v is not None else Measure.missing(Cause.NO_ASSET_VALUE)

    return Unit(code, f"县{code}", {"high": m(high), "low": m(low)}, external)


def by_code(results: list[UnitResult]) -> dict[str, UnitResult]:
    return {r.code: r for r in results}


def test_bands_by_minimum_and_by_maximum() -> None:
    assert [HIGH.points(D(v)) for v in ("100", "90", "89.99", "50", "49.99", "0")] == [100, 100, 60, 60, 10, 10]
    assert [LOW.points(D(v)) for v in ("0", "5", "5.01", "20", "20.01")] == [100, 100, 50, 50, 0]


def test_measure_ratio_is_percent_and_never_zero_for_nothing() -> None:
    assert Measure.ratio(1, 3, Cause.NO_OPERATING_ASSETS).value == D("33.33")
    assert Measure.ratio(2, 3, Cause.NO_OPERATING_ASSETS).value == D("66.67")
    empty = Measure.ratio(0, 0, Cause.NO_OPERATING_ASSETS)
    assert empty.value is None and empty.reason is Cause.NO_OPERATING_ASSETS


def test_score_weights_and_points_lost() -> None:
    r = score_unit(policy(), unit("1", "95", "10"))  # 60 x 100 + 40 x 50 over 100
    assert (r.score, r.grade, r.weight_share) == (D("80.00"), Grade.B, D("100.00"))
    lost = {s.spec.code: s.cost for s in r.scores}
    assert lost == {"high": 0, "low": D(20)}


def test_missing_excluded_renormalises_or_scores_zero() -> None:
    excluded = score_unit(policy(), unit("1", "95", None))
    assert (excluded.score, excluded.weight_share, excluded.scores[1].points) == (D("100.00"), D("60.00"), None)
    reasons = evaluate(policy(), [unit("1", "95", None)])[0].reasons
    assert Reason(ReasonKind.EXCLUDED, {"indicator": "闲置", "cause": Cause.NO_ASSET_VALUE}) in reasons
    shown = text(Reason(ReasonKind.EXCLUDED, {"indicator": "闲置", "cause": Cause.NO_ASSET_VALUE}))
    assert shown == ("闲置 不能计算：年末无资产价值，不计入，权重重新分配 "
                     "(cannot be computed: no asset value at year end; excluded, weights renormalised)")  # fmt: skip
    zero_low = IndicatorSpec(LOW.code, LOW.compute, LOW.label, LOW.weight, False, LOW.bands, missing=Missing.ZERO)
    zeroed = score_unit(policy(indicators=(HIGH, zero_low)), unit("1", "95", None))
    assert (zeroed.score, zeroed.weight_share, zeroed.scores[1].points) == (D("60.00"), D("100.00"), D(0))
    too_little = score_unit(policy(min_weight_share=D(70)), unit("1", "95", None))
    assert too_little.score is None and too_little.grade is None


def test_ties_follow_the_policy() -> None:
    units = [unit("3", "95", "3"), unit("1", "95", "4"), unit("2", "95", "3"), unit("0", "40", "0")]
    ranked = evaluate(policy(), units)
    assert [r.code for r in ranked] == ["2", "3", "1", "0"]  # equal 100: lower idle share first, then smaller code
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    plain = evaluate(policy(tie_break=(TieKey("score"), TieKey("region_code"))), units)
    assert [r.code for r in plain] == ["1", "2", "3", "0"]


def test_indicator_tie_puts_not_computed_last() -> None:
    keyed = policy(indicators=(HIGH, LOW), min_weight_share=D(0))
    ranked = evaluate(keyed, [unit("1", "95", None), unit("2", "95", "5")])
    assert [r.code for r in ranked] == ["2", "1"]


def test_grade_and_rank_awards() -> None:
    units = [unit("1", "95", "3"), unit("2", "95", "4"), unit("3", "60", "30"), unit("4", "95", "4.5")]
    found = by_code(evaluate(policy(), units))
    assert (found["1"].grade_award, found["1"].rank_award, found["1"].award) == (
        D("300000.00"),
        D("2000000.00"),
        D("2300000.00"),
    )
    assert found["4"].rank == 3 and found["4"].rank_award == D("1000000.00")
    assert found["3"].grade is Grade.D and found["3"].award == 0
    higher = by_code(evaluate(policy(combine="higher"), units))
    assert (higher["1"].grade_award, higher["1"].rank_award) == (D(0), D("2000000.00"))


def test_rank_positions_overall_or_among_eligible() -> None:
    units = [unit("1", "95", "3"), unit("2", "60", "0"), unit("3", "95", "4")]  # 1 and 3: 100, A; 2: 76, C
    units.append(unit("0", "100", "6"))  # 100 x 60 + 50 x 40 = 80: B, rank 3
    overall = by_code(evaluate(policy(), units))
    assert [overall[c].rank for c in ("1", "3", "0", "2")] == [1, 2, 3, 4]
    assert overall["0"].grade is Grade.B and overall["0"].rank_award == 0
    among = RankAward((D(3), D(2), D(1)), frozenset({Grade.A}), among_eligible=True)
    eligible = by_code(evaluate(policy(rank_award=among), units))
    assert (eligible["1"].rank_award, eligible["3"].rank_award) == (D(3), D(2))


def test_external_grades() -> None:
    external = policy(grade_award=GradeAward({Grade.A: D("300000.00")}, GradeSource.EXTERNAL))
    assert external.needs_external_grades()
    found = by_code(evaluate(external, [unit("1", "95", "3", Grade.B), unit("2", "40", "40", Grade.A)]))
    assert (found["1"].grade, found["1"].grade_award, found["1"].rank_award) == (Grade.A, D(0), D("2000000.00"))
    assert (found["2"].grade, found["2"].grade_award) == (Grade.D, D("300000.00"))


def test_grade_parse() -> None:
    assert [Grade.parse(t) for t in ("a", "优秀", "良好", "合格", "不合格", "D")] == [
        Grade.A, Grade.A, Grade.B, Grade.C, Grade.D, Grade.D,
    ]  # fmt: skip
    with pytest.raises(ValueError):
        Grade.parse("很好")


values = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=12), st.randoms())
def test_properties_of_any_evaluation(data: list[tuple[Decimal | None, Decimal | None]], rnd: random.Random) -> None:
    units = [Unit(f"{i:03d}", "x", {"high": Measure(h) if h is not None else Measure.missing(Cause.NOT_COMPUTED),
                                     "low": Measure(lo) if lo is not None else Measure.missing(Cause.NOT_COMPUTED)})
             for i, (h, lo) in enumerate(data)]  # fmt: skip
    p = policy()
    results = evaluate(p, units)
    shuffled = list(units)
    rnd.shuffle(shuffled)
    assert evaluate(p, shuffled) == results  # the same data give the same result, whatever the order
    graded = [r for r in results if r.score is not None]
    assert [r.rank for r in graded] == list(range(1, len(graded) + 1))
    assert all(r.rank is None and r.award == 0 for r in results if r.score is None)
    for a, b in pairwise(graded):
        assert a.score is not None and b.score is not None and a.score >= b.score
    for r in graded:
        assert r.score is not None and 0 <= r.score <= 100
        assert r.grade == p.grade_of(r.score)
        lost = sum((s.cost for s in r.scores), D(0))
        assert abs(D(100) - lost - r.score) <= D("0.005")  # points lost explain the whole gap to 100
        assert r.grade_award == (D("300000.00") if r.grade is Grade.A else 0)
    rank_paid = sorted((r.rank_award for r in results if r.rank_award), reverse=True)
    assert rank_paid == [a for a, r in zip(p.rank_award.amounts, graded, strict=False) if r.grade is Grade.A]  # type: ignore[union-attr]


@given(st.decimals(min_value=0, max_value=100, places=2), st.decimals(min_value=0, max_value=100, places=2))
def test_grade_is_monotonic(x: Decimal, y: Decimal) -> None:
    p = policy()
    low, high = sorted((x, y))
    assert "ABCD".index(p.grade_of(high).value) <= "ABCD".index(p.grade_of(low).value)


def test_example_policy_encodes_rule_12() -> None:
    p = parse_policy(EXAMPLE)
    assert p.grade_award is not None and p.grade_award.amounts == {Grade.A: D("300000.00")}
    assert p.rank_award is not None and p.rank_award.amounts == (D("2000000.00"), D("1500000.00"), D("1000000.00"))
    assert p.rank_award.eligible == {Grade.A} and not p.rank_award.among_eligible
    assert [str(k) for k in p.tie_break] == ["score", "indicator:yield", "region_code"]
    assert p.total_weight == 100 and p.thresholds[0] == (Grade.A, D(90))
    idle = next(i for i in p.indicators if i.code == "idle")
    assert not idle.higher_is_better and idle.params == {"idle_months": 6, "loss_months": 12}


def _refused(tmp_path: Path, text: str) -> str:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_policy(path)
    return str(caught.value)


def test_bad_policies_name_key_and_value(tmp_path: Path) -> None:
    base = EXAMPLE.read_text(encoding="utf-8")
    message = _refused(tmp_path, base.replace('level = "county"', 'level = "city"').replace("[scoring]", "[scorng]"))
    assert (
        "列「level」 (column)，值「city」 (value)"
        "：应为以下之一：county, township, village (write one of county, township, village)" in message
    )
    assert "列「scorng」 (column)" in message and "unknown key" in message
    message = _refused(tmp_path, base.replace("{ min = 90, points = 80 }", "{ min = 90, points = 95 }"))
    assert "列「indicators[0].bands」 (column)" in message and "never score fewer points" in message
    message = _refused(tmp_path, base.replace('code = "yield"', 'code = "score"'))
    assert "列「indicators[2].code」 (column)，值「score」 (value)" in message
    message = _refused(tmp_path, base.replace("params = { idle_months = 6", "params = { idle_months = 0"))
    assert "列「indicators[4].params.idle_months」 (column)，值「0」 (value)" in message
    message = _refused(tmp_path, base.replace('eligible_grades = ["A"]', 'eligible_grades = ["S"]'))
    assert "列「awards.rank.eligible_grades[0]」 (column)，值「S」 (value)" in message
    message = _refused(tmp_path, "code = 1\n")
    assert (
        "列「code」 (column)，值「1」 (value)" in message
        and "列「indicators」 (column)：请至少给出一个 [[indicators]] 表" in message
        and "(give at least one" in message
    )
    assert (
        "列「title」 (column)：缺少必填项 (required key is missing)" in message and "列「grades.A」 (column)" in message
    )
