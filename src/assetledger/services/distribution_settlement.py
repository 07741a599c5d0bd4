"""After a distribution: paying households once its public notice has run, and reversing it to correct it.

Households are paid only after the distribution's notice was published and its objection period (公示期) has passed
without an objection undecided or upheld (DOMAIN rule 15, services/notice_objections.py); a distribution is
corrected by reversing it with a reason, which posts the opposite entry and frees its months to be distributed
again, never by distributing on top of it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import entity_code
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting, reversal_of
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.services.access import require
from assetledger.services.books import Books, Located
from assetledger.services.context import now, today
from assetledger.services.distribution import parse_period, payable_account, standing_of_period
from assetledger.services.journal import load_entry
from assetledger.services.notice_objections import require_payable
from assetledger.store.db import Database
from assetledger.store.distribution_models import (
    Distribution,
    DistributionLine,
    DistributionReversal,
    Payout,
)
from assetledger.store.distribution_models import Household as HouseholdRow
from assetledger.store.text_rules import require_fits


def _standing(session: Session, village: str, period_text: str, source: str) -> list[Distribution]:
    """The village's distributions of exactly this period that have not been reversed."""
    period = parse_period(period_text, source)
    found = standing_of_period(session, village, period)
    if not found:
        raise NotFoundError("distribution", f"{village} {period.label}")
    return list(found)


def pay(db: Database, village: str, period_text: str, on: dt.date, actor: str, household: str | None = None) -> int:
    """Settle household payables of a distribution from the bank, once its notice was published, its objection
    period has passed and no objection to it stands (services/notice_objections.require_payable). Households already
    paid are skipped; returns how many were paid now."""
    if on > today():
        raise RuleViolation(f"发放日期 {on} 晚于今天 (a payout cannot be dated after today, {today()})")
    with db.transaction() as session:
        require(session, actor, Action.DISTRIBUTE, [village])
        dists = _standing(session, village, period_text, "distribute pay")
        entity = entity_code(EntityKind.VILLAGE, village)
        books = Books(session, actor)
        paid = 0
        for dist in dists:
            require_payable(session, dist, on)  # published, its objection period passed, no objection standing
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
                    f"{dist.period} 收益分红发放 {ln.head}",
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
            raise RuleViolation(f"household {household} has nothing unpaid in {village} {period_text}")
        return paid


def reverse_distribution(
    db: Database,
    village: str,
    period_text: str,
    reason: str,
    actor: str,
    *,
    on: dt.date | None = None,
    rule_code: str | None = None,
) -> list[int]:
    """Take a distribution back (冲销) to correct it: its entry is reversed, the reversal is recorded with its reason,
    and its months may be distributed again. Refused once households have been paid. Returns the ids reversed."""
    if not reason.strip():
        raise InputError(
            [Finding("distribute reverse", None, "--reason", reason, "冲销须说明原因 (a reason is needed)")]
        )
    require_fits("distribute reverse", ("--reason", reason, DistributionReversal.reason))
    when = on or today()
    if when > today():
        raise RuleViolation(f"冲销日期 {when} 晚于今天 (a reversal cannot be dated after today, {today()})")
    with db.transaction() as session:
        require(session, actor, Action.DISTRIBUTE, [village])
        dists = [d for d in _standing(session, village, period_text, "distribute reverse")
                 if rule_code in (None, d.rule_code)]  # fmt: skip
        if not dists:
            raise NotFoundError("distribution", f"{village} {period_text} {rule_code}")
        books = Books(session, actor)
        reversed_ids = []
        for dist in dists:
            paid = session.scalars(select(Payout.household_id).where(Payout.distribution_id == dist.id)).all()
            if paid:
                raise RuleViolation(
                    f"第 {dist.id} 号分配已向 {len(paid)} 户发放，不能冲销 (distribution {dist.id} has been paid to "
                    f"{len(paid)} household(s); it cannot be taken back)"
                )
            if when < dist.distributed_on:
                raise RuleViolation(
                    f"冲销日期 {when} 早于分配日期 {dist.distributed_on} (a reversal is dated on or after the "
                    f"distribution it reverses)"
                )
            entry_id = None
            if dist.entry_id is not None:
                original = load_entry(session, dist.entry_id)
                entry_id = books.post([reversal_of(original, when, reason)], [Located("distribute reverse")]).posted[0]
            session.add(
                DistributionReversal(distribution_id=dist.id, reversed_on=when, reason=reason, entry_id=entry_id,
                                     actor=actor, recorded_at=now())
            )  # fmt: skip
            reversed_ids.append(dist.id)
        return reversed_ids
