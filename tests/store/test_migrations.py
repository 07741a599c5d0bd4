"""Migrations have one head, build the schema the models describe, and protect the tables of record."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from assetledger.services.audit import verify
from assetledger.store import migrate
from assetledger.store.append_only import PROTECTED_TABLES, missing_guards
from assetledger.store.db import Database
from assetledger.store.schema import Base
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, posted_entry, write_csv


def test_one_head() -> None:
    assert len(migrate.heads()) == 1


def test_schema_matches_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert migrate.is_current(db.url)


def test_upgrade_twice_is_harmless(db: Database) -> None:
    migrate.upgrade(db.url)
    assert migrate.is_current(db.url)


@pytest.mark.parametrize("statement", ["UPDATE asset_events SET actor = 'x'", "DELETE FROM asset_events"])
def test_event_log_refuses_update_and_delete(run: Cli, db: Database, statement: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("A-1")])))
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))


def test_money_is_stored_as_exact_fen(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER]
    for i in range(10):
        rows.append(asset_row(f"A-{i}", **{"资产原值（元）": "0.10", "中央衔接资金": "0.07", "县级衔接资金": "0.03"}))
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    with db.reading() as session:
        from assetledger.store.models import Asset

        total = session.scalar(select(func.sum(Asset.original_value)))
        raw = session.execute(text("SELECT original_value FROM assets LIMIT 1")).scalar()
    assert str(total) == "1.00"  # ten times 0.10 — a float sum would drift
    assert raw == 10  # integer fen in the database


def test_0010d_keeps_every_sealed_row_and_lets_a_voucher_number_recur_monthly(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unique (entity_code, ref) constraint gives way to an index; SQLite rebuilds the entries table for it.
    Rows, ids, seals, the append-only triggers and the foreign keys to entries all survive."""
    monkeypatch.chdir(tmp_path)
    migrate.upgrade(db_url, "0010")  # the revision before 0010d, which the code of today can write to
    old = Database(db_url)
    run = Cli(old.url, tmp_path)
    run("region", "import", str(write_csv(tmp_path / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(tmp_path / "assets.csv", [ASSET_HEADER, asset_row("A-1")])))
    post = ("ledger", "post", "--asset", "A-1", "--expense", "maintenance", "--amount", "5", "--ref", "PZ-1")
    first = posted_entry(run(*post, "--date", "2025-05-02").output)
    run("ledger", "reverse", first, "--reason", "录错", "--date", "2025-05-03")
    with pytest.raises(IntegrityError):  # the old constraint: one PZ-1 per entity for ever
        run(*post, "--date", "2025-06-02")
    old.dispose()
    migrate.upgrade(db_url)
    db = Database(db_url)
    try:
        assert list(verify(db, "tester", bean_check=False)) == []
        assert "(posted entry" in run(*post, "--date", "2025-06-02").output
        assert list(verify(db, "tester", bean_check=False)) == []
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("DELETE FROM entries"))
        with pytest.raises(DatabaseError), db.engine.begin() as conn:  # postings still point at real entries
            conn.execute(text("INSERT INTO postings (id, entry_id, account_id, amount) VALUES (999, 999, 1, 1)"))
    finally:
        db.dispose()


def test_0010_frees_distributed_periods_and_keeps_distributions_whole(db_url: str) -> None:
    """0010 turns the unique (village, period, rule) key into an index (SQLite rebuilds `distributions`, whose
    lines and payouts point at it) and adds the reversals table and `assets.acquired_on`. Rows written as 0009
    stored them survive with their ids, the append-only triggers are back, and a reversed period may be shared
    again (two rows of one village, period and rule)."""
    migrate.upgrade(db_url, "0009")
    engine = Database(db_url).engine
    at = "2025-07-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO regions (code, name, level, parent_code, county_code, created_at, created_by) VALUES "
            f"('360921', '县', 'county', NULL, '360921', '{at}', 't'), "
            f"('360921101201', '村', 'village', '360921', '360921', '{at}', 't')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO distribution_rules (id, code, version, village_code, effective_from, in_force_from, body, "
            f"source_name, checksum, actor, recorded_at) VALUES (1, 'R', 1, '360921101201', '2025-01-01', "
            f"'2025-01-18', '{{}}', 'r.toml', 'x', 't', '{at}')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO distributions (id, village_code, period, period_start, period_end, rule_id, rule_code, "
            "distributed_on, revenue, costs, total, entry_id, actor, recorded_at) VALUES (7, '360921101201', "
            f"'2025Q2', '2025-04-01', '2025-06-30', 1, 'R', '2025-07-01', 100, 0, 100, NULL, 't', '{at}')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO distribution_lines (id, distribution_id, purpose, household_id, months, weight, amount) "
            "VALUES (3, 7, 'maintenance_reserve', NULL, NULL, NULL, 100)"
        ))  # fmt: skip
    migrate.upgrade(db_url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, total FROM distributions")).all() == [(7, 100)]
        assert conn.execute(text("SELECT distribution_id FROM distribution_lines")).all() == [(7,)]
        conn.execute(text(
            "INSERT INTO distributions (id, village_code, period, period_start, period_end, rule_id, rule_code, "
            "distributed_on, revenue, costs, total, entry_id, actor, recorded_at) VALUES (8, '360921101201', "
            f"'2025Q2', '2025-04-01', '2025-06-30', 1, 'R', '2025-07-09', 90, 0, 90, NULL, 't', '{at}')"
        ))  # fmt: skip
        assert conn.execute(text("SELECT acquired_on FROM assets")).all() == []
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE distributions SET total = 0"))
    engine.dispose()


def test_0011a_reads_written_off_apart_from_disposed(db_url: str) -> None:
    """Before 0011a an inventory write-off set the status `disposed`; the upgrade gives those assets `written_off`
    (their events say inventory_written_off) and leaves real disposals alone, and downgrading puts it back."""
    migrate.upgrade(db_url, "0010d")
    engine = Database(db_url).engine
    at = "2026-01-10 00:00:00"
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO regions (code, name, level, parent_code, county_code, created_at, created_by) VALUES "
            f"('360921', '县', 'county', NULL, '360921', '{at}', 't')"
        ))  # fmt: skip
        for asset_id, kind in (("W-1", "inventory_written_off"), ("D-1", "disposed")):
            conn.execute(text(
                "INSERT INTO assets (asset_id, name, register, county_code, original_value, current_value, status, "
                f"disposed_on, registered_at, registered_by) VALUES ('{asset_id}', '路', 'public_benefit', '360921', "
                f"100, 0, 'disposed', '2026-01-10', '{at}', 't')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO asset_events (asset_id, kind, event_date, actor, recorded_at, payload) VALUES "
                f"('{asset_id}', '{kind}', '2026-01-10', 't', '{at}', '{{}}')"
            ))  # fmt: skip
    migrate.upgrade(db_url)
    status = "SELECT asset_id, status FROM assets ORDER BY asset_id"
    with engine.begin() as conn:
        assert conn.execute(text(status)).all() == [("D-1", "disposed"), ("W-1", "written_off")]
    migrate.downgrade(db_url, "0010d")
    with engine.begin() as conn:
        assert conn.execute(text(status)).all() == [("D-1", "disposed"), ("W-1", "disposed")]
    engine.dispose()


def test_0015a_guards_truncate_on_postgres_and_goes_back_down(db_url: str) -> None:
    """0015a gives every table of record a TRUNCATE guard on PostgreSQL (nothing on SQLite, which has no TRUNCATE);
    downgrading takes the guards and their function away, and upgrading again puts them back."""
    migrate.upgrade(db_url, "0014b")
    engine = Database(db_url).engine
    postgres = engine.dialect.name == "postgresql"
    guards = (
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = c.relname || '_no_truncate' AND pg_table_is_visible(c.oid)"
        if postgres
        else "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%truncate%'"
    )
    function = (
        "SELECT count(*) FROM pg_proc "
        "WHERE proname = 'assetledger_refuse_truncate' AND pronamespace = current_schema()::regnamespace"
    )
    expected = set(PROTECTED_TABLES) if postgres else set()
    try:
        if postgres:  # a database made before 0015a, whose `protect` made no TRUNCATE guard
            with engine.begin() as conn:
                for (table,) in conn.execute(text(guards)).all():
                    conn.execute(text(f"DROP TRIGGER {table}_no_truncate ON {table}"))
                conn.execute(text("DROP FUNCTION assetledger_refuse_truncate()"))
                conn.execute(text("TRUNCATE entries CASCADE"))  # what 0014b let through
        migrate.upgrade(db_url)
        with engine.begin() as conn:
            assert {str(name) for (name,) in conn.execute(text(guards))} == expected
            assert list(missing_guards(conn)) == []
        if postgres:
            with pytest.raises(DatabaseError, match="entries is append-only; TRUNCATE refused"), engine.begin() as c:
                c.execute(text("TRUNCATE entries CASCADE"))
        migrate.downgrade(db_url, "0014b")
        with engine.begin() as conn:
            assert conn.execute(text(guards)).all() == []
            if postgres:
                assert conn.execute(text(function)).scalar() == 0
                conn.execute(text("TRUNCATE entries CASCADE"))
        migrate.upgrade(db_url)
        with engine.begin() as conn:
            assert {str(name) for (name,) in conn.execute(text(guards))} == expected
            assert list(missing_guards(conn)) == []
    finally:
        engine.dispose()
