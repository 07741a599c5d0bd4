"""Charts of a year's evaluations: the scores of one evaluation, or the awards of several side by side."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from assetledger.reports.charts import bar_chart, label
from assetledger.services.awards import Evaluation, side_by_side

TEN_THOUSAND = Decimal(10000)


def draw_awards(path: Path, evaluations: Sequence[Evaluation], year: int) -> Path:
    """One evaluation that scores its units: the scores. Otherwise (given results, or several evaluations): each
    unit's awards by evaluation in 万元, one bar per evaluation. Values are for drawing only (never booked)."""
    if len(evaluations) == 1 and evaluations[0].policy.indicators:
        e = evaluations[0]
        graded = [r for r in e.results if r.score is not None]
        return bar_chart(
            path,
            [label(f"{r.name}({r.grade})", f"{r.code} ({r.grade})") for r in graded],
            {label("得分", "score"): [float(r.score or 0) for r in graded]},  # not money: points, for the chart
            label(f"{year}年度{e.policy.title}", f"Performance evaluation {year}"),
            label("得分", "score"),
        )
    units = [u for u in side_by_side(evaluations) if u.total]
    series: dict[str, Sequence[float]] = {}
    for i, e in enumerate(evaluations):
        amounts = [line.award if line is not None else Decimal(0) for line in (u.lines[i] for u in units)]
        series[e.policy.code] = [float(a / TEN_THOUSAND) for a in amounts]  # bar heights to draw: not money
    return bar_chart(
        path,
        [label(u.name, u.code) for u in units],
        series,
        label(f"{year}年度绩效奖励", f"Performance awards {year}"),
        label("奖励（万元）", "award (10,000 yuan)"),
    )
