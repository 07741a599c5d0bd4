"""distribution corrections and acquisition dates

A village month is distributed once while its distribution stands; a distribution is corrected by reversing it
(`distribution_reversals`), which frees its months. The unique key on (village, period, rule) would forbid
distributing a reversed period again, so it becomes a plain index and the service keeps the rule under the writer
lock. Assets get `acquired_on` (取得日期), the first choice for the date an asset enters the books.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assetledger.store.types  # noqa: F401
from assetledger.store.append_only import protect, unprotect

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # SQLite rebuilds the table to drop the key, which drops its append-only triggers: they are put back.
    unprotect(op, "distributions")
    with op.batch_alter_table("distributions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_distributions_village_period_rule", type_="unique")
        batch_op.create_index("ix_distributions_village_start", ["village_code", "period_start"], unique=False)
    protect(op, "distributions")

    op.create_table(
        "distribution_reversals",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("distribution_id", BigId, nullable=False),
        sa.Column("reversed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("entry_id", BigId, nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distributions.id"],
            name=op.f("fk_distribution_reversals_distribution_id_distributions"),
        ),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_distribution_reversals_entry_id_entries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_reversals")),
        sa.UniqueConstraint("distribution_id", name=op.f("uq_distribution_reversals_distribution_id")),
    )
    protect(op, "distribution_reversals")

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acquired_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("acquired_on")
    unprotect(op, "distribution_reversals")
    op.drop_table("distribution_reversals")
    unprotect(op, "distributions")
    with op.batch_alter_table("distributions", schema=None) as batch_op:
        batch_op.drop_index("ix_distributions_village_start")
        batch_op.create_unique_constraint(
            "uq_distributions_village_period_rule", ["village_code", "period", "rule_code"]
        )
    protect(op, "distributions")
