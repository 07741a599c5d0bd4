"""ORM models of the operating contracts register (经营合同台账): each contract of an operating asset, the assets
it covers and its early termination. Append-only and sealed; the asset's operator, mode and contract columns are
kept in step with its latest contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.contracts import Frequency, Timing
from assetledger.domain.enums import OperatingMode
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText, Money


class Contract(Base):
    """One contract: who runs the asset, how, for how long, and what it pays on which schedule."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64))  # 合同编号
    operator: Mapped[str] = mapped_column(String(200))
    mode: Mapped[OperatingMode] = mapped_column(EnumText(OperatingMode, 16))
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Money)  # each payment; None: no fixed rent (e.g. dividends)
    frequency: Mapped[Frequency] = mapped_column(EnumText(Frequency, 16))
    timing: Mapped[Timing] = mapped_column(EnumText(Timing, 16))  # advance (先付) / arrears (后付)
    paid_through: Mapped[dt.date | None] = mapped_column(Date)  # settled before it was recorded (已缴至)
    deposit: Mapped[Decimal | None] = mapped_column(Money)
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    note: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("code", name="uq_contracts_code"),)


class ContractAsset(Base):
    """An asset a contract covers (a contract may cover several)."""

    __tablename__ = "contract_assets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"))

    __table_args__ = (
        UniqueConstraint("contract_id", "asset_id", name="uq_contract_assets_contract_asset"),
        Index("ix_contract_assets_asset", "asset_id"),
    )


class ContractTermination(Base):
    """A contract ended before its term (解除/终止), with the date and the reason."""

    __tablename__ = "contract_terminations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    terminated_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("contract_id", name="uq_contract_terminations_contract_id"),)
