"""state seals: the current-state tables (assets, funding, households, regions, entities) join the hash chain

Revision ID: 0010c
Revises: 0010b
Create Date: 2026-12-03 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.state_seals import seal_tables

revision: str = "0010c"
down_revision: str | None = "0010b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy on SQLite), so chain_seals keeps its append-only triggers.
    op.add_column("chain_seals", sa.Column("row_keys", sa.LargeBinary(), nullable=True))
    # The rows as they are at the upgrade are the state the chain vouches for from here on.
    seal_tables(op.get_bind())


def downgrade() -> None:
    # The state seals stay in the chain (removing them would break it). Without row_keys an older assetledger
    # cannot recompute them and reports each as a broken link: loud, not silent.
    op.drop_column("chain_seals", "row_keys")
