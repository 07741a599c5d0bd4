"""Performance indicators of every county, township or village for a year, aggregated inside the database.

Each built-in computation is one or two GROUP BY queries over the registers and the books (money sums stay integer
fen in the database); Python only divides one numerator by one denominator per unit. A unit for which an
indicator cannot be computed (nothing to measure) gets a Measure with value None and the reason — never a zero.

What "at year end" means: assets not disposed of by then (or disposed of later) and built by then; confirmation,
handover and custody by their recorded dates. Idle/loss-making findings come from services.governance.scan, which
reads the register's current status (an asset marked idle today is idle in a past year's scan too).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from assetledger.domain.access import Action
from assetledger.domain.awards import COMPUTATIONS, Measure
from assetledger.domain.enums import OFF_BOOKS_VALUES, PLACE_LEVELS, Register
from assetledger.domain.governance import FlaggedAsset, GovernancePolicy
from assetledger.domain.indicator_causes import Cause
from assetledger.services.access import read_scope
from assetledger.services.contract_indicators import contract_coverage, rent_collection
from assetledger.services.governance import scan_in
from assetledger.services.supervision_indicators import handover_rate, idle_share, loss_share, rectification_completion
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution
from assetledger.store.governance_models import GovernanceDecision
from assetledger.store.journal_models import Account, Entity, Entry, PostingRow
from assetledger.store.models import Asset, CustodianAssignment, Region
from assetledger.store.side_by_side import run_side_by_side
from assetledger.store.types import Money

ZERO = Decimal("0.00")
ZERO_FEN = literal(ZERO, Money)
NOT_REVENUE = ("disposal", "inventory")  # gains on disposal or inventory surpluses are not what an asset earns
RESTRICTED = "Assets:RestrictedBank"


@dataclass(frozen=True)
class Request:
    """One indicator to compute: its code in the policy, the built-in computation and its parameters."""

    code: str
    compute: str
    params: Mapping[str, int]


@dataclass(frozen=True)
class Year:
    year: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)


def units(session: Session, level: str, prefix: str | None, exclude: frozenset[str]) -> list[tuple[str, str]]:
    """(code, name) of every region of the level in scope, by code."""
    query = select(Region.code, Region.name).where(Region.level == level).order_by(Region.code)
    if prefix:
        query = query.where(Region.code.like(f"{prefix}%"))
    return [(c, n) for c, n in session.execute(query) if c not in exclude]


def asset_unit(level: str) -> Any:
    return {"county": Asset.county_code, "township": Asset.township_code, "village": Asset.village_code}[level]


def entity_unit(level: str, place: Any) -> Any:
    """The unit an entity's books belong to; `place` is Region joined on the entity's region code."""
    if level == "county":
        return Entity.county_code
    if level == "township":
        return case((Entity.kind == "township", Entity.region_code), (Entity.kind == "village", place.parent_code))
    return case((Entity.kind == "village", Entity.region_code))


def active_at_end(y: Year) -> Any:
    return and_(
        or_(Asset.status.not_in(OFF_BOOKS_VALUES), Asset.disposed_on > y.end),
        or_(Asset.build_year.is_(None), Asset.build_year <= y.year),
    )


def _ratios(rows: Any, reason: Cause) -> dict[str, Measure]:
    return {unit: Measure.ratio(num or 0, den or 0, reason) for unit, num, den in rows if unit is not None}


# --- the built-in computations --------------------------------------------------------------------------------


def ownership_confirmed(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    unit = asset_unit(level)
    confirmed = and_(Asset.owner_kind.is_not(None), or_(Asset.confirmed_on.is_(None), Asset.confirmed_on <= y.end))
    rows = session.execute(
        select(unit, func.sum(case((confirmed, Asset.current_value), else_=ZERO_FEN)), func.sum(Asset.current_value))
        .where(active_at_end(y))
        .group_by(unit)
    )
    return _ratios(rows, Cause.NO_ASSET_VALUE)


def custodian_coverage(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    unit = asset_unit(level)
    first = (
        select(CustodianAssignment.asset_id, func.min(CustodianAssignment.start_on).label("since"))
        .group_by(CustodianAssignment.asset_id)
        .subquery()
    )
    rows = session.execute(
        select(unit, func.sum(case((first.c.since <= y.end, 1), else_=0)), func.count())
        .select_from(Asset)
        .outerjoin(first, first.c.asset_id == Asset.asset_id)
        .where(
            active_at_end(y),
            Asset.register.in_([Register.PUBLIC_BENEFIT, Register.OPERATING]),
            Asset.handed_over_on <= y.end,
        )
        .group_by(unit)
    )
    return _ratios(rows, Cause.NONE_HANDED_OVER)


def revenue_by_asset(start: dt.date, end: dt.date, register: Register = Register.OPERATING) -> Any:
    """Subquery: asset_id, revenue (income booked against the asset in the period, in any entity's books), for the
    assets of one register. The entries are reached through the (asset, date) index from the register's assets, so
    the query reads only their entries of the period, never the whole journal."""
    assets = select(Asset.asset_id).where(Asset.register == register.value)
    return (
        select(Entry.asset_id.label("asset_id"), func.sum(-PostingRow.amount).label("revenue"))
        .select_from(Entry)
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(
            Entry.asset_id.in_(assets),
            Entry.date.between(start, end),
            Entry.kind.not_in(NOT_REVENUE),
            Account.name.like("Income:%"),
        )
        .group_by(Entry.asset_id)
        .subquery()
    )


def operating_yield(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    unit = asset_unit(level)
    revenue = revenue_by_asset(y.start, y.end)
    rows = session.execute(
        select(unit, func.sum(func.coalesce(revenue.c.revenue, ZERO_FEN)), func.sum(Asset.current_value))
        .select_from(Asset)
        .outerjoin(revenue, revenue.c.asset_id == Asset.asset_id)
        .where(
            Asset.register == Register.OPERATING,
            or_(Asset.status.not_in(OFF_BOOKS_VALUES), Asset.disposed_on >= y.start),
            or_(Asset.build_year.is_(None), Asset.build_year <= y.year),
        )
        .group_by(unit)
    )
    return _ratios(rows, Cause.NO_OPERATING_VALUE)


def distributed_share(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    village = aliased(Region)
    dist_unit = {"county": village.county_code, "township": village.parent_code, "village": village.code}[level]
    distributed = dict(
        session.execute(
            select(dist_unit, func.sum(Distribution.revenue))
            .select_from(Distribution)
            .join(village, village.code == Distribution.village_code)
            .where(Distribution.period_end.between(y.start, y.end))
            .group_by(dist_unit)
        ).all()
    )
    place = aliased(Region)
    unit = entity_unit(level, place)
    villages = select(Entity.code).where(Entity.kind == "village")
    # Driven from the villages' income accounts through the postings' account index: a village's books hold many
    # more maintenance entries than income, and those are never read.
    income_accounts = select(Account.id).where(Account.name.like("Income:%"), Account.entity_code.in_(villages))
    income = session.execute(
        select(unit, func.sum(-PostingRow.amount))
        .select_from(PostingRow)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .join(Entity, Entity.code == Entry.entity_code)
        .join(place, place.code == Entity.region_code)
        .where(
            PostingRow.account_id.in_(income_accounts),
            Entry.date.between(y.start, y.end),
            Entry.asset_id.is_not(None),
            Entry.kind.not_in(NOT_REVENUE),
        )
        .group_by(unit)
    )
    reason = Cause.NO_ASSET_INCOME
    out = {u: Measure.ratio(distributed.get(u) or ZERO, total or ZERO, reason) for u, total in income if u}
    return out


def restricted_accounts() -> Any:
    """Ids of every entity's restricted-money account: the postings are reached through their account index."""
    return select(Account.id).where(Account.name == RESTRICTED)


def proceeds_reused(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    place = aliased(Region)
    unit = entity_unit(level, place)
    rows = session.execute(
        select(
            unit,
            func.sum(case((PostingRow.amount < 0, -PostingRow.amount), else_=ZERO_FEN)),
            func.sum(case((PostingRow.amount > 0, PostingRow.amount), else_=ZERO_FEN)),
        )
        .select_from(PostingRow)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .join(Entity, Entity.code == Entry.entity_code)
        .join(place, place.code == Entity.region_code)
        .where(PostingRow.account_id.in_(restricted_accounts()), Entry.date <= y.end)
        .group_by(unit)
    )
    return _ratios(rows, Cause.NO_PROCEEDS)


def scan_key(params: Mapping[str, int]) -> tuple[int, int] | None:
    """The (idle, loss) months an award policy sets for a scan-based indicator, or None when it sets neither: the
    scan then judges each asset by the governance policy stored for its region. Requests with the same key share
    one scan."""
    if "idle_months" not in params and "loss_months" not in params:
        return None
    default = GovernancePolicy()
    return params.get("idle_months", default.idle_months), params.get("loss_months", default.loss_months)


def idle_loss_share(session: Session, y: Year, level: str, found: Sequence[FlaggedAsset]) -> dict[str, Measure]:
    unit = asset_unit(level)
    flagged: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in found:
        code = r.code_at(level)
        if code:
            flagged[code] += r.book_value
    totals = session.execute(select(unit, func.sum(Asset.current_value)).where(active_at_end(y)).group_by(unit))
    return {u: Measure.ratio(flagged.get(u, ZERO), v or ZERO, Cause.NO_ASSET_VALUE) for u, v in totals if u}


def governance_progress(session: Session, y: Year, level: str, found: Sequence[FlaggedAsset]) -> dict[str, Measure]:
    """Assets with a governance decision in the year / assets found (still flagged at year end, or decided)."""
    unit = asset_unit(level)
    flagged: dict[str, set[str]] = defaultdict(set)
    for r in found:
        code = r.code_at(level)
        if code:
            flagged[code].add(r.asset_id)
    decided: dict[str, set[str]] = defaultdict(set)
    for u, asset_id in session.execute(
        select(unit, GovernanceDecision.asset_id)
        .join(Asset, Asset.asset_id == GovernanceDecision.asset_id)
        .where(GovernanceDecision.decided_on.between(y.start, y.end))
        .distinct()
    ):
        if u:
            decided[u].add(asset_id)
    out: dict[str, Measure] = {}
    for u in set(flagged) | set(decided):
        out[u] = Measure.ratio(len(decided[u]), len(flagged[u] | decided[u]), Cause.NONE_FLAGGED)
    return out


def inventory_completion(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    """Assets counted / assets selected in the year's inventories (清查), from the inventory reports' typed rows
    (services/inventory_reports.py), for the level asked only."""
    from assetledger.services.inventory_reports import inventory_completion as completion_rows  # its own imports

    place = next((p for p in PLACE_LEVELS if p.value == level), None)
    if place is None:
        return {}
    return {
        row.region_code: Measure.ratio(row.counted, row.items, Cause.NONE_SELECTED)
        for row in completion_rows(session, y.year, levels=(place,))
        if row.region_code
    }


Computation = Callable[[Session, Year, str, Mapping[str, int]], Any]
SQL_COMPUTATIONS: dict[str, Computation] = {
    "ownership_confirmed": ownership_confirmed,
    "custodian_coverage": custodian_coverage,
    "operating_yield": operating_yield,
    "distributed_share": distributed_share,
    "proceeds_reused": proceeds_reused,
    "inventory_completion": inventory_completion,
    "contract_coverage": contract_coverage,
    "rent_collection": rent_collection,
    "handover_rate": handover_rate,
    "rectification_completion": rectification_completion,
}
SCAN_COMPUTATIONS = {"idle_loss_share": idle_loss_share, "governance_progress": governance_progress,
                     "idle_share": idle_share, "loss_share": loss_share}  # fmt: skip
assert set(SQL_COMPUTATIONS) | set(SCAN_COMPUTATIONS) == set(COMPUTATIONS)


@dataclass(frozen=True)
class IndicatorTable:
    year: int
    level: str
    units: list[tuple[str, str]]  # (code, name) of the units the reader may see
    measures: dict[str, dict[str, Measure]]  # unit code -> indicator code -> measure
    hidden: int = 0  # units of the level outside the reader's scope: counted, never named or measured


# The heaviest first, so that side by side the last to finish is not a long one started late.
HEAVY_FIRST = ("scan", "distributed_share", "operating_yield", "proceeds_reused", "custodian_coverage")


def compute(
    db: Database,
    actor: str,
    year: int,
    level: str,
    requests: Sequence[Request],
    *,
    prefix: str | None = None,
    exclude: frozenset[str] = frozenset(),
    workers: int | None = None,
    action: Action | None = None,
) -> IndicatorTable:
    """Every requested indicator for every unit of the level that `actor` may read (the others are only counted, in
    `hidden`; `action` names the records read, e.g. awards, for roles that may not read them); units without data
    get the reason.

    The indicators are independent aggregations: they run side by side on `workers` connections (default: one
    per core, at most four) that share one snapshot, so the table is as consistent as one transaction's."""
    return compute_years(db, actor, [year], level, requests, prefix=prefix, exclude=exclude, workers=workers,
                         action=action)[0]  # fmt: skip


def compute_years(
    db: Database,
    actor: str,
    years: Sequence[int],
    level: str,
    requests: Sequence[Request],
    *,
    prefix: str | None = None,
    exclude: frozenset[str] = frozenset(),
    workers: int | None = None,
    action: Action | None = None,
) -> list[IndicatorTable]:
    """`compute` for each of several years (in the order given), from one snapshot: the units are listed once
    and every year's aggregations share the connections, so the years add up as one transaction's would."""
    with db.reading() as session:
        visible = read_scope(session, actor, action=action)
    # Keys: ("units",), (year, "scan", (idle, loss)) answering every scan-based indicator of that pair, and
    # (year, "indicator", code, computation) for the others.
    tasks: list[tuple[tuple[Any, ...], Callable[[Session], Any]]] = [
        (("units",), lambda s: units(s, level, prefix, exclude))
    ]
    for year in dict.fromkeys(years):
        y = Year(year)
        for pair in dict.fromkeys(scan_key(r.params) for r in requests if r.compute in SCAN_COMPUTATIONS):
            wanted = [r for r in requests if r.compute in SCAN_COMPUTATIONS and scan_key(r.params) == pair]
            tasks.append(((year, "scan", pair), _scan_task(y, level, pair, wanted)))
        for r in requests:
            if r.compute in SQL_COMPUTATIONS:
                tasks.append(((year, "indicator", r.code, r.compute), _sql_task(y, level, r)))
    tasks.sort(key=lambda task: _weight(task[0] if task[0] == ("units",) else task[0][1:]))
    done: dict[tuple[Any, ...], Any] = run_side_by_side(db, tasks, workers)
    every: list[tuple[str, str]] = done.pop(("units",))
    listed = [(code, name) for code, name in every if visible is None or code in visible]
    return [_table(year, level, requests, listed, len(every) - len(listed),
                   {k[1:]: v for k, v in done.items() if k[0] == year})
            for year in years]  # fmt: skip


DEFAULT_CAUSES: dict[str, Cause] = {  # a unit a computation has no measure for
    "ownership_confirmed": Cause.NO_ASSET_VALUE,
    "custodian_coverage": Cause.NONE_HANDED_OVER,
    "operating_yield": Cause.NO_OPERATING_ASSETS,
    "distributed_share": Cause.NO_ASSET_INCOME,
    "idle_loss_share": Cause.NO_ASSET_VALUE,
    "governance_progress": Cause.NONE_FLAGGED,
    "proceeds_reused": Cause.NO_PROCEEDS,
    "inventory_completion": Cause.NO_INVENTORY,
    "contract_coverage": Cause.NO_OPERATING_ASSET,
    "rent_collection": Cause.NO_RENT_DUE,
    "handover_rate": Cause.NO_CUSTODY_VALUE,
    "idle_share": Cause.NO_ASSET_VALUE,
    "loss_share": Cause.NO_ASSET_VALUE,
    "rectification_completion": Cause.NO_CASE,
}


def _table(year: int, level: str, requests: Sequence[Request], listed: list[tuple[str, str]], hidden: int,
           done: dict[tuple[Any, ...], Any]) -> IndicatorTable:  # fmt: skip
    by_indicator: dict[str, dict[str, Measure]] = {}
    for key, got in done.items():
        if key[0] == "scan":
            by_indicator.update(got)
        else:
            by_indicator[key[1]] = got
    measures: dict[str, dict[str, Measure]] = {}
    for code, _ in listed:
        row: dict[str, Measure] = {}
        for r in requests:
            row[r.code] = by_indicator[r.code].get(code) or Measure.missing(DEFAULT_CAUSES[r.compute])
        measures[code] = row
    return IndicatorTable(year, level, listed, measures, hidden)


def _weight(key: tuple[Any, ...]) -> int:
    name = key[0] if key[0] != "indicator" else key[2]
    return HEAVY_FIRST.index(name) if name in HEAVY_FIRST else len(HEAVY_FIRST)


def _sql_task(y: Year, level: str, r: Request) -> Callable[[Session], Any]:
    return lambda session: SQL_COMPUTATIONS[r.compute](session, y, level, r.params)


def _scan_task(y: Year, level: str, key: tuple[int, int] | None, wanted: Sequence[Request]) -> Callable[[Session], Any]:
    """One governance scan at year end and every indicator that reads it, by indicator code."""

    def task(session: Session) -> dict[str, dict[str, Measure]]:
        found = scan_in(session, y.end, thresholds=None if key is None else GovernancePolicy(*key))
        return {r.code: SCAN_COMPUTATIONS[r.compute](session, y, level, found) for r in wanted}

    return task
