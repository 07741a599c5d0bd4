"""Supervision of objections (异议) to distribution notices: an objection still undecided `days` days after it was
raised (15 by default, ledgers/policy/supervision.toml) is a warning, since the distribution's households wait
on it (DOMAIN rule 15).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.objections import pending_on
from assetledger.domain.supervision import RuleKind, SupervisionWarning, fires_after
from assetledger.services.places import Places
from assetledger.store.distribution_models import Distribution, DistributionReversal
from assetledger.store.objection_models import NoticeObjection, NoticeObjectionDecision


def undecided_objections(session: Session, as_of: dt.date, days: int, places: Places) -> list[SupervisionWarning]:
    """One warning per objection to a standing distribution's notice that is undecided as of `as_of`, more than
    `days` days after it was raised; keyed by the objection's number."""
    rows = session.execute(
        select(NoticeObjection.id, NoticeObjection.distribution_id, NoticeObjection.village_code,
               NoticeObjection.raised_on, Distribution.period, NoticeObjectionDecision.decided_on)
        .join(Distribution, Distribution.id == NoticeObjection.distribution_id)
        .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
        .outerjoin(NoticeObjectionDecision, NoticeObjectionDecision.objection_id == NoticeObjection.id)
        .where(DistributionReversal.id.is_(None), NoticeObjection.raised_on <= as_of)
        .order_by(NoticeObjection.id)
    ).all()  # fmt: skip
    out = []
    for number, distribution_id, village_code, raised_on, period, decided_on in rows:
        if not pending_on(decided_on, as_of) or not places.within(village_code):
            continue
        due = fires_after(raised_on, days, as_of)
        if due is None:
            continue
        waited = (as_of - raised_on).days
        evidence = (
            f"{period} 分配公示的第 {number} 号异议于 {raised_on} 提出，至 {as_of} 已 {waited} 天未处理，本次分配暂不能"
            f"发放 (objection {number} to the {period} notice, raised on {raised_on}, has been undecided for {waited} "
            "days; the distribution's households are not paid until it is decided)"
        )
        county, township, village = places.place(village_code)
        refs = (f"异议 objection #{number}", f"分配 distribution #{distribution_id}")
        subject, place = str(number), f"{places.name(village_code)} {period}"
        out.append(SupervisionWarning(RuleKind.OBJECTION_UNDECIDED, subject, place, county, township, village,
                                      raised_on, due, evidence, refs))  # fmt: skip
    return out
