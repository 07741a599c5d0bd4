"""Reading the registers: filtered lists and one asset with its whole history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, func, select

from assetledger.domain.enums import AssetStatus, FundSource, OwnerKind, Register
from assetledger.errors import NotFoundError
from assetledger.services.access import read_scope, require_read
from assetledger.services.assets import asset_region
from assetledger.store.db import Database
from assetledger.store.models import Asset, AssetEvent, AssetFunding, CustodianAssignment
from assetledger.store.region_tree import asset_within

LIST_COLUMNS = (
    "asset_id",
    "name",
    "register",
    "category",
    "county_code",
    "township_code",
    "village_code",
    "build_year",
    "original_value",
    "status",
    "owner_name",
    "owner_kind",
    "custodian",
)


# The lowest region an asset belongs to (services.assets.asset_region, as SQL): its village, township or county.
ASSET_PLACE = func.coalesce(Asset.village_code, Asset.township_code, Asset.county_code)
# A household-level asset (到户类) registered as published, before its household is named (issue 20): reports list
# these until the households are attached.
WITHOUT_HOUSEHOLD = (
    Asset.register == Register.HOUSEHOLD.value,
    Asset.household_id.is_(None),
    Asset.household_head.is_(None),
)


@dataclass(frozen=True)
class AssetFilter:
    register: Register | None = None
    region: str | None = None
    owner_kind: OwnerKind | None = None
    unconfirmed: bool = False
    status: AssetStatus | None = None
    fund_source: FundSource | None = None
    year: int | None = None
    limit: int | None = None
    without_household: bool = False  # household-level (到户类) assets whose households are not attached yet

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.register:
            query = query.where(Asset.register == self.register.value)
        if self.region:
            query = query.where(asset_within(self.region))
        if self.owner_kind:
            query = query.where(Asset.owner_kind == self.owner_kind.value)
        if self.unconfirmed:
            query = query.where(Asset.owner_kind.is_(None))
        if self.without_household:
            query = query.where(*WITHOUT_HOUSEHOLD)
        if self.status:
            query = query.where(Asset.status == self.status.value)
        if self.fund_source:
            query = query.where(
                exists().where(AssetFunding.asset_id == Asset.asset_id, AssetFunding.source == self.fund_source.value)
            )
        if self.year:
            query = query.where(Asset.build_year == self.year)
        return query


def list_assets(db: Database, flt: AssetFilter, actor: str) -> list[dict[str, Any]]:
    """The assets that pass the filter, within the reader's scope: a region named outside it is refused; with none
    named, the list holds the scope's assets only."""
    columns = [getattr(Asset, c) for c in LIST_COLUMNS]
    query = flt.apply(select(*columns)).order_by(Asset.asset_id)
    if flt.limit:
        query = query.limit(flt.limit)
    with db.reading() as session:
        visible = read_scope(session, actor, flt.region)
        if visible is not None and flt.region is None:  # a region named within the scope already confines it
            query = query.where(ASSET_PLACE.in_(sorted(visible)))
        return [dict(zip(LIST_COLUMNS, row, strict=True)) for row in session.execute(query)]


@dataclass
class AssetHistory:
    asset: dict[str, Any]
    funding: list[dict[str, Any]] = field(default_factory=list)
    custodians: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def show_asset(db: Database, asset_id: str, actor: str) -> AssetHistory:
    """One asset with its funding, custodians and events, for a reader whose scope covers it."""
    with db.reading() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise NotFoundError("asset", asset_id)
        require_read(session, actor, asset_region(asset))
        record = {c.key: getattr(asset, c.key) for c in Asset.__table__.columns}
        history = AssetHistory(record)
        for f in session.scalars(
            select(AssetFunding).where(AssetFunding.asset_id == asset_id).order_by(AssetFunding.id)
        ):
            history.funding.append({"source": f.source, "label": FundSource(f.source).label, "amount": f.amount})
        for c in session.scalars(
            select(CustodianAssignment)
            .where(CustodianAssignment.asset_id == asset_id)
            .order_by(CustodianAssignment.start_on, CustodianAssignment.id)
        ):
            history.custodians.append({"custodian": c.custodian, "duties": c.duties, "from": c.start_on, "by": c.actor})
        for e in session.scalars(select(AssetEvent).where(AssetEvent.asset_id == asset_id).order_by(AssetEvent.id)):
            history.events.append(
                {
                    "id": e.id,
                    "kind": e.kind,
                    "date": e.event_date,
                    "actor": e.actor,
                    "recorded_at": e.recorded_at,
                    "details": e.payload,
                }
            )
        return history
