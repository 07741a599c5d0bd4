"""ORM models of objections (异议) raised against a distribution's public notice during its objection period (公示期),
and of their decisions: both append-only and sealed (DOMAIN rule 15).

An objection names the distribution, the village, the day it was raised and who raised it (a household of the
roster, a name as the person gave it, or both) and what it says; a decision is a later row naming the objection,
the day it was decided, upheld or dismissed, and why. Nothing here is updated in place: an objection without a
decision row is undecided.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.objections import Outcome
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText


class NoticeObjection(Base):
    """An objection to a distribution's notice, raised on a date within its objection period."""

    __tablename__ = "notice_objections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"))
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    household_id: Mapped[str | None] = mapped_column(ForeignKey("households.household_id"))
    raised_by: Mapped[str | None] = mapped_column(String(100))  # the name the person gave (异议人)
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_notice_objections_distribution", "distribution_id"),
        Index("ix_notice_objections_village", "village_code"),
    )


class NoticeObjectionDecision(Base):
    """The decision on an objection: upheld (成立: the distribution must be reversed and redone) or dismissed (不成立).
    One per objection."""

    __tablename__ = "notice_objection_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("notice_objections.id"), unique=True)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[Outcome] = mapped_column(EnumText(Outcome, 16))  # upheld (成立) or dismissed (不成立)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
