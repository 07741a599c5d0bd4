"""voucher refs: a ref is unique per entity and month for vouchers people enter, checked by the books

The unique constraint (entity_code, ref) on entries refused the same voucher number in another month, and made a
re-posted voucher with other content look like a re-run. Books.post now checks voucher identity under the writer
lock; the database keeps a plain index on (entity_code, ref) for that lookup. No column changes: the rows, and so
their seals in the hash chain, stay exactly as they were.

SQLite cannot drop a table constraint: the table is rebuilt (rows copied as stored, ids kept) and its append-only
triggers are put back. That needs foreign key enforcement off, which migrations/env.py does for SQLite.

Revision ID: 0010d
Revises: 0010
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0010d"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _require_foreign_keys_off() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("rebuilding the entries table needs SQLite foreign key enforcement off (migrations/env.py)")


def upgrade() -> None:
    _require_foreign_keys_off()
    unprotect(op, "entries")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_entries_entity_ref", type_="unique")
        batch_op.create_index("ix_entries_entity_ref", ["entity_code", "ref"], unique=False)
    protect(op, "entries")


def downgrade() -> None:
    # Refused by the database if two entries of one entity now share a ref (vouchers of different months).
    _require_foreign_keys_off()
    unprotect(op, "entries")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_entity_ref")
        batch_op.create_unique_constraint("uq_entries_entity_ref", ["entity_code", "ref"])
    protect(op, "entries")
