"""notices published to villagers (公示上墙/上网), and the acceptance date (验收日期) on the register

`notice_publications`: a distribution's public notice (公示) published for anyone to read, with its date, actor and
time; append-only and sealed in the hash chain. The public pages (/public/<village>) and `notice export` show only
what a row here names. `assets.accepted_on`: the date the project's asset was accepted (竣工验收), which starts the
clock of the supervision rule "accepted but not registered" (验收后未登记); `assets` is current state sealed by its
digests (0010c), so every row is sealed again with the new column.

Revision ID: 0013d
Revises: 0012d
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect
from assetledger.store.state_seals import seal_tables

revision: str = "0013d"
down_revision: str | None = "0012d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


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
    protect(op, "notice_publications")
    op.add_column("assets", sa.Column("accepted_on", sa.Date(), nullable=True))
    seal_tables(op.get_bind(), ["assets"])  # the new column is part of every row's digest


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("accepted_on")
    seal_tables(op.get_bind(), ["assets"])
    unprotect(op, "notice_publications")
    with op.batch_alter_table("notice_publications", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_publications_village")
    op.drop_table("notice_publications")
