"""Reading the distributions (收益分配) of the reader's scope: one page, filtered, sorted and counted in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, extract, func, or_, select

from assetledger.services.access import listed_within, read_scope
from assetledger.services.paging import Sorting, fetch_page
from assetledger.store.db import Database
from assetledger.store.distribution_models import (
    Distribution,
    DistributionLine,
    DistributionReversal,
    DistributionRuleRow,
)
from assetledger.store.models import Region

HOUSEHOLDS = (
    select(func.count(DistributionLine.household_id))
    .where(DistributionLine.distribution_id == Distribution.id)
    .correlate(Distribution)
    .scalar_subquery()
)
SORTS: dict[str, Any] = {
    "distributed_on": Distribution.distributed_on,
    "village": Distribution.village_code,
    "period": Distribution.period_start,
    "revenue": Distribution.revenue,
    "costs": Distribution.costs,
    "total": Distribution.total,
    "households": HOUSEHOLDS,
}
LATEST_FIRST = Sorting("distributed_on", descending=True)  # the list's order unless asked otherwise


@dataclass(frozen=True)
class DistributionFilter:
    region: str | None = None  # a village, or a township or county: its villages
    year: int | None = None  # of the period
    reversed: bool | None = None  # True: reversed ones only; False: standing ones only
    words: tuple[str, ...] = ()  # each in the village's name, the period or the rule's code
    limit: int | None = None


def _matches(word: str) -> ColumnElement[bool]:
    needle = word.lower()
    named = select(Region.code).where(func.lower(Region.name).contains(needle, autoescape=True))
    return or_(
        Distribution.village_code.in_(named),
        func.lower(Distribution.period).contains(needle, autoescape=True),
        func.lower(Distribution.rule_code).contains(needle, autoescape=True),
    )


@dataclass(frozen=True)
class DistributionListing:
    """A distribution as a list shows it: village, period, day, rule, revenue, costs and the total shared, how many
    households shared it, and its reversal (day and reason) if it was taken back."""

    id: int
    village_code: str
    period: str
    period_start: dt.date
    distributed_on: dt.date
    rule_code: str
    rule_version: int  # the rule's edition (第 N 版): the list names the rule by its village and edition
    revenue: Decimal
    costs: Decimal
    total: Decimal
    households: int
    reversed_on: dt.date | None
    reversal_reason: str | None


def distribution_page(
    db: Database, flt: DistributionFilter, actor: str, order: Sorting = LATEST_FIRST
) -> tuple[list[DistributionListing], int]:
    """One page of the distributions that pass the filter (all without a limit), and how many pass it."""
    term = order.term(SORTS)
    columns = (
        Distribution.id, Distribution.village_code, Distribution.period, Distribution.period_start,
        Distribution.distributed_on, Distribution.rule_code, DistributionRuleRow.version.label("rule_version"),
        Distribution.revenue, Distribution.costs, Distribution.total, HOUSEHOLDS.label("households"),
        DistributionReversal.reversed_on, DistributionReversal.reason.label("reversal_reason"),
    )  # fmt: skip
    query = select(*columns).join(DistributionRuleRow, DistributionRuleRow.id == Distribution.rule_id).outerjoin(
        DistributionReversal, DistributionReversal.distribution_id == Distribution.id)  # fmt: skip
    with db.reading() as session:
        visible = read_scope(session, actor, flt.region)
        query = query.where(*listed_within(session, Distribution.village_code, flt.region, visible))
        if flt.year:
            query = query.where(extract("year", Distribution.period_start) == flt.year)
        if flt.reversed is True:
            query = query.where(DistributionReversal.id.is_not(None))
        elif flt.reversed is False:
            query = query.where(DistributionReversal.id.is_(None))
        for word in flt.words:
            query = query.where(_matches(word))
        rows, total = fetch_page(session, query, [term, Distribution.id.desc()], order.offset, flt.limit)
    return [DistributionListing(**row) for row in rows], total


def distribution_years(db: Database, actor: str) -> list[int]:
    """The years of the distributed periods the reader may see, latest first."""
    query = select(extract("year", Distribution.period_start)).distinct()
    with db.reading() as session:
        visible = read_scope(session, actor)
        if visible is not None:
            query = query.where(Distribution.village_code.in_(sorted(visible)))
        return sorted((int(y) for (y,) in session.execute(query) if y is not None), reverse=True)
