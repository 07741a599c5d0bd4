"""ORM models of two acts of record added for supervision (issue 24), both append-only and sealed: a public notice
published for villagers to read (公示上网), and an asset accepted (验收) before or after it is registered.

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


class AssetAcceptance(Base):
    """An asset built by a project and accepted (竣工验收) on a date, at a place: recorded whether or not the asset is
    on the register yet — it is the clock of the rule "accepted but not registered" (验收后未登记). The asset id is
    the one it will be (or was) registered under, hence no foreign key. A correction is a later row for the id."""

    __tablename__ = "asset_acceptances"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    township_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    village_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    accepted_on: Mapped[dt.date] = mapped_column(Date)
    document: Mapped[str | None] = mapped_column(String(200))  # 验收文号
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_asset_acceptances_asset", "asset_id"),
        Index("ix_asset_acceptances_county", "county_code"),
    )
