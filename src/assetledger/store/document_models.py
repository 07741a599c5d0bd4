"""ORM models of the documents of record (资产档案): files by their sha256, and which asset each belongs to.

Both tables are append-only and sealed in the hash chain: a document row fixes a file's sha256 and size, so that
`audit verify` can re-hash the stored file and name one that changed or went missing. The bytes themselves live in
the documents folder (content-addressed, `ab/cd/<sha256>`) or, without one, in `document_contents`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.documents import DocumentKind
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText


class Document(Base):
    """One file of record, once, however many assets it belongs to."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("sha256", name="uq_documents_sha256"),)


class DocumentLink(Base):
    """A document attached to an asset as one kind of record (验收, 移交, 确权, …), with the event that says so."""

    __tablename__ = "document_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.asset_id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    kind: Mapped[DocumentKind] = mapped_column(EnumText(DocumentKind, 16))
    title: Mapped[str | None] = mapped_column(String(200))  # e.g. the document's number (文号) or a caption
    document_date: Mapped[dt.date | None] = mapped_column(Date)
    event_id: Mapped[int] = mapped_column(ForeignKey("asset_events.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("asset_id", "document_id", name="uq_document_links_asset_document"),
        Index("ix_document_links_document", "document_id"),
    )


class DocumentContent(Base):
    """The bytes of a document when they are kept in the database (no documents folder). Not sealed itself: its
    integrity is the sealed sha256 of the document, which `audit verify` checks the bytes against."""

    __tablename__ = "document_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
