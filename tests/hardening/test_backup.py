"""`db backup` / `db restore`: a restored database is the same database, verifies clean, and bad backups are refused."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from assetledger.store import migrate
from assetledger.store.db import Database, resolve_url
from assetledger.store.journal_models import Entry
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
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")
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


def test_only_finance_over_the_whole_database_backs_up_or_restores(run: Cli, db: Database, tmp_path: Path) -> None:
    """A backup copies every record (password hashes, households); a restore replaces them all: an unknown user,
    an auditor, or a finance user of one township is refused both, and nothing is written or replaced."""
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    populate(run)
    run("user", "add", "audit", "--role", "auditor", "--scope", "360921")
    run("user", "add", "town", "--role", "finance", "--scope", "360921101")
    run("db", "backup", str(tmp_path / "b.sqlite"))
    before = table_checksums(db)
    for user in ("nobody", "audit", "town"):
        refused = run("db", "backup", str(tmp_path / f"{user}.sqlite"), user=user, ok=False)
        assert refused.exit_code == 6 and "Traceback" not in refused.output, refused.output
        assert not (tmp_path / f"{user}.sqlite").exists()
        refused = run("db", "restore", str(tmp_path / "b.sqlite"), "--force", user=user, ok=False)
        assert refused.exit_code == 6, refused.output
        assert ("无权备份或恢复" if user != "nobody" else "未登记") in refused.output, refused.output
    assert table_checksums(db) == before


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
        "old-revision": "值「0006」 (value)",
        "missing": "backup file not found",
    }[kind]
    assert expected in result.output, result.output
    assert not (tmp_path / "target.db").exists() or (tmp_path / "target.db").stat().st_size == 0


def test_backup_is_consistent_while_another_process_writes(
    run: Cli, db: Database, tmp_path: Path, zygote: Zygote
) -> None:
    """Backups taken while a writer commits postings each hold whole transactions only.

    The writer commits a fixed sequence of postings w0, w1, ... in bursts. After each burst it writes one more
    posting but holds its transaction open (rows written, not committed) until the test has copied the database:
    that copy must hold exactly the postings committed so far, never the open one. Between the hand-overs the test
    also copies without waiting for anything. Every copy must pass `audit verify`, and its postings must be a
    prefix of the writer's sequence. No assertion depends on how fast either process runs.
    """
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    run("region", "import", str(regions_file(tmp_path)))
    run("asset", "import", str(assets_file(tmp_path / "assets.csv", 3)))
    signals = tmp_path / "signals"
    signals.mkdir()
    log = tmp_path / "writer.log"
    pid = zygote.spawn(WRITER, [db.url, str(signals), str(PHASES), str(BURST)], tmp_path, log)
    try:
        for phase in range(PHASES):
            unsynchronised = _backup_refs(run, tmp_path / f"free-{phase}.sqlite")
            assert unsynchronised == WRITES[: len(unsynchronised)], f"free backup {phase}"
            _await(signals / f"holding-{phase}", log)
            committed = (phase + 1) * BURST + phase  # each earlier held posting was committed after its copy
            held = _backup_refs(run, tmp_path / f"held-{phase}.sqlite")
            assert held == WRITES[:committed], f"backup {phase} while posting {WRITES[committed]} is open"
            (signals / f"go-{phase}").touch()
    except BaseException:
        (signals / "abort").touch()  # a writer waiting for a go stops instead of waiting for ever
        zygote.wait(pid)
        raise
    assert zygote.wait(pid) == 0, log.read_text()
    assert _backup_refs(run, tmp_path / "after.sqlite") == WRITES


PHASES, BURST = 3, 4
WRITES = [f"w{i}" for i in range(PHASES * (BURST + 1))]


def _backup_refs(run: Cli, path: Path) -> list[str]:
    """Back up to `path`; the copy verifies clean; the refs of the writer's postings it holds, in order."""
    run("db", "backup", str(path))
    copy = Database(f"sqlite:///{path}")
    try:
        assert findings(copy) == [], path.name
        with copy.reading() as session:
            refs = session.scalars(select(Entry.ref).where(Entry.ref.like("w%")).order_by(Entry.id)).all()
    finally:
        copy.dispose()
    return [str(r) for r in refs]


def _await(flag: Path, log: Path) -> None:
    """Wait until the writer raises `flag`; the deadline only stops a broken writer from hanging the suite."""
    deadline = time.monotonic() + 300
    while not flag.exists():
        assert time.monotonic() < deadline, f"writer never reached {flag.name}:\n{log.read_text()}"
        time.sleep(0.01)


WRITER = """
import sys, time, datetime as dt
from decimal import Decimal
from pathlib import Path
from assetledger.domain.booking import AssetPosting
from assetledger.services.books import Books, Located
from assetledger.services.journal import entity_of_asset, entry_for_posting, post_for_asset
from assetledger.store.db import Database
db = Database(sys.argv[1])
signals, phases, burst = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def posting(i):
    return AssetPosting("K-00001", dt.date(2025, 5, 1), "revenue", "rent", Decimal("1.00"), ref=f"w{i}")
i = 0
for phase in range(phases):
    for _ in range(burst):
        post_for_asset(db, posting(i), "w")
        i += 1
    with db.transaction() as session:  # the next posting, written but held open while the test copies
        entry = entry_for_posting(posting(i), {"K-00001": entity_of_asset(session, "K-00001")})
        Books(session, "w").post([entry], [Located("held")])
        session.flush()
        (signals / f"holding-{phase}").touch()
        while not (signals / f"go-{phase}").exists():
            if (signals / "abort").exists():
                sys.exit(3)
            time.sleep(0.01)
    i += 1
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
        command = re.sub(rf"/{re.escape(str(base.database))}(?=[?\s'\"]|$)", f"/{name}", restore.group(1))
        assert name in command, command
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
