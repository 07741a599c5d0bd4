"""households attached to household-level assets (到户类) after registration

`asset_households`: a household a household-level asset benefits, attached by the roster import once the households
of an asset registered as published are named (issue 20). An asset may benefit several households. Append-only and
sealed in the hash chain; no current-state table changes.

Revision ID: 0013c
Revises: 0012d
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0013c"
down_revision: str | None = "0012d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "asset_households",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("attached_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.asset_id"], name=op.f("fk_asset_households_asset_id_assets")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.household_id"], name=op.f("fk_asset_households_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_households")),
        sa.UniqueConstraint("asset_id", "household_id", name="uq_asset_households_asset_household"),
    )
    with op.batch_alter_table("asset_households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_households_household_id"), ["household_id"], unique=False)
    protect(op, "asset_households")


def downgrade() -> None:
    unprotect(op, "asset_households")
    with op.batch_alter_table("asset_households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_households_household_id"))
    op.drop_table("asset_households")
