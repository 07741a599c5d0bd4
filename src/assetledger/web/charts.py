"""Grouped bar charts drawn as inline SVG (no script, no image request, no font on the server): the /indicators
page's chart per indicator (web/supervision.py) and the awards page's chart (web/awards.py).

One group of bars per unit, one bar per series (a year, an evaluation) side by side, the units' names slanted
below the axis. The caller says each bar's height (it knows its values and its scale); `Frame` places the bar and
the names, and `BarChart` writes the SVG's marks. They are written here rather than by a template loop: a
village-level page draws about two thousand of them, and the template engine's per-element cost was half the
page's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")  # fmt: skip
SLOT = 14  # pixels per bar in a group: 12 drawn, 2 apart
GAP = 16  # pixels between groups (8 either side)


def colour(series: int) -> str:
    """The colour of the series at this index (the legend's and the bars')."""
    return PALETTE[series % len(PALETTE)]


@dataclass(frozen=True)
class Bar:
    x: float  # not money: SVG geometry
    y: float  # not money: SVG geometry
    width: float  # not money: SVG geometry
    height: float  # not money: SVG geometry
    colour: str
    title: str


@dataclass(frozen=True)
class Frame:
    """Where the bars go: the axis at `left`, the plot `plot` pixels high from `top`, `series` bars a group."""

    left: int
    top: int
    plot: int
    series: int

    @property
    def group(self) -> int:
        return SLOT * self.series + GAP

    @property
    def base(self) -> int:
        """y of the axis (a bar's foot)."""
        return self.top + self.plot

    def bar(self, unit: int, series: int, height: float, title: str) -> Bar:  # not money: a drawing
        """The bar of the series at index `series` in the group of the unit at index `unit`."""
        return Bar(self.left + unit * self.group + 8 + series * SLOT, self.top + self.plot - height, SLOT - 2, height,
                   colour(series), title)  # fmt: skip

    def names(self, names: list[str]) -> tuple[tuple[float, str], ...]:
        """x of each unit's name: the middle of its group."""
        return tuple((self.left + i * self.group + self.group / 2, name) for i, name in enumerate(names))

    def chart(self, units: int, below: int, bars: list[Bar], names: list[str]) -> BarChart:
        """The chart of `units` groups (at least one wide), `below` pixels under the plot for the names."""
        width = self.left + self.group * max(1, units) + 10
        return BarChart(width, self.top + self.plot + below, self.left, self.top, self.base, tuple(bars),
                        self.names(names))  # fmt: skip


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int  # x of the axis
    top: int  # y of the top of the plot
    base: int  # y of the axis
    bars: tuple[Bar, ...]
    names: tuple[tuple[float, str], ...]  # x of each unit's name

    def axes(self) -> Markup:
        """The axis and the scale's line."""
        return Markup(
            f'<line x1="{self.left}" y1="{self.base}" x2="{self.width - 10}" y2="{self.base}" stroke="#999"/>'
            f'<line x1="{self.left}" y1="{self.top}" x2="{self.left}" y2="{self.base}" stroke="#999"/>'
        )

    def scale(self, peak: str, axis: str | None = None) -> Markup:
        """What the axis measures (when said), the value at its top and its zero."""
        x = self.left - 4
        said = f'<text x="{x}" y="14" font-size="10" text-anchor="end">{escape(axis)}</text>' if axis else ""
        return Markup(
            f'{said}<text x="{x}" y="{self.top + 4}" font-size="10" text-anchor="end">{escape(peak)}</text>'
            f'<text x="{x}" y="{self.base}" font-size="10" text-anchor="end">0</text>'
        )  # every text in it escaped

    def bar_marks(self) -> Markup:
        return Markup(
            "".join(
                f'<rect x="{b.x}" y="{b.y}" width="{b.width}" height="{b.height}" fill="{b.colour}">'
                f"<title>{escape(b.title)}</title></rect>"
                for b in self.bars
            )
        )  # every text in it escaped

    def name_marks(self) -> Markup:
        y = self.base + 14
        return Markup(
            "".join(
                f'<text x="{x}" y="{y}" font-size="11" text-anchor="end" transform="rotate(-35 {x} {y})">'
                f"{escape(n)}</text>"
                for x, n in self.names
            )
        )  # every text in it escaped

    def marks(self) -> Markup:
        """The bars and the units' names."""
        return self.bar_marks() + self.name_marks()
