"""Contract findings of the governance scan (DOMAIN rule 20), and what contracts tell the idle/loss-making scan.

As of a date, for the operating assets in scope (not disposed of; self-run ones have no contract):
- no_contract: in use, and no contract has started;
- expired: in use, and its last contract has ended (at its end, its termination, or the legal limit) with none
  in force;
- expiring: the contract in force ends within `expiring_days` and no later contract is recorded;
- over_legal_term: a lease (in force or to come) longer than the legal limit (20 years, Civil Code art. 705);
- arrears (of any contract, in force, ended, terminated, or on assets since disposed of: a debt does not end
  with the contract or the asset): payments the schedule made due more than `grace_days` ago, less the revenue the
  books hold against the contract's assets from its start (after what was settled before it was recorded) until
  the next contract on them starts or the scan date: more than `arrears_tolerance` short;
- low_rent: a contract in force or to come whose yearly rent is below `min_yield_pct` % of its assets' value, or
  below `renewal_floor_pct` % of the contract it renews; with no fixed rent, the revenue posted over the last year
  of a contract in force that long is judged instead.

For the idle/loss-making scan: an asset under a contract in force whose schedule made nothing due in the idle
window is not idle for want of revenue (a yearly rent is paid once a year), and one whose costs over the loss
window do not exceed the rent the contract earned over it (by days) is not loss-making for want of postings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from assetledger.domain.contracts import (
    NO_CONTRACT_MODES,
    AlertKind,
    ContractPolicy,
    accrued,
    due_between,
    due_by,
    effective_end,
    in_force,
    legal_end,
    low_rent,
    over_legal_term,
    schedule,
)
from assetledger.domain.enums import AssetStatus, OperatingMode
from assetledger.domain.money import ZERO, allocate
from assetledger.services.contracts import reading_scope
from assetledger.services.governance_policies import policies_for_regions
from assetledger.store import contract_repo
from assetledger.store.contract_repo import OperatingAsset, StoredContract
from assetledger.store.db import Database

EXEMPT = {m.value for m in NO_CONTRACT_MODES}
YEAR = dt.timedelta(days=365)


@dataclass(frozen=True)
class ContractAlert:
    kind: AlertKind
    asset_ids: tuple[str, ...]
    name: str
    county_code: str
    township_code: str | None
    village_code: str | None
    contract: str | None
    operator: str | None
    mode: OperatingMode | None
    start: dt.date | None
    end: dt.date | None  # the effective end
    amount: Decimal | None  # arrears: the shortfall; otherwise the yearly rent
    expected: Decimal | None  # arrears: what had fallen due
    posted: Decimal | None  # arrears: what the books hold
    detail: str


def contract_alerts(db: Database, as_of: dt.date, actor: str, within: str | None = None) -> list[ContractAlert]:
    """The contract findings as of a date in a region (default: the reader's scope), by place and asset."""
    with db.reading() as session:
        region = reading_scope(session, actor, within)
        return contract_alerts_in(session, as_of, region)


def contract_alerts_in(session: Session, as_of: dt.date, region: str | None) -> list[ContractAlert]:
    """The findings, each judged by the `[contracts]` thresholds of the governance policy stored for its asset's
    region (`policies_for_regions`, as the scan and `asset dispose`; none stored: the shipped file), never a file
    a user gives. A contract is judged by the policy of its first asset's region (its assets lie in one village)."""
    every = {a.asset_id: a for a in contract_repo.operating_assets(session, region, disposed=True)}
    assets = {i: a for i, a in every.items() if a.status != AssetStatus.DISPOSED.value}
    contracts = [c for c in contract_repo.load_contracts(session, region=region) if set(c.asset_ids) & set(every)]
    by_asset: dict[str, list[StoredContract]] = {}
    for c in contracts:
        for asset_id in c.asset_ids:
            by_asset.setdefault(asset_id, []).append(c)
    judged = policies_for_regions(session, {a.region for a in every.values()})
    groups: dict[tuple[int | None, str], tuple[ContractPolicy, set[str]]] = {}
    for asset_id, asset in every.items():
        judged_by = judged[asset.region]
        groups.setdefault((judged_by.version_id, judged_by.sha256), (judged_by.policy.contracts, set()))[1].add(
            asset_id
        )
    alerts: list[ContractAlert] = []
    for policy, mine in groups.values():
        own = [c for c in contracts if _mine(c, every)[0] in mine]
        alerts += [a for i in sorted(mine & set(assets))
                   if (a := _asset_alert(assets[i], by_asset.get(i, []), as_of, policy))]  # fmt: skip
        alerts += _expiring(assets, by_asset, as_of, policy, {c.id for c in own})
        alerts += _contract_alerts(session, every, own, by_asset, as_of, policy)
    order = list(AlertKind)
    alerts.sort(key=lambda a: (a.county_code, a.township_code or "", a.village_code or "", a.asset_ids[0],
                               order.index(a.kind), a.contract or ""))  # fmt: skip
    return alerts


def _alert(kind: AlertKind, asset: OperatingAsset, detail: str, c: StoredContract | None = None,
           policy: ContractPolicy | None = None, *, amount: Decimal | None = None, expected: Decimal | None = None,
           posted: Decimal | None = None, assets: Sequence[str] | None = None) -> ContractAlert:  # fmt: skip
    ids = tuple(assets) if assets else (asset.asset_id,)
    name = asset.name if len(ids) == 1 else f"{asset.name}等{len(ids)}项"
    if c is None:
        return ContractAlert(kind, ids, name, asset.county_code, asset.township_code, asset.village_code, None,
                             asset.operator, _mode(asset.operating_mode), None, None, amount, expected, posted,
                             detail)  # fmt: skip
    end = effective_end(c.terms, policy or ContractPolicy())
    return ContractAlert(kind, ids, name, asset.county_code, asset.township_code, asset.village_code, c.code,
                         c.operator, c.terms.mode, c.terms.start, end, c.terms.annual if amount is None else amount,
                         expected, posted, detail)  # fmt: skip


def _mode(value: str | None) -> OperatingMode | None:
    return OperatingMode(value) if value else None


def _asset_alert(
    asset: OperatingAsset, contracts: list[StoredContract], as_of: dt.date, policy: ContractPolicy
) -> ContractAlert | None:
    """no_contract or expired, for an asset in use."""
    if asset.operating_mode in EXEMPT or asset.status != AssetStatus.IN_USE:
        return None
    started = [c for c in contracts if c.terms.start <= as_of]
    if any(in_force(c.terms, policy, as_of) for c in started):
        return None
    if not started:
        later = [c for c in contracts if c.terms.start > as_of]
        if later:
            detail = f"合同 {later[0].code} 自 {later[0].terms.start} 起生效 the next contract starts later"
        elif asset.register_contract_end:
            detail = (f"台账载有合同截止日期 {asset.register_contract_end}，合同未登记 the register has contract "
                      "dates but no contract is recorded: contract import / contract adopt")  # fmt: skip
        else:
            detail = "经营性资产在用但无经营合同 an operating asset in use without a contract"
        return _alert(AlertKind.NO_CONTRACT, asset, detail)
    last = max(started, key=lambda c: effective_end(c.terms, policy))
    end = effective_end(last.terms, policy)
    if last.terms.terminated_on is not None and end == last.terms.terminated_on:
        why = f"于 {end} 解除 terminated on {end}"
    elif end < last.terms.end:
        why = f"超过法定租期，{end} 后无效 void beyond the legal limit after {end}"
    else:
        why = f"于 {end} 到期 ended on {end}"
    return _alert(AlertKind.EXPIRED, asset, f"合同 {last.code} {why}，资产仍在经营 still in use", last, policy)


def _expiring(
    assets: dict[str, OperatingAsset], by_asset: dict[str, list[StoredContract]], as_of: dt.date,
    policy: ContractPolicy, judged: set[int],
) -> list[ContractAlert]:  # fmt: skip
    """The contracts among `judged` that are expiring (a later contract on any of their assets is a renewal)."""
    found: dict[int, ContractAlert] = {}
    for asset_id, contracts in by_asset.items():
        asset = assets.get(asset_id)
        if asset is None:  # disposed of: only its contracts' arrears are still findings
            continue
        for c in contracts:
            if c.id in found or c.id not in judged or not in_force(c.terms, policy, as_of):
                continue
            end = effective_end(c.terms, policy)
            successor = any(o.terms.start > c.terms.start for o in contracts)
            if (end - as_of).days <= policy.expiring_days and not successor:
                detail = f"合同 {c.code} 将于 {end} 到期（{(end - as_of).days} 天后），尚无续签 no renewal recorded"
                found[c.id] = _alert(AlertKind.EXPIRING, asset, detail, c, policy, assets=_mine(c, assets))
    return list(found.values())


def _mine(c: StoredContract, assets: dict[str, OperatingAsset]) -> list[str]:
    return [a for a in c.asset_ids if a in assets]


def _contract_alerts(
    session: Session,
    assets: dict[str, OperatingAsset],
    contracts: Sequence[StoredContract],
    by_asset: dict[str, list[StoredContract]],
    as_of: dt.date,
    policy: ContractPolicy,
) -> list[ContractAlert]:
    """over_legal_term, arrears and low_rent, one per contract; `assets` holds those disposed of too, whose
    contracts are judged for arrears only."""
    windows = _windows(contracts, by_asset, as_of, policy)
    posted = contract_repo.revenue_in_windows(session, [w for ws in windows.values() for w in ws])
    yearly = _yearly_posted(session, contracts, as_of, policy)
    annual_of = {c.id: c.terms.annual for c in contracts}
    out: list[ContractAlert] = []
    for c in contracts:
        mine = _mine(c, assets)
        first = assets[mine[0]]
        end = effective_end(c.terms, policy)
        live = any(assets[a].status != AssetStatus.DISPOSED.value for a in mine)
        if live and over_legal_term(c.terms, policy) and c.terms.end >= as_of:
            limit = legal_end(c.terms, policy)
            years = policy.max_years[c.terms.mode.value]
            detail = (f"租期 {c.terms.start} – {c.terms.end} 超过 {years} 年，{limit} 后无效 (民法典第705条) void "
                      f"beyond {years} years (Civil Code art. 705)")  # fmt: skip
            out.append(_alert(AlertKind.OVER_LEGAL_TERM, first, detail, c, policy, assets=mine))
        if c.terms.start <= as_of and c.terms.amount is not None:
            by = as_of - dt.timedelta(days=policy.grace_days)
            expected = due_by(schedule(c.terms, policy, until=by), by)
            got = posted.get(c.id, ZERO)
            if expected - got > policy.arrears_tolerance:
                detail = (f"截至 {as_of} 应收 {expected:,.2f}（逾期 {policy.grace_days} 天以上），账面收入 {got:,.2f}，"
                          f"欠缴 {expected - got:,.2f} due by the schedule but not posted")  # fmt: skip
                out.append(_alert(AlertKind.ARREARS, first, detail, c, policy, amount=expected - got,
                                  expected=expected, posted=got, assets=mine))  # fmt: skip
        if live and end >= as_of:
            value = sum((assets[a].value for a in mine), ZERO)
            annual = c.terms.annual if c.terms.annual is not None else yearly.get(c.id)
            previous = annual_of.get(c.renews_id) if c.renews_id else None
            why = low_rent(annual, value, previous, policy)
            if why:
                out.append(_alert(AlertKind.LOW_RENT, first, f"合同 {c.code}：{why}", c, policy, amount=annual,
                                  assets=mine))  # fmt: skip
    return out


def _windows(
    contracts: Sequence[StoredContract], by_asset: dict[str, list[StoredContract]], as_of: dt.date,
    policy: ContractPolicy,
) -> dict[int, list[tuple[int, str, dt.date, dt.date]]]:  # fmt: skip
    """The revenue that counts for each contract: its assets' from its start (after what was settled before it was
    recorded) until the day before a later contract on the asset starts, or the scan date."""
    out: dict[int, list[tuple[int, str, dt.date, dt.date]]] = {}
    for c in contracts:
        if c.terms.start > as_of or c.terms.amount is None:
            continue
        first = c.terms.start
        if c.terms.paid_through is not None:
            first = max(first, c.terms.paid_through + dt.timedelta(days=1))
        for asset_id in c.asset_ids:
            later = [o.terms.start for o in by_asset.get(asset_id, []) if o.terms.start > c.terms.start]
            last = min([as_of, *(s - dt.timedelta(days=1) for s in later)])
            if first <= last:
                out.setdefault(c.id, []).append((c.id, asset_id, first, last))
    return out


def _yearly_posted(
    session: Session, contracts: Sequence[StoredContract], as_of: dt.date, policy: ContractPolicy
) -> dict[int, Decimal]:
    """Revenue over the last year of each contract in force that long and without a fixed rent."""
    windows = [(c.id, a, as_of - YEAR + dt.timedelta(days=1), as_of) for c in contracts
               if c.terms.amount is None and in_force(c.terms, policy, as_of) and c.terms.start <= as_of - YEAR
               for a in c.asset_ids]  # fmt: skip
    return contract_repo.revenue_in_windows(session, windows) if windows else {}


@dataclass(frozen=True)
class ContractEffect:
    """What an asset's contract says for the idle/loss-making scan."""

    contract: str
    due_in_idle_window: Decimal | None  # None: the contract fixes no amount
    accrued: Decimal  # the asset's share of the rent earned over the loss window


def contract_effects(
    session: Session, asset_ids: Sequence[str], as_of: dt.date, idle_since: dt.date, loss_since: dt.date,
    policy: ContractPolicy,
) -> dict[str, ContractEffect]:  # fmt: skip
    """For each asset under a contract in force on the scan date: what fell due in the idle window and its share
    (by value) of the rent earned over the loss window."""
    if not asset_ids:
        return {}
    contracts = [c for c in contract_repo.load_contracts(session, asset_ids=asset_ids)
                 if in_force(c.terms, policy, as_of)]  # fmt: skip
    if not contracts:
        return {}
    values = {a.asset_id: a.value for a in contract_repo.operating_assets(
        session, None, [a for c in contracts for a in c.asset_ids])}  # fmt: skip
    wanted = set(asset_ids)
    out: dict[str, ContractEffect] = {}
    for c in contracts:
        payments = schedule(c.terms, policy, until=as_of)
        due = None if c.terms.amount is None else due_between(payments, idle_since + dt.timedelta(days=1), as_of)
        earned = accrued(c.terms, policy, loss_since + dt.timedelta(days=1), as_of)
        weights = [values.get(a, ZERO) for a in c.asset_ids]
        if not any(weights):
            weights = [Decimal(1)] * len(c.asset_ids)
        for asset_id, share in zip(c.asset_ids, allocate(earned, weights), strict=True):
            if asset_id in wanted:
                out[asset_id] = ContractEffect(c.code, due, share)
    return out
