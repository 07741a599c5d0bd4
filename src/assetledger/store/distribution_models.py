"""ORM models of beneficiaries and revenue distribution. Rules, distributions and payouts are append-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.store.models import Base, BigId
from assetledger.store.types import Money


class Household(Base):
    """A beneficiary household (受益对象) of a village: current state; its changes are HouseholdEvents."""

    __tablename__ = "households"

    household_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    head: Mapped[str] = mapped_column(String(100))
    persons: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    factors: Mapped[list[str]] = mapped_column(JSON)
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))


class HouseholdEvent(Base):
    __tablename__ = "household_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[dt.date] = mapped_column(Date)
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AssetHousehold(Base):
    """A household a household-level asset (到户类) benefits, attached by the roster import after the asset was
    registered as published (issue 20): an asset may benefit several households. Append-only."""

    __tablename__ = "asset_households"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"))
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    attached_on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("asset_id", "household_id", name="uq_asset_households_asset_household"),)


class DistributionRuleRow(Base):
    """One version of a distribution rule, as approved; the full rule is kept as it was read."""

    __tablename__ = "distribution_rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    in_force_from: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[dict[str, object]] = mapped_column(JSON)
    source_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("code", "version", name="uq_distribution_rules_code_version"),)


class Distribution(Base):
    __tablename__ = "distributions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    period: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    rule_id: Mapped[int] = mapped_column(ForeignKey("distribution_rules.id"))
    rule_code: Mapped[str] = mapped_column(String(64))
    distributed_on: Mapped[dt.date] = mapped_column(Date)
    revenue: Mapped[Decimal] = mapped_column(Money)
    costs: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    # A village month is distributed once while its distribution stands (DOMAIN rule 15): a reversed
    # distribution frees its months, so the rule is kept by the service under the writer lock, not by a key.
    __table_args__ = (Index("ix_distributions_village_start", "village_code", "period_start"),)


class DistributionReversal(Base):
    """A distribution taken back (冲销) with its reason: its entry is reversed and its months may be shared again."""

    __tablename__ = "distribution_reversals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"), unique=True)
    reversed_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DistributionLine(Base):
    """One part of a distribution: a purpose, or one household's share."""

    __tablename__ = "distribution_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[str | None] = mapped_column(ForeignKey("households.household_id"))
    months: Mapped[int | None] = mapped_column(Integer)
    weight: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    amount: Mapped[Decimal] = mapped_column(Money)

    __table_args__ = (
        Index("ix_distribution_lines_distribution", "distribution_id"),
        Index("ix_distribution_lines_household", "household_id"),
    )


class Payout(Base):
    """A household's share paid from the bank: settles its payable."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"))
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("distribution_id", "household_id", name="uq_payouts_distribution_household"),)
