"""After a distribution: paying households once its public notice has run, and reversing it to correct it.

Households are paid only after the distribution's notice was published and its objection period (公示期) has passed
without an objection undecided or upheld (DOMAIN rule 15, services/notice_objections.py); a distribution is
corrected by reversing it with a reason, which posts the opposite entry and frees its months to be distributed
again, never by distributing on top of it. A distribution already paid is reversed the same way: what its
households were paid beyond the corrected distribution is set against their next shares (services/household_dues.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import entity_code
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting, reversal_of
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.services import household_dues
from assetledger.services.access import require
from assetledger.services.books import Books, Located
from assetledger.services.context import now, today
from assetledger.services.distribution import parse_period, payable_account, standing_of_period
from assetledger.services.journal import known_kind, load_entry
from assetledger.services.notice_objections import require_payable
from assetledger.store.db import Database
from assetledger.store.distribution_models import (
    Distribution,
    DistributionReversal,
    Payout,
)
from assetledger.store.text_rules import require_fits

ZERO = Decimal("0.00")


def _standing(session: Session, village: str, period_text: str, source: str) -> list[Distribution]:
    """The village's distributions of exactly this period that have not been reversed."""
    period = parse_period(period_text, source)
    found = standing_of_period(session, village, period)
    if not found:
        raise NotFoundError("distribution", f"{village} {period.label}")
    return list(found)


@dataclass(frozen=True)
class Settlement:
    """What a payout did: households paid from the bank and how much, and shares wholly or partly set against what
    households were paid beyond a corrected distribution (services/household_dues.py)."""

    paid: int
    cash: Decimal
    offset: Decimal
    offset_only: int  # households whose share was wholly set against an overpayment: nothing left to pay


def pay(
    db: Database, village: str, period_text: str, on: dt.date, actor: str, household: str | None = None
) -> Settlement:
    """Settle household payables of a distribution from the bank, once its notice was published, its objection
    period has passed and no objection to it stands (services/notice_objections.require_payable). Households already
    paid are skipped; what a household was paid beyond a corrected (reversed) distribution is set against its share
    first, and only the rest is paid (services/household_dues.py)."""
    if on > today():
        raise RuleViolation(f"发放日期 {on} 晚于今天 (a payout cannot be dated after today, {today()})")
    with db.transaction() as session:
        require(session, actor, Action.DISTRIBUTE, [village])
        dists = _standing(session, village, period_text, "distribute pay")
        entity = entity_code(EntityKind.VILLAGE, village)
        books = Books(session, actor)
        owed = household_dues.dues(session, village)
        paid, cash, offset, offset_only = 0, ZERO, ZERO, 0
        for dist in dists:
            require_payable(session, dist, on)  # published, its objection period passed, no objection standing
            mine = [d for d in owed if d.distribution_id == dist.id and household in (None, d.household_id)]
            offset += sum((d.offset for d in mine), ZERO)
            offset_only += sum(1 for d in mine if not d.cash)
            todo = [d for d in mine if d.cash]
            if not todo:
                continue
            entries = [_payout_entry(entity, dist, d, on) for d in todo]
            ids = books.post(entries, [Located("distribute pay")] * len(entries)).posted
            at = now()
            session.execute(
                insert(Payout),
                [
                    {
                        "distribution_id": dist.id,
                        "household_id": d.household_id,
                        "amount": d.cash,
                        "paid_on": on,
                        "entry_id": entry_id,
                        "actor": actor,
                        "recorded_at": at,
                    }
                    for d, entry_id in zip(todo, ids, strict=True)
                ],
            )
            paid += len(todo)
            cash += sum((d.cash for d in todo), ZERO)
        if household is not None and paid == 0 and offset_only == 0:
            raise RuleViolation(
                f"农户 {household} 在 {village} {period_text} 没有未发放的分配 (household {household} has nothing "
                f"unpaid in {village} {period_text})"
            )
        return Settlement(paid, cash, offset, offset_only)


def _payout_entry(entity: str, dist: Distribution, due: household_dues.Due, on: dt.date) -> JournalEntry:
    narration = f"{dist.period} 收益分红发放 {due.head}"
    if due.offset:
        narration += f"（应得 {due.share:,.2f}，抵减此前多发 {due.offset:,.2f}）"
    return JournalEntry(
        entity,
        on,
        narration,
        (Posting(payable_account(due.household_id), due.cash), Posting("Assets:Bank", -due.cash)),
        EntryKind.PAYOUT,
        None,
        f"payout:{dist.id}:{due.household_id}",
        meta={"household": due.household_id, "distribution": str(dist.id)},
    )


def reverse_distribution(
    db: Database,
    village: str,
    period_text: str,
    reason: str,
    actor: str,
    *,
    on: dt.date | None = None,
    rule_code: str | None = None,
) -> list[Reversed]:
    """Take a distribution back (冲销) to correct it: its entry is reversed, the reversal is recorded with its reason,
    and its months may be distributed again. Households already paid keep what they were paid: whatever the
    corrected distribution does not give them again is set against their next shares (services/household_dues.py)."""
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
        reversed_ids: list[Reversed] = []
        for dist in dists:
            if when < dist.distributed_on:
                raise RuleViolation(
                    f"冲销日期 {when} 早于分配日期 {dist.distributed_on} (a reversal is dated on or after the "
                    f"distribution it reverses)"
                )
            entry_id = None
            if dist.entry_id is not None:
                original = load_entry(session, dist.entry_id)
                known_kind(original)  # a stored kind that is none: refused by name, not reversed as some kind
                entry_id = books.post([reversal_of(original, when, reason)], [Located("distribute reverse")]).posted[0]
            session.add(
                DistributionReversal(distribution_id=dist.id, reversed_on=when, reason=reason, entry_id=entry_id,
                                     actor=actor, recorded_at=now())
            )  # fmt: skip
            paid = session.execute(
                select(func.count(), func.coalesce(func.sum(Payout.amount), ZERO)).where(
                    Payout.distribution_id == dist.id
                )
            ).one()
            reversed_ids.append(Reversed(dist.id, paid[0], paid[1]))
        return reversed_ids


@dataclass(frozen=True)
class Reversed:
    """A distribution taken back, and what its households had already been paid from it (they keep it)."""

    distribution_id: int
    paid_households: int
    paid: Decimal
