"""What a distribution gave and to whom; what a household received across years."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.distribution import Household as DomainHousehold
from assetledger.domain.distribution import Period, plain, share_reasons
from assetledger.domain.households import HouseholdFacts
from assetledger.domain.publication import NoticeData
from assetledger.errors import NotFoundError
from assetledger.io.household_rows import CATEGORY_LABELS
from assetledger.rules.distribution_file import load_purposes
from assetledger.services.access import read_households
from assetledger.services.distribution import rule_from_json
from assetledger.services.household_dues import dues
from assetledger.store.db import Database
from assetledger.store.distribution_models import (
    Distribution,
    DistributionLine,
    DistributionReversal,
    DistributionRuleRow,
    Household,
    Payout,
)
from assetledger.store.models import Region
from assetledger.store.publication_models import NoticePublication


def notice_data(db: Database, village: str, period_text: str, actor: str) -> list[NoticeData]:
    """The public notices (公示) of a village's distributions of a period, for a reader whose scope covers the
    village."""
    period = Period.parse(period_text)
    purposes, _ = load_purposes()
    out = []
    with db.reading() as session:
        read_households(session, actor, village)
        names = dict(session.execute(select(Region.code, Region.name)).all())
        parents = dict(session.execute(select(Region.code, Region.parent_code)).all())
        dists = session.execute(
            select(Distribution, DistributionReversal)
            .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
            .where(
                Distribution.village_code == village,
                Distribution.period_start == period.start,
                Distribution.period_end == period.end,
            )
            .order_by(Distribution.id)
        ).all()
        if not dists:
            raise NotFoundError("distribution", f"{village} {period.label}")
        for d, reversal in dists:
            out.append(build_notice(session, d, reversal, names, parents, purposes))
    return out


def build_notice(
    session: Session,
    d: Distribution,
    reversal: DistributionReversal | None,
    names: dict[str, str],
    parents: dict[str, str | None],
    purposes: dict[str, Any],
) -> NoticeData:
    """The notice of one distribution, as read in `session` (the caller has checked who may read it)."""
    period = Period.parse(d.period)
    village = d.village_code
    rule_row = session.get(DistributionRuleRow, d.rule_id)
    assert rule_row is not None
    rule = rule_from_json(rule_row.body)
    published = session.scalar(select(NoticePublication.published_on).where(NoticePublication.distribution_id == d.id))
    noticed_on = published or d.distributed_on  # DOMAIN rule 15: the 公示期 counts from the publication
    lines = session.execute(
        select(DistributionLine, Household)
        .outerjoin(Household, Household.household_id == DistributionLine.household_id)
        .where(DistributionLine.distribution_id == d.id)
        .order_by(DistributionLine.id)
    ).all()
    payouts = session.execute(
        select(Payout.household_id, Payout.paid_on, Payout.amount).where(Payout.distribution_id == d.id)
    ).all()
    paid = {p.household_id: p.paid_on for p in payouts}
    cash = {p.household_id: p.amount for p in payouts}
    offsets = {due.household_id: due.offset for due in dues(session, village) if due.distribution_id == d.id}
    pct = dict(rule.shares)
    by_purpose: dict[str, Any] = {}
    households = []
    for line, h in lines:
        by_purpose[line.purpose] = by_purpose.get(line.purpose, 0) + line.amount
        if line.household_id and h is not None:
            facts = DomainHousehold(h.household_id, h.head, h.persons, h.category, tuple(h.factors),
                                    h.joined_on, h.left_on, h.left_reason)  # fmt: skip
            households.append(
                {
                    "household_id": line.household_id,
                    "head": h.head,
                    "category": CATEGORY_LABELS.get(h.category, h.category),
                    "persons": h.persons,
                    "months": line.months,
                    # the household's weight, as the rule gives it; its share is in proportion to weight ×
                    # months (the line keeps that product)
                    "weight": _per_month(line.weight, line.months),
                    "amount": line.amount,
                    "paid_on": paid.get(line.household_id),
                    # a public notice is read in Chinese
                    "note": "；".join(
                        [zh for zh, _ in share_reasons(facts, period, rule.join_rule)]
                        + _offset_note(line.amount, cash.get(line.household_id), offsets.get(line.household_id))
                    )
                    or None,
                }
            )
    township = parents.get(village)
    county = parents.get(township) if township else None
    return NoticeData(
        village=village,
        village_name=names.get(village, village),
        township_name=names.get(township, "") if township else "",
        county_name=names.get(county, "") if county else "",
        period=period.label,
        rule={
            "code": rule.code,
            "version": rule.version,
            "approval_body": rule.approval.body,
            "approval_date": rule.approval.date,
            "approval_document": rule.approval.document,
            "notice_start": rule.notice_start,
            "notice_days": rule.objection_days,
            "basis": rule.basis.value,
        },
        revenue=d.revenue,
        costs=d.costs,
        total=d.total,
        distributed_on=d.distributed_on,
        purposes=[
            {
                "purpose": purposes[c].label if c in purposes else c,
                "percent": pct[c],
                "amount": by_purpose.get(c, 0),
            }
            for c, _ in rule.shares
        ],
        households=households,
        first_payout_day=rule.first_payout_day(noticed_on),
        noticed_on=noticed_on,
        reversed_on=reversal.reversed_on if reversal else None,
        reversal_reason=reversal.reason if reversal else None,
    )


def _offset_note(share: Decimal, cash: Decimal | None, unpaid_offset: Decimal | None) -> list[str]:
    """What of a share was set against what the household was paid beyond a corrected distribution (多发抵减)."""
    offset = share - cash if cash is not None else unpaid_offset
    if not offset:
        return []
    if offset == share:
        return [f"已由此前多发的 {offset:,.2f} 元全额抵减，不再发放"]
    return [f"其中 {offset:,.2f} 元以此前多发抵减"]


WEIGHT_PLACES = Decimal("0.000001")  # as the lines keep weight × months


def _per_month(weight: Decimal | None, months: int | None) -> Decimal | None:
    """The household's weight: the line's weight × months over its months, without trailing zeros (1.5, not
    1.500000)."""
    if weight is None or not months:
        return weight
    return plain((Decimal(weight) / months).quantize(WEIGHT_PLACES))


@dataclass(frozen=True)
class HouseholdShare:
    """One share a household was given: the distribution's period and rule, the months it shared, the amount, the
    day it was paid and what was paid from the bank (None while unpaid; less than the amount where part of it was
    set against an earlier overpayment), and the day its distribution was taken back (冲销), if it was."""

    period: str
    rule_code: str
    months: int | None
    amount: Decimal
    paid_on: dt.date | None
    paid: Decimal | None
    reversed_on: dt.date | None


def household_history(db: Database, household_id: str, actor: str) -> tuple[HouseholdFacts, list[HouseholdShare]]:
    """A household's facts and every share it was given, with payout dates, across years (personal data: for a
    reader whose scope covers the household's village)."""
    with db.reading() as session:
        h = session.get(Household, household_id)
        if h is None:
            raise NotFoundError("household", household_id)
        read_households(session, actor, h.village_code)
        facts = HouseholdFacts(
            h.household_id,
            h.village_code,
            h.head,
            h.persons,
            CATEGORY_LABELS.get(h.category, h.category),
            tuple(h.factors),
            h.joined_on,
            h.left_on,
            h.left_reason,
        )
        rows = session.execute(
            select(
                Distribution.period,
                Distribution.rule_code,
                DistributionLine.months,
                DistributionLine.amount,
                Payout.paid_on,
                Payout.amount.label("paid"),
                DistributionReversal.reversed_on,
            )
            .join(Distribution, Distribution.id == DistributionLine.distribution_id)
            .outerjoin(Payout, (Payout.distribution_id == Distribution.id) & (Payout.household_id == household_id))
            .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
            .where(DistributionLine.household_id == household_id)
            .order_by(Distribution.period_start, Distribution.id)
        ).all()
    return facts, [
        HouseholdShare(r.period, r.rule_code, r.months, r.amount, r.paid_on, r.paid, r.reversed_on) for r in rows
    ]
