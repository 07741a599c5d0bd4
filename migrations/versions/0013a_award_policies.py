"""award policies stored in the database, versioned (issue 22 item 4c)

`award_policy_versions`: each change of a bureau's award policy (绩效奖励办法) is a new version with its TOML text,
sha256, actor and time; a withdrawal is a version too. Append-only and sealed in the hash chain.

Revision ID: 0013a
Revises: 0013c
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0013a"
down_revision: str | None = "0013c"  # after asset_households (0013c), merged first
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = "award_policy_versions"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_policy_versions")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index("ix_award_policy_versions_scope_code", ["scope", "code", "version"], unique=True)
    protect(op, TABLE)


def downgrade() -> None:
    unprotect(op, TABLE)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_award_policy_versions_scope_code")
    op.drop_table(TABLE)
