"""Find idle and loss-making assets (as SQL inside the database), record decisions, and follow progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.asset_events import AssetEventKind, Revitalised, status_after
from assetledger.domain.contracts import AlertKind
from assetledger.domain.enums import OFF_BOOKS_VALUES, AssetStatus, OperatingMode, Register
from assetledger.domain.governance import (
    CountyGovernance,
    FlaggedAsset,
    GovernanceAction,
    GovernancePolicy,
    months_before,
)
from assetledger.errors import NotFoundError, RuleViolation
from assetledger.services.access import read_scope, require
from assetledger.services.asset_queries import ASSET_PLACE, WITHOUT_HOUSEHOLD, matches
from assetledger.services.assets import asset_region, load_for_change
from assetledger.services.context import now
from assetledger.services.contract_alerts import contract_alerts_in, contract_effects
from assetledger.services.governance_policies import PolicyInForce, policies_for_regions, shipped_policy
from assetledger.services.stored import unknown_asset_value
from assetledger.store.db import Database
from assetledger.store.governance_models import Disposal, GovernanceDecision
from assetledger.store.journal_models import Account, Entity, Entry, PostingRow
from assetledger.store.models import Asset, AssetEvent, Region
from assetledger.store.region_tree import asset_within
from assetledger.store.text_rules import require_fits
from assetledger.store.types import Money

ZERO = Decimal("0.00")
ZERO_FEN = literal(ZERO, Money)


def scan(
    db: Database,
    as_of: dt.date,
    actor: str,
    within: str | None = None,
    words: tuple[str, ...] = (),
) -> list[FlaggedAsset]:
    """The governance list (see `scan_in`), in a read-only transaction of its own: of the region `within` (refused
    outside the actor's scope), else of the actor's whole scope; of the assets that match every search word."""
    with db.reading() as session:
        visible = read_scope(session, actor, within)
        return scan_in(session, as_of, within, None if within else visible, words)


def scan_in(
    session: Session,
    as_of: dt.date,
    within: str | None = None,
    regions: set[str] | None = None,
    words: tuple[str, ...] = (),
    *,
    thresholds: GovernancePolicy | None = None,
) -> list[FlaggedAsset]:
    """The governance list: every active asset that is idle or loss-making as of a date, with its evidence.

    Each asset is judged by the governance policy stored for its own region (`policies_for_regions`, the rule
    `asset dispose` follows; none stored: the shipped ledgers/policy/governance.toml), never by a file a user
    gives: a scan over several counties judges each county's assets by that county's policy. Every row names the
    policy and the months that judged it. `thresholds` is for an award policy's own indicator (its sealed idle
    and loss months), never for the governance list of record.
    """
    place = _within(within) + ([ASSET_PLACE.in_(sorted(regions))] if regions is not None else [])
    place += [matches(word) for word in words]
    if thresholds is not None:
        return _scan_judged(session, as_of, thresholds, None, place)
    in_scan = select(ASSET_PLACE.label("place")).where(
        Asset.status.not_in(OFF_BOOKS_VALUES),
        or_(Asset.register == Register.OPERATING, Asset.status == AssetStatus.IDLE),
        *place,
    )
    judged = policies_for_regions(session, session.scalars(in_scan.distinct()))
    groups: dict[tuple[int | None, str], tuple[PolicyInForce, list[str]]] = {}
    for region, policy in judged.items():
        groups.setdefault((policy.version_id, policy.sha256), (policy, []))[1].append(str(region))
    if len(groups) <= 1:
        policy = next(iter(groups.values()))[0] if groups else shipped_policy()
        return _scan_judged(session, as_of, policy.policy, policy.label, place)
    # the largest group is named by what it is not (the places of the others): the shorter lists of codes
    parts = sorted(groups.values(), key=lambda g: len(g[1]), reverse=True)
    others = sorted(code for _, part in parts[1:] for code in part)
    rows = _scan_judged(session, as_of, parts[0][0].policy, parts[0][0].label, [*place, ASSET_PLACE.not_in(others)])
    for policy, part in parts[1:]:
        rows += _scan_judged(session, as_of, policy.policy, policy.label, [*place, ASSET_PLACE.in_(sorted(part))])
    rows.sort(key=lambda r: (r.county_code, r.township_code or "", r.village_code or "", r.asset_id))
    return rows


def _scan_judged(
    session: Session, as_of: dt.date, policy: GovernancePolicy, name: str | None, place: list[Any]
) -> list[FlaggedAsset]:
    """The governance list of the assets `place` selects, all judged by one policy: one aggregate query, grouped
    by asset, over the entries of the candidates (operating or marked idle) in the trailing window only, reached
    through the (asset, date) index; the last revenue before the window is looked up only for the assets listed
    without revenue in it.

    Idle: marked idle in the register, or an operating asset with no revenue in the last `idle_months` (counting
    from its handover when it is younger). Loss-making: an operating asset whose costs over the trailing
    `loss_months` exceed its revenue."""
    idle_since = months_before(as_of, policy.idle_months)
    loss_since = months_before(as_of, policy.loss_months)
    window_start = min(idle_since, loss_since)
    is_income = Account.name.like("Income:%")
    is_expense = Account.name.like("Expenses:%")
    in_loss_window = Entry.date > loss_since
    operating = Asset.register == Register.OPERATING
    marked_idle = Asset.status == AssetStatus.IDLE
    active = Asset.status.not_in(OFF_BOOKS_VALUES)
    candidates = select(Asset.asset_id).where(active, or_(operating, marked_idle), *place)
    flows = (
        select(
            Entry.asset_id.label("asset_id"),
            func.max(case((is_income, Entry.date))).label("last_revenue"),
            func.sum(case((and_(is_income, in_loss_window), -PostingRow.amount), else_=ZERO_FEN)).label("revenue"),
            func.sum(case((and_(is_expense, in_loss_window), PostingRow.amount), else_=ZERO_FEN)).label("costs"),
        )
        .select_from(Entry)
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(
            Entry.asset_id.in_(candidates), Entry.date > window_start, Entry.date <= as_of, or_(is_income, is_expense)
        )
        .group_by(Entry.asset_id)
        .subquery()
    )
    revenue = func.coalesce(flows.c.revenue, ZERO_FEN)
    costs = func.coalesce(flows.c.costs, ZERO_FEN)
    started = func.coalesce(Asset.handed_over_on, Asset.confirmed_on)
    no_revenue = and_(
        operating,
        or_(flows.c.last_revenue.is_(None), flows.c.last_revenue <= idle_since),
        or_(started.is_(None), started <= idle_since),
    )
    losing = and_(operating, costs > revenue)
    query = (
        select(
            Asset.asset_id, Asset.name, Asset.register, Asset.category, Asset.county_code, Asset.township_code,
            Asset.village_code, Asset.status, Asset.operator, Asset.current_value.label("book_value"),
            flows.c.last_revenue, revenue.label("trailing_revenue"), costs.label("trailing_costs"),
            case((marked_idle, "marked_idle"), (no_revenue, "no_revenue"), else_=None).label("idle"),
            case((losing, "loss_making"), else_=None).label("loss"),
        )
        .outerjoin(flows, flows.c.asset_id == Asset.asset_id)
        .where(active, or_(operating, marked_idle), or_(marked_idle, no_revenue, losing), *place)
        .order_by(Asset.county_code, Asset.township_code, Asset.village_code, Asset.asset_id)
    )  # fmt: off
    rows = _with_contracts(session, [dict(r._mapping) for r in session.execute(query)], as_of, policy)
    earlier = _last_revenue(session, [r["asset_id"] for r in rows if r["last_revenue"] is None], window_start)
    decided = _latest_decisions(session, [r["asset_id"] for r in rows])
    judged_by = name or "奖励政策的指标阈值 (the award policy's thresholds)"
    return [
        FlaggedAsset(
            **{k: v for k, v in r.items() if k not in ("idle", "loss", "last_revenue")},
            last_revenue=r["last_revenue"] or earlier.get(r["asset_id"]),
            net=r["trailing_revenue"] - r["trailing_costs"],
            finding="+".join(x for x in (r["idle"], r["loss"]) if x),
            decision=decided.get(r["asset_id"]),
            policy=judged_by,
            idle_months=policy.idle_months,
            loss_months=policy.loss_months,
        )
        for r in rows
    ]


def _with_contracts(
    session: Session, rows: list[dict[str, Any]], as_of: dt.date, policy: GovernancePolicy
) -> list[dict[str, Any]]:
    """What the assets' contracts say (services/contract_alerts.py): no revenue is not idle when the schedule made
    nothing due in the idle window, and costs the contracted rent covers are not a loss. Adds the contract in force
    and the rent it earned over the loss window (expected_revenue) to every row."""
    operating = [r["asset_id"] for r in rows if r["register"] == Register.OPERATING.value]
    effects = contract_effects(session, operating, as_of, months_before(as_of, policy.idle_months),
                               months_before(as_of, policy.loss_months), policy.contracts)  # fmt: skip
    kept = []
    for r in rows:
        effect = effects.get(r["asset_id"])
        r["contract"] = effect.contract if effect else None
        r["expected_revenue"] = effect.accrued if effect else None
        if effect is not None:
            if r["idle"] == "no_revenue" and effect.due_in_idle_window == ZERO:
                r["idle"] = None
            if r["loss"] and r["trailing_costs"] <= max(r["trailing_revenue"], effect.accrued):
                r["loss"] = None
        if r["idle"] or r["loss"]:
            kept.append(r)
    return kept


def _within(region: str | None) -> list[Any]:
    return [asset_within(region)] if region else []


def _last_revenue(session: Any, asset_ids: list[str], on_or_before: dt.date) -> dict[str, dt.date]:
    """The last date each asset earned revenue on or before a date (when it earned any), by the (asset, date) index:
    one short look-up per asset, newest entries first."""
    found: dict[str, dt.date] = {}
    for start in range(0, len(asset_ids), 900):
        part = asset_ids[start : start + 900]
        rows = session.execute(
            select(Entry.asset_id, func.max(Entry.date))
            .join(PostingRow, PostingRow.entry_id == Entry.id)
            .join(Account, Account.id == PostingRow.account_id)
            .where(Entry.asset_id.in_(part), Entry.date <= on_or_before, Account.name.like("Income:%"))
            .group_by(Entry.asset_id)
        )
        found.update((asset_id, last) for asset_id, last in rows if last is not None)
    return found


def _latest_decisions(session: Any, asset_ids: list[str]) -> dict[str, GovernanceAction]:
    found: dict[str, GovernanceAction] = {}
    for start in range(0, len(asset_ids), 900):
        part = asset_ids[start : start + 900]
        for asset_id, decision in session.execute(
            select(GovernanceDecision.asset_id, GovernanceDecision.decision)
            .where(GovernanceDecision.asset_id.in_(part))
            .order_by(GovernanceDecision.id)
        ):
            found[asset_id] = decision
    return found


@dataclass(frozen=True)
class Revitalisation:
    new_operator: str | None
    new_mode: OperatingMode | None
    on: dt.date
    note: str | None = None


def revitalise(db: Database, asset_id: str, plan: Revitalisation, actor: str) -> None:
    """盘活: a new operator or mode puts the asset back to work; it returns to 'in use'."""
    require_fits("asset revitalise", ("--operator", plan.new_operator, Asset.operator),
                 ("--note", plan.note, GovernanceDecision.note))  # fmt: skip
    with db.transaction() as session:
        asset = load_for_change(session, asset_id, actor)
        if asset.register != Register.OPERATING and (plan.new_operator or plan.new_mode):
            raise RuleViolation(
                "只有经营性资产才有经营主体和经营方式 (only operating assets have an operator and operating mode)",
                asset_id=asset_id,
            )
        was = asset.status  # the decision's reason: the status it found the asset in
        previous = {"operator": asset.operator, "mode": asset.operating_mode, "status": was}
        if plan.new_operator:
            asset.operator = plan.new_operator
        if plan.new_mode:
            asset.operating_mode = plan.new_mode
        asset.status = status_after(asset.status, Revitalised())
        at = now()
        session.add(
            GovernanceDecision(
                asset_id=asset_id, decision=GovernanceAction.REVITALISE, decided_on=plan.on, reason=was,
                new_operator=plan.new_operator, new_mode=plan.new_mode, note=plan.note, actor=actor, recorded_at=at,
            )
        )  # fmt: off
        session.add(
            AssetEvent(
                asset_id=asset_id, kind=AssetEventKind.REVITALISED.value, event_date=plan.on, actor=actor,
                recorded_at=at,
                payload={"from": previous, "operator": plan.new_operator,
                         "mode": plan.new_mode.value if plan.new_mode else None, "note": plan.note},
            )
        )  # fmt: off


def decide_disposal(db: Database, asset_id: str, on: dt.date, note: str | None, actor: str) -> None:
    """Record the decision to dispose (the disposal itself, with approval, follows)."""
    require_fits("asset decide-dispose", ("--note", note, GovernanceDecision.note))
    with db.transaction() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise NotFoundError("asset", asset_id)
        require(session, actor, Action.REGISTER, [asset_region(asset)])
        status = asset.status  # as EnumText read it: a member, or a stored text that is none (decides nothing)
        if not isinstance(status, AssetStatus):
            raise unknown_asset_value(asset_id, "status", status)
        if status.off_books:
            raise RuleViolation(
                f"资产{status.label}，不在账上 (already off the books ({status.label}))", asset_id=asset_id
            )
        session.add(
            GovernanceDecision(
                asset_id=asset_id, decision=GovernanceAction.DISPOSE, decided_on=on, reason=asset.status, note=note,
                actor=actor, recorded_at=now(),
            )
        )  # fmt: off


def governance_report(db: Database, year: int, actor: str) -> list[CountyGovernance]:
    """Per county: still idle / loss-making at year end, revitalised and disposed in the year (counts, values),
    disposal gains and losses, restricted proceeds received and spent, and the contract findings at year end
    (counts by kind, and the arrears in yuan), each county's assets judged by its own stored governance policy. The
    counties within the actor's scope only (none for a township's)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with db.reading() as session:
        visible = read_scope(session, actor)
        open_list = scan_in(session, end)
        alerts = contract_alerts_in(session, end, None)
        names = dict(session.execute(select(Region.code, Region.name)).all())
        unattached = session.execute(
            select(Asset.county_code, func.count(), func.sum(Asset.original_value))
            .where(*WITHOUT_HOUSEHOLD, Asset.status.not_in(OFF_BOOKS_VALUES))
            .group_by(Asset.county_code)
        ).all()
        revitalised = session.execute(
            select(Asset.county_code, func.count(), func.sum(Asset.current_value))
            .join(GovernanceDecision, GovernanceDecision.asset_id == Asset.asset_id)
            .where(
                GovernanceDecision.decision == GovernanceAction.REVITALISE,
                GovernanceDecision.decided_on.between(start, end),
            )
            .group_by(Asset.county_code)
        ).all()
        disposed = session.execute(
            select(
                Asset.county_code, func.count(), func.sum(Disposal.book_value), func.sum(Disposal.proceeds),
                func.sum(case((Disposal.gain > 0, Disposal.gain), else_=ZERO_FEN)),
                func.sum(case((Disposal.gain < 0, -Disposal.gain), else_=ZERO_FEN)),
            )
            .join(Disposal, Disposal.asset_id == Asset.asset_id)
            .where(Disposal.disposed_on.between(start, end))
            .group_by(Asset.county_code)
        ).all()  # fmt: off
        restricted = session.execute(
            select(
                Entity.county_code,
                func.sum(case((PostingRow.amount > 0, PostingRow.amount), else_=ZERO_FEN)),
                func.sum(case((PostingRow.amount < 0, -PostingRow.amount), else_=ZERO_FEN)),
            )
            .select_from(PostingRow)
            .join(Entry, Entry.id == PostingRow.entry_id)
            .join(Entity, Entity.code == Entry.entity_code)
            .where(
                PostingRow.account_id.in_(select(Account.id).where(Account.name == "Assets:RestrictedBank")),
                Entry.date.between(start, end),
            )
            .group_by(Entity.county_code)
        ).all()
    rows: dict[str, dict[str, Any]] = {}  # county code -> CountyGovernance's fields, counted up below

    def row(county: str) -> dict[str, Any]:
        return rows.setdefault(county, asdict(CountyGovernance(county, names.get(county, county))))

    for r in open_list:
        target = row(r.county_code)
        if r.idle:
            target["idle_open"] += 1
            target["idle_value"] += r.book_value
        if r.loss_making:
            target["loss_open"] += 1
            target["loss_value"] += r.book_value
    for alert in alerts:  # contract findings at year end (DOMAIN rule 20)
        target = row(alert.county_code)
        target[alert.kind.value] += 1
        if alert.kind is AlertKind.ARREARS:
            target["arrears_amount"] += alert.amount or ZERO
    for county, count, value in revitalised:
        row(county).update(revitalised=count, revitalised_value=value or ZERO)
    for county, count, value, proceeds, gains, losses in disposed:
        row(county).update(disposed=count, disposed_value=value or ZERO, proceeds=proceeds or ZERO,
                           gains=gains or ZERO, losses=losses or ZERO)  # fmt: off
    for county, count, value in unattached:  # 到户类 registered as published, households still to be attached
        row(county).update(no_household=count, no_household_value=value or ZERO)
    for county, received, spent in restricted:
        row(county).update(restricted_in=received or ZERO, restricted_spent=spent or ZERO)
    return [CountyGovernance(**rows[k]) for k in sorted(rows) if visible is None or k in visible]
