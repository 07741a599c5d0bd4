"""The append-only guards and the chain head (tester's report: `audit verify` passed after a trigger was dropped, and
after the newest transaction was cut off together with its seals).

Every guard the migrations create is checked by verify, on SQLite and PostgreSQL; verify prints the chain head for
the auditor to keep, and the head kept before a cut names the cut (`--expect-head`), which verify alone cannot see:
the shorter chain is a chain."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import Connection, create_engine, text

from assetledger.store.append_only import PROTECTED_TABLES, missing_guards
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.security.test_tamper import _record


def _sql(db: Database, *statements: str) -> None:
    """Statements committed on a connection of the tamperer's own (sqlite3 / psql)."""
    engine = create_engine(db.engine.url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _head(output: str) -> tuple[int, str]:
    found = re.search(r"链头 chain head: 第 (\d+) 号封印 seal \d+, ([0-9a-f]{64})，封于 sealed \S+ \S+ UTC", output)
    assert found, output
    return int(found.group(1)), found.group(2)


def _protected(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        query = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name = tbl_name || '_no_delete'"
    else:
        query = ("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE t.tgname = c.relname || '_append_only' AND pg_table_is_visible(c.oid)")  # fmt: skip
    return {str(name) for (name,) in conn.execute(text(query))}


def test_the_migrated_database_has_every_guard_verify_expects(db: Database) -> None:
    """The list verify checks is the list the migrations protect: a new protected table must be added to it."""
    with db.reading() as session:
        conn = session.connection()
        assert _protected(conn) == set(PROTECTED_TABLES)
        assert list(missing_guards(conn)) == []


def test_a_dropped_or_disabled_guard_is_a_finding(run: Cli, db: Database) -> None:
    _record(run)
    assert "the record verifies clean" in run("audit", "verify", "--skip-bean-check").output
    if db.is_sqlite:
        _sql(db, "DROP TRIGGER entries_no_delete")
        gone = ["entries_no_delete"]
    else:
        _sql(db, "ALTER TABLE entries DISABLE TRIGGER entries_append_only", "DROP TRIGGER postings_append_only ON "
             "postings")  # fmt: skip
        gone = ["entries_append_only", "postings_append_only"]
    found = run("audit", "verify", "--skip-bean-check", ok=False)
    assert found.exit_code == 1
    for guard in gone:
        assert f"的只追加保护 {guard} 缺失或已失效" in found.output, found.output
    assert found.output.count("[guards]") == len(gone) and f"{len(gone)} finding(s)" in found.output


def test_a_guard_replaced_by_one_that_refuses_nothing_is_a_finding(run: Cli, db: Database) -> None:
    if db.is_sqlite:
        _sql(db, "DROP TRIGGER postings_no_update",
             "CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT 1; END")  # fmt: skip
        guard = "postings_no_update"
    else:
        _sql(db, "CREATE FUNCTION let_it_pass() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
             "DROP TRIGGER postings_append_only ON postings",
             "CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings FOR EACH ROW "
             "EXECUTE FUNCTION let_it_pass()")  # fmt: skip
        guard = "postings_append_only"
    with db.reading() as session:
        assert list(missing_guards(session.connection())) == [("postings", guard)]


def test_the_head_kept_from_verify_shows_a_cut_off_tail(run: Cli, db: Database) -> None:
    """The newest entry and its seals deleted, the guards put back: the chain verifies, the kept head does not."""
    _record(run)
    seq, head = _head(run("audit", "verify", "--skip-bean-check").output)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "500", "--date", "2025-06-30")
    later, newest = _head(run("audit", "verify", "--skip-bean-check").output)
    assert later > seq and newest != head
    cut = [f"DELETE FROM chain_seals WHERE seq > {seq}", "DELETE FROM postings WHERE entry_id = (SELECT max(id) FROM "
           "entries)", "DELETE FROM entries WHERE id = (SELECT max(id) FROM entries)"]  # fmt: skip
    if db.is_sqlite:
        names = [f"{table}_no_delete" for table in ("chain_seals", "postings", "entries")]
        with db.reading() as session:
            query = text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            kept = {str(name): str(sql) for name, sql in session.execute(query) if name in names}
        _sql(db, *[f"DROP TRIGGER {name}" for name in names], *cut, *kept.values())  # and the guards put back
    else:
        _sql(db, "SET LOCAL session_replication_role = replica", *cut)
    plain = run("audit", "verify", "--skip-bean-check")  # the shorter chain is a chain: only a kept head shows it
    assert _head(plain.output) == (seq, head)
    cut_off = run("audit", "verify", "--skip-bean-check", "--expect-head", newest, ok=False)
    assert cut_off.exit_code == 1 and f"保存的链头 {newest} 不在链中" in cut_off.output
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check", "--expect-head", head).output


def test_the_audit_package_records_the_head_with_its_time(run: Cli, db: Database) -> None:
    _record(run)
    seq, head = _head(run("audit", "verify", "--skip-bean-check").output)
    run("audit", "export", "--out", str(run.cwd / "package"))
    manifest = json.loads((run.cwd / "package" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["chain_head"]["seq"] == seq and manifest["chain_head"]["hash"] == head
    assert dt.datetime.fromisoformat(manifest["chain_head"]["sealed_at"]).year >= 2026
