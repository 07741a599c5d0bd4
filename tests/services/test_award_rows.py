"""The awards service's results as typed values (issue 19 item 2), through the service API on a real database:
result rows and their columns, indicator rows, the units side by side, and the reasons as kinds with values (no
text): the same evaluation the CLI renders in Chinese and the web in the reader's language."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from assetledger.domain.award_lines import side_by_side
from assetledger.domain.award_reasons import Reason, ReasonKind, text
from assetledger.rules.award_policy import parse_policy, parse_policy_text
from assetledger.services.awards import (
    IndicatorRow,
    ResultRow,
    Scored,
    evaluate_year,
    indicator_rows,
    result_columns,
    result_rows,
)
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.services.test_awards import EXAMPLE, _policy, _setup


def test_results_are_frozen_rows_with_typed_reasons(run: Cli, db: Database) -> None:
    _setup(run)
    policy = parse_policy(_policy(run))
    evaluation = evaluate_year(db, 2025, policy, "tester")
    rows = result_rows(evaluation)
    assert [type(r) for r in rows] == [ResultRow] * 6 and rows[0].rank == 1
    with pytest.raises(FrozenInstanceError):
        rows[0].award = Decimal(0)  # type: ignore[misc]
    columns = result_columns(evaluation)
    assert columns[:3] == ("rank", "region_code", "region_name") and columns[-1] == "reasons"
    assert "external_grade" not in columns and "given_rank" not in columns  # nothing given, nothing shown
    assert [c for c in columns if c in rows[0].values] == [i.code for i in policy.indicators]
    by_code = {r.region_code: r for r in rows}
    first = rows[0]
    assert first.award == first.grade_award + first.rank_award and first.cell("award") == first.award
    kinds = [r.kind for r in first.reasons]
    assert kinds[0] is ReasonKind.SCORED and first.reasons[0]["score"] == first.score
    assert first.reasons[0]["rank"] == 1 and first.reasons[0]["grade"] == first.grade
    assert ReasonKind.RANK_AWARD in kinds
    award = next(r for r in first.reasons if r.kind is ReasonKind.RANK_AWARD)
    assert award.values == {"first": 1, "last": 1, "amount": first.rank_award} and award.detail is None
    # an indicator that cannot be computed is a reason with its cause, never a silent zero
    excluded = [r for row in rows for r in row.reasons if r.kind is ReasonKind.EXCLUDED]
    assert excluded and all(isinstance(r["cause"], str) and r["cause"] for r in excluded)
    assert all(by_code[row.region_code].values[i.code] is None or isinstance(row.values[i.code], Decimal)
               for row in rows for i in policy.indicators)  # fmt: skip
    # the CLI's text is rendered from the reasons: Chinese first, English beside
    assert text(Reason(ReasonKind.GRADE_AWARD, {"amount": Decimal("300000.00")})) == "等次奖励 300,000.00"
    assert "不能计算" in text(excluded[0]) and "cannot be computed" in text(excluded[0])


def test_indicator_rows_and_side_by_side_are_typed(run: Cli, db: Database) -> None:
    _setup(run)
    evaluation = evaluate_year(db, 2025, parse_policy(_policy(run)), "tester")
    details = indicator_rows(evaluation)
    assert details and all(type(d) is IndicatorRow for d in details)
    assert {d.scored for d in details} <= set(Scored)
    missing = [d for d in details if d.value is None]
    assert missing and all(d.scored is Scored.EXCLUDED and d.points is None and d.reason for d in missing)
    scored = [d for d in details if d.scored is Scored.SCORED]
    assert all(d.points is not None and d.points_lost == d.points_lost.quantize(Decimal("0.01")) for d in scored)
    units = side_by_side([evaluation])
    assert [u.code for u in units] == sorted(r.code for r in evaluation.results)
    assert sum((u.total for u in units), Decimal("0.00")) == evaluation.total_award


def test_a_policy_is_named_by_its_title_and_edition() -> None:
    policy = parse_policy(EXAMPLE)
    assert policy.edition is None and policy.name == policy.title
    from dataclasses import replace

    assert replace(policy, edition="第2版").name == f"{policy.title}（第2版）"
    raw = EXAMPLE.read_bytes().replace(b'code = "YC-PERF"', 'code = "YC-PERF"\nedition = "2025年版"'.encode())
    assert parse_policy_text(raw, "p.toml", "p.toml").name == f"{policy.title}（2025年版）"
