"""TRUNCATE guards on the tables of record (PostgreSQL)

A row trigger does not fire for TRUNCATE, so `TRUNCATE entries` emptied a table of record past its append-only
guard. Each table in `PROTECTED_TABLES` that the database has gets a statement-level trigger `<table>_no_truncate`
(BEFORE TRUNCATE, FOR EACH STATEMENT) calling `assetledger_refuse_truncate()`, which refuses. A table protected by a
later migration gets it from `protect` itself. SQLite has no TRUNCATE (a DELETE without WHERE fires the row
triggers): nothing to do there. `audit verify` names a TRUNCATE guard that is missing, disabled or hollow.

Revision ID: 0015a
Revises: 0014b
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

from assetledger.store.append_only import (
    PG_TRUNCATE_FUNCTION_NAME,
    protect_truncate,
    protected_tables,
    unprotect_truncate,
)

revision: str = "0015a"
down_revision: str | None = "0014b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in protected_tables(op.get_bind()):
        protect_truncate(op, table)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in protected_tables(op.get_bind()):
        unprotect_truncate(op, table)
    op.execute(f"DROP FUNCTION IF EXISTS {PG_TRUNCATE_FUNCTION_NAME}()")
