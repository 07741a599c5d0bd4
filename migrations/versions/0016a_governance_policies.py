"""governance policies stored in the database, versioned; each disposal records the policy that judged it

`governance_policy_versions`: each change of a region's governance policy (scan thresholds, disposal approval
bands, contract findings) is a new version with its TOML text, sha256, actor and time, stored by finance.
`disposal_policies`: for each disposal from now on, the version that set its approval level (none: the shipped
ledgers/policy/governance.toml), its sha256 and the level required. Both append-only and sealed in the hash chain;
no existing table changes, so the rows and seals of before stay as they were.

Revision ID: 0016a
Revises: 0015b
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0016a"
down_revision: str | None = "0015b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("governance_policy_versions", "disposal_policies")


def upgrade() -> None:
    op.create_table(
        "governance_policy_versions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_policy_versions")),
    )
    with op.batch_alter_table("governance_policy_versions", schema=None) as batch_op:
        batch_op.create_index("ix_governance_policy_versions_scope", ["scope", "version"], unique=True)
    op.create_table(
        "disposal_policies",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("disposal_id", BigId, nullable=False),
        sa.Column("policy_version_id", BigId, nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("required_level", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["disposal_id"], ["disposals.id"], name=op.f("fk_disposal_policies_disposal_id_disposals")
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["governance_policy_versions.id"],
            name=op.f("fk_disposal_policies_policy_version_id_governance_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_policies")),
        sa.UniqueConstraint("disposal_id", name=op.f("uq_disposal_policies_disposal_id")),
    )
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        unprotect(op, table)
    op.drop_table("disposal_policies")
    with op.batch_alter_table("governance_policy_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_governance_policy_versions_scope")
    op.drop_table("governance_policy_versions")
