"""`db backup` / `db restore`: a restored database is the same database, verifies clean, and bad backups are refused."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assetledger.store import migrate
from assetledger.store.db import Database, resolve_url
from tests.conftest import Cli
from tests.hardening.crash import Zygote
from tests.hardening.harness import (
    assets_file,
    entries_file,
    findings,
    regions_file,
    roster_file,
    rule_file,
    table_checksums,
)
from tests.helpers import table_counts

VILLAGE = "360921101201"


def populate(run: Cli) -> None:
    """Registers, books, a distribution with payouts and a user: something in most tables."""
    folder = run.cwd
    run("region", "import", str(regions_file(folder)))
    run("asset", "import", str(assets_file(folder / "assets.csv", 6)))
    run("ledger", "import-entries", str(entries_file(folder / "e.csv", [f"K-{i:05d}" for i in range(6)], 30, "E")))
    run("beneficiary", "import", str(roster_file(folder / "roster.csv", VILLAGE, 5, "H")))
    run("distribute", "rule", "add", str(rule_file(folder / "rule.toml", VILLAGE)))
    run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-10")
    run("ledger", "reverse", "8", "--reason", "录入错误")
    run("asset", "status", "K-00001", "idle", "--date", "2025-08-01")
    run("user", "add", "tester", "--role", "finance", "--scope", "360921")  # set-up mode ends here


def test_restored_database_is_the_same_and_verifies_clean(run: Cli, db: Database, tmp_path: Path) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite backup; PostgreSQL is covered by test_postgres_refuses_with_pg_dump_commands")
    populate(run)
    assert findings(db) == []
    out = run("db", "backup", str(tmp_path / "b.sqlite")).output
    assert "backed up to" in out and "revision" in out
    assert not list(tmp_path.glob(".b.sqlite.partial*")) and not (tmp_path / "b.sqlite-wal").exists()
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    out = Cli(target, tmp_path)("db", "restore", str(tmp_path / "b.sqlite")).output
    assert "restored from" in out
    restored = Database(target)
    try:
        assert findings(restored) == []
        assert table_counts(restored) == table_counts(db)
        assert table_checksums(restored) == table_checksums(db)  # row for row the same
        assert migrate.is_current(target)
        Cli(target, tmp_path)("ledger", "post", "--asset", "K-00002", "--revenue", "rent", "--amount", "1",
                              "--date", "2025-09-01")  # fmt: skip
        assert findings(restored) == []  # the chain goes on from the restored head
    finally:
        restored.dispose()


def test_restore_refuses_a_non_empty_target_unless_forced(run: Cli, db: Database, tmp_path: Path) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    populate(run)
    run("db", "backup", str(tmp_path / "b.sqlite"))
    again = run("db", "backup", str(tmp_path / "b.sqlite"), ok=False)
    assert again.exit_code == 5 and "--force" in again.output
    run("asset", "status", "K-00002", "idle", "--date", "2025-08-02")  # the live db moves on
    before = table_checksums(db)
    refused = run("db", "restore", str(tmp_path / "b.sqlite"), ok=False)
    assert refused.exit_code == 5 and "not empty" in refused.output and "--force" in refused.output
    assert table_checksums(db) == before
    backup_db = Database(f"sqlite:///{tmp_path / 'b.sqlite'}")
    try:
        expected = table_checksums(backup_db)
    finally:
        backup_db.dispose()
    db.dispose()  # the restore writes through SQLite's locks; our pooled connection would only wait
    run("db", "restore", str(tmp_path / "b.sqlite"), "--force")
    assert table_checksums(db) == expected
    assert findings(db) == []


def _old_revision_backup(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0006")
    return tmp_path / "old.db"


@pytest.mark.parametrize("kind", ["damaged", "garbage", "empty", "not-assetledger", "old-revision", "missing"])
def test_restore_refuses_bad_backups(run: Cli, db: Database, tmp_path: Path, kind: str) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    bad = tmp_path / f"{kind}.sqlite"
    if kind == "damaged":
        populate(run)
        run("db", "backup", str(bad))
        data = bytearray(bad.read_bytes())
        for offset in range(len(data) // 2 // 4096 * 4096, len(data), 4096):  # trash the second half's pages
            data[offset + 8 : offset + 400] = b"\xa5" * 392
        bad.write_bytes(bytes(data))
    elif kind == "garbage":
        bad.write_bytes(bytes(range(256)) * 64)
    elif kind == "empty":
        bad.write_bytes(b"")
    elif kind == "not-assetledger":
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE t (x)")
    elif kind == "old-revision":
        bad = _old_revision_backup(tmp_path)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    result = Cli(target, tmp_path)("db", "restore", str(bad), ok=False)
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output
    expected = {
        "damaged": "the backup is damaged",
        "garbage": "not a readable SQLite database",
        "empty": "not an assetledger database",
        "not-assetledger": "not an assetledger database",
        "old-revision": "value '0006'",
        "missing": "backup file not found",
    }[kind]
    assert expected in result.output, result.output
    assert not (tmp_path / "target.db").exists() or (tmp_path / "target.db").stat().st_size == 0


def test_backup_is_consistent_while_another_process_writes(
    run: Cli, db: Database, tmp_path: Path, zygote: Zygote
) -> None:
    """Backups taken while a writer commits one posting after another each hold whole transactions only."""
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    run("region", "import", str(regions_file(tmp_path)))
    run("asset", "import", str(assets_file(tmp_path / "assets.csv", 3)))
    done = tmp_path / "writer.done"
    pid = zygote.spawn(WRITER, [db.url, str(done)], tmp_path, tmp_path / "writer.log")
    counts: list[int] = []
    try:
        while not done.exists() and len(counts) < 6:
            path = tmp_path / f"live-{len(counts)}.sqlite"
            run("db", "backup", str(path))
            copy = Database(f"sqlite:///{path}")
            try:
                assert findings(copy) == [], f"backup {len(counts)}"
                counts.append(table_counts(copy)["entries"])
            finally:
                copy.dispose()
    finally:
        assert zygote.wait(pid) == 0, (tmp_path / "writer.log").read_text()
    assert len(counts) >= 2 and counts == sorted(counts) and counts[-1] > counts[0], counts


WRITER = """
import sys, datetime as dt
from decimal import Decimal
from pathlib import Path
from assetledger.domain.booking import AssetPosting
from assetledger.services.journal import post_for_asset
from assetledger.store.db import Database
db = Database(sys.argv[1])
for i in range(80):
    p = AssetPosting("K-00001", dt.date(2025, 5, 1), "revenue", "rent", Decimal("1.00"), ref=f"w{i}")
    post_for_asset(db, p, "w")
Path(sys.argv[2]).touch()
"""


def test_postgres_refuses_with_pg_dump_commands_that_work(run: Cli, db: Database, tmp_path: Path) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL")
    populate(run)
    refused = run("db", "backup", str(tmp_path / "x.dump"), ok=False)
    assert refused.exit_code == 5
    assert "pg_dump" in refused.output and "pg_restore" in refused.output
    assert run("db", "restore", str(tmp_path / "x.dump"), ok=False).exit_code == 5
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    dump = re.search(r"backup: +(.*)", refused.output)
    restore = re.search(r"restore: +(.*?) {3}", refused.output)
    assert dump and restore
    subprocess.run(shlex.split(dump.group(1)), check=True, cwd=tmp_path)
    # Restore as printed, into a new empty database (`createdb first`).
    name = f"restore_{uuid.uuid4().hex[:10]}"
    base = make_url(resolve_url(db.url))
    admin = create_engine(base.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        command = restore.group(1).replace(f"/{base.database}?", f"/{name}?")
        subprocess.run(shlex.split(command), check=True, cwd=tmp_path)
        url = base.set(database=name).render_as_string(hide_password=False)
        restored = Database(url)
        try:
            assert findings(restored) == []
            assert table_checksums(restored) == table_checksums(db)
        finally:
            restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
