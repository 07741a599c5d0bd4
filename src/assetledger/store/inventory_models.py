"""ORM models of the annual inventory (清查): inventories, the assets each selects, counts, closes. Append-only.

A count row is never changed: a later count of the same asset (or the same surplus) supersedes it by id order.
An inventory is open until it has a close row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.enums import RegionLevel
from assetledger.domain.inventory import CountResult, DueReason
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText, Money


class Inventory(Base):
    """One inventory: a year and a scope (county, township or village), with the policy it selected by."""

    __tablename__ = "inventories"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    scope_level: Mapped[RegionLevel] = mapped_column(EnumText(RegionLevel, 16))
    scope_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    county_code: Mapped[str] = mapped_column(String(32), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    policy: Mapped[dict[str, object]] = mapped_column(JSON)
    selected: Mapped[dict[str, int]] = mapped_column(JSON)  # counts per reason, selected and not
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("year", "scope_code", name="uq_inventories_year_scope"),)


class InventoryItem(Base):
    """An asset selected for an inventory, where it sat and what the register said when the inventory opened."""

    __tablename__ = "inventory_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id"))
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"), index=True)
    reason: Mapped[DueReason] = mapped_column(EnumText(DueReason, 32))  # why it was selected (one of the due reasons)
    last_counted: Mapped[int | None] = mapped_column(Integer)
    county_code: Mapped[str] = mapped_column(String(32))
    township_code: Mapped[str | None] = mapped_column(String(32))
    village_code: Mapped[str | None] = mapped_column(String(32))
    place_code: Mapped[str] = mapped_column(String(32))  # the count sheet: village, else township, else county
    register_value: Mapped[Decimal] = mapped_column(Money)

    __table_args__ = (
        UniqueConstraint("inventory_id", "asset_id", name="uq_inventory_items_inventory_asset"),
        Index("ix_inventory_items_inventory_place", "inventory_id", "place_code"),
    )


class InventoryCount(Base):
    """One counted row of a filled sheet: an asset's result, or a surplus (盘盈) found beyond the register."""

    __tablename__ = "inventory_counts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    source_row: Mapped[int] = mapped_column(Integer)
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.asset_id"))
    place_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    result: Mapped[CountResult] = mapped_column(EnumText(CountResult, 16))
    condition: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    counted_by: Mapped[str | None] = mapped_column(String(100))
    counted_on: Mapped[dt.date] = mapped_column(Date)
    # surplus rows only: what was found, keyed by place + name + location so a later count supersedes
    surplus_key: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(200))
    register: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    unit: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[Decimal | None] = mapped_column(Money)
    custodian: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_inventory_counts_inventory_asset", "inventory_id", "asset_id"),
        Index("ix_inventory_counts_inventory_surplus", "inventory_id", "surplus_key"),
    )


class InventoryClose(Base):
    """The inventory's close, with its approval: shortages written off, surpluses registered, statuses updated."""

    __tablename__ = "inventory_closes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id"))
    closed_on: Mapped[dt.date] = mapped_column(Date)
    approval_doc: Mapped[str] = mapped_column(String(200))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("inventory_id", name="uq_inventory_closes_inventory_id"),)
