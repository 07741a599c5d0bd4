"""objections to a distribution's public notice (异议) and their decisions

`notice_objections`: an objection raised by a villager against a distribution's notice during its objection period
(公示期): the distribution, the village, the day, who raised it (a household of the roster, a name, or both), what it
says, the actor and the time. `notice_objection_decisions`: the decision on one, a later row (upheld or dismissed,
the day, the reason). A distribution is paid only when its notice was published, its objection period has passed
and no objection to it is undecided or upheld (DOMAIN rule 15). Both tables are append-only and sealed in the hash
chain; no current-state table changes.

Revision ID: 0015b
Revises: 0015a
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0015b"
down_revision: str | None = "0015a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("notice_objections", "notice_objection_decisions")


def upgrade() -> None:
    op.create_table(
        "notice_objections",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("distribution_id", BigId, nullable=False),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=True),
        sa.Column("raised_by", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"], ["distributions.id"], name=op.f("fk_notice_objections_distribution_id_distributions")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.household_id"], name=op.f("fk_notice_objections_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["village_code"], ["regions.code"], name=op.f("fk_notice_objections_village_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_objections")),
    )
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.create_index("ix_notice_objections_distribution", ["distribution_id"], unique=False)
        batch_op.create_index("ix_notice_objections_village", ["village_code"], unique=False)
    op.create_table(
        "notice_objection_decisions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("objection_id", BigId, nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["notice_objections.id"],
            name=op.f("fk_notice_objection_decisions_objection_id_notice_objections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_objection_decisions")),
        sa.UniqueConstraint("objection_id", name=op.f("uq_notice_objection_decisions_objection_id")),
    )
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
    op.drop_table("notice_objection_decisions")
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_objections_village")
        batch_op.drop_index("ix_notice_objections_distribution")
    op.drop_table("notice_objections")
