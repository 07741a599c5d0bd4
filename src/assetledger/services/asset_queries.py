"""Reading the registers: filtered lists and one asset with its whole history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select

from assetledger.domain.enums import AssetStatus, FundSource, OwnerKind, Register
from assetledger.domain.register_fields import LIST_FIELDS
from assetledger.errors import NotFoundError
from assetledger.services.access import read_scope, reads_households, require_read
from assetledger.services.asset_households import (
    details_without_households,
    hide_household_data,
    owners_shown,
    show_owners,
)
from assetledger.services.assets import asset_region
from assetledger.store.db import Database
from assetledger.store.distribution_models import AssetHousehold, Household
from assetledger.store.models import Asset, AssetEvent, AssetFunding, CustodianAssignment, Region
from assetledger.store.region_tree import asset_within
from assetledger.store.tables import table_of

# What `asset list` shows and exports, in this order: the catalogue's listed fields (domain/register_fields.py).
LIST_COLUMNS = tuple(str(f.column) for f in LIST_FIELDS)
WIDE_COLUMNS = (*LIST_COLUMNS, "project_name")  # what the web's list and its export show


# The lowest region an asset belongs to (services.assets.asset_region, as SQL): its village, township or county.
ASSET_PLACE = func.coalesce(Asset.village_code, Asset.township_code, Asset.county_code)
# A household-level asset (到户类) registered as published, before its household is named (issue 20): reports list
# these until the households are attached.
WITHOUT_HOUSEHOLD = (
    Asset.register == Register.HOUSEHOLD,
    Asset.household_id.is_(None),
    Asset.household_head.is_(None),
    ~exists().where(AssetHousehold.asset_id == Asset.asset_id),  # attached later by the roster import
)


@dataclass(frozen=True)
class AssetFilter:
    """Which assets a list holds, in which order, and which page of them: what `asset list`, the web's asset list
    and its export, and `frames.assets` ask `list_assets` / `asset_page` for."""

    register: Register | None = None
    region: str | None = None
    owner_kind: OwnerKind | None = None
    unconfirmed: bool = False
    status: AssetStatus | None = None
    fund_source: FundSource | None = None
    year: int | None = None
    limit: int | None = None
    without_household: bool = False  # household-level (到户类) assets whose households are not attached yet
    # Words of a search, each of which must be found (case-insensitive) in the asset's id, name, project, owner, or
    # the name of its village or township: "冷库 大万" finds the cold store of 大万村.
    words: tuple[str, ...] = ()
    sort: str = "asset_id"  # one of SORTS; the asset id breaks ties
    descending: bool = False
    offset: int = 0  # with `limit`, a page (in SQL)
    wide: bool = False  # rows with the project's name too (WideAssetRow), as the web's list and its export show

    def apply(self, query: Select[Any]) -> Select[Any]:
        for word in self.words:
            query = query.where(matches(word))
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


def matches(word: str) -> ColumnElement[bool]:
    """An asset whose id, name, project or owner (an attached household's head too), or whose village's or
    township's name, holds the word."""
    needle = word.lower()
    named = select(Region.code).where(func.lower(Region.name).contains(needle, autoescape=True))
    heads = select(Household.household_id).where(func.lower(Household.head).contains(needle, autoescape=True))
    return or_(
        *(func.lower(c).contains(needle, autoescape=True)
          for c in (Asset.asset_id, Asset.name, Asset.project_name, Asset.owner_name)),
        Asset.village_code.in_(named),
        Asset.township_code.in_(named),
        exists().where(AssetHousehold.asset_id == Asset.asset_id, AssetHousehold.household_id.in_(heads)),
    )  # fmt: skip


# The columns a list may be sorted by (the asset id breaks ties, so pages never overlap).
SORTS: dict[str, Any] = {
    "asset_id": Asset.asset_id,
    "name": Asset.name,
    "register": Asset.register,
    "place": ASSET_PLACE,
    "build_year": Asset.build_year,
    "original_value": Asset.original_value,
    "status": Asset.status,
    "owner_name": Asset.owner_name,
    "custodian": Asset.custodian,
}


@dataclass(frozen=True)
class AssetRow:
    """One asset as `asset list` shows and exports it: the catalogue's listed fields (LIST_COLUMNS), in order."""

    asset_id: str
    name: str
    register: Register | str  # register, status, owner kind: a stored text that is none as it is
    category: str | None
    county_code: str
    township_code: str | None
    village_code: str | None
    build_year: int | None
    original_value: Decimal
    status: AssetStatus | str
    owner_name: str | None
    owner_kind: OwnerKind | str | None
    custodian: str | None


@dataclass(frozen=True)
class WideAssetRow(AssetRow):
    """An asset as the web's list and its export show it: with its project's name."""

    project_name: str | None


@dataclass(frozen=True)
class AssetPage:
    rows: list[AssetRow]
    total: int  # every asset that passes the filter, not only this page's


def list_assets(db: Database, flt: AssetFilter, actor: str) -> list[AssetRow]:
    """The assets that pass the filter, within the reader's scope: a region named outside it is refused; with none
    named, the list holds the scope's assets only. Sorted by one of SORTS, then the asset id; the filter's `offset`
    and `limit` select a page in SQL."""
    with db.reading() as session:
        return _rows(session, flt, actor)


def asset_page(db: Database, flt: AssetFilter, actor: str) -> AssetPage:
    """One page of `list_assets` (the filter's limit is the page size) and how many pass the filter in all."""
    with db.reading() as session:
        rows = _rows(session, flt, actor)
        counted = _scoped(session, flt, actor, flt.apply(select(func.count()).select_from(Asset)))
        return AssetPage(rows, int(session.scalar(counted) or 0))


def _scoped(session: Any, flt: AssetFilter, actor: str, query: Select[Any]) -> Select[Any]:
    visible = read_scope(session, actor, flt.region)
    if visible is not None and flt.region is None:  # a region named within the scope already confines it
        query = query.where(ASSET_PLACE.in_(sorted(visible)))
    return query


def _rows(session: Any, flt: AssetFilter, actor: str) -> list[AssetRow]:
    column = SORTS.get(flt.sort)
    if column is None:
        raise ValueError(f"不能按“{flt.sort}”排序 (cannot sort by {flt.sort!r}; one of {', '.join(SORTS)})")
    kind = WideAssetRow if flt.wide else AssetRow
    names = WIDE_COLUMNS if flt.wide else LIST_COLUMNS
    order = column.desc().nulls_last() if flt.descending else column.asc().nulls_last()
    query = flt.apply(select(*(getattr(Asset, c) for c in names))).order_by(order, Asset.asset_id)
    if flt.offset:
        query = query.offset(flt.offset)
    if flt.limit:
        query = query.limit(flt.limit)
    query = _scoped(session, flt, actor, query)
    found = [dict(zip(names, values, strict=True)) for values in session.execute(query)]
    show_owners(session, found)  # a household-level asset's owner names its attached households
    if not reads_households(session, actor):
        for row in found:
            hide_household_data(row)
    return [_row(kind, row) for row in found]


_LISTED_VOCABULARIES: dict[str, type[Register | AssetStatus | OwnerKind]] = {
    "register": Register, "status": AssetStatus, "owner_kind": OwnerKind,
}  # fmt: skip


def _row(kind: type[AssetRow], found: dict[str, Any]) -> AssetRow:
    """A listed row, its codes as members; a stored text that is none of its vocabulary (written around the product,
    or by a later version) as it is: a list only shows it."""
    for name, vocabulary in _LISTED_VOCABULARIES.items():
        value = found[name]
        if value:
            found[name] = vocabulary._value2member_map_.get(value, value)
        elif name == "owner_kind":
            found[name] = None
    return kind(**found)


@dataclass(frozen=True)
class AssetChoices:
    """What a reader may pick in an asset filter: the townships and villages of its scope that hold assets, and
    the build years found there."""

    townships: list[tuple[str, str]]  # (code, name)
    villages: list[tuple[str, str, str | None]]  # (code, name, township code)
    years: list[int]


def asset_choices(db: Database, actor: str) -> AssetChoices:
    with db.reading() as session:
        visible = read_scope(session, actor)
        regions = select(Region.code, Region.name, Region.level, Region.parent_code).order_by(Region.code)
        years = select(Asset.build_year).distinct().where(Asset.build_year.is_not(None))
        if visible is not None:
            regions = regions.where(Region.code.in_(sorted(visible)))
            years = years.where(ASSET_PLACE.in_(sorted(visible)))
        found = session.execute(regions).all()
        shown = sorted((int(y) for (y,) in session.execute(years) if y is not None), reverse=True)
    return AssetChoices(
        townships=[(code, name) for code, name, level, _ in found if level == "township"],
        villages=[(code, name, parent) for code, name, level, parent in found if level == "village"],
        years=shown,
    )


@dataclass(frozen=True)
class FundingLine:
    source: str  # the fund source's code (FundSource)
    label: str  # its Chinese name
    amount: Decimal


@dataclass(frozen=True)
class CustodyLine:
    custodian: str
    duties: str | None
    since: dt.date
    by: str  # who recorded it


@dataclass(frozen=True)
class EventLine:
    """One register event of the asset (household personal data left out for a reader who may not see it)."""

    id: int
    kind: str
    date: dt.date | None  # the day it happened (None: an event recorded without one)
    actor: str
    recorded_at: dt.datetime
    details: dict[str, Any]


@dataclass
class AssetHistory:
    asset: dict[str, Any]  # every column of the register's row, by its column name
    funding: list[FundingLine] = field(default_factory=list)
    custodians: list[CustodyLine] = field(default_factory=list)
    events: list[EventLine] = field(default_factory=list)


def show_asset(db: Database, asset_id: str, actor: str) -> AssetHistory:
    """One asset with its funding, custodians and events, for a reader whose scope covers it."""
    with db.reading() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise NotFoundError("asset", asset_id)
        require_read(session, actor, asset_region(asset))
        record = {c.key: getattr(asset, c.key) for c in table_of(Asset).columns}
        if asset_id in (shown := owners_shown(session, [asset_id])):
            record["owner_name"] = shown[asset_id]  # a household-level asset's owner names its attached households
        personal = reads_households(session, actor)
        if not personal:
            hide_household_data(record)  # 户编号 and 户主 are household personal data (the inventory team's case)
        history = AssetHistory(record)
        for f in session.scalars(
            select(AssetFunding).where(AssetFunding.asset_id == asset_id).order_by(AssetFunding.id)
        ):
            source = f.source  # a stored text that is no fund source: as it is
            history.funding.append(FundingLine(source, source.label if isinstance(source, FundSource) else source,
                                               f.amount))  # fmt: skip
        for c in session.scalars(
            select(CustodianAssignment)
            .where(CustodianAssignment.asset_id == asset_id)
            .order_by(CustodianAssignment.start_on, CustodianAssignment.id)
        ):
            history.custodians.append(CustodyLine(c.custodian, c.duties, c.start_on, c.actor))
        for e in session.scalars(select(AssetEvent).where(AssetEvent.asset_id == asset_id).order_by(AssetEvent.id)):
            details = e.payload if personal else details_without_households(e.payload)
            history.events.append(EventLine(e.id, e.kind, e.event_date, e.actor, e.recorded_at, details))
        return history
