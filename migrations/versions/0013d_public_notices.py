"""notices published to villagers (公示上网), and acceptances of built assets (验收)

`notice_publications`: a distribution's public notice (公示) published for anyone to read, with its date, actor and
time. The public pages (/public/<village>) and `notice export` show only what a row here names.
`asset_acceptances`: an asset built by a project and accepted (竣工验收) on a date, at a place, with its document,
recorded whether or not the asset is on the register yet: the clock of the supervision rule "accepted but not
registered" (验收后未登记). A correction is a later row for the same asset id. Both tables are append-only and sealed
in the hash chain; no current-state table changes.

Revision ID: 0013d
Revises: 0013a
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0013d"
down_revision: str | None = "0013a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("notice_publications", "asset_acceptances")


def upgrade() -> None:
    op.create_table(
        "notice_publications",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("distribution_id", BigId, nullable=False),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"], ["distributions.id"], name=op.f("fk_notice_publications_distribution_id_distributions")
        ),
        sa.ForeignKeyConstraint(
            ["village_code"], ["regions.code"], name=op.f("fk_notice_publications_village_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_publications")),
        sa.UniqueConstraint("distribution_id", name="uq_notice_publications_distribution"),
    )
    with op.batch_alter_table("notice_publications", schema=None) as batch_op:
        batch_op.create_index("ix_notice_publications_village", ["village_code"], unique=False)
    op.create_table(
        "asset_acceptances",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("county_code", sa.String(length=32), nullable=False),
        sa.Column("township_code", sa.String(length=32), nullable=True),
        sa.Column("village_code", sa.String(length=32), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("document", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"], ["regions.code"], name=op.f("fk_asset_acceptances_county_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["township_code"], ["regions.code"], name=op.f("fk_asset_acceptances_township_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["village_code"], ["regions.code"], name=op.f("fk_asset_acceptances_village_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_acceptances")),
    )
    with op.batch_alter_table("asset_acceptances", schema=None) as batch_op:
        batch_op.create_index("ix_asset_acceptances_asset", ["asset_id"], unique=False)
        batch_op.create_index("ix_asset_acceptances_county", ["county_code"], unique=False)
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
    with op.batch_alter_table("asset_acceptances", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_acceptances_county")
        batch_op.drop_index("ix_asset_acceptances_asset")
    op.drop_table("asset_acceptances")
    with op.batch_alter_table("notice_publications", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_publications_village")
    op.drop_table("notice_publications")
