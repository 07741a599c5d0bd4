"""The SQL of documents of record: which assets exist and where, the documents already kept, links and their
events, and listings by asset or region."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.store.bulk import chunks, existing_keys
from assetledger.store.document_models import Document, DocumentLink
from assetledger.store.models import Asset, AssetEvent
from assetledger.store.region_tree import asset_within


@dataclass(frozen=True)
class LinkRow:
    """A document attached to an asset, as stored."""

    link_id: int
    asset_id: str
    kind: str
    title: str | None
    document_date: dt.date | None
    name: str
    sha256: str
    size: int
    media_type: str
    actor: str
    recorded_at: dt.datetime


def registered_ids(session: Session, candidates: Sequence[str]) -> set[str]:
    return existing_keys(session, Asset.asset_id, sorted(set(candidates)))


def asset_regions(session: Session, asset_ids: Sequence[str]) -> dict[str, str]:
    """The lowest region of each asset (village, else township, else county)."""
    found: dict[str, str] = {}
    for part in chunks(sorted(set(asset_ids))):
        rows = session.execute(
            select(Asset.asset_id, Asset.village_code, Asset.township_code, Asset.county_code).where(
                Asset.asset_id.in_(part)
            )
        )
        found.update((a, v or t or c) for a, v, t, c in rows)
    return found


def documents_by_sha(session: Session, hashes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(sorted(set(hashes))):
        found.update(session.execute(select(Document.sha256, Document.id).where(Document.sha256.in_(part))).all())
    return found


def linked_pairs(session: Session, asset_ids: Sequence[str]) -> set[tuple[str, str]]:
    """(asset, sha256) of every document already attached to these assets."""
    pairs: set[tuple[str, str]] = set()
    for part in chunks(sorted(set(asset_ids))):
        rows = session.execute(
            select(DocumentLink.asset_id, Document.sha256)
            .join(Document, Document.id == DocumentLink.document_id)
            .where(DocumentLink.asset_id.in_(part))
        )
        pairs.update((asset_id, sha256) for asset_id, sha256 in rows)
    return pairs


def add_document(session: Session, sha256: str, size: int, media_type: str, name: str, actor: str, at: Any) -> int:
    document = Document(sha256=sha256, size=size, media_type=media_type, original_name=name, actor=actor,
                        recorded_at=at)  # fmt: skip
    session.add(document)
    session.flush()
    return document.id


def add_link(
    session: Session,
    asset_id: str,
    document_id: int,
    kind: str,
    title: str | None,
    on: dt.date | None,
    payload: dict[str, Any],
    actor: str,
    at: Any,
) -> None:
    """The link and the asset event that records it (the event is what the asset's history shows)."""
    event = AssetEvent(asset_id=asset_id, kind="document_attached", event_date=on, payload=payload, actor=actor,
                       recorded_at=at)  # fmt: skip
    session.add(event)
    session.flush()
    session.add(
        DocumentLink(asset_id=asset_id, document_id=document_id, kind=kind, title=title, document_date=on,
                     event_id=event.id, actor=actor, recorded_at=at)
    )  # fmt: skip


def _links() -> Any:
    return (
        select(
            DocumentLink.id, DocumentLink.asset_id, DocumentLink.kind, DocumentLink.title, DocumentLink.document_date,
            Document.original_name, Document.sha256, Document.size, Document.media_type, DocumentLink.actor,
            DocumentLink.recorded_at,
        )
        .join(Document, Document.id == DocumentLink.document_id)
        .order_by(DocumentLink.id)
    )  # fmt: skip


def links_of(session: Session, asset_id: str) -> list[LinkRow]:
    return [LinkRow(*row) for row in session.execute(_links().where(DocumentLink.asset_id == asset_id))]


def links_within(session: Session, region: str | None) -> Iterator[LinkRow]:
    """Every link of the assets in a region (all with None), in the order they were made."""
    query = _links()
    if region:
        query = query.join(Asset, Asset.asset_id == DocumentLink.asset_id).where(asset_within(region))
    for row in session.execute(query):
        yield LinkRow(*row)


def all_documents(session: Session) -> Iterator[tuple[int, str, int, str, list[str]]]:
    """(id, sha256, size, name, asset ids) of every document kept."""
    assets: dict[int, list[str]] = {}
    for document_id, asset_id in session.execute(
        select(DocumentLink.document_id, DocumentLink.asset_id).order_by(DocumentLink.id)
    ):
        assets.setdefault(document_id, []).append(asset_id)
    for document_id, sha256, size, name in session.execute(
        select(Document.id, Document.sha256, Document.size, Document.original_name).order_by(Document.id)
    ):
        yield document_id, sha256, size, name, assets.get(document_id, [])
