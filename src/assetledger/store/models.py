"""ORM models of the registers. The event table is the record; asset columns are its current-state projection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assetledger.domain.asset_events import AssetEventKind
from assetledger.domain.enums import AssetStatus, FundSource, OperatingMode, OwnerKind, RegionLevel, Register
from assetledger.store.types import EnumText, Money

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Region(Base):
    """One node of the administrative hierarchy: county → township → village."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[RegionLevel] = mapped_column(EnumText(RegionLevel, 16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    county_code: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))


class Asset(Base):
    """Current state of one project asset; every change to it is also an AssetEvent."""

    __tablename__ = "assets"

    asset_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    register: Mapped[Register] = mapped_column(EnumText(Register, 16))
    category: Mapped[str | None] = mapped_column(String(64))
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    township_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    village_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    location: Mapped[str | None] = mapped_column(String(200))
    project_name: Mapped[str | None] = mapped_column(String(200))
    build_year: Mapped[int | None] = mapped_column(Integer)
    implementer: Mapped[str | None] = mapped_column(String(200))
    # 取得日期: when the asset was acquired, the first choice for the date it enters the books
    acquired_on: Mapped[dt.date | None] = mapped_column(Date)
    original_value: Mapped[Decimal] = mapped_column(Money)
    # What the books must hold for the asset: original value plus reinvestment (再投入), less write-downs.
    current_value: Mapped[Decimal] = mapped_column(Money)
    disposed_on: Mapped[dt.date | None] = mapped_column(Date)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    unit: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[AssetStatus] = mapped_column(EnumText(AssetStatus, 16))
    # ownership confirmation (确权) and handover (移交)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_kind: Mapped[OwnerKind | None] = mapped_column(EnumText(OwnerKind, 16))
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    confirm_doc: Mapped[str | None] = mapped_column(String(200))
    handed_over_on: Mapped[dt.date | None] = mapped_column(Date)
    handover_doc: Mapped[str | None] = mapped_column(String(200))
    handed_over_by: Mapped[str | None] = mapped_column(String(200))
    # custody (管护): the current assignment; history is in custodian_assignments
    custodian: Mapped[str | None] = mapped_column(String(200))
    custodian_duties: Mapped[str | None] = mapped_column(Text)
    custodian_since: Mapped[dt.date | None] = mapped_column(Date)
    # operating register (经营性)
    operating_mode: Mapped[OperatingMode | None] = mapped_column(EnumText(OperatingMode, 16))
    operator: Mapped[str | None] = mapped_column(String(200))
    contract_start: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)
    contract_annual_income: Mapped[Decimal | None] = mapped_column(Money)
    # household register (到户类)
    household_id: Mapped[str | None] = mapped_column(String(64))
    household_head: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    __table_args__ = (
        Index("ix_assets_county_register", "county_code", "register"),
        Index("ix_assets_village", "village_code"),
        Index("ix_assets_township", "township_code"),
        Index("ix_assets_status", "status"),
    )


class AssetFunding(Base):
    """Amount of an asset's original value that came from one fund source (资金来源)."""

    __tablename__ = "asset_funding"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"), index=True)
    source: Mapped[FundSource] = mapped_column(EnumText(FundSource, 16))
    amount: Mapped[Decimal] = mapped_column(Money)

    __table_args__ = (UniqueConstraint("asset_id", "source", name="uq_asset_funding_asset_source"),)


class AssetEvent(Base):
    """Something that happened to an asset, with who recorded it and when. Append-only."""

    __tablename__ = "asset_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"))
    kind: Mapped[AssetEventKind | str] = mapped_column(EnumText(AssetEventKind, 32))  # a later kind reads as text
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_asset_events_asset", "asset_id", "id"),)


class CustodianAssignment(Base):
    """A custodian (管护主体) of an asset from start_on until the next assignment starts. Append-only."""

    __tablename__ = "custodian_assignments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"), index=True)
    custodian: Mapped[str] = mapped_column(String(200))
    duties: Mapped[str | None] = mapped_column(Text)
    start_on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ImportBatch(Base):
    """One accepted bulk import; its checksum makes re-running the same file a no-op."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("kind", "checksum", name="uq_import_batches_kind_checksum"),)
