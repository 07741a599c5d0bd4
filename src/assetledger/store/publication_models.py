"""ORM model of a public notice published for villagers to read (公示上墙/上网). Append-only, sealed.

A distribution's notice (公示) is printed by `distribute notice` for the village's board; publishing it records the
act — which notice, on what date, by whom — and is what lets the public pages and `notice export` show it. Nothing
is public that no row here names.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.store.models import Base, BigId


class NoticePublication(Base):
    """A distribution's public notice published on a date, by an actor."""

    __tablename__ = "notice_publications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"))
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    published_on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("distribution_id", name="uq_notice_publications_distribution"),
        Index("ix_notice_publications_village", "village_code"),
    )
