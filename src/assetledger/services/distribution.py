"""Distribution rules, and a village's revenue distribution for an ended period, posted once.

The revenue is what the village's books hold for the assets the rule covers in the period (income accounts; with
`base = "net"` less their costs, never below zero). A month of a village's revenue is distributed once (DOMAIN rule
15): running the same distribution again posts nothing and says so; one that shares a month (and revenue) with a
standing distribution is refused, whatever the periods' shapes (year, half, quarter, month). Payouts and reversals
are in `distribution_settlement`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import entity_code
from assetledger.domain.distribution import (
    Approval,
    Basis,
    DistributionRule,
    Household,
    HouseholdShare,
    JoinRule,
    Period,
    Split,
    eligible_months,
    pools_overlap,
    share_note,
    split,
)
from assetledger.domain.enums import RegionLevel
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.rules.distribution_file import load_purposes, parse_rule
from assetledger.services.access import region_name, require
from assetledger.services.books import Books, Located
from assetledger.services.context import now, today
from assetledger.store.db import Database
from assetledger.store.distribution_models import (
    Distribution,
    DistributionLine,
    DistributionReversal,
    DistributionRuleRow,
)
from assetledger.store.distribution_models import Household as HouseholdRow
from assetledger.store.journal_models import Account, Entry, PostingRow
from assetledger.store.models import Region

ZERO = Decimal("0.00")


def register_rule(db: Database, path: Path, actor: str) -> tuple[DistributionRule, bool]:
    """Record a rule version from its file. The same file again is a no-op; a changed file needs a new version."""
    rule = parse_rule(path)
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    with db.transaction() as session:
        region = session.get(Region, rule.village)
        if region is None or region.level != RegionLevel.VILLAGE.value:  # a township's rule would share nothing
            reason = (
                "没有这个村代码 (no such village code)"
                if region is None
                else f"{region.name} 不是村 ({region.name} is a {region.level}, not a village)"
            )
            raise InputError([Finding(str(path), None, "village", rule.village, reason)])
        require(session, actor, Action.DISTRIBUTE, [rule.village])
        if rule.in_force_from <= today():  # 补录: approved and noticed before anyone could read it here
            require(session, actor, Action.RECORD_PAST, [rule.village])
        known = session.scalar(
            select(DistributionRuleRow).where(
                DistributionRuleRow.code == rule.code, DistributionRuleRow.version == rule.version
            )
        )
        if known is not None:
            if known.checksum == checksum:
                return rule, False
            raise RuleViolation(
                f"分配方案 {rule.code} 第{rule.version}版已登记，内容不同的方案须提高版本号 (rule {rule.code} version "
                f"{rule.version} is already recorded; raise the version)"
            )
        session.add(
            DistributionRuleRow(
                code=rule.code,
                version=rule.version,
                village_code=rule.village,
                effective_from=rule.effective_from,
                in_force_from=rule.in_force_from,
                body=rule_to_json(rule),
                source_name=path.name,
                checksum=checksum,
                actor=actor,
                recorded_at=now(),
            )
        )
        return rule, True


def rule_to_json(rule: DistributionRule) -> dict[str, Any]:
    data = asdict(rule)
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return plain


def rule_from_json(body: dict[str, Any]) -> DistributionRule:
    approval = body["approval"]
    return DistributionRule(
        code=body["code"],
        village=body["village"],
        version=body["version"],
        effective_from=dt.date.fromisoformat(body["effective_from"]),
        shares=tuple((code, Decimal(pct)) for code, pct in body["shares"]),
        approval=Approval(approval["body"], dt.date.fromisoformat(approval["date"]), approval["document"]),
        notice_start=dt.date.fromisoformat(body["notice_start"]),
        notice_days=body["notice_days"],
        payout_notice_days=body.get("payout_notice_days"),
        assets=tuple(body["assets"]),
        basis=Basis(body["basis"]),
        category_weights={k: Decimal(v) for k, v in body["category_weights"].items()},
        factor_weights={k: Decimal(v) for k, v in body["factor_weights"].items()},
        join_rule=JoinRule(body["join_rule"]),
        base=body["base"],
    )


def rule_for(session: Session, village: str, period: Period, on: dt.date) -> tuple[int, DistributionRule]:
    """The latest rule version covering the period that is in force on the distribution date."""
    rows = session.scalars(
        select(DistributionRuleRow)
        .where(DistributionRuleRow.village_code == village, DistributionRuleRow.effective_from <= period.end)
        .order_by(DistributionRuleRow.effective_from.desc(), DistributionRuleRow.version.desc())
    ).all()
    if not rows:
        raise RuleViolation(
            f"{region_name(session, village)}没有适用于 {period.label} 的收益分配方案 "
            f"(village {village} has no distribution rule covering {period.label})"
        )
    for row in rows:
        if row.in_force_from <= on:
            return row.id, rule_from_json(row.body)
    first = rows[0]
    raise RuleViolation(
        f"分配方案 {first.code} 第{first.version}版自 {first.in_force_from} 起施行（通过后公示 "
        f"{first.body['notice_days']} 天），{on} 尚不能适用 (rule {first.code} v{first.version} cannot be applied "
        f"on {on}: it is in force from {first.in_force_from}, after its approval and {first.body['notice_days']} "
        "days of public notice)"
    )


@dataclass(frozen=True)
class DistributionResult:
    village: str
    period: Period
    rule: DistributionRule
    revenue: Decimal
    costs: Decimal
    split: Split
    distribution_id: int | None
    already_done: bool
    dry_run: bool
    # For one already done (the figures above are then the recorded distribution's): what the village's books hold
    # now for its months and assets, by its rule's base; it differs when revenue was booked into them afterwards.
    books_total: Decimal | None = None

    @property
    def undistributed(self) -> Decimal:
        """Revenue booked into a distributed period after it was shared (negative: taken out of the books since),
        which only a reversal and a new distribution share (DOMAIN rule 15); zero otherwise."""
        return ZERO if self.books_total is None else self.books_total - self.split.total

    def late_note(self) -> str | None:
        """What to tell the user when the books of a distributed period no longer hold what was shared."""
        late = self.undistributed
        if not late:
            return None
        what = "又记入收益" if late > 0 else "收益减少"
        return (
            f"注意：{self.period.label} 分配（第 {self.distribution_id} 号）后{what} {abs(late):,.2f} 元：已分配 "
            f"{self.split.total:,.2f}，账面现为 {self.books_total:,.2f}，差额未分配；一个月的收益只分配一次，须先冲销"
            f"原分配再重新分配 (the books now hold {self.books_total:,.2f} for {self.period.label}, distribution "
            f"{self.distribution_id} shared {self.split.total:,.2f}: {late:,.2f} is not shared; reverse it and "
            f"distribute again: assetledger distribute reverse --village {self.village} --period {self.period.label} "
            f"--reason ..., then assetledger distribute --village {self.village} --period {self.period.label})"
        )


def revenue_and_costs(
    session: Session, entity: str, period: Period, assets: tuple[str, ...]
) -> tuple[Decimal, Decimal]:
    """Income and expenses booked against the covered assets in the period, summed in the database."""
    query = (
        select(
            func.sum(PostingRow.amount).filter(Account.name.like("Income:%")),
            func.sum(PostingRow.amount).filter(Account.name.like("Expenses:%")),
        )
        .select_from(PostingRow)
        .join(Account, Account.id == PostingRow.account_id)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(
            Entry.entity_code == entity,
            Entry.date >= period.start,
            Entry.date <= period.end,
            Entry.asset_id.is_not(None),
        )
    )
    if assets:
        query = query.where(Entry.asset_id.in_(assets))
    income, expenses = session.execute(query).one()
    return -(income or ZERO), expenses or ZERO


def books_total(
    session: Session, village: str, period: Period, rule: DistributionRule
) -> tuple[Decimal, Decimal, Decimal]:
    """(revenue, costs, the total a distribution shares) the village's books hold for the period, by the rule."""
    revenue, costs = revenue_and_costs(session, entity_code(EntityKind.VILLAGE, village), period, rule.assets)
    return revenue, costs, revenue if rule.base == "revenue" else max(revenue - costs, ZERO)


def recorded_rule(session: Session, dist: Distribution) -> DistributionRule:
    body = session.scalar(select(DistributionRuleRow.body).where(DistributionRuleRow.id == dist.rule_id))
    assert body is not None, "a distribution names its rule"
    return rule_from_json(body)


def recorded_split(session: Session, dist: Distribution, rule: DistributionRule) -> Split:
    """What a distribution shared, as recorded (its lines), in the order of its rule's purposes."""
    lines = session.execute(
        select(DistributionLine.purpose, DistributionLine.household_id, DistributionLine.months,
               DistributionLine.weight, DistributionLine.amount, HouseholdRow.head)
        .outerjoin(HouseholdRow, HouseholdRow.household_id == DistributionLine.household_id)
        .where(DistributionLine.distribution_id == dist.id)
        .order_by(DistributionLine.household_id, DistributionLine.id)
    ).all()  # fmt: off
    period = Period(dist.period_start, dist.period_end, dist.period)
    roster = {h.household_id: h for h in households_of(session, dist.village_code)}
    purposes = {ln.purpose: ln.amount for ln in lines if ln.household_id is None}
    shares = tuple(
        HouseholdShare(ln.household_id, ln.head or ln.household_id, ln.months or 0, ln.weight or ZERO, ln.amount,
                       ln.weight / ln.months if ln.weight is not None and ln.months else Decimal(1),
                       share_note(roster[ln.household_id], period, rule.join_rule)
                       if ln.household_id in roster else None)
        for ln in lines if ln.household_id is not None
    )  # fmt: skip
    households = sum((h.amount for h in shares), ZERO)
    by_purpose = tuple(
        (code, households if code == "household_shares" else purposes.get(code, ZERO)) for code, _ in rule.shares
    )
    return Split(dist.total, by_purpose, shares)


def households_of(session: Session, village: str) -> list[Household]:
    return [
        Household(
            h.household_id, h.head, h.persons, h.category, tuple(h.factors), h.joined_on, h.left_on, h.left_reason
        )
        for h in session.scalars(select(HouseholdRow).where(HouseholdRow.village_code == village))
    ]


def parse_period(text: str, source: str = "distribute") -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise InputError([Finding(source, None, "--period", text, str(exc))]) from exc


def ended_period_check(period: Period, on: dt.date) -> None:
    """A distribution shares revenue of ended periods only, as of its date, and is not dated after today."""
    if period.end >= today():
        raise RuleViolation(
            f"{period.label} 尚未结束（至 {period.end}），不能分配 (the period has not ended: it ends {period.end}; "
            f"its revenue can be distributed from {period.end + dt.timedelta(days=1)})"
        )
    if on <= period.end:
        raise RuleViolation(
            f"分配日期 {on} 不晚于期间结束日 (a distribution of {period.label} is dated after the period ends, "
            f"{period.end})"
        )
    if on > today():
        raise RuleViolation(f"分配日期 {on} 晚于今天 (a distribution cannot be dated after today, {today()})")


@dataclass(frozen=True)
class Standing:
    """A distribution of the village that has not been reversed."""

    id: int
    period: Period
    rule_code: str
    assets: tuple[str, ...]


def standing_distributions(session: Session, village: str) -> list[Standing]:
    """The village's distributions that stand (not reversed), oldest first."""
    rows = session.execute(
        select(Distribution.id, Distribution.period, Distribution.period_start, Distribution.period_end,
               Distribution.rule_code, DistributionRuleRow.body)
        .join(DistributionRuleRow, DistributionRuleRow.id == Distribution.rule_id)
        .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .where(Distribution.village_code == village, DistributionReversal.id.is_(None))
        .order_by(Distribution.period_start, Distribution.id)
    ).all()  # fmt: off
    return [
        Standing(id_, Period(start, end, label), code, _rule_assets(body))
        for id_, label, start, end, code, body in rows
    ]


def shared_by_other_facts(session: Session, village: str, before: Household, after: Household) -> list[Standing]:
    """The village's standing distributions that gave the household other months than its corrected facts would
    (a corrected exit): they stand as made, and only reversing and distributing again shares by the facts as they
    are now (DOMAIN rule 15) — paid ones too, their overpayments being set against later shares."""
    out = []
    for d in standing_distributions(session, village):
        row = session.get(Distribution, d.id)
        assert row is not None
        join_rule = recorded_rule(session, row).join_rule
        if eligible_months(before, d.period, join_rule) != eligible_months(after, d.period, join_rule):
            out.append(d)
    return out


def standing_of_period(session: Session, village: str, period: Period) -> list[Distribution]:
    """The village's distributions of exactly this period that stand (not reversed), oldest first: what a payout, a
    reversal or an objection names by village and period."""
    return list(
        session.scalars(
            select(Distribution)
            .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
            .where(
                Distribution.village_code == village,
                Distribution.period_start == period.start,
                Distribution.period_end == period.end,
                DistributionReversal.id.is_(None),
            )
            .order_by(Distribution.id)
        )
    )


def _rule_assets(body: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(a) for a in body.get("assets") or ())


def _earlier(session: Session, village: str, period: Period, rule: DistributionRule) -> Standing | None:
    """The standing distribution this one repeats (same months, same rule), or None; any other standing
    distribution that shares a month and revenue with it is refused (a village month is shared once)."""
    clashes = [
        d for d in standing_distributions(session, village)
        if d.period.overlaps(period) and pools_overlap(d.assets, rule.assets)
    ]  # fmt: skip
    for d in clashes:
        if (d.period.start, d.period.end, d.rule_code) == (period.start, period.end, rule.code) and len(clashes) == 1:
            return d
    if clashes:
        named = "、".join(f"{d.period.label}（第 {d.id} 号，方案 {d.rule_code}）" for d in clashes)
        raise RuleViolation(
            f"{village} 的 {named} 已分配，{period.label} 与之重叠，不能重复分配；如需更正，先冲销原分配 "
            f"(already distributed: {', '.join(d.period.label for d in clashes)} share months with {period.label}; "
            f"a month is distributed once — to correct it, reverse the earlier distribution first: "
            f"assetledger distribute reverse --village {village} --period {clashes[0].period.label} --reason ...)"
        )
    return None


def distribute(
    db: Database, village: str, period_text: str, actor: str, *, on: dt.date | None = None, dry_run: bool = False
) -> DistributionResult:
    """Share a village's revenue of an ended period by its rule in force, once: the same distribution again posts
    nothing; one that shares a month with a standing distribution is refused (reverse that one first).

    Dated `on` when the business date is known (a distribution made earlier and recorded now), otherwise the day it
    is recorded — never dated back by default: its notice bears that date and the objection period (公示期) that
    holds back the payout runs from it (DOMAIN rule 15)."""
    period = parse_period(period_text)
    when = on or today()
    ended_period_check(period, when)
    with db.transaction() as session:
        region = session.get(Region, village)
        if region is None:
            raise NotFoundError("village", village)
        require(session, actor, Action.DISTRIBUTE, [village])
        if region.level != RegionLevel.VILLAGE.value:
            raise RuleViolation(
                f"{village} {region.name} 不是村 (revenue is distributed by a village, not a {region.level})"
            )
        rule_id, rule = rule_for(session, village, period, when)
        done = _earlier(session, village, period, rule)
        if done is not None:  # shown as recorded, with what the books hold now beside it
            row = session.get(Distribution, done.id)
            assert row is not None
            made_by = recorded_rule(session, row)
            parts = recorded_split(session, row, made_by)
            now_total = books_total(session, village, period, made_by)[2]
            return DistributionResult(
                village, period, made_by, row.revenue, row.costs, parts, row.id, True, dry_run, now_total
            )
        entity = entity_code(EntityKind.VILLAGE, village)
        books = Books(session, actor)
        books.ensure_entity(EntityKind.VILLAGE, village)
        revenue, costs, total = books_total(session, village, period, rule)
        try:
            parts = split(total, rule, households_of(session, village), period)
        except ValueError as exc:
            raise RuleViolation(f"{region_name(session, village)} {period.label} 不能分配：{exc}") from exc
        if dry_run:
            result = DistributionResult(village, period, rule, revenue, costs, parts, None, False, dry_run)
            session.rollback()
            return result
        ref = _voucher(session, village, period, rule)
        entry_id = _post(books, entity, rule, period, when, parts, ref) if total else None
        row = Distribution(
            village_code=village,
            period=period.label,
            period_start=period.start,
            period_end=period.end,
            rule_id=rule_id,
            rule_code=rule.code,
            distributed_on=when,
            revenue=revenue,
            costs=costs,
            total=total,
            entry_id=entry_id,
            actor=actor,
            recorded_at=now(),
        )
        session.add(row)
        session.flush()
        lines = [
            {"distribution_id": row.id, "purpose": c, "household_id": None, "months": None, "weight": None, "amount": a}
            for c, a in parts.by_purpose
            if c != "household_shares"
        ]
        lines += [
            {
                "distribution_id": row.id,
                "purpose": "household_shares",
                "household_id": s.household_id,
                "months": s.months,
                "weight": s.weight,
                "amount": s.amount,
            }
            for s in parts.households
        ]
        if lines:
            session.execute(insert(DistributionLine), lines)
        return DistributionResult(village, period, rule, revenue, costs, parts, row.id, False, False)


def payable_account(household_id: str) -> str:
    return f"Liabilities:DistributionPayable:H{''.join(c if c.isalnum() else '-' for c in household_id)}"


def _voucher(session: Session, village: str, period: Period, rule: DistributionRule) -> str:
    """The voucher (ref) of a distribution's entry: `distribution:PERIOD:RULE` for the first of the village's period
    and rule, `…:2`, `…:3` for a redo after each reversal — a redo is a new distribution, never the reversed one's
    repeat (the books would skip it as the same voucher again)."""
    earlier = session.scalar(
        select(func.count(Distribution.id)).where(
            Distribution.village_code == village,
            Distribution.period_start == period.start,
            Distribution.period_end == period.end,
            Distribution.rule_code == rule.code,
        )
    )
    ref = f"distribution:{period.label}:{rule.code}"
    return f"{ref}:{earlier + 1}" if earlier else ref


def _post(
    books: Books, entity: str, rule: DistributionRule, period: Period, on: dt.date, parts: Split, ref: str
) -> int:
    purposes, _ = load_purposes()
    postings: list[Posting] = [Posting("Equity:Distribution", parts.total)]
    opens = []
    for code, amount in parts.by_purpose:
        if code == "household_shares" or not amount:
            continue
        purpose = purposes[code]
        postings.append(Posting(purpose.account, -amount))
        opens.append((entity, purpose.account, f"收益分配-{purpose.label}", on, None))
    for share in parts.households:
        if share.amount:
            account = payable_account(share.household_id)
            postings.append(Posting(account, -share.amount))
            opens.append((entity, account, f"应付收益-{share.head}({share.household_id})", on, None))
    books.open_accounts(opens)
    entry = JournalEntry(
        entity,
        on,
        f"{period.label} 资产收益分配（{rule.code} v{rule.version}）",
        tuple(postings),
        EntryKind.DISTRIBUTION,
        None,
        ref,
        meta={"rule": rule.code, "rule_version": str(rule.version), "period": period.label},
    )
    posted = books.post([entry], [Located("distribute")]).posted
    if not posted:  # the voucher is in the books already (made by another session meanwhile): post nothing
        raise RuleViolation(
            f"{period.label} 的分配凭证 {ref} 已入账，本次未记账，请重新运行 (the distribution's voucher {ref} is in "
            f"the books already; nothing was posted — run the distribution again to see where it stands)"
        )
    return posted[0]
