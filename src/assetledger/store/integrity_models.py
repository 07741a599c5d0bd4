"""The hash chain over the tables of record: one link per row, each link chained to the one before."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.store.models import Base, BigId


class ChainLink(Base):
    __tablename__ = "chain_links"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the row's canonical content
    chain: Mapped[str] = mapped_column(String(64))  # sha256(previous chain + table + row id + digest)
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_chain_links_table_row", "table_name", "row_id", unique=True),)
