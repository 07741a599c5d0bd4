"""Supervision warnings (监管预警): the rules of ledgers/policy/supervision.toml, run as of a date in a reader's scope.

Each rule reads what already exists and names its evidence (asset, events, entries, closes, dates):
- unregistered_after_acceptance 验收后未登记: an asset accepted (`asset accept`, services/acceptance.py) that is not
  on the register N days after its acceptance (judged as of the as-of date: registered later is not registered yet);
- unconfirmed 已登记未确权: an asset on the register (not disposed of or written off) with no owner, N days after its
  own date (取得, 移交, 建设年度; the registration event's date), else the day it was registered;
- not_handed_over 已确权未移交: a confirmed public-benefit or operating asset not handed over N days after confirmation;
- no_custodian 未落实管护: a public-benefit or operating asset handed over without a custodian (DOMAIN rule 3);
- idle / loss_making 闲置 / 亏损: the governance scan (services/governance.py) with the governance policy;
- no_contract 经营无合同: the contract alerts no_contract and expired (services/contract_alerts.py, DOMAIN rule 20);
- books_not_closed 上月未结账: a village collective's books not closed through the last month end that is more than
  N days past (`ledger close`);
- undistributed 收益未按期分配: months whose asset revenue in a village's books no standing distribution covers, N
  days after the month's end; and, at once, a standing distribution whose months' revenue in the books changed after
  it was made (revenue booked late into a distributed month): only reversing it and distributing again shares it
  (DOMAIN rule 15), the books being open to what really happened (rule 16);
- unpaid 应付农户未兑付: household shares of a standing distribution without a payout N days after it;
- inventory_unsettled 清查差异未处理: an inventory not closed N days after its last shortage, damage or surplus count.
Warnings are judged on the register and books as they stand, against the as-of date: the clock of each rule runs
from the dates of record, never from the machine's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from assetledger.domain.booking import entry_date
from assetledger.domain.contracts import AlertKind
from assetledger.domain.distribution import Period
from assetledger.domain.enums import OFF_BOOKS_VALUES, Register
from assetledger.domain.governance import GovernancePolicy, months_before
from assetledger.domain.supervision import (
    RuleKind,
    SupervisionPolicy,
    SupervisionWarning,
    fires_after,
    month_end,
    required_close,
)
from assetledger.services.contract_alerts import contract_alerts_in
from assetledger.services.contracts import reading_scope
from assetledger.services.distribution import books_total, recorded_rule
from assetledger.services.governance import scan_in
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, DistributionLine, DistributionReversal, Payout
from assetledger.store.inventory_models import Inventory, InventoryClose, InventoryCount
from assetledger.store.journal_models import Account, Entity, Entry, PeriodClose, PostingRow
from assetledger.store.models import Asset, AssetEvent, Region
from assetledger.store.publication_models import AssetAcceptance
from assetledger.store.region_tree import asset_within

ZERO = Decimal("0.00")
NEEDS_CUSTODY = (Register.PUBLIC_BENEFIT.value, Register.OPERATING.value)
DIFFERENCES = ("missing", "damaged")  # 盘亏, 毁损; a surplus (盘盈) row has no asset
SHOWN_MONTHS = 6


def warnings(
    db: Database,
    actor: str,
    as_of: dt.date,
    policy: SupervisionPolicy,
    governance: GovernancePolicy | None = None,
    region: str | None = None,
    rules: Iterable[RuleKind] | None = None,
) -> list[SupervisionWarning]:
    """The warnings as of a date in a region (default: the reader's whole scope), by rule and place."""
    with db.reading() as session:
        scope = reading_scope(session, actor, region)
        return warnings_in(session, as_of, policy, governance or GovernancePolicy(), scope, rules)


def warnings_in(
    session: Session,
    as_of: dt.date,
    policy: SupervisionPolicy,
    governance: GovernancePolicy,
    region: str | None,
    rules: Iterable[RuleKind] | None = None,
) -> list[SupervisionWarning]:
    wanted = set(rules) if rules is not None else set(RuleKind)
    places = Places(session, region)
    found: list[SupervisionWarning] = []
    for kind in policy.enabled():
        if kind not in wanted:
            continue
        days = policy.setting(kind).days
        found += RULES[kind](session, as_of, days, places, governance)
    order = list(RuleKind)
    found.sort(key=lambda w: (order.index(w.rule), w.county_code, w.township_code or "", w.village_code or "",
                              w.subject))  # fmt: skip
    return found


class Places:
    """The reader's region (None: everything) and the place (county, township, village) of a region code."""

    def __init__(self, session: Session, region: str | None) -> None:
        self.session, self.region = session, region
        self._levels: dict[str, tuple[str, str | None]] = {}
        self._below: set[str] | None = None
        self._parts: list[str | None] | None = None

    def parts(self) -> list[str | None]:
        """The regions to ask region-filtered readers (the scan, the contract alerts) for: the region itself, or
        the counties of a city (市/州/盟) — assets carry their county's code, never their city's."""
        if self.region is None:
            return [None]
        if self._parts is None:
            level = self.session.scalar(select(Region.level).where(Region.code == self.region))
            self._parts = [self.region]
            if level == "city":
                self._parts = list(self.session.scalars(
                    select(Region.code).where(Region.parent_code == self.region).order_by(Region.code)))  # fmt: skip
        return list(self._parts)

    def asset_filter(self) -> list[Any]:
        return [] if self.region is None else [asset_within(self.region)]

    def below(self) -> set[str] | None:
        """Every region code within the reader's region (itself included), or None for everything."""
        if self.region is None:
            return None
        if self._below is None:
            children: dict[str | None, list[str]] = {}
            for code, parent in self.session.execute(select(Region.code, Region.parent_code)):
                children.setdefault(parent, []).append(code)
            seen, todo = set(), [self.region]
            while todo:
                code = todo.pop()
                if code not in seen:
                    seen.add(code)
                    todo.extend(children.get(code, []))
            self._below = seen
        return self._below

    def within(self, code: str) -> bool:
        below = self.below()
        return below is None or code in below

    def place(self, code: str) -> tuple[str, str | None, str | None]:
        """(county, township, village) of a region code, by walking up its parents."""
        found: dict[str, str] = {}
        current: str | None = code
        while current is not None and current not in found.values():
            if current not in self._levels:
                row = self.session.execute(select(Region.level, Region.parent_code).where(Region.code == current)).one()
                self._levels[current] = (row.level, row.parent_code)
            level, parent = self._levels[current]
            found.setdefault(level, current)
            current = parent
        return found.get("county", code), found.get("township"), found.get("village")

    def name(self, code: str) -> str:
        return self.session.scalar(select(Region.name).where(Region.code == code)) or code


# --- the register ------------------------------------------------------------------------------------------------


def _asset_rows(session: Session, places: Places, *conditions: Any) -> list[Any]:
    query = (
        select(Asset.asset_id, Asset.name, Asset.county_code, Asset.township_code, Asset.village_code,
               Asset.acquired_on, Asset.handed_over_on, Asset.confirmed_on, Asset.build_year, Asset.registered_at,
               Asset.owner_name, Asset.custodian)
        .where(Asset.status.not_in(OFF_BOOKS_VALUES), *places.asset_filter(), *conditions)
        .order_by(Asset.asset_id)
    )  # fmt: skip
    return list(session.execute(query))


EVENT_LABELS = {
    "registered": "登记事件 registration event",
    "ownership_confirmed": "确权事件 confirmation event",
    "handed_over": "移交事件 handover event",
    "custodian_assigned": "管护事件 custody event",
}


def _event_refs(session: Session, asset_ids: Sequence[str], kinds: Sequence[str]) -> dict[str, str]:
    """The latest event of these kinds of each asset, named as evidence ("确权事件 confirmation event #12")."""
    latest: dict[str, int] = {}
    for start in range(0, len(asset_ids), 900):
        part = asset_ids[start : start + 900]
        rows = session.execute(
            select(AssetEvent.asset_id, func.max(AssetEvent.id))
            .where(AssetEvent.asset_id.in_(part), AssetEvent.kind.in_(kinds))
            .group_by(AssetEvent.asset_id)
        )
        latest.update((a, i) for a, i in rows)
    found: dict[str, str] = {}
    for start in range(0, len(latest), 900):
        ids = list(latest.values())[start : start + 900]
        for asset_id, number, kind in session.execute(
            select(AssetEvent.asset_id, AssetEvent.id, AssetEvent.kind).where(AssetEvent.id.in_(ids))
        ):
            found[asset_id] = f"{EVENT_LABELS.get(kind, kind)} #{number}"
    return found


def _own_date(row: Any) -> tuple[dt.date, str]:
    """The date an asset's own record starts from, and what it is (DOMAIN rule 16: never the machine's clock when
    the asset has a date of its own)."""
    on = entry_date(row.acquired_on, row.handed_over_on, row.confirmed_on, row.build_year)
    if row.acquired_on:
        return on or row.acquired_on, "取得日期 acquired"
    if row.handed_over_on:
        return on or row.handed_over_on, "移交日期 handed over"
    if on is not None:
        return on, f"建设年度 {row.build_year} 年末 end of build year"
    return row.registered_at.date(), "登记日 registered"


def _warning(rule: RuleKind, row: Any, since: dt.date, due: dt.date, evidence: str, refs: Sequence[str]
             ) -> SupervisionWarning:  # fmt: skip
    return SupervisionWarning(rule, row.asset_id, row.name, row.county_code, row.township_code, row.village_code,
                              since, due, evidence, tuple(refs))  # fmt: skip


def _unregistered(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
                  ) -> list[SupervisionWarning]:  # fmt: skip
    latest = select(func.max(AssetAcceptance.id)).group_by(AssetAcceptance.asset_id)  # a correction counts
    where: list[Any] = []
    if places.region is not None:
        codes = places.parts()
        if codes != [places.region]:  # a city: its counties
            where.append(AssetAcceptance.county_code.in_(codes))
        else:
            r = places.region
            where.append(or_(AssetAcceptance.county_code == r, AssetAcceptance.township_code == r,
                             AssetAcceptance.village_code == r))  # fmt: skip
    rows = session.execute(
        select(AssetAcceptance, Asset.registered_at)
        .outerjoin(Asset, Asset.asset_id == AssetAcceptance.asset_id)
        .where(AssetAcceptance.id.in_(latest), *where)
        .order_by(AssetAcceptance.asset_id)
    ).all()
    out = []
    for a, registered_at in rows:
        if registered_at is not None and registered_at.date() <= as_of:
            continue
        due = fires_after(a.accepted_on, days, as_of)
        if due is None:
            continue
        doc = f"（{a.document}）" if a.document else ""
        evidence = (f"{a.accepted_on} 竣工验收{doc}，截至 {as_of} 已 {(as_of - a.accepted_on).days} 天未登记入台账"
                    f"（限 {days} 天） accepted on {a.accepted_on}, not on the register {(as_of - a.accepted_on).days} "
                    f"days later (limit {days})")  # fmt: skip
        out.append(SupervisionWarning(RuleKind.UNREGISTERED, a.asset_id, a.name, a.county_code, a.township_code,
                                      a.village_code, a.accepted_on, due, evidence,
                                      (f"验收记录 acceptance #{a.id}",)))  # fmt: skip
    return out


def _overdue(
    session: Session,
    places: Places,
    rule: RuleKind,
    where: Sequence[Any],
    event_kinds: list[str],
    since_of: Callable[[Any], tuple[dt.date, str]],
    evidence_of: Callable[[Any, dt.date, str], str],
    days: int,
    as_of: dt.date,
) -> list[SupervisionWarning]:
    """The assets that match `where` and have waited more than `days` since the date `since_of` gives (with what
    happened then): one warning each, its evidence in words and the register events that prove the date."""
    rows = _asset_rows(session, places, *where)
    events = _event_refs(session, [r.asset_id for r in rows], event_kinds)
    out = []
    for r in rows:
        since, what = since_of(r)
        due = fires_after(since, days, as_of)
        if due is None:
            continue
        refs = [events[r.asset_id]] if r.asset_id in events else []
        out.append(_warning(rule, r, since, due, evidence_of(r, since, what), refs))
    return out


def _unconfirmed(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
                 ) -> list[SupervisionWarning]:  # fmt: skip
    def evidence(r: Any, since: dt.date, what: str) -> str:
        return (f"{what} {since}，截至 {as_of} 已 {(as_of - since).days} 天未确权（限 {days} 天） "
                f"not confirmed {(as_of - since).days} days after {since} (limit {days})")  # fmt: skip

    return _overdue(session, places, RuleKind.UNCONFIRMED, [Asset.owner_kind.is_(None)], ["registered"], _own_date,
                    evidence, days, as_of)  # fmt: skip


def _not_handed_over(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
                     ) -> list[SupervisionWarning]:  # fmt: skip
    def evidence(r: Any, since: dt.date, _: str) -> str:
        return (f"{since} 确权给 {r.owner_name}，截至 {as_of} 已 {(as_of - since).days} 天未移交"
                f"（限 {days} 天） confirmed on {since}, not handed over")  # fmt: skip

    where = [Asset.register.in_(NEEDS_CUSTODY), Asset.confirmed_on.is_not(None), Asset.handed_over_on.is_(None)]
    return _overdue(session, places, RuleKind.NOT_HANDED_OVER, where, ["registered", "ownership_confirmed"],
                    lambda r: (r.confirmed_on, ""), evidence, days, as_of)  # fmt: skip


def _no_custodian(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
                  ) -> list[SupervisionWarning]:  # fmt: skip
    def evidence(r: Any, since: dt.date, _: str) -> str:
        return f"{since} 移交后未落实管护主体 no custodian since the handover on {since} (DOMAIN rule 3)"

    where = [Asset.register.in_(NEEDS_CUSTODY), Asset.handed_over_on.is_not(None), Asset.custodian.is_(None)]
    return _overdue(session, places, RuleKind.NO_CUSTODIAN, where,
                    ["registered", "handed_over", "custodian_assigned"], lambda r: (r.handed_over_on, ""), evidence,
                    days, as_of)  # fmt: skip


# --- governance and contracts ------------------------------------------------------------------------------------


def _scan(session: Session, as_of: dt.date, places: Places, governance: GovernancePolicy) -> list[dict[str, Any]]:
    return [r for part in places.parts() for r in scan_in(session, as_of, governance, part)]


def _idle(session: Session, as_of: dt.date, days: int, places: Places, governance: GovernancePolicy
          ) -> list[SupervisionWarning]:  # fmt: skip
    out = []
    for r in _scan(session, as_of, places, governance):
        if "idle" not in r["finding"] and "no_revenue" not in r["finding"]:
            continue
        window = months_before(as_of, governance.idle_months)
        if "marked_idle" in r["finding"]:
            evidence = "台账状态为闲置 marked idle in the register"
        else:
            last = r["last_revenue"] or "无 none"
            evidence = (f"近 {governance.idle_months} 个月无收益，最近收益 {last} no revenue in the last "
                        f"{governance.idle_months} months (last: {last})")  # fmt: skip
        if r["decision"]:
            evidence += f"；治理决定 decision: {r['decision']}"
        due = fires_after(window, days, as_of)
        if due is not None:
            out.append(_scan_warning(RuleKind.IDLE, r, window, due, evidence))
    return out


def _loss_making(session: Session, as_of: dt.date, days: int, places: Places, governance: GovernancePolicy
                 ) -> list[SupervisionWarning]:  # fmt: skip
    out = []
    for r in _scan(session, as_of, places, governance):
        if "loss" not in r["finding"]:
            continue
        window = months_before(as_of, governance.loss_months)
        evidence = (f"{window} 至 {as_of} 收入 {r['trailing_revenue']:,.2f}，支出 {r['trailing_costs']:,.2f}，"
                    f"亏损 {-r['net']:,.2f} revenue, costs and loss over {governance.loss_months} months")  # fmt: skip
        if r["contract"]:
            evidence += f"；合同 {r['contract']} 应得 {r['expected_revenue']:,.2f} contract rent earned"
        due = fires_after(window, days, as_of)
        if due is not None:
            out.append(_scan_warning(RuleKind.LOSS_MAKING, r, window, due, evidence))
    return out


def _scan_warning(rule: RuleKind, r: dict[str, Any], since: dt.date, due: dt.date, evidence: str
                  ) -> SupervisionWarning:  # fmt: skip
    refs = (f"合同 contract {r['contract']}",) if r.get("contract") else ()
    return SupervisionWarning(rule, r["asset_id"], r["name"], r["county_code"], r["township_code"],
                              r["village_code"], since, due, evidence, refs)  # fmt: skip


def _no_contract(session: Session, as_of: dt.date, days: int, places: Places, governance: GovernancePolicy
                 ) -> list[SupervisionWarning]:  # fmt: skip
    alerts = [a for part in places.parts() for a in contract_alerts_in(session, as_of, governance.contracts, part)
              if a.kind in (AlertKind.NO_CONTRACT, AlertKind.EXPIRED)]  # fmt: skip
    rows = {r.asset_id: r for r in _asset_rows(session, places, Asset.asset_id.in_([a.asset_ids[0] for a in alerts]))}
    out = []
    for a in alerts:
        asset_id = a.asset_ids[0]
        since = a.end + dt.timedelta(days=1) if a.end else _own_date(rows[asset_id])[0]
        due = fires_after(since, days, as_of)
        if due is None:
            continue
        refs = (f"合同 contract {a.contract}",) if a.contract else ()
        out.append(SupervisionWarning(RuleKind.NO_CONTRACT, asset_id, a.name, a.county_code, a.township_code,
                                      a.village_code, since, due, a.detail, refs))  # fmt: skip
    return out


# --- books, distribution, inventory ------------------------------------------------------------------------------


def _village_entities(session: Session, places: Places) -> list[Any]:
    rows = session.execute(
        select(Entity.code, Entity.name, Entity.region_code, Entity.books_start)
        .where(Entity.kind == "village")
        .order_by(Entity.code)
    )
    return [r for r in rows if places.within(r.region_code)]


def _books_not_closed(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
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


def _undistributed(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
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
        .where(Entity.kind == "village", Entry.asset_id.is_not(None), Account.name.like("Income:%"), Entry.date <= last)
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
        .join(Entity, and_(Entity.region_code == Distribution.village_code, Entity.kind == "village"))
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


def _unpaid(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
            ) -> list[SupervisionWarning]:  # fmt: skip
    rows = session.execute(
        select(Distribution.id, Distribution.village_code, Distribution.period, Distribution.distributed_on,
               Distribution.entry_id, func.count(), func.sum(DistributionLine.amount))
        .join(DistributionLine, DistributionLine.distribution_id == Distribution.id)
        .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .outerjoin(Payout, and_(Payout.distribution_id == Distribution.id,
                                Payout.household_id == DistributionLine.household_id))
        .where(DistributionLine.household_id.is_not(None), DistributionLine.amount > 0,
               DistributionReversal.id.is_(None), Payout.id.is_(None), Distribution.distributed_on <= as_of)
        .group_by(Distribution.id, Distribution.village_code, Distribution.period, Distribution.distributed_on,
                  Distribution.entry_id)
        .order_by(Distribution.id)
    ).all()  # fmt: skip
    out = []
    for number, village_code, period, on, entry_id, households, amount in rows:
        if not places.within(village_code):
            continue
        due = fires_after(on, days, as_of)
        if due is None:
            continue
        county, township, village = places.place(village_code)
        evidence = (f"{period} 收益分配（{on}）应付 {households} 户 {amount:,.2f} 元未兑付 {households} household "
                    f"share(s) of the {period} distribution of {on} not paid")  # fmt: skip
        refs = (f"分配 distribution #{number}", f"分录 entry #{entry_id}") if entry_id else (f"分配 #{number}",)
        out.append(SupervisionWarning(RuleKind.UNPAID, str(number), f"{places.name(village_code)} {period}", county,
                                      township, village, on, due, evidence, refs))  # fmt: skip
    return out


def _inventory_unsettled(session: Session, as_of: dt.date, days: int, places: Places, _: GovernancePolicy
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


RULES = {
    RuleKind.UNREGISTERED: _unregistered,
    RuleKind.UNCONFIRMED: _unconfirmed,
    RuleKind.NOT_HANDED_OVER: _not_handed_over,
    RuleKind.NO_CUSTODIAN: _no_custodian,
    RuleKind.IDLE: _idle,
    RuleKind.LOSS_MAKING: _loss_making,
    RuleKind.NO_CONTRACT: _no_contract,
    RuleKind.BOOKS_NOT_CLOSED: _books_not_closed,
    RuleKind.UNDISTRIBUTED: _undistributed,
    RuleKind.UNPAID: _unpaid,
    RuleKind.INVENTORY_UNSETTLED: _inventory_unsettled,
}
