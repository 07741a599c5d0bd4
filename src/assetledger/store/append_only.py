"""Database triggers that refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE on tables of record.

The store enforces append-only itself, so a bug or a hand-typed SQL statement cannot rewrite history; a
deliberate tamperer with the database file can still drop the trigger, which `audit verify` is for: it checks that
every guard listed here is in place (`missing_guards`), since a dropped guard is how rows are deleted unseen (the
newest rows and their seals cut off leave a chain that still verifies: only a head kept from before shows it).

On PostgreSQL a row trigger does not fire for TRUNCATE, so each table of record has a second, statement-level
guard `<table>_no_truncate`. `protect` makes it with the row guard (a database made today has it from each
table's first migration, a table protected later gets it the same way); migration 0015a added it to the databases
made before. SQLite has no TRUNCATE: its `DELETE FROM t` without WHERE fires the row triggers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

if TYPE_CHECKING:  # verify reads the guards without loading Alembic
    from alembic.operations import Operations

# Every table the migrations `protect` (tests/security/test_guards.py checks the list against a migrated database,
# so a migration that protects a new table must add it here). The one list: verify checks these tables' guards, and
# migration 0015a gave these tables their TRUNCATE guards.
PROTECTED_TABLES = (
    "accounts", "asset_acceptances", "asset_events", "asset_households", "award_policy_versions", "chain_links",
    "chain_seals", "contract_assets", "contract_terminations", "contracts", "custodian_assignments",
    "disposal_policies", "disposals", "distribution_lines", "distribution_reversals", "distribution_rules",
    "distributions", "document_contents", "document_links", "documents", "entities", "entries",
    "governance_decisions", "governance_policy_versions", "household_events", "import_batches", "inventories",
    "inventory_closes", "inventory_counts", "inventory_items", "maintenance_applications",
    "notice_objection_decisions", "notice_objections", "notice_publications", "payouts", "period_closes", "postings",
    "rectification_cases", "rectification_events", "user_grants", "user_passwords",
)  # fmt: skip
PG_FUNCTION_NAME = "assetledger_refuse_change"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION assetledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'assetledger: % is append-only; % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""
PG_TRUNCATE_FUNCTION_NAME = "assetledger_refuse_truncate"
PG_TRUNCATE_BODY = """
BEGIN
    RAISE EXCEPTION 'assetledger: % is append-only; TRUNCATE refused (a table of record is never emptied)',
        TG_TABLE_NAME;
END;
"""
PG_TRUNCATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PG_TRUNCATE_FUNCTION_NAME}() RETURNS trigger AS $${PG_TRUNCATE_BODY}$$ LANGUAGE plpgsql
"""


def truncate_guard(table: str) -> str:
    """The name of a table's TRUNCATE guard (PostgreSQL)."""
    return f"{table}_no_truncate"


def protect(op: Operations, table: str) -> None:
    """Make every guard of a table of record: UPDATE and DELETE, and TRUNCATE on PostgreSQL."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'assetledger: {table} is append-only; {action} refused'); END"
            )
    elif dialect == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION assetledger_refuse_change()"
        )
        protect_truncate(op, table)


def unprotect(op: Operations, table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        unprotect_truncate(op, table)


def protect_truncate(op: Operations, table: str) -> None:
    """The statement-level TRUNCATE guard of one table (PostgreSQL; SQLite has no TRUNCATE). Made afresh if the
    table has one already, so it may run again on a table `protect` guarded."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PG_TRUNCATE_FUNCTION)
    op.execute(f"DROP TRIGGER IF EXISTS {truncate_guard(table)} ON {table}")
    op.execute(
        f"CREATE TRIGGER {truncate_guard(table)} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_TRUNCATE_FUNCTION_NAME}()"
    )


def unprotect_truncate(op: Operations, table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {truncate_guard(table)} ON {table}")


def protected_tables(conn: Connection) -> list[str]:
    """The tables of `PROTECTED_TABLES` the database has (a migration before the one that makes a table, or a
    branch merged later, sees fewer)."""
    present = set(conn.dialect.get_table_names(conn))
    return [t for t in PROTECTED_TABLES if t in present]


def missing_guards(conn: Connection) -> Iterator[tuple[str, str]]:
    """(table, guard) of every append-only guard, TRUNCATE guards included, that is missing or no longer refuses."""
    yield from missing_row_guards(conn)
    yield from missing_truncate_guards(conn)


def missing_row_guards(conn: Connection) -> Iterator[tuple[str, str]]:
    """(table, guard) of every UPDATE/DELETE guard that is missing or no longer refuses: a trigger dropped, replaced
    by one that does nothing, or (PostgreSQL) disabled; tables the database does not have yet are skipped."""
    tables = protected_tables(conn)
    if conn.dialect.name == "sqlite":
        yield from _sqlite_missing(conn, tables)
    elif conn.dialect.name == "postgresql":
        yield from _postgres_missing(conn, tables)


def missing_truncate_guards(conn: Connection) -> Iterator[tuple[str, str]]:
    """(table, guard) of every TRUNCATE guard (PostgreSQL) that is missing, disabled, not before TRUNCATE for each
    statement, or calling a function other than the refusing one as shipped (its body compared whole)."""
    if conn.dialect.name != "postgresql":
        return
    found = _postgres_triggers(conn)
    body = _words(PG_TRUNCATE_BODY)
    for table in protected_tables(conn):
        name = truncate_guard(table)
        enabled, func, ddl, src = found.get((table, name), ("D", "", "", ""))
        if (
            enabled not in ("O", "A")
            or func != PG_TRUNCATE_FUNCTION_NAME
            or " BEFORE TRUNCATE " not in ddl
            or "FOR EACH STATEMENT" not in ddl
            or _words(src) != body
        ):
            yield table, name


def _words(sql: str) -> str:
    return " ".join(sql.upper().split())


def _sqlite_missing(conn: Connection, tables: list[str]) -> Iterator[tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for name, table, sql in conn.execute(text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")):
        found[str(name)] = (str(table), " ".join(str(sql or "").upper().split()))
    for table in tables:
        for action in ("UPDATE", "DELETE"):
            name = f"{table}_no_{action.lower()}"
            on, sql = found.get(name, ("", ""))
            if on != table or f"BEFORE {action} ON {table.upper()}" not in sql or "RAISE(ABORT" not in sql:
                yield table, name


def _postgres_triggers(conn: Connection) -> dict[tuple[str, str], tuple[str, str, str, str]]:
    """(table, trigger) -> (tgenabled, function name, CREATE TRIGGER statement, function body), upper case."""
    found: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for table, name, enabled, func, ddl, src in conn.execute(
        text(
            "SELECT c.relname, t.tgname, t.tgenabled, p.proname, pg_get_triggerdef(t.oid), p.prosrc "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid)"
        )
    ):
        found[(str(table), str(name))] = (str(enabled), str(func), str(ddl).upper(), str(src).upper())
    return found


def _postgres_missing(conn: Connection, tables: list[str]) -> Iterator[tuple[str, str]]:
    found = _postgres_triggers(conn)
    for table in tables:
        name = f"{table}_append_only"
        enabled, func, ddl, src = found.get((table, name), ("D", "", "", ""))
        if (
            enabled not in ("O", "A")  # D: disabled; R: fires only on a replica
            or func != PG_FUNCTION_NAME
            or not all(word in ddl for word in (" BEFORE ", " UPDATE", " DELETE"))  # PG orders the events itself
            or "FOR EACH ROW" not in ddl
            or "RAISE EXCEPTION" not in src
        ):
            yield table, name
