"""Seals digested from the rows as inserted (SQLite), instead of reading them back: the digests are those `audit
verify` computes from the stored rows, values SQLite would store otherwise than bound are never kept, and a table
whose new rows are not all kept is read back as before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.services.books import Books
from assetledger.store.db import Database
from assetledger.store.integrity import (
    INSERTED,
    KeptRows,
    canonical_select,
    keep_inserted,
    row_digests,
    verify_chain,
)
from assetledger.store.integrity_models import ChainSeal
from assetledger.store.journal_models import Entry
from assetledger.store.schema import Base
from assetledger.store.tables import table_of
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv

DAY = dt.date(2025, 6, 30)


def _booked_entity(run: Cli, db: Database) -> str:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, *(asset_row(f"K-{i:03d}") for i in range(3))]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    with db.reading() as session:
        entity = session.scalar(select(Entry.entity_code).where(Entry.asset_id == "K-000"))
    assert entity is not None
    return entity


def _entries(entity: str, count: int, prefix: str) -> list[JournalEntry]:
    """Revenue entries with and without asset, ref and metadata: NULLs, JSON and text in every sealed column."""
    return [
        JournalEntry(entity, DAY, f"租金 {i}", (Posting("Assets:Bank", Decimal(i) + Decimal("0.01")),
                     Posting("Income:Contracting", -(Decimal(i) + Decimal("0.01")))), EntryKind.REVENUE,
                     f"K-{i % 3:03d}" if i % 2 else None, f"{prefix}-{i}" if i % 3 else None,
                     meta={"type": "rent", "n": str(i)} if i % 4 else {})
        for i in range(count)
    ]  # fmt: skip


def _findings(db: Database) -> list[str]:
    with db.reading() as session:
        return [str(t) for t in verify_chain(session.connection())]


def test_kept_rows_digest_as_their_stored_form(run: Cli, db: Database) -> None:
    entity = _booked_entity(run, db)
    with db.transaction() as session:
        Books(session, "tester").post(_entries(entity, 200, "kept"))
        kept: dict[str, KeptRows] = session.info.get(INSERTED, {})
        if not db.is_sqlite:
            assert kept == {}  # PostgreSQL reads its rows back: dates and times come back as its own text
            return
        assert set(kept) == {"entries", "postings"}
        conn = session.connection()
        for name, rows in kept.items():
            table = Base.metadata.tables[name]
            stored = conn.exec_driver_sql(f"{canonical_select(conn, table)} WHERE id >= {rows.ids[0]} ORDER BY id")
            stored_rows = stored.fetchall()
            assert [row[0] for row in stored_rows] == rows.ids
            assert row_digests(stored_rows) == bytes(rows.digests)
    assert _findings(db) == []


def test_a_table_with_rows_not_kept_is_read_back(run: Cli, db: Database) -> None:
    """A row inserted by other means after the kept ones leaves them short of the table's new rows."""
    entity = _booked_entity(run, db)
    with db.transaction() as session:
        Books(session, "tester").post(_entries(entity, 50, "mixed"))
        session.add(Entry(entity_code=entity, date=DAY, kind="general", narration="ORM 插入", actor="tester",
                          recorded_at=dt.datetime(2026, 1, 1, 8, 30)))  # fmt: skip
    with db.reading() as session:
        newest = session.scalar(select(func.max(Entry.id)))
        last_id, count = session.execute(select(ChainSeal.last_id, ChainSeal.row_count)
                                         .where(ChainSeal.table_name == "entries")
                                         .order_by(ChainSeal.seq.desc()).limit(1)).one()  # fmt: skip
    assert last_id == newest and count == 51
    assert _findings(db) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("narration", 5),  # an integer in a TEXT column is stored as text
        ("date", "2025"),  # text that looks like a number in a NUMERIC (DATE) column is stored as a number
        ("meta", "007"),
        ("reverses_id", True),  # a bool is stored as 1 and reads back as an int
        ("reverses_id", 1.0),
    ],
)
def test_values_sqlite_would_store_otherwise_are_not_kept(db: Database, column: str, value: object) -> None:
    if not db.is_sqlite:
        pytest.skip("rows are kept only on SQLite")
    row = [1, "V1", "2025-06-30", "revenue", "租金", None, "r", None, "null", "tester", "2026-01-01 08:30:00.000000"]
    info: dict[Any, Any] = {}
    with db.reading() as session:
        table = table_of(Entry)
        assert keep_inserted(info, session.connection(), table, [tuple(row)])
        info.clear()
        row[list(table.c.keys()).index(column)] = value
        assert not keep_inserted(info, session.connection(), table, [tuple(row)])
    assert info == {}
