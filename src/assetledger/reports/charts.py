"""Charts people would rather look at than read (matplotlib, headless). Chinese labels when a CJK font exists."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei",
             "Microsoft YaHei", "Source Han Sans SC")  # fmt: off


@cache
def cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def label(chinese: str, english: str) -> str:
    """The Chinese label where it can be drawn, the English one otherwise (never boxes of tofu)."""
    return chinese if cjk_font() else english


def bar_chart(
    path: Path,
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    title: str,
    ylabel: str,
) -> Path:
    """Grouped bars, one group per category, one bar per series. Values are for drawing only (never booked)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    width = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(categories) + 2), 4.5), dpi=110)
    for i, (name, values) in enumerate(series.items()):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(categories))]
        ax.bar(xs, values, width=width, label=name)
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels(categories, rotation=30 if len(categories) > 6 else 0, ha="right")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
