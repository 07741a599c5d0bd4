"""Per-asset performance (资产绩效): each operating asset's revenue, costs and yield in a year and the year before,
so that well-performing assets can be singled out for more support (彭水). One GROUP BY over the journal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, literal, or_, select

from assetledger.domain.access import Action
from assetledger.domain.enums import OFF_BOOKS_VALUES, Register
from assetledger.services.access import read_scope
from assetledger.services.asset_queries import ASSET_PLACE
from assetledger.services.indicators import NOT_REVENUE
from assetledger.store.db import Database
from assetledger.store.journal_models import Account, Entry, PostingRow
from assetledger.store.models import Asset, Region
from assetledger.store.region_tree import asset_within
from assetledger.store.types import Money

ZERO = Decimal("0.00")
ZERO_FEN = literal(ZERO, Money)
PCT = Decimal("0.01")


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(PCT, ROUND_HALF_UP) if whole else None


def trend(revenue: Decimal, previous: Decimal) -> str:
    if previous == 0:
        return "new" if revenue > 0 else "none"
    if revenue > previous:
        return "up"
    return "down" if revenue < previous else "flat"


@dataclass(frozen=True)
class AssetPerformance:
    """One operating asset's year: revenue, costs and yield (percent of its current value), the same for the year
    before, and how revenue moved (trend: new, none, up, down, flat)."""

    asset_id: str
    name: str
    category: str | None
    place: str  # the name of its village, else township, else county
    county_code: str
    operator: str | None
    operating_mode: str | None
    status: str
    value: Decimal
    revenue: Decimal
    costs: Decimal
    net: Decimal
    yield_pct: Decimal | None  # None: no value to divide by
    prev_revenue: Decimal
    prev_costs: Decimal
    prev_yield_pct: Decimal | None
    change_pct: Decimal | None  # None: nothing the year before
    trend: str
    well_performing: bool


def asset_performance(
    db: Database, year: int, actor: str, *, min_yield: Decimal = Decimal(6), within: str | None = None
) -> list[AssetPerformance]:
    """Operating assets in use during the year, best yield first (ties by asset id), for a reader of awards
    (finance, auditors): of the region `within` (refused outside the reader's scope), else of the whole scope.

    yield = revenue in the year / current value, in percent (previous_yield: the year before, same value).
    well_performing: yield at least `min_yield` percent, revenue not below the year before, and not loss-making
    (costs in the year not above revenue).
    """
    start, end, prev_start = dt.date(year, 1, 1), dt.date(year, 12, 31), dt.date(year - 1, 1, 1)
    income = Account.name.like("Income:%")
    expense = Account.name.like("Expenses:%")
    this_year = Entry.date >= start
    flows = (
        select(
            Entry.asset_id.label("asset_id"),
            func.sum(case((and_(income, this_year), -PostingRow.amount), else_=ZERO_FEN)).label("revenue"),
            func.sum(case((and_(expense, this_year), PostingRow.amount), else_=ZERO_FEN)).label("costs"),
            func.sum(case((and_(income, ~this_year), -PostingRow.amount), else_=ZERO_FEN)).label("prev_revenue"),
            func.sum(case((and_(expense, ~this_year), PostingRow.amount), else_=ZERO_FEN)).label("prev_costs"),
        )
        .select_from(PostingRow)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(
            Entry.asset_id.in_(select(Asset.asset_id).where(Asset.register == Register.OPERATING)),
            Entry.date.between(prev_start, end),
            Entry.kind.not_in(NOT_REVENUE),
            or_(income, expense),
        )
        .group_by(Entry.asset_id)
        .subquery()
    )
    query = (
        select(
            Asset.asset_id, Asset.name, Asset.category, Asset.county_code, Asset.township_code, Asset.village_code,
            Asset.operator, Asset.operating_mode, Asset.status, Asset.current_value,
            func.coalesce(flows.c.revenue, ZERO_FEN).label("revenue"),
            func.coalesce(flows.c.costs, ZERO_FEN).label("costs"),
            func.coalesce(flows.c.prev_revenue, ZERO_FEN).label("prev_revenue"),
            func.coalesce(flows.c.prev_costs, ZERO_FEN).label("prev_costs"),
        )
        .outerjoin(flows, flows.c.asset_id == Asset.asset_id)
        .where(
            Asset.register == Register.OPERATING,
            or_(Asset.status.not_in(OFF_BOOKS_VALUES), Asset.disposed_on >= start),
            or_(Asset.build_year.is_(None), Asset.build_year <= year),
        )
    )  # fmt: off
    if within:
        query = query.where(asset_within(within))
    with db.reading() as session:
        visible = read_scope(session, actor, within, action=Action.AWARDS)
        if visible is not None and not within:
            query = query.where(ASSET_PLACE.in_(sorted(visible)))
        names = dict(session.execute(select(Region.code, Region.name)).all())
        fetched = [dict(r._mapping) for r in session.execute(query)]
    rows = []
    for r in fetched:
        value, revenue, costs, prev = r["current_value"], r["revenue"], r["costs"], r["prev_revenue"]
        yield_pct = _pct(revenue, value)
        rows.append(
            AssetPerformance(
                r["asset_id"], r["name"], r["category"],
                names.get(r["village_code"] or r["township_code"] or r["county_code"], r["county_code"]),
                r["county_code"], r["operator"], r["operating_mode"], r["status"], value, revenue, costs,
                revenue - costs, yield_pct, prev, r["prev_costs"], _pct(prev, value), _pct(revenue - prev, prev),
                trend(revenue, prev),
                yield_pct is not None and yield_pct >= min_yield and revenue >= prev and revenue >= costs,
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (r.yield_pct is None, -(r.yield_pct or 0), r.asset_id))
    return rows
