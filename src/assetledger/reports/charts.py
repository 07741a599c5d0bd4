"""Charts people would rather look at than read (matplotlib, headless). Chinese labels when a CJK font exists."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "DengXian", "PingFang SC", "Hiragino Sans GB",
             "Heiti SC", "STHeiti", "Droid Sans Fallback", "AR PL UMing CN")  # fmt: off
FONT_ENV = "ASSETLEDGER_CJK_FONT"  # a font file (.ttf/.otf/.ttc) with Chinese glyphs, when none is installed
INSTALL_HINT = (
    "图表找不到中文字体，标签改用英文。安装一种中文字体（一分钟内生效，无需重启）："
    "Debian/Ubuntu `apt-get install fonts-noto-cjk`，"
    "Fedora/RHEL `dnf install google-noto-sans-cjk-ttc-fonts`，Windows/macOS 自带（微软雅黑/苹方）；"
    f"或设置 {FONT_ENV}=字体文件路径 (no Chinese font for the charts, so their labels are in English: install one, "
    f"e.g. apt-get install fonts-noto-cjk: it is found within a minute, no restart; or set {FONT_ENV} to a font "
    "file)"
)
RETRY_SECONDS = 60.0  # not money: how long "no font" is believed before the fonts are looked at again

_found: str | None = None
_missed_at: float | None = None  # not money: a time in seconds


def cjk_font() -> str | None:
    """The name of a font that draws Chinese, for matplotlib: one it knows already, else one installed since its
    font cache was written (fontconfig's list, the font folders), else the file named by ASSETLEDGER_CJK_FONT.
    A font found is kept; "none" is believed for RETRY_SECONDS, so a font installed meanwhile is found."""
    global _found, _missed_at
    if _found is not None:
        return _found
    now = time.monotonic()
    if _missed_at is not None and now - _missed_at < RETRY_SECONDS:
        return None
    _found = _known() or _added(_candidates())
    _missed_at = None if _found else now
    return _found


def _known() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _candidates() -> list[str]:
    """Font files that may draw Chinese, newest knowledge first: the configured file, fontconfig's answer for
    :lang=zh, then the files of the font folders whose names look Chinese (matplotlib's cache may predate them)."""
    files: list[str] = []
    configured = os.environ.get(FONT_ENV)
    if configured:
        files.append(configured)
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False)
            files += [line.split(":", 1)[0].strip() for line in out.stdout.splitlines() if line.strip()]
        except (OSError, subprocess.SubprocessError):
            pass
    from matplotlib import font_manager

    hints = re.compile(r"cjk|wqy|wenquanyi|msyh|yahei|simhei|simsun|deng|pingfang|hiragino|sourcehan|notosanssc"
                       r"|notoserifsc|droidsansfallback|heiti|uming|ukai", re.IGNORECASE)  # fmt: skip
    files += [f for f in font_manager.findSystemFonts() if hints.search(Path(f).name)]
    found = list(dict.fromkeys(files))
    # A sans family's regular face first (fontconfig lists Bold and Serif as readily): charts are read at a glance.
    weighted = re.compile(r"bold|black|heavy|medium|light|thin|demi", re.IGNORECASE)
    serif = re.compile(r"serif|song|ming|simsun", re.IGNORECASE)
    chosen = found[:1] if configured else []
    rest = sorted(found[len(chosen) :], key=lambda f: (bool(weighted.search(Path(f).name)), bool(serif.search(f))))
    return chosen + rest


def _added(files: Sequence[str]) -> str | None:
    """The first of the files that has the glyphs of 中文, added to matplotlib's fonts; its family name."""
    from matplotlib import font_manager, ft2font

    for file in files:
        try:
            font = ft2font.FT2Font(file)
            if not all(font.get_char_index(ord(c)) for c in "中文资产"):
                continue
            font_manager.fontManager.addfont(file)
            return str(font_manager.FontProperties(fname=file).get_name())
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def font_note() -> str:
    """What the charts will draw with, said once when the server starts."""
    found = cjk_font()
    return f"charts: Chinese labels in {found}" if found else f"charts: {INSTALL_HINT}"


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
