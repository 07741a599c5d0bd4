"""ORM models of the books: entities, accounts, entries, postings and period closes. All append-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.journal import EntityKind, EntryKind
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText, Money


class Entity(Base):
    """An accounting entity: a village collective, a township or a county (finance bureau and departments)."""

    __tablename__ = "entities"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EntityKind] = mapped_column(EnumText(EntityKind, 16))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    county_code: Mapped[str] = mapped_column(String(32), index=True)
    books_start: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"))
    name: Mapped[str] = mapped_column(String(200))
    cn_name: Mapped[str] = mapped_column(String(200))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.asset_id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("entity_code", "name", name="uq_accounts_entity_name"),)


class Entry(Base):
    """A journal entry (Beancount transaction). Corrections are reversing entries, never edits."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[EntryKind] = mapped_column(EnumText(EntryKind, 16))
    narration: Mapped[str] = mapped_column(Text, info={"one_line": True})  # 摘要: one line
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.asset_id"))
    ref: Mapped[str | None] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    # An entry without metadata stores SQL NULL, not the JSON text 'null' (which auditors' SQL would have to tell
    # apart from a missing value); both read back as None.
    meta: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    # A ref (voucher number) is unique per entity and month for vouchers people enter, per entity for the refs
    # the services make: checked by Books.post under the writer lock (services/books.py), indexed here.
    __table_args__ = (
        Index("ix_entries_entity_ref", "entity_code", "ref"),
        UniqueConstraint("reverses_id", name="uq_entries_reverses_id"),
        Index("ix_entries_entity_date", "entity_code", "date"),
        Index("ix_entries_asset_date", "asset_id", "date"),
    )


class PostingRow(Base):
    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)


class PeriodClose(Base):
    """Nothing may be posted in an entity's books on or before `through`."""

    __tablename__ = "period_closes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"), index=True)
    through: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
