"""The chart of accounts template (ledgers/chart-of-accounts.beancount), read with Beancount's own loader."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from beancount import loader
from beancount.core import data

CHART_FILE = "chart-of-accounts.beancount"


@dataclass(frozen=True)
class ChartAccount:
    """One account of the template: ASCII Beancount name, Chinese name and the accounting system's code."""

    name: str
    cn_name: str
    code: str


def chart_template_path() -> Path:
    """The wheel ships ledgers/ as assetledger/_ledgers; a source checkout has it at the top level."""
    package_root = Path(__file__).resolve().parent.parent
    shipped = package_root / "_ledgers" / CHART_FILE
    if shipped.exists():
        return shipped
    checkout = package_root.parent.parent / "ledgers" / CHART_FILE
    if checkout.exists():
        return checkout
    raise FileNotFoundError(f"ledgers/{CHART_FILE} not found next to the package or in the checkout")


@cache
def _chart() -> tuple[ChartAccount, ...]:
    # load_string, not load_file: load_file keeps a pickle cache next to the file, i.e. inside the installed package.
    path = chart_template_path()
    entries, errors, _ = loader.load_string(path.read_text(encoding="utf-8"))
    if errors:
        raise ValueError(f"{path}: chart of accounts template is invalid: {errors[0].message}")
    return tuple(
        ChartAccount(e.account, str(e.meta.get("name_cn", e.account)), str(e.meta.get("code", "")))
        for e in entries
        if isinstance(e, data.Open)
    )


def load_chart() -> list[ChartAccount]:
    """The template's accounts in file order; parsed once per process, a fresh list for each caller."""
    return list(_chart())
