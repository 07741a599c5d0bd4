"""TRUNCATE on PostgreSQL fires no row trigger: every table of record has a statement-level guard that refuses it,
and `audit verify` names one dropped, disabled or made hollow. SQLite has no TRUNCATE (its DELETE without WHERE
fires the row triggers), so there is nothing to guard there and verify expects nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from assetledger.store.append_only import (
    PG_TRUNCATE_FUNCTION,
    PROTECTED_TABLES,
    missing_guards,
    missing_truncate_guards,
)
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.security.test_guards import _sql
from tests.security.test_tamper import _record


def _truncate_guarded(db: Database) -> set[str]:
    query = (
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = c.relname || '_no_truncate' AND pg_table_is_visible(c.oid)"
    )
    with db.reading() as session:
        return {str(name) for (name,) in session.execute(text(query))}


def _pg_only(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has no TRUNCATE")


def test_every_table_of_record_has_a_truncate_guard(db: Database) -> None:
    if db.is_sqlite:
        with db.reading() as session:
            assert list(missing_truncate_guards(session.connection())) == []  # nothing expected on SQLite
        return
    assert _truncate_guarded(db) == set(PROTECTED_TABLES)
    with db.reading() as session:
        assert list(missing_guards(session.connection())) == []


def test_truncate_of_a_table_of_record_is_refused_and_changes_nothing(run: Cli, db: Database) -> None:
    _pg_only(db)
    _record(run)
    before = table_counts(db)
    assert before["entries"] > 0 and before["asset_events"] > 0 and before["chain_seals"] > 0
    refused = r"assetledger: \w+ is append-only; TRUNCATE refused"
    for statement in ("TRUNCATE postings", "TRUNCATE TABLE postings, chain_seals", "TRUNCATE entries CASCADE",
                      "TRUNCATE asset_events RESTART IDENTITY CASCADE", "TRUNCATE chain_seals"):  # fmt: skip
        with pytest.raises(DatabaseError, match=refused):
            _sql(db, statement)
    for table in PROTECTED_TABLES:  # every one, empty or not (CASCADE: past the foreign keys, which refuse first)
        with pytest.raises(DatabaseError, match=refused):
            _sql(db, f"TRUNCATE {table} CASCADE")
    assert table_counts(db) == before
    assert "the record verifies clean" in run("audit", "verify", "--skip-bean-check").output


def test_verify_names_a_dropped_or_disabled_truncate_guard(run: Cli, db: Database) -> None:
    _pg_only(db)
    _record(run)
    _sql(db, "DROP TRIGGER entries_no_truncate ON entries", "ALTER TABLE postings DISABLE TRIGGER postings_no_truncate")
    found = run("audit", "verify", "--skip-bean-check", ok=False)
    assert found.exit_code == 1
    for table in ("entries", "postings"):
        guard = f"{table}_no_truncate"
        assert f"表 {table} 的防清空保护 {guard} 缺失或已失效" in found.output, found.output
        assert f"(the TRUNCATE guard {guard} of {table} is missing or disabled" in found.output
    assert found.output.count("[guards]") == 2 and "2 finding(s)" in found.output
    _sql(db, "TRUNCATE postings")  # what the disabled guard let through
    assert table_counts(db)["postings"] == 0


def test_a_truncate_guard_made_hollow_is_a_finding(db: Database) -> None:
    """A body that still says RAISE EXCEPTION but never raises; a guard moved to fire after TRUNCATE; one on a
    function of the tamperer's own that raises nothing."""
    _pg_only(db)
    _sql(
        db,
        "CREATE OR REPLACE FUNCTION assetledger_refuse_truncate() RETURNS trigger AS $$ BEGIN IF false THEN "
        "RAISE EXCEPTION 'no'; END IF; RETURN NULL; END; $$ LANGUAGE plpgsql",
    )
    with db.reading() as session:
        assert sorted(missing_guards(session.connection())) == [(t, f"{t}_no_truncate") for t in PROTECTED_TABLES]
    _sql(db, "DROP TRIGGER entries_no_truncate ON entries")  # the function again as shipped: only these two named
    _sql(
        db,
        PG_TRUNCATE_FUNCTION.replace("%", "%%"),  # as shipped (the driver reads % as a placeholder)
        "CREATE TRIGGER entries_no_truncate AFTER TRUNCATE ON entries FOR EACH STATEMENT "
        "EXECUTE FUNCTION assetledger_refuse_truncate()",
        "CREATE FUNCTION let_it_pass() RETURNS trigger AS $$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER postings_no_truncate ON postings",
        "CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings FOR EACH STATEMENT "
        "EXECUTE FUNCTION let_it_pass()",
    )
    with db.reading() as session:
        assert sorted(missing_guards(session.connection())) == [
            ("entries", "entries_no_truncate"),
            ("postings", "postings_no_truncate"),
        ]
