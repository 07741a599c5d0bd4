"""rectification cases (整改) opened on supervision warnings

`rectification_cases` (a warning made a case: rule, subject, place, evidence, responsible unit, deadline) and
`rectification_events` (steps taken, with an optional document, and the close after the rule was re-run). Both
are append-only and sealed in the hash chain; a case's state is derived from its events.

Revision ID: 0012d
Revises: 0011b
Create Date: 2026-12-03 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assetledger.store.append_only import protect, unprotect

revision: str = "0012d"
down_revision: str | None = "0011b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("rectification_cases", "rectification_events")


def upgrade() -> None:
    op.create_table(
        "rectification_cases",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("warning_key", sa.String(length=300), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("county_code", sa.String(length=32), nullable=False),
        sa.Column("township_code", sa.String(length=32), nullable=True),
        sa.Column("village_code", sa.String(length=32), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"], ["regions.code"], name=op.f("fk_rectification_cases_county_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["township_code"], ["regions.code"], name=op.f("fk_rectification_cases_township_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["village_code"], ["regions.code"], name=op.f("fk_rectification_cases_village_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_cases")),
    )
    with op.batch_alter_table("rectification_cases", schema=None) as batch_op:
        batch_op.create_index("ix_rectification_cases_key", ["warning_key"], unique=False)
        batch_op.create_index("ix_rectification_cases_county", ["county_code"], unique=False)
    op.create_table(
        "rectification_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("document_id", BigId, nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["rectification_cases.id"], name=op.f("fk_rectification_events_case_id_rectification_cases")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_rectification_events_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_events")),
    )
    with op.batch_alter_table("rectification_events", schema=None) as batch_op:
        batch_op.create_index("ix_rectification_events_case", ["case_id", "id"], unique=False)
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
    with op.batch_alter_table("rectification_events", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_events_case")
    op.drop_table("rectification_events")
    with op.batch_alter_table("rectification_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_cases_county")
        batch_op.drop_index("ix_rectification_cases_key")
    op.drop_table("rectification_cases")
