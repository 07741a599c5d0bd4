"""The ids of new entries and postings are the database's own (PostgreSQL's sequence, SQLite's rowid), given back in
the order of the rows; a writer that rolled back leaves a gap the seals cover, and `audit verify` stays clean."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.services.books import Books
from assetledger.store.db import Database
from assetledger.store.integrity import verify_chain
from assetledger.store.journal_models import Entry, PostingRow
from assetledger.store.state_seals import verify_state
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv

DAY = dt.date(2025, 6, 30)


class RolledBack(Exception):
    pass


def _entity(run: Cli, db: Database) -> str:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("K-001")])))
    with db.reading() as session:
        entity = session.scalar(select(Entry.entity_code).where(Entry.asset_id == "K-001"))
    assert entity is not None
    return entity


def _entries(entity: str, prefix: str, count: int) -> list[JournalEntry]:
    return [
        JournalEntry(entity, DAY, f"{prefix} {i}", (Posting("Assets:Bank", Decimal(i + 1)),
                     Posting("Income:Contracting", -Decimal(i + 1))), EntryKind.REVENUE, ref=f"{prefix}-{i}")
        for i in range(count)
    ]  # fmt: skip


def _clean(db: Database) -> list[str]:
    with db.reading() as session:
        conn = session.connection()
        return [str(t) for t in [*verify_chain(conn), *verify_state(conn)]]


def test_ids_given_back_are_those_of_the_rows_in_order(run: Cli, db: Database) -> None:
    entity = _entity(run, db)
    with db.transaction() as session:
        books = Books(session, "tester")
        first = books.post(_entries(entity, "a", 30)).posted
        second = books.post(_entries(entity, "b", 5)).posted
    assert first == sorted(first) and second == sorted(second) and first[-1] < second[0]
    with db.reading() as session:
        stored = {i: ref for i, ref in session.execute(select(Entry.id, Entry.ref).where(Entry.id.in_(first + second)))}
        lines = session.execute(select(PostingRow.entry_id, PostingRow.amount).where(PostingRow.entry_id.in_(first)))
        amounts = {(entry_id, amount) for entry_id, amount in lines}
    assert [stored[i] for i in first + second] == [f"a-{i}" for i in range(30)] + [f"b-{i}" for i in range(5)]
    assert amounts == {(i, sign * Decimal(n + 1)) for n, i in enumerate(first) for sign in (1, -1)}
    assert _clean(db) == []


def test_a_rolled_back_writer_leaves_a_gap_that_verifies_clean(run: Cli, db: Database) -> None:
    entity = _entity(run, db)
    with pytest.raises(RolledBack), db.transaction() as session:
        Books(session, "tester").post(_entries(entity, "gone", 3))
        raise RolledBack
    with db.transaction() as session:
        posted = Books(session, "tester").post(_entries(entity, "kept", 3)).posted
    with db.reading() as session:
        refs = list(session.scalars(select(Entry.ref).where(Entry.id.in_(posted)).order_by(Entry.id)))
        assert session.scalar(select(func.count()).select_from(Entry).where(Entry.ref.like("gone-%"))) == 0
    assert refs == ["kept-0", "kept-1", "kept-2"]
    assert _clean(db) == []
