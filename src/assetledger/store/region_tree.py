"""Which assets lie within a region, at any level of the hierarchy (city → county → township → village)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from assetledger.domain.enums import RegionLevel
from assetledger.store.models import Asset, Region


def asset_within(region: str) -> ColumnElement[bool]:
    """An asset lies within `region` when that region is its county, township or village, or the city its county
    belongs to (a city holds no assets of its own: a city bureau's reads reach its counties' assets)."""
    counties_of_city = select(Region.code).where(Region.parent_code == region, Region.level == RegionLevel.COUNTY.value)
    return or_(
        Asset.county_code == region,
        Asset.township_code == region,
        Asset.village_code == region,
        Asset.county_code.in_(counties_of_city),
    )
