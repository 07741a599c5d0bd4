"""What a notice shows to anyone who can open a web page (公示上网). Pure.

A paper notice on the village board names each household's head in full and its number masked where that is an
ID-card or other personal number (`mask_number`); the same notice on the open web, or
forwarded in a WeChat group, reaches people who do not know the village, so names are masked as Chinese public
notices online usually are (张三 → 张*, 张三丰 → 张*丰, 欧阳明华 → 欧**华) and a household's own number (户编号,
often an ID-card number) is left out: households are numbered 1, 2, 3 on the page. What a household received, and
why a share is partial, stay as the notice has them (DOMAIN rule 6).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assetledger.domain.enums import AssetStatus, Register
from assetledger.domain.money import ZERO

MASK = "*"


def mask_name(name: str | None) -> str:
    """A person's name as a public web page shows it: the first character and, from three characters on, the
    last; the rest masked. Surrounding spaces go; an empty name stays empty."""
    text = (name or "").strip()
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]


# A personal number standing alone in a household's number: an ID card (15 digits, or 17 and a digit or X), a bank
# card (16 to 19 digits), a mobile (1, then 3-9, then 9 digits). A 12-digit village code is none of them.
LONG_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15,19}|1[3-9]\d{9})(?![\dXx])")


def mask_number(household_id: str) -> str:
    """A household's own number (户编号) as a paper notice prints it: where it holds an ID-card, bank-card or phone
    number, all but its last four characters are masked (360921199001011234 → **************1234), so the
    household still knows its line and no one can copy the number off the village board. Other numbers (H001,
    0012) stay as they are."""
    return LONG_NUMBER.sub(lambda m: MASK * (len(m.group()) - 4) + m.group()[-4:], household_id)


# What a notice of one distribution shows, as services/distribution_reports.py reads it (reports/notice.py).


@dataclass
class NoticeData:
    """Everything a public notice (公示) shows."""

    village: str
    village_name: str
    township_name: str
    county_name: str
    period: str
    rule: dict[str, Any]
    revenue: Any
    costs: Any
    total: Any
    distributed_on: Any
    purposes: list[dict[str, Any]]
    households: list[dict[str, Any]]
    first_payout_day: Any = None  # the notice's objection period has run by then
    noticed_on: Any = None  # the objection period runs from here: the day of publication, else the distribution's
    reversed_on: Any = None  # taken back (冲销) on this date, for this reason
    reversal_reason: str | None = None


# What a village's public page (reports/public_page.py) shows, as services/public_notices.py reads it.


@dataclass(frozen=True)
class PublicHousehold:
    number: int  # 序号 on the notice: the household's own number (户编号) is not shown
    head: str  # masked
    category: str
    persons: int
    weight: Any
    months: int | None
    amount: Decimal
    note: str | None
    paid_on: dt.date | None


@dataclass(frozen=True)
class PublicNotice:
    """A published notice as the public page shows it."""

    anchor: str  # the notice's place on the page (#n1, #n2 … in publication order)
    period: str
    published_on: dt.date
    rule: dict[str, Any]
    revenue: Decimal
    costs: Decimal
    total: Decimal
    distributed_on: dt.date
    first_payout_day: dt.date | None
    purposes: tuple[dict[str, Any], ...]
    households: tuple[PublicHousehold, ...]
    reversed_on: dt.date | None
    reversal_reason: str | None

    @property
    def households_total(self) -> Decimal:
        return sum((h.amount for h in self.households), ZERO)


@dataclass(frozen=True)
class PublicAsset:
    name: str
    register: Register
    build_year: int | None
    value: Decimal  # 资产原值
    status: AssetStatus | str  # a stored text that is no status (written around the product): as it is


@dataclass(frozen=True)
class PublicEarning:
    asset: str  # the asset's name
    year: int
    revenue: Decimal


@dataclass(frozen=True)
class PublicVillage:
    """Everything a village's public page shows."""

    village: str
    village_name: str
    township_name: str
    county_name: str
    notices: tuple[PublicNotice, ...]
    assets: tuple[PublicAsset, ...]
    household_assets: int  # 到户类: a count and a total only
    household_value: Decimal
    earnings: tuple[PublicEarning, ...]
    earned_through: dt.date  # revenue is shown through the end of the last published period

    @property
    def place(self) -> str:
        return f"{self.county_name}{self.township_name}{self.village_name}"

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({e.year for e in self.earnings}))

    def earning_table(self) -> list[tuple[str, list[Decimal | None], Decimal]]:
        """(asset, revenue per year in `years` or None, total) per asset, in the order of the register."""
        years = self.years
        by: dict[str, dict[int, Decimal]] = {}
        for e in self.earnings:
            by.setdefault(e.asset, {})[e.year] = e.revenue
        return [(name, [row.get(y) for y in years], sum(row.values(), ZERO)) for name, row in by.items()]
