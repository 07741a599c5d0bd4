"""rate-limit counters in the app's database (the web login throttle)

`rate_limit_entries`: one row per failed login (per hit of a rate limit), under a digest of the user name, with
when it happened and when it expires (seconds since the epoch). Shared by every server process on the database
and kept over a restart. Not a table of record: rows expire and are deleted, nothing is sealed
(store/rate_limits.py).

Revision ID: 0014b
Revises: 0013d
Create Date: 2026-12-03 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014b"
down_revision: str | None = "0013d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rate_limit_entries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_entries")),
    )
    with op.batch_alter_table("rate_limit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_entries_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_rate_limit_entries_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_entries_expires_at"))
        batch_op.drop_index(batch_op.f("ix_rate_limit_entries_key"))
    op.drop_table("rate_limit_entries")
