"""Charts of a year's evaluations: the scores of one evaluation, or the awards of several side by side.

`award_chart` says what to draw (exact values, labels in Chinese and English); `draw_awards` draws it with
matplotlib into a PNG (the CLI's `awards compute --chart`), and the web page draws the same as inline SVG
(web/awards.py), in the page's language and without any font on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assetledger.domain.award_lines import Evaluated, side_by_side
from assetledger.reports.charts import bar_chart, label

TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Named:
    zh: str
    en: str

    def pick(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class AwardChart:
    """Grouped bars: one group per unit, one bar per series (a score, or an evaluation's award in 万元)."""

    title: Named
    axis: Named
    units: tuple[Named, ...]
    series: tuple[tuple[Named, tuple[Decimal, ...]], ...]  # each series' value for every unit, in order


def award_chart(evaluations: Sequence[Evaluated], year: int) -> AwardChart:
    """One evaluation that scores its units: the scores. Otherwise (given results, or several evaluations): each
    unit's awards by evaluation in 万元, one bar per evaluation. Values are for drawing only (never booked)."""
    if len(evaluations) == 1 and evaluations[0].policy.indicators:
        e = evaluations[0]
        graded = [r for r in e.results if r.score is not None]
        return AwardChart(
            Named(f"{year}年度{e.policy.title}", f"Performance evaluation {year}"),
            Named("得分", "score"),
            tuple(Named(f"{r.name}({r.grade})", f"{r.code} ({r.grade})") for r in graded),
            ((Named("得分", "score"), tuple(Decimal(r.score or 0) for r in graded)),),
        )
    units = [u for u in side_by_side(evaluations) if u.total]
    series = []
    for i, e in enumerate(evaluations):
        amounts = [line.award if line is not None else Decimal(0) for line in (u.lines[i] for u in units)]
        series.append((Named(e.policy.title, e.policy.title), tuple(a / TEN_THOUSAND for a in amounts)))
    return AwardChart(
        Named(f"{year}年度绩效奖励", f"Performance awards {year}"),
        Named("奖励（万元）", "award (10,000 yuan)"),
        tuple(Named(u.name, u.code) for u in units),
        tuple(series),
    )


def draw_awards(path: Path, evaluations: Sequence[Evaluated], year: int) -> Path:
    """The chart as a PNG (matplotlib): Chinese labels where a Chinese font is installed, else English."""
    chart = award_chart(evaluations, year)
    return bar_chart(
        path,
        [label(u.zh, u.en) for u in chart.units],
        {label(name.zh, name.en): [float(v) for v in values] for name, values in chart.series},  # not money: drawn
        label(chart.title.zh, chart.title.en),
        label(chart.axis.zh, chart.axis.en),
    )
