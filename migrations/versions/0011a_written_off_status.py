"""written off is not disposed: assets written off by an inventory close get the status written_off (DOMAIN rule 19)

Until now an approved inventory shortage (盘亏核销) set the asset's status to `disposed`, the status of a disposal
(处置: auction, transfer, scrapping). Both leave the books, by different procedures, and reports keep them apart:
the assets whose event log says `inventory_written_off` (and that were never disposed of) now read `written_off`.
No column changes; `assets` is current state sealed by its digests (0010c), so the rows changed are sealed again.

Revision ID: 0011a
Revises: 0010c
Create Date: 2026-12-14 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from assetledger.store.state_seals import seal_tables

revision: str = "0011a"
down_revision: str | None = "0010c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE assets SET status = 'written_off' WHERE status = 'disposed' "
        "AND asset_id IN (SELECT asset_id FROM asset_events WHERE kind = 'inventory_written_off') "
        "AND asset_id NOT IN (SELECT asset_id FROM asset_events WHERE kind = 'disposed')"
    )
    seal_tables(op.get_bind(), ["assets"])  # a change made here, not out of band


def downgrade() -> None:
    op.execute("UPDATE assets SET status = 'disposed' WHERE status = 'written_off'")
    seal_tables(op.get_bind(), ["assets"])
