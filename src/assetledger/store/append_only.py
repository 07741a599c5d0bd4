"""Database triggers that refuse UPDATE and DELETE on tables of record, on SQLite and PostgreSQL.

The store enforces append-only itself, so a bug or a hand-typed SQL statement cannot rewrite history; a
deliberate tamperer with the database file can still drop the trigger, which `audit verify` is for.
"""

from __future__ import annotations

from alembic.operations import Operations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION assetledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'assetledger: % is append-only; % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def protect(op: Operations, table: str) -> None:
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


def unprotect(op: Operations, table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
