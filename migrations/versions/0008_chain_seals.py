"""chain seals: the hash chain seals each transaction's rows per table instead of one link per row

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_seals",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("first_id", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("row_ids", sa.LargeBinary(), nullable=True),
        sa.Column("digests", sa.LargeBinary(), nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_chain_seals")),
    )
    with op.batch_alter_table("chain_seals", schema=None) as batch_op:
        batch_op.create_index("ix_chain_seals_table_last", ["table_name", "last_id"], unique=True)
    protect(op, "chain_seals")  # existing links stay as they are; the next transaction's seal continues from them


def downgrade() -> None:
    unprotect(op, "chain_seals")
    with op.batch_alter_table("chain_seals", schema=None) as batch_op:
        batch_op.drop_index("ix_chain_seals_table_last")
    op.drop_table("chain_seals")
