"""Concurrent writers: every posting lands once, balances are exact, each village/period is distributed once, no
deadlock; on SQLite a writer waits for the lock, and one that cannot get it is refused cleanly (never corruption).
(8 processes x 1,000 postings: benchmarks/concurrency_stress.py.)"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from assetledger.store import db as store_db
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.hardening.concurrency import problems, run_workers, setup
from tests.hardening.crash import Zygote
from tests.hardening.harness import assets_file, findings, regions_file, table_checksums


def test_processes_posting_and_distributing_into_overlapping_villages(
    run: Cli, db: Database, tmp_path: Path, zygote: Zygote
) -> None:
    setup(run)
    result = run_workers(zygote, db.url, workers=3, posts=8, every=4, folder=tmp_path)
    assert problems(db, result) == []
    distributions = [r for r in result.results if r["op"] == "distribute"]
    assert len(distributions) == 6  # 3 workers x 2 tries, over 2 villages: some raced for the same one


def _short_busy_timeout(run: Cli, monkeypatch: pytest.MonkeyPatch, ms: int) -> None:
    """The commands `run` runs from now on wait `ms` for the write lock. Its engine is made anew: the one its
    earlier commands shared set its connections' pragmas when it was made."""
    original = store_db._sqlite_pragmas

    def pragmas(dbapi_conn: Any, record: Any) -> None:
        original(dbapi_conn, record)
        dbapi_conn.execute(f"PRAGMA busy_timeout={ms}")

    monkeypatch.setattr(store_db, "_sqlite_pragmas", pragmas)
    run.close()


def _hold_write_lock(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


POST = ["ledger", "post", "--asset", "K-00001", "--revenue", "rent", "--amount", "10", "--date", "2025-05-01",
        "--ref", "busy-1"]  # fmt: skip


def _sqlite_with_assets(run: Cli, db: Database) -> str:
    if not db.is_sqlite:
        pytest.skip("SQLite locking")
    run("region", "import", str(regions_file(run.cwd)))
    run("asset", "import", str(assets_file(run.cwd / "assets.csv", 2)))
    path = db.engine.url.database
    assert path
    return path


def test_sqlite_writer_waits_for_the_lock(run: Cli, db: Database) -> None:
    path = _sqlite_with_assets(run, db)
    holder = _hold_write_lock(path)
    released = threading.Event()

    def release() -> None:
        released.set()
        holder.rollback()

    threading.Timer(0.5, release).start()
    run(*POST)  # it cannot commit while the other writer holds the lock: it waited instead of failing
    assert released.is_set()
    holder.close()
    assert findings(db) == []


def test_sqlite_writer_that_cannot_get_the_lock_is_refused_and_nothing_changes(
    run: Cli, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _sqlite_with_assets(run, db)
    before = table_checksums(db)
    _short_busy_timeout(run, monkeypatch, 200)
    holder = _hold_write_lock(path)
    try:
        refused = run(*POST, ok=False)
    finally:
        holder.rollback()
        holder.close()
    assert refused.exit_code == 10, refused.output
    assert "database is locked" in refused.output
    assert table_checksums(db) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    run(*POST)  # once the other writer is gone the same command goes through
    assert findings(db) == []


def test_sqlite_busy_message_says_busy_and_to_retry(run: Cli, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _sqlite_with_assets(run, db)
    _short_busy_timeout(run, monkeypatch, 200)
    holder = _hold_write_lock(path)
    try:
        refused = run(*POST, ok=False)
    finally:
        holder.rollback()
        holder.close()
    assert "busy" in refused.output and "try again" in refused.output
