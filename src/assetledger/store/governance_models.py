"""ORM models of idle/loss-making asset governance, disposal, the county's governance policy and maintenance-fund
applications. Append-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.enums import AssetStatus, OperatingMode
from assetledger.domain.governance import DisposalMethod, GovernanceAction, MaintenanceDecision
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText, Money


class GovernanceDecision(Base):
    """What the county decided for an idle or loss-making asset: revitalise (盘活) or dispose (处置)."""

    __tablename__ = "governance_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"), index=True)
    decision: Mapped[GovernanceAction] = mapped_column(EnumText(GovernanceAction, 16))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    # the asset's register status when it was decided (in use, idle or damaged): what the decision found it in
    reason: Mapped[AssetStatus | None] = mapped_column(EnumText(AssetStatus, 32))
    new_operator: Mapped[str | None] = mapped_column(String(200))
    new_mode: Mapped[OperatingMode | None] = mapped_column(EnumText(OperatingMode, 16))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Disposal(Base):
    """An asset leaving the register by auction, transfer, scrapping or write-off, with its approval."""

    __tablename__ = "disposals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"))
    method: Mapped[DisposalMethod] = mapped_column(EnumText(DisposalMethod, 16))
    disposed_on: Mapped[dt.date] = mapped_column(Date)
    proceeds: Mapped[Decimal] = mapped_column(Money)
    book_value: Mapped[Decimal] = mapped_column(Money)
    gain: Mapped[Decimal] = mapped_column(Money)  # negative for a loss
    approval_doc: Mapped[str] = mapped_column(String(200))
    approval_level: Mapped[ApprovalLevel] = mapped_column(EnumText(ApprovalLevel, 32))
    entity_code: Mapped[str | None] = mapped_column(ForeignKey("entities.code"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("asset_id", name="uq_disposals_asset_id"),)


POLICY_CHARS = 64 * 1024  # a governance policy is a page of TOML; its whole text is kept


class GovernancePolicyVersion(Base):
    """One version of a region's governance policy (scan thresholds, disposal approval bands, contract findings) as
    finance stored it: its TOML text and sha256. The latest version under a region governs the assets within it."""

    __tablename__ = "governance_policy_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(32))  # the bureau's scope: "*" or a region code
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, info={"max_chars": POLICY_CHARS})
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_governance_policy_versions_scope", "scope", "version", unique=True),)


class DisposalPolicy(Base):
    """Which policy judged a disposal's approval: the stored version (none: the shipped ledgers/policy file), its
    sha256 and the level it required for the book value."""

    __tablename__ = "disposal_policies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    disposal_id: Mapped[int] = mapped_column(ForeignKey("disposals.id"), unique=True)
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("governance_policy_versions.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    required_level: Mapped[ApprovalLevel] = mapped_column(EnumText(ApprovalLevel, 32))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class MaintenanceApplication(Base):
    """An application to the maintenance fund for serious damage to a public-benefit asset (运维基金申请)."""

    __tablename__ = "maintenance_applications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"), index=True)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    # None on the application; approved / refused on the row of its decision, spent on each row of its spending
    decision: Mapped[MaintenanceDecision | None] = mapped_column(EnumText(MaintenanceDecision, 16))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    approves_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_applications.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
