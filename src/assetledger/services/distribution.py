"""Run a village's revenue distribution for a period, post it, and pay households out.

The revenue is what the village's books hold for the assets the rule covers in the period (income accounts; with
`base = "net"` less their costs, never below zero). A distribution is posted once per village, period and rule:
running it again posts nothing and says so.
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
    JoinRule,
    Period,
    Split,
    split,
)
from assetledger.domain.enums import RegionLevel
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.rules.distribution_file import load_purposes, parse_rule
from assetledger.services.access import require
from assetledger.services.books import Books, Located
from assetledger.services.context import now
from assetledger.store.db import Database
from assetledger.store.distribution_models import (
    Distribution,
    DistributionLine,
    DistributionRuleRow,
    Payout,
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
            reason = "no such village code" if region is None else f"{region.name} is a {region.level}, not a village"
            raise InputError([Finding(str(path), None, "village", rule.village, reason)])
        require(session, actor, Action.DISTRIBUTE, [rule.village])
        known = session.scalar(
            select(DistributionRuleRow).where(
                DistributionRuleRow.code == rule.code, DistributionRuleRow.version == rule.version
            )
        )
        if known is not None:
            if known.checksum == checksum:
                return rule, False
            raise RuleViolation(f"rule {rule.code} version {rule.version} is already recorded; raise the version")
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
    return json.loads(json.dumps(data, default=str))  # type: ignore[no-any-return]


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
        raise RuleViolation(f"village {village} has no distribution rule covering {period.label}")
    for row in rows:
        if row.in_force_from <= on:
            return row.id, rule_from_json(row.body)
    first = rows[0]
    raise RuleViolation(
        f"rule {first.code} v{first.version} cannot be applied on {on}: it is in force from {first.in_force_from} "
        f"(after its approval and {first.body['notice_days']} days of public notice)"
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


def households_of(session: Session, village: str) -> list[Household]:
    return [
        Household(
            h.household_id, h.head, h.persons, h.category, tuple(h.factors), h.joined_on, h.left_on, h.left_reason
        )
        for h in session.scalars(select(HouseholdRow).where(HouseholdRow.village_code == village))
    ]


def distribute(
    db: Database, village: str, period_text: str, actor: str, *, on: dt.date | None = None, dry_run: bool = False
) -> DistributionResult:
    try:
        period = Period.parse(period_text)
    except ValueError as exc:
        raise InputError([Finding("distribute", None, "--period", period_text, str(exc))]) from exc
    when = on or period.end + dt.timedelta(days=1)
    if when <= period.end:
        raise RuleViolation(f"a distribution of {period.label} is made after the period ends ({period.end})")
    with db.transaction() as session:
        if session.get(Region, village) is None:
            raise NotFoundError("village", village)
        require(session, actor, Action.DISTRIBUTE, [village])
        rule_id, rule = rule_for(session, village, period, when)
        entity = entity_code(EntityKind.VILLAGE, village)
        done = session.scalar(
            select(Distribution).where(
                Distribution.village_code == village,
                Distribution.period == period.label,
                Distribution.rule_code == rule.code,
            )
        )
        books = Books(session, actor)
        books.ensure_entity(EntityKind.VILLAGE, village)
        revenue, costs = revenue_and_costs(session, entity, period, rule.assets)
        total = revenue if rule.base == "revenue" else max(revenue - costs, ZERO)
        try:
            parts = split(total, rule, households_of(session, village), period)
        except ValueError as exc:
            raise RuleViolation(f"{village} {period.label}: {exc}") from exc
        if done is not None or dry_run:
            result = DistributionResult(
                village, period, rule, revenue, costs, parts, done.id if done else None, done is not None, dry_run
            )
            session.rollback()
            return result
        entry_id = _post(books, entity, rule, period, when, parts) if total else None
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


def _post(books: Books, entity: str, rule: DistributionRule, period: Period, on: dt.date, parts: Split) -> int:
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
        f"distribution:{period.label}:{rule.code}",
        meta={"rule": rule.code, "rule_version": str(rule.version), "period": period.label},
    )
    return books.post([entry], [Located("distribute")]).posted[0]


def pay(db: Database, village: str, period_text: str, on: dt.date, actor: str, household: str | None = None) -> int:
    """Settle household payables of a distribution from the bank. Households already paid are skipped."""
    period = Period.parse(period_text)
    with db.transaction() as session:
        dists = session.scalars(
            select(Distribution).where(Distribution.village_code == village, Distribution.period == period.label)
        ).all()
        if not dists:
            raise NotFoundError("distribution", f"{village} {period.label}")
        require(session, actor, Action.DISTRIBUTE, [village])
        entity = entity_code(EntityKind.VILLAGE, village)
        books = Books(session, actor)
        paid = 0
        for dist in dists:
            if on < dist.distributed_on:
                raise RuleViolation(f"payout date {on} is before the distribution ({dist.distributed_on})")
            done = set(session.scalars(select(Payout.household_id).where(Payout.distribution_id == dist.id)))
            lines = session.execute(
                select(DistributionLine.household_id, DistributionLine.amount, HouseholdRow.head)
                .join(HouseholdRow, HouseholdRow.household_id == DistributionLine.household_id)
                .where(DistributionLine.distribution_id == dist.id, DistributionLine.amount > 0)
                .order_by(DistributionLine.household_id)
            ).all()
            todo = [ln for ln in lines if ln.household_id not in done and household in (None, ln.household_id)]
            if not todo:
                continue
            entries = [
                JournalEntry(
                    entity,
                    on,
                    f"{period.label} 收益分红发放 {ln.head}",
                    (Posting(payable_account(ln.household_id), ln.amount), Posting("Assets:Bank", -ln.amount)),
                    EntryKind.PAYOUT,
                    None,
                    f"payout:{dist.id}:{ln.household_id}",
                    meta={"household": ln.household_id, "distribution": str(dist.id)},
                )
                for ln in todo
            ]
            ids = books.post(entries, [Located("distribute pay")] * len(entries)).posted
            at = now()
            session.execute(
                insert(Payout),
                [
                    {
                        "distribution_id": dist.id,
                        "household_id": ln.household_id,
                        "amount": ln.amount,
                        "paid_on": on,
                        "entry_id": entry_id,
                        "actor": actor,
                        "recorded_at": at,
                    }
                    for ln, entry_id in zip(todo, ids, strict=True)
                ],
            )
            paid += len(todo)
        if household is not None and paid == 0:
            raise RuleViolation(f"household {household} has nothing unpaid in {village} {period.label}")
        return paid
