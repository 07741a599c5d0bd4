"""web passwords

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assetledger.store.types  # noqa: F401
from assetledger.store.append_only import protect, unprotect

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_passwords",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_passwords")),
    )
    with op.batch_alter_table("user_passwords", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_passwords_name"), ["name"], unique=False)
    protect(op, "user_passwords")


def downgrade() -> None:
    unprotect(op, "user_passwords")
    with op.batch_alter_table("user_passwords", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_passwords_name"))
    op.drop_table("user_passwords")
