"""The SQL of certificates and labels: assets with their places' names and the event that confirmed ownership."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.enums import AssetStatus
from assetledger.store.bulk import chunks
from assetledger.store.models import Asset, AssetEvent, Region
from assetledger.store.region_tree import asset_within


def assets_in(session: Session, *, asset_id: str | None = None, region: str | None = None) -> list[Asset]:
    """One asset, or every asset of a region not disposed of, by id."""
    query = select(Asset).order_by(Asset.asset_id)
    if asset_id is not None:
        query = query.where(Asset.asset_id == asset_id)
    if region is not None:
        query = query.where(
            asset_within(region),
            Asset.status != AssetStatus.DISPOSED.value,
        )
    return list(session.scalars(query))


def region_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Region.code, Region.name))}


def confirming_events(session: Session, asset_ids: Sequence[str]) -> dict[str, int]:
    """The id of the event that last confirmed each asset's owner: a confirmation, else its registration with an
    owner (a register file may bring an asset in confirmed)."""
    found: dict[str, int] = {}
    for part in chunks(sorted(set(asset_ids))):
        rows = session.execute(
            select(AssetEvent.asset_id, AssetEvent.id, AssetEvent.kind, AssetEvent.payload)
            .where(AssetEvent.asset_id.in_(part), AssetEvent.kind.in_(("registered", "ownership_confirmed")))
            .order_by(AssetEvent.id)
        )
        for asset_id, event_id, kind, payload in rows:
            if kind == "ownership_confirmed" or (isinstance(payload, dict) and payload.get("owner")):
                found[asset_id] = event_id
    return found
