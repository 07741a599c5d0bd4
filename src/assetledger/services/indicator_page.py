"""The supervision indicators on one page (监管指标一页通): per county, township or village, year by year.

确权率, 移交率, 管护落实率, 闲置率, 亏损率, 资产收益率, 收益分配率 and 整改完成率, each one aggregation inside the
database through the indicator engine the awards use (services/indicators.py: side by side on one snapshot), for
the units of the reader's scope. 资产转化率 (funds turned into assets) is listed as not computable: the system
keeps what each asset was funded by (资金来源), not the funds allocated (资金下达数) that the rate divides by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from assetledger.domain.indicator_causes import Cause
from assetledger.services.contracts import reading_scope
from assetledger.services.indicators import Request, compute_years
from assetledger.services.places import Places
from assetledger.store.db import Database

PAGE: tuple[tuple[str, str], ...] = (
    ("ownership_confirmed", "确权率 confirmed"),
    ("handover_rate", "移交率 handed over"),
    ("custodian_coverage", "管护落实率 custody"),
    ("idle_share", "闲置率 idle"),
    ("loss_share", "亏损率 loss-making"),
    ("operating_yield", "资产收益率 yield"),
    ("distributed_share", "收益分配率 distributed"),
    ("rectification_completion", "整改完成率 rectified"),
)
NOT_COMPUTED = {
    "funds_to_assets": "资产转化率：未记录资金下达数 funds turned into assets: allocations are not recorded",
}
LEVELS = ("county", "township", "village")


@dataclass(frozen=True)
class IndicatorCell:
    unit_code: str
    unit_name: str
    year: int
    indicator: str
    label: str
    value: Decimal | None  # percent, 2 places
    numerator: Decimal | None
    denominator: Decimal | None
    reason: Cause | None  # why there is no value


@dataclass(frozen=True)
class IndicatorPage:
    level: str
    region: str | None
    years: tuple[int, ...]
    indicators: tuple[tuple[str, str], ...]
    cells: tuple[IndicatorCell, ...]
    not_computed: tuple[tuple[str, str], ...]

    @cached_property
    def _by_key(self) -> dict[tuple[str, int, str], IndicatorCell]:
        return {(c.unit_code, c.year, c.indicator): c for c in self.cells}

    def cell(self, unit: str, year: int, indicator: str) -> IndicatorCell | None:
        """The page's cell of a unit, year and indicator, or None when the page has no such cell (a unit, year or
        indicator not on it). A cell on the page may be empty: its value is None and its reason says why."""
        return self._by_key.get((unit, year, indicator))

    def value(self, unit: str, year: int, indicator: str) -> Decimal | None:
        """The value of a cell on the page (percent), None when the cell is empty (it cannot be computed: `cell`
        gives the reason). A cell the page does not have is refused (KeyError), never taken for an empty one: ask
        `cell` where that can be."""
        found = self.cell(unit, year, indicator)
        if found is None:
            raise KeyError(
                f"本页没有 {unit} {year} 年的指标 {indicator} (the page has no cell for {unit}, {year}, {indicator})"
            )
        return found.value


def check_reader(db: Database, actor: str, region: str | None = None) -> None:
    """`indicator_page`'s check alone, for a page kept from an earlier request (web/cache.py): a revoked reader, or
    a region outside the reader's scope, is refused before the kept page is shown."""
    with db.reading() as session:
        reading_scope(session, actor, region)


def indicator_page(
    db: Database,
    actor: str,
    level: str,
    years: Sequence[int],
    region: str | None = None,
) -> IndicatorPage:
    """Every indicator of the page for every unit of `level` within `region` (default: the reader's scope); 闲置率
    and 亏损率 judge each asset by the governance policy stored for its region (services/governance.scan_in)."""
    if level not in LEVELS:
        raise ValueError(f"层级应为 {'、'.join(LEVELS)} 之一 (level must be one of {LEVELS})")
    with db.reading() as session:
        scope = reading_scope(session, actor, region)
        within = Places(session, scope).below()
    requests = [Request(code, code, {}) for code, _ in PAGE]
    labels = dict(PAGE)
    cells: list[IndicatorCell] = []
    for table in compute_years(db, actor, sorted(set(years)), level, requests):
        year = table.year
        for code, name in table.units:
            if within is not None and code not in within:
                continue
            for indicator, measure in table.measures[code].items():
                cells.append(IndicatorCell(code, name, year, indicator, labels[indicator], measure.value,
                                           measure.numerator, measure.denominator, measure.reason))  # fmt: skip
    return IndicatorPage(level, scope, tuple(sorted(set(years))), PAGE, tuple(cells), tuple(NOT_COMPUTED.items()))
