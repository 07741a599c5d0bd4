"""The hash chain over the tables of record.

`chain_seals` is the chain: one seal per table and commit (split at SEAL_ROWS rows), holding a 16-byte digest of
every row it covers and chained to the seal before it.

`chain_links` was the first form of the chain (one link per row, revisions 0006-0007 of version 0.1.0, which was
never released). The table is still created by migration 0006 and stays empty: nothing writes or reads links, and
`audit verify` names a database that holds any.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.store.models import Base, BigId


class ChainLink(Base):
    """Empty: the per-row links of an unreleased version (see above). Kept so that the models match the schema."""

    __tablename__ = "chain_links"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the row's canonical content
    chain: Mapped[str] = mapped_column(String(64))  # sha256(previous chain + table + row id + digest)
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_chain_links_table_row", "table_name", "row_id", unique=True),)


class ChainSeal(Base):
    """The rows of one table written by one transaction, sealed: ids first_id..last_id (all of them, or those
    packed in `row_ids` when the range has gaps), one 16-byte BLAKE2b digest per row in `digests`, in id order.

    A state seal (store/state_seals.py: tables updated in place) names its rows by key instead: `row_keys` holds
    their keys (a JSON list), `digests` two digests per row (before the commit, after it), and first_id = last_id
    = the seal's number among the table's state seals."""

    __tablename__ = "chain_seals"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    first_id: Mapped[int] = mapped_column(BigInteger)
    last_id: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int] = mapped_column(Integer)
    row_ids: Mapped[bytes | None] = mapped_column(LargeBinary)  # little-endian int64 ids; NULL when contiguous
    row_keys: Mapped[bytes | None] = mapped_column(LargeBinary)  # a state seal's row keys (JSON); NULL otherwise
    digests: Mapped[bytes] = mapped_column(LargeBinary)
    chain: Mapped[str] = mapped_column(String(64))  # sha256(previous chain, table, range, ids, digests)
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_chain_seals_table_last", "table_name", "last_id", unique=True),)
