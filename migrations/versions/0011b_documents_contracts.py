"""documents of record and the operating contracts register

`documents` (a file by its sha256, size and media type) and `document_links` (which asset it belongs to, as what,
and the event that recorded it) keep each asset's paper trail; the bytes are in the documents folder or in
`document_contents`. `contracts`, `contract_assets` and `contract_terminations` are the register of operating
contracts (经营合同台账): operator, mode, term, payment schedule, deposit, renewal. Every table is append-only;
all but `document_contents` (checked against the sealed sha256 instead) are sealed in the hash chain.

Revision ID: 0011b
Revises: 0011a
Create Date: 2026-12-12 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assetledger.store.types
from assetledger.store.append_only import protect, unprotect

revision: str = "0011b"
down_revision: str | None = "0011a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("documents", "document_links", "document_contents", "contracts", "contract_assets", "contract_terminations")


def upgrade() -> None:
    op.create_table(
        "document_contents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_document_contents")),
    )
    op.create_table(
        "documents",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("sha256", name="uq_documents_sha256"),
    )
    op.create_table(
        "contracts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("amount", assetledger.store.types.Money(), nullable=True),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("timing", sa.String(length=16), nullable=False),
        sa.Column("paid_through", sa.Date(), nullable=True),
        sa.Column("deposit", assetledger.store.types.Money(), nullable=True),
        sa.Column("renews_id", BigId, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("batch_id", BigId, nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"], name=op.f("fk_contracts_batch_id_import_batches")),
        sa.ForeignKeyConstraint(["renews_id"], ["contracts.id"], name=op.f("fk_contracts_renews_id_contracts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("code", name="uq_contracts_code"),
    )
    op.create_table(
        "contract_assets",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("contract_id", BigId, nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.asset_id"], name=op.f("fk_contract_assets_asset_id_assets")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_contract_assets_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_assets")),
        sa.UniqueConstraint("contract_id", "asset_id", name="uq_contract_assets_contract_asset"),
    )
    with op.batch_alter_table("contract_assets", schema=None) as batch_op:
        batch_op.create_index("ix_contract_assets_asset", ["asset_id"], unique=False)

    op.create_table(
        "contract_terminations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("contract_id", BigId, nullable=False),
        sa.Column("terminated_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_contract_terminations_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_terminations")),
        sa.UniqueConstraint("contract_id", name="uq_contract_terminations_contract_id"),
    )
    op.create_table(
        "document_links",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("document_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("event_id", BigId, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.asset_id"], name=op.f("fk_document_links_asset_id_assets")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_links_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["asset_events.id"], name=op.f("fk_document_links_event_id_asset_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_links")),
        sa.UniqueConstraint("asset_id", "document_id", name="uq_document_links_asset_document"),
    )
    with op.batch_alter_table("document_links", schema=None) as batch_op:
        batch_op.create_index("ix_document_links_document", ["document_id"], unique=False)
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
    with op.batch_alter_table("document_links", schema=None) as batch_op:
        batch_op.drop_index("ix_document_links_document")

    op.drop_table("document_links")
    op.drop_table("contract_terminations")
    with op.batch_alter_table("contract_assets", schema=None) as batch_op:
        batch_op.drop_index("ix_contract_assets_asset")

    op.drop_table("contract_assets")
    op.drop_table("contracts")
    op.drop_table("documents")
    op.drop_table("document_contents")
