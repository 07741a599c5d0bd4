"""A village's public page (村务公开): one self-contained HTML document — styles inline, no script, no image, no
link but to its own sections — the same for the web's public area and for `notice export` (a file for the
village's notice board or WeChat group). It knows no database: it renders what services/public_notices.py read."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from assetledger.domain.distribution import period_words
from assetledger.domain.publication import PublicVillage
from assetledger.reports.notice import file_part

TEMPLATES = Path(__file__).parent / "templates"


def _money(value: Any) -> str:
    return "" if value is None else f"{Decimal(value):,.2f}"


@cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    env.filters["money"] = _money
    env.filters["period"] = period_words  # 2025Q2 -> 2025年第2季度
    return env


def public_html(village: PublicVillage) -> str:
    return _environment().get_template("public_village.html").render(v=village)


def export_page(village: PublicVillage, folder: Path) -> Path:
    """Write the page as `村务公开-<village>.html` in `folder` (made if missing); returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"村务公开-{file_part(village.village)}.html"
    path.write_text(public_html(village), encoding="utf-8")
    return path
