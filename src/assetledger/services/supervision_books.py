"""The supervision rules on the books, the distributions and the inventories (services/supervision.py runs them):
books_not_closed, undistributed (with revenue booked late into a distributed month), unpaid and
inventory_unsettled, each with its evidence (entries, distributions, closes, counts) and the dates of record its
clock runs from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from assetledger.domain.distribution import Period
from assetledger.domain.journal import EntityKind
from assetledger.domain.supervision import RuleKind, SupervisionWarning, fires_after, month_end, required_close
from assetledger.services.distribution import books_total, recorded_rule
from assetledger.services.household_dues import Due, dues, overpaid_after_dues
from assetledger.services.places import Places
from assetledger.store.distribution_models import Distribution, DistributionLine, DistributionReversal, Payout
from assetledger.store.inventory_models import Inventory, InventoryClose, InventoryCount
from assetledger.store.journal_models import Account, Entity, Entry, PeriodClose, PostingRow

ZERO = Decimal("0.00")
DIFFERENCES = ("missing", "damaged")  # 盘亏, 毁损; a surplus (盘盈) row has no asset
SHOWN_MONTHS = 6


def _village_entities(session: Session, places: Places) -> list[Any]:
    rows = session.execute(
        select(Entity.code, Entity.name, Entity.region_code, Entity.books_start)
        .where(Entity.kind == EntityKind.VILLAGE)
        .order_by(Entity.code)
    )
    return [r for r in rows if places.within(r.region_code)]


def books_not_closed(session: Session, as_of: dt.date, days: int, places: Places
                      ) -> list[SupervisionWarning]:  # fmt: skip
    month = required_close(as_of, days)
    entities = [e for e in _village_entities(session, places) if e.books_start <= month]
    closes = dict(
        session.execute(
            select(PeriodClose.entity_code, func.max(PeriodClose.through))
            .where(PeriodClose.through <= as_of)
            .group_by(PeriodClose.entity_code)
        ).all()
    )
    out = []
    for e in entities:
        through = closes.get(e.code)
        if through is not None and through >= month:
            continue
        county, township, village = places.place(e.region_code)
        done = f"已结账至 {through} closed through {through}" if through else "从未结账 never closed"
        evidence = (f"{done}；{month:%Y-%m} 应于 {month + dt.timedelta(days=days)} 前结账 the books of {month:%Y-%m} "
                    f"were due to be closed by {month + dt.timedelta(days=days)}")  # fmt: skip
        out.append(SupervisionWarning(RuleKind.BOOKS_NOT_CLOSED, e.code, e.name, county, township, village, month,
                                      month + dt.timedelta(days=days), evidence, ()))  # fmt: skip
    return out


def undistributed(session: Session, as_of: dt.date, days: int, places: Places
                   ) -> list[SupervisionWarning]:  # fmt: skip
    last = required_close(as_of, days)  # the latest month end more than `days` days past
    entities = {e.code: e for e in _village_entities(session, places)}
    if not entities:
        return []
    year, month = func.extract("year", Entry.date), func.extract("month", Entry.date)
    rows = session.execute(
        select(Entry.entity_code, year, month, -func.sum(PostingRow.amount), func.count(func.distinct(Entry.id)))
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .join(Entity, Entity.code == Entry.entity_code)
        .where(
            Entity.kind == EntityKind.VILLAGE,
            Entry.asset_id.is_not(None),
            Account.name.like("Income:%"),
            Entry.date <= last,
        )
        .group_by(Entry.entity_code, year, month)
    ).all()
    standing = session.execute(
        select(Distribution.village_code, Distribution.period_start, Distribution.period_end)
        .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .where(DistributionReversal.id.is_(None))
    ).all()
    covered: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for village_code, start, end in standing:
        covered.setdefault(village_code, []).append((start, end))
    open_months: dict[str, list[tuple[dt.date, Decimal, int]]] = {}
    for code, y, m, revenue, entries in rows:
        e = entities.get(code)
        first = dt.date(int(y), int(m), 1)
        if e is None or revenue is None or revenue <= ZERO:
            continue
        if any(start <= first <= end for start, end in covered.get(e.region_code, [])):
            continue
        open_months.setdefault(code, []).append((first, revenue, entries))
    out = _late_revenue(session, as_of, places)
    for code, months in sorted(open_months.items()):
        months.sort()
        e = entities[code]
        since = month_end(months[0][0])
        due = fires_after(since, days, as_of)
        if due is None:
            continue
        total = sum((r for _, r, _ in months), ZERO)
        shown = "、".join(f"{m:%Y-%m} {r:,.2f}" for m, r, _ in months[:SHOWN_MONTHS])
        more = f" 等 {len(months)} 个月 ({len(months)} months)" if len(months) > SHOWN_MONTHS else ""
        evidence = (f"资产收益 {total:,.2f} 元未分配（{shown}{more}），最早应于 {due} 前分配 asset revenue not "
                    f"distributed, the earliest due by {due}")  # fmt: skip
        refs = tuple(f"{m:%Y-%m}: {n} 笔分录 entries" for m, _, n in months[:SHOWN_MONTHS])
        county, township, village = places.place(e.region_code)
        out.append(SupervisionWarning(RuleKind.UNDISTRIBUTED, code, e.name, county, township, village, since, due,
                                      evidence, refs))  # fmt: skip
    return out


def _late_revenue(session: Session, as_of: dt.date, places: Places) -> list[SupervisionWarning]:
    """Standing distributions (made by `as_of`) whose months' asset revenue in the books is no longer what they
    shared: candidates are those with asset entries of their months posted after them (after their own entry; for one
    that shared nothing, recorded since it was), in one query; each is then compared by its own rule (assets, base)
    to what it recorded."""
    found = session.execute(
        select(Distribution.id, Entry.id)
        .join(Entity, and_(Entity.region_code == Distribution.village_code, Entity.kind == EntityKind.VILLAGE))
        .join(Entry, and_(Entry.entity_code == Entity.code, Entry.asset_id.is_not(None),
                          Entry.date >= Distribution.period_start, Entry.date <= Distribution.period_end,
                          or_(Entry.id > Distribution.entry_id,  # posted after the distribution's own entry
                              and_(Distribution.entry_id.is_(None), Entry.recorded_at >= Distribution.recorded_at))))
        .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .where(DistributionReversal.id.is_(None), Distribution.distributed_on <= as_of)
        .order_by(Distribution.id, Entry.id)
    ).all()  # fmt: skip
    late: dict[int, list[int]] = {}
    for number, entry_id in found:
        late.setdefault(number, []).append(entry_id)
    out = []
    for number, entries in late.items():
        dist = session.get(Distribution, number)
        assert dist is not None
        if not places.within(dist.village_code):
            continue
        rule = recorded_rule(session, dist)
        period = Period(dist.period_start, dist.period_end, dist.period)
        now_total = books_total(session, dist.village_code, period, rule)[2]
        if now_total == dist.total:
            continue
        change = now_total - dist.total
        evidence = (f"{dist.period} 分配（第 {number} 号，{dist.distributed_on}）后账面收益变动："
                    f"已分配 {dist.total:,.2f}，账面现为 {now_total:,.2f}，差额 {change:,.2f} 未分配；"
                    f"须冲销原分配后重新分配 (revenue booked into {dist.period} after it was distributed: "
                    f"{dist.total:,.2f} shared, the books now hold {now_total:,.2f}; reverse the distribution and "
                    f"distribute again)")  # fmt: skip
        refs = (f"分配 distribution #{number}", *(f"分录 entry #{e}" for e in entries[:SHOWN_MONTHS]))
        county, township, village = places.place(dist.village_code)
        out.append(SupervisionWarning(RuleKind.UNDISTRIBUTED, str(number),
                                      f"{places.name(dist.village_code)} {dist.period}", county, township, village,
                                      dist.distributed_on, dist.distributed_on, evidence, refs))  # fmt: skip
    return out


def unpaid(session: Session, as_of: dt.date, days: int, places: Places
            ) -> list[SupervisionWarning]:  # fmt: skip
    """Standing distributions with household shares still to be paid from the bank: a share wholly set against what
    the household was paid beyond a corrected distribution is owed nothing more (services/household_dues.py)."""
    villages = session.scalars(
        select(Distribution.village_code)
        .join(DistributionLine, DistributionLine.distribution_id == Distribution.id)
        .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .outerjoin(Payout, and_(Payout.distribution_id == Distribution.id,
                                Payout.household_id == DistributionLine.household_id))
        .where(DistributionLine.household_id.is_not(None), DistributionLine.amount > 0,
               DistributionReversal.id.is_(None), Payout.id.is_(None), Distribution.distributed_on <= as_of)
        .distinct()
    ).all()  # fmt: skip
    owed: dict[int, list[Due]] = {}
    for code in sorted(v for v in villages if places.within(v)):
        for share in dues(session, code):
            if share.cash:
                owed.setdefault(share.distribution_id, []).append(share)
    out = []
    shown = select(Distribution).where(Distribution.id.in_(owed), Distribution.distributed_on <= as_of)
    for dist in session.scalars(shown.order_by(Distribution.id)):
        due = fires_after(dist.distributed_on, days, as_of)
        if due is None:
            continue
        households = len(owed[dist.id])
        amount = sum((d.cash for d in owed[dist.id]), ZERO)
        county, township, village = places.place(dist.village_code)
        evidence = (f"{dist.period} 收益分配（{dist.distributed_on}）应付 {households} 户 {amount:,.2f} 元未兑付 "
                    f"{households} household share(s) of the {dist.period} distribution of {dist.distributed_on} "
                    "not paid")  # fmt: skip
        refs = ((f"分配 distribution #{dist.id}", f"分录 entry #{dist.entry_id}") if dist.entry_id
                else (f"分配 #{dist.id}",))  # fmt: skip
        out.append(SupervisionWarning(RuleKind.UNPAID, str(dist.id), f"{places.name(dist.village_code)} {dist.period}",
                                      county, township, village, dist.distributed_on, due, evidence, refs))  # fmt: skip
    return out


def overpaid(session: Session, as_of: dt.date, days: int, places: Places
             ) -> list[SupervisionWarning]:  # fmt: skip
    """One warning per village whose households were paid beyond their standing shares (a paid distribution taken
    back to correct it) and still hold some of it once their unpaid shares are set against it, `days` after the
    latest such correction: a household that left gets no later share, and the village must decide how to recover
    it. Counts and totals only: the households are named on the notice and in the books, not in a warning."""
    corrections = session.execute(
        select(Distribution.village_code, func.max(DistributionReversal.reversed_on))
        .join(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .join(Payout, Payout.distribution_id == Distribution.id)
        .where(DistributionReversal.reversed_on <= as_of)
        .group_by(Distribution.village_code)
        .order_by(Distribution.village_code)
    ).all()  # fmt: skip
    out = []
    for code, since in corrections:
        if not places.within(code):
            continue
        due = fires_after(since, days, as_of)
        if due is None:
            continue
        left = overpaid_after_dues(session, code)
        if not left:
            continue
        amount = sum(left.values(), ZERO)
        county, township, village = places.place(code)
        evidence = (f"{len(left)} 户多发 {amount:,.2f} 元（{since} 冲销已发放的分配所致）尚未在以后的分配中抵减 "
                    f"{len(left)} household(s) still hold {amount:,.2f} yuan paid beyond their shares since a paid "
                    f"distribution was taken back on {since}, not yet set against later shares")  # fmt: skip
        out.append(SupervisionWarning(RuleKind.OVERPAID, code, places.name(code), county, township, village, since,
                                      due, evidence, ()))  # fmt: skip
    return out


def inventory_unsettled(session: Session, as_of: dt.date, days: int, places: Places
                         ) -> list[SupervisionWarning]:  # fmt: skip
    item = func.coalesce(InventoryCount.asset_id, InventoryCount.surplus_key)
    latest = (
        select(func.max(InventoryCount.id).label("id"))
        .join(Inventory, Inventory.id == InventoryCount.inventory_id)
        .outerjoin(InventoryClose, InventoryClose.inventory_id == Inventory.id)
        .where(InventoryClose.id.is_(None), InventoryCount.counted_on <= as_of)
        .group_by(InventoryCount.inventory_id, item)
    )
    rows = session.execute(
        select(InventoryCount.inventory_id, InventoryCount.place_code, InventoryCount.result,
               InventoryCount.surplus_key, InventoryCount.counted_on, InventoryCount.asset_id)
        .where(InventoryCount.id.in_(latest),
               or_(InventoryCount.result.in_(DIFFERENCES), InventoryCount.surplus_key.is_not(None)))
    ).all()  # fmt: skip
    by_inventory: dict[int, list[Any]] = {}
    for r in rows:
        if places.within(r.place_code):
            by_inventory.setdefault(r.inventory_id, []).append(r)
    out = []
    for number, found in sorted(by_inventory.items()):
        inventory = session.get(Inventory, number)
        assert inventory is not None
        since = max(r.counted_on for r in found)
        due = fires_after(since, days, as_of)
        if due is None:
            continue
        missing = sum(1 for r in found if r.surplus_key is None and r.result == "missing")
        damaged = sum(1 for r in found if r.surplus_key is None and r.result == "damaged")
        surplus = sum(1 for r in found if r.surplus_key is not None)
        evidence = (f"{inventory.year} 年度清查（{inventory.scope_code}）盘亏 {missing}、毁损 {damaged}、"
                    f"盘盈 {surplus}，最后清查 {since}，未经批准处理 not closed: {missing} missing, "
                    f"{damaged} damaged, {surplus} surplus")  # fmt: skip
        refs = tuple(sorted({r.asset_id for r in found if r.asset_id}))[:SHOWN_MONTHS]
        county, township, village = places.place(inventory.scope_code)
        out.append(SupervisionWarning(RuleKind.INVENTORY_UNSETTLED, str(number),
                                      f"{inventory.year} 年度清查 {places.name(inventory.scope_code)}", county,
                                      township, village, since, due, evidence, refs))  # fmt: skip
    return out
