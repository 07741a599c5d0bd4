"""What each household of a village is still owed from its distributions, once what it was paid beyond a corrected
distribution (多发) is set against its later shares (抵减).

A distribution found wrong after households were paid is still corrected by reversing it (DOMAIN rule 15): the
reversal takes back the payable, not the cash, so a household paid from it holds money that the corrected
distribution may not give it again. The village does not ask a household for cash back; what it was paid beyond the
shares that stand is set against its next shares, oldest first, and only the rest is paid from the bank. The books
say the same: the household's payable account (Liabilities:DistributionPayable:H…) goes into debit by the
overpayment and is brought back by later shares.

Nothing here is stored: the dues are worked out from the record (lines, reversals, payouts) each time, so a share
wholly set against an overpayment needs no payout row and a later correction is counted at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from assetledger.store.distribution_models import (
    Distribution,
    DistributionLine,
    DistributionReversal,
    Household,
    Payout,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Due:
    """A household's unpaid share of a standing distribution, and what of it is set against an earlier overpayment."""

    distribution_id: int
    period: str
    household_id: str
    head: str
    share: Decimal
    offset: Decimal  # 抵减: set against what the household was paid beyond the shares that stand

    @property
    def cash(self) -> Decimal:
        """What is still to be paid from the bank."""
        return self.share - self.offset


def overpaid(session: Session, village: str) -> dict[str, Decimal]:
    """Per household of the village: cash it was paid beyond the shares of the standing distributions its payouts
    settled (a payout of a later-reversed distribution settles nothing that stands). Only households with some."""
    cash = dict(
        session.execute(
            select(Payout.household_id, func.sum(Payout.amount))
            .join(Distribution, Distribution.id == Payout.distribution_id)
            .where(Distribution.village_code == village)
            .group_by(Payout.household_id)
        ).all()
    )
    settled = dict(
        session.execute(
            select(Payout.household_id, func.sum(DistributionLine.amount))
            .join(Distribution, Distribution.id == Payout.distribution_id)
            .join(DistributionLine, and_(DistributionLine.distribution_id == Payout.distribution_id,
                                         DistributionLine.household_id == Payout.household_id))
            .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
            .where(Distribution.village_code == village, DistributionReversal.id.is_(None))
            .group_by(Payout.household_id)
        ).all()
    )  # fmt: skip
    out = {h: paid - (settled.get(h) or ZERO) for h, paid in cash.items()}
    return {h: amount for h, amount in out.items() if amount > 0}


def overpaid_after_dues(session: Session, village: str) -> dict[str, Decimal]:
    """Per household: what it still holds beyond its shares once its unpaid shares are set against it. Only
    households with some."""
    left = overpaid(session, village)
    for due in dues(session, village):
        if due.household_id in left:
            left[due.household_id] -= due.offset
    return {h: amount for h, amount in left.items() if amount > 0}


def dues(session: Session, village: str) -> list[Due]:
    """The unpaid household shares of the village's standing distributions, oldest first, each household's
    overpayment set against them in that order."""
    rows = session.execute(
        select(Distribution.id, Distribution.period, DistributionLine.household_id, Household.head,
               DistributionLine.amount)
        .join(DistributionLine, DistributionLine.distribution_id == Distribution.id)
        .join(Household, Household.household_id == DistributionLine.household_id)
        .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .outerjoin(Payout, and_(Payout.distribution_id == Distribution.id,
                                Payout.household_id == DistributionLine.household_id))
        .where(Distribution.village_code == village, DistributionReversal.id.is_(None), Payout.id.is_(None),
               DistributionLine.amount > 0)
        .order_by(Distribution.period_start, Distribution.id, DistributionLine.household_id)
    ).all()  # fmt: skip
    left: defaultdict[str, Decimal] = defaultdict(lambda: ZERO, overpaid(session, village))
    out = []
    for dist_id, period, household_id, head, share in rows:
        assert household_id is not None, "joined with the roster"
        offset = min(share, left[household_id])
        left[household_id] -= offset
        out.append(Due(dist_id, period, household_id, head, share, offset))
    return out
