"""The supervision rules on the register, the governance scan and the contracts (services/supervision.py runs them):
unregistered_after_acceptance, unconfirmed, not_handed_over, no_custodian, idle, loss_making and no_contract, each
with its evidence (asset, events, contract) and the dates of record its clock runs from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assetledger.domain.asset_events import AssetEventKind
from assetledger.domain.booking import entry_date
from assetledger.domain.contracts import AlertKind
from assetledger.domain.enums import OFF_BOOKS_VALUES, Register
from assetledger.domain.governance import FlaggedAsset, GovernanceAction, months_before
from assetledger.domain.supervision import RuleKind, SupervisionWarning, fires_after
from assetledger.services.context import today
from assetledger.services.contract_alerts import contract_alerts_in
from assetledger.services.governance import scan_in
from assetledger.services.places import Places
from assetledger.store.models import Asset, AssetEvent
from assetledger.store.publication_models import AssetAcceptance

NEEDS_CUSTODY = (Register.PUBLIC_BENEFIT.value, Register.OPERATING.value)


def _asset_rows(session: Session, places: Places, *conditions: Any) -> list[Any]:
    query = (
        select(Asset.asset_id, Asset.name, Asset.county_code, Asset.township_code, Asset.village_code,
               Asset.acquired_on, Asset.handed_over_on, Asset.confirmed_on, Asset.build_year, Asset.registered_at,
               Asset.owner_name, Asset.custodian)
        .where(Asset.status.not_in(OFF_BOOKS_VALUES), *places.asset_filter(), *conditions)
        .order_by(Asset.asset_id)
    )  # fmt: skip
    return list(session.execute(query))


EVENT_LABELS: dict[str, str] = {  # the column holds the kind's value: StrEnum keys match it
    AssetEventKind.REGISTERED: "登记事件 registration event",
    AssetEventKind.OWNERSHIP_CONFIRMED: "确权事件 confirmation event",
    AssetEventKind.HANDED_OVER: "移交事件 handover event",
    AssetEventKind.CUSTODIAN_ASSIGNED: "管护事件 custody event",
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
    on = entry_date(row.acquired_on, row.handed_over_on, row.confirmed_on, row.build_year, today=today())
    if row.acquired_on:
        return on or row.acquired_on, "取得日期 acquired"
    if row.handed_over_on:
        return on or row.handed_over_on, "移交日期 handed over"
    if row.confirmed_on:
        return on or row.confirmed_on, "确权日期 confirmed"
    if on is not None and (on.month, on.day) == (12, 31):
        return on, f"建设年度 {row.build_year} 年末 end of build year"
    if on is not None:  # this year's build year: the year has not ended (see entry_date)
        return on, f"建设年度 {row.build_year} 年（今年） build year, this year"
    return row.registered_at.date(), "登记日 registered"


def _warning(rule: RuleKind, row: Any, since: dt.date, due: dt.date, evidence: str, refs: Sequence[str]
             ) -> SupervisionWarning:  # fmt: skip
    return SupervisionWarning(rule, row.asset_id, row.name, row.county_code, row.township_code, row.village_code,
                              since, due, evidence, tuple(refs))  # fmt: skip


def unregistered(session: Session, as_of: dt.date, days: int, places: Places
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
    event_kinds: Sequence[AssetEventKind],
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


def unconfirmed(session: Session, as_of: dt.date, days: int, places: Places
                 ) -> list[SupervisionWarning]:  # fmt: skip
    def evidence(r: Any, since: dt.date, what: str) -> str:
        return (f"{what} {since}，截至 {as_of} 已 {(as_of - since).days} 天未确权（限 {days} 天） "
                f"not confirmed {(as_of - since).days} days after {since} (limit {days})")  # fmt: skip

    return _overdue(session, places, RuleKind.UNCONFIRMED, [Asset.owner_kind.is_(None)], [AssetEventKind.REGISTERED],
                    _own_date, evidence, days, as_of)  # fmt: skip


def not_handed_over(session: Session, as_of: dt.date, days: int, places: Places
                     ) -> list[SupervisionWarning]:  # fmt: skip
    def evidence(r: Any, since: dt.date, _: str) -> str:
        return (f"{since} 确权给 {r.owner_name}，截至 {as_of} 已 {(as_of - since).days} 天未移交"
                f"（限 {days} 天） confirmed on {since}, not handed over")  # fmt: skip

    where = [Asset.register.in_(NEEDS_CUSTODY), Asset.confirmed_on.is_not(None), Asset.handed_over_on.is_(None)]
    kinds = [AssetEventKind.REGISTERED, AssetEventKind.OWNERSHIP_CONFIRMED]
    return _overdue(session, places, RuleKind.NOT_HANDED_OVER, where, kinds, lambda r: (r.confirmed_on, ""), evidence,
                    days, as_of)  # fmt: skip


def no_custodian(session: Session, as_of: dt.date, days: int, places: Places
                  ) -> list[SupervisionWarning]:  # fmt: skip
    def evidence(r: Any, since: dt.date, _: str) -> str:
        return f"{since} 移交后未落实管护主体 no custodian since the handover on {since} (DOMAIN rule 3)"

    where = [Asset.register.in_(NEEDS_CUSTODY), Asset.handed_over_on.is_not(None), Asset.custodian.is_(None)]
    kinds = [AssetEventKind.REGISTERED, AssetEventKind.HANDED_OVER, AssetEventKind.CUSTODIAN_ASSIGNED]
    return _overdue(session, places, RuleKind.NO_CUSTODIAN, where, kinds, lambda r: (r.handed_over_on, ""), evidence,
                    days, as_of)  # fmt: skip


# --- governance and contracts ------------------------------------------------------------------------------------


def _scan(session: Session, as_of: dt.date, places: Places) -> list[FlaggedAsset]:
    """The governance scan of the places, each asset judged by its own region's stored policy (services/governance)."""
    return [r for part in places.parts() for r in scan_in(session, as_of, part)]


def idle(session: Session, as_of: dt.date, days: int, places: Places) -> list[SupervisionWarning]:
    def evidence(r: FlaggedAsset) -> str:
        if "marked_idle" in r.finding:
            said = "台账状态为闲置 marked idle in the register"
        else:
            last = r.last_revenue or "无 none"
            said = (f"近 {r.idle_months} 个月无收益，最近收益 {last} no revenue in the last "
                    f"{r.idle_months} months (last: {last})")  # fmt: skip
        return said + (_decision_words(r.decision) if r.decision else "")

    return _scan_rule(session, as_of, days, places, RuleKind.IDLE, evidence)


def _decision_words(decision: GovernanceAction | str) -> str:
    """The latest governance decision in words ("；治理决定：盘活 decision: revitalise"); a stored text that is no
    decision (written around the product, or by a later version) as it is."""
    if isinstance(decision, GovernanceAction):
        return f"；治理决定：{decision.label} decision: {decision.value}"
    return f"；治理决定 decision: {decision}"


def loss_making(session: Session, as_of: dt.date, days: int, places: Places) -> list[SupervisionWarning]:
    def evidence(r: FlaggedAsset) -> str:
        window = months_before(as_of, r.loss_months)
        said = (f"{window} 至 {as_of} 收入 {r.trailing_revenue:,.2f}，支出 {r.trailing_costs:,.2f}，"
                f"亏损 {-r.net:,.2f} revenue, costs and loss over {r.loss_months} months")  # fmt: skip
        if r.contract:
            said += f"；合同 {r.contract} 应得 {r.expected_revenue or 0:,.2f} contract rent earned"
        return said

    return _scan_rule(session, as_of, days, places, RuleKind.LOSS_MAKING, evidence)


def _scan_rule(
    session: Session,
    as_of: dt.date,
    days: int,
    places: Places,
    rule: RuleKind,
    evidence_of: Callable[[FlaggedAsset], str],
) -> list[SupervisionWarning]:
    """The assets the governance scan finds idle (`rule` IDLE) or loss-making, judged from the start of the scan's
    window (the idle or loss months of the policy that judged the asset) before the as-of date: one warning each,
    with its evidence and contract."""
    out = []
    for r in _scan(session, as_of, places):
        if not (r.idle if rule is RuleKind.IDLE else r.loss_making):
            continue
        window = months_before(as_of, r.idle_months if rule is RuleKind.IDLE else r.loss_months)
        due = fires_after(window, days, as_of)
        if due is not None:
            out.append(_scan_warning(rule, r, window, due, evidence_of(r)))
    return out


def _scan_warning(rule: RuleKind, r: FlaggedAsset, since: dt.date, due: dt.date, evidence: str
                  ) -> SupervisionWarning:  # fmt: skip
    refs = (f"合同 contract {r.contract}",) if r.contract else ()
    return SupervisionWarning(rule, r.asset_id, r.name, r.county_code, r.township_code, r.village_code, since, due,
                              evidence, refs)  # fmt: skip


def no_contract(session: Session, as_of: dt.date, days: int, places: Places) -> list[SupervisionWarning]:
    alerts = [a for part in places.parts() for a in contract_alerts_in(session, as_of, part)
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
