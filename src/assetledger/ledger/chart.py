"""The chart of accounts template (ledgers/chart-of-accounts.beancount), read with Beancount's own loader."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from beancount import loader
from beancount.core import data


@dataclass(frozen=True)
class ChartAccount:
    name: str
    cn_name: str
    code: str


def chart_template_path() -> Path:
    """The wheel ships ledgers/ as assetledger/_ledgers; a source checkout has it at the top level."""
    package_root = Path(__file__).resolve().parent.parent
    for candidate in (package_root / "_ledgers", package_root.parent.parent / "ledgers"):
        path = candidate / "chart-of-accounts.beancount"
        if path.exists():
            return path
    raise FileNotFoundError("ledgers/chart-of-accounts.beancount not found next to the package or in the checkout")


@cache
def load_chart() -> tuple[ChartAccount, ...]:
    entries, errors, _ = loader.load_file(str(chart_template_path()))
    if errors:
        raise ValueError(f"chart of accounts template is invalid: {errors[0].message}")
    return tuple(
        ChartAccount(e.account, str(e.meta.get("name_cn", e.account)), str(e.meta.get("code", "")))
        for e in entries
        if isinstance(e, data.Open)
    )
