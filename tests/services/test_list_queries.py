"""The list services behind the web's list pages (issue 22): a page and the count of everything that passes the
filter, in SQL; every search word must match; the pickers offer the reader's own scope; a region outside it is
refused; the register summary of one township at county level is named for the township."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields
from decimal import Decimal

import pytest

from assetledger.domain.enums import AssetStatus, OwnerKind, RegionLevel, Register
from assetledger.errors import PermissionDenied
from assetledger.services.asset_queries import (
    LIST_COLUMNS,
    WIDE_COLUMNS,
    AssetFilter,
    AssetRow,
    WideAssetRow,
    asset_choices,
    asset_page,
    list_assets,
)
from assetledger.services.distribution_queries import DistributionFilter, distribution_page
from assetledger.services.entry_queries import EntryFilter, entry_page
from assetledger.services.household_queries import HouseholdFilter, household_page
from assetledger.services.regions import region_path
from assetledger.services.register_summary import register_summary
from assetledger.services.reinvest import available
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.web.conftest import OTHER_VILLAGE, VILLAGE

TOWNSHIP = "360921101"


def test_a_page_and_the_count_of_all(county: Cli, db: Database) -> None:
    first = asset_page(db, AssetFilter(limit=2, sort="asset_id"), "zhang")
    assert [r.asset_id for r in first.rows] == ["A-1", "A-2"] and first.total == 3
    second = asset_page(db, AssetFilter(limit=2, sort="asset_id", offset=2), "zhang")
    assert [r.asset_id for r in second.rows] == ["B-1"] and second.total == 3
    down = asset_page(db, AssetFilter(limit=1, sort="name", descending=True), "zhang")
    assert down.rows[0].name == "村组道路"  # 村 sorts after 冷 and 光 by code point
    with pytest.raises(ValueError, match="cannot sort"):
        asset_page(db, AssetFilter(sort="password"), "zhang")


def test_rows_are_typed_and_follow_the_catalogue(county: Cli, db: Database) -> None:
    """`list_assets` returns frozen AssetRow values with the catalogue's listed fields in order (what `asset list`
    shows), enums as enums; `wide` adds the project's name (what the web's list and its export show)."""
    assert tuple(f.name for f in fields(AssetRow)) == LIST_COLUMNS
    assert tuple(f.name for f in fields(WideAssetRow)) == WIDE_COLUMNS
    rows = list_assets(db, AssetFilter(register=Register.OPERATING), "zhang")
    assert [(type(r), r.asset_id, r.register, r.status) for r in rows] == [
        (AssetRow, "A-1", Register.OPERATING, AssetStatus.IN_USE),
        (AssetRow, "B-1", Register.OPERATING, AssetStatus.IN_USE),
    ]
    assert rows[0].original_value == Decimal("100000.00") and rows[0].owner_kind is OwnerKind.VILLAGE
    with pytest.raises(FrozenInstanceError):
        rows[0].name = "改名"  # type: ignore[misc]
    wide = list_assets(db, AssetFilter(register=Register.OPERATING, wide=True, sort="name", descending=True), "zhang")
    assert [(type(r), r.asset_id) for r in wide] == [(WideAssetRow, "B-1"), (WideAssetRow, "A-1")]  # 冷 after 光
    assert isinstance(wide[0], WideAssetRow) and wide[0].project_name is not None


def test_every_word_must_match_and_wildcards_are_characters(county: Cli, db: Database) -> None:
    def ids(*words: str) -> list[str]:
        return [r.asset_id for r in asset_page(db, AssetFilter(words=words), "zhang").rows]

    assert ids("冷库", "向阳") == ["B-1"]  # the name and the village's name
    assert ids("冷库", "红旗") == []
    assert ids("东风") == ["A-1", "A-2", "B-1"]  # the township's name
    assert ids("a-") == ["A-1", "A-2"]  # any case
    assert ids("%") == [] and ids("_") == []


def test_the_pickers_and_the_lists_keep_to_the_scope(county: Cli, db: Database) -> None:
    mine = asset_choices(db, "li")
    assert mine.townships == [] and [v[0] for v in mine.villages] == [VILLAGE] and mine.years == [2021]
    everything = asset_choices(db, "zhang")
    assert [t[0] for t in everything.townships] == [TOWNSHIP, "360921102"]
    assert [r.asset_id for r in asset_page(db, AssetFilter(), "li").rows] == ["A-1", "A-2"]
    for read in (
        lambda: asset_page(db, AssetFilter(region=OTHER_VILLAGE), "li"),
        lambda: household_page(db, HouseholdFilter(region=OTHER_VILLAGE), "li"),
        lambda: distribution_page(db, DistributionFilter(region=OTHER_VILLAGE), "li"),
        lambda: region_path(db, OTHER_VILLAGE, "li"),
        lambda: available(db, OTHER_VILLAGE, "li"),
    ):
        with pytest.raises(PermissionDenied):
            read()
    households = household_page(db, HouseholdFilter(region=TOWNSHIP, current=True), "zhang")
    assert [r.household_id for r in households.rows] == ["H1", "H2"] and households.total == 2
    assert available(db, VILLAGE, "li") == available(db, VILLAGE, "zhang")  # the village's own accountant may ask


def test_breadcrumbs_stop_at_the_readers_scope(county: Cli, db: Database) -> None:
    assert [p.name for p in region_path(db, OTHER_VILLAGE, "zhang")] == ["示范县", "东风镇", "向阳村"]
    assert [p.code for p in region_path(db, VILLAGE, "li")] == [VILLAGE]


def test_one_township_at_county_level_is_the_townships_row(county: Cli, db: Database) -> None:
    rows = register_summary(db, RegionLevel.COUNTY, "zhang", within=TOWNSHIP)
    assert [(r.region_code, r.region_name) for r in rows[:-1]] == [(TOWNSHIP, "东风镇")]
    assert rows[-1].assets == 3


def test_entries_of_the_scope_with_their_amounts(county: Cli, db: Database) -> None:
    rows, total = entry_page(db, EntryFilter(limit=2), "zhang")
    assert total == 3 and len(rows) == 2 and all(r.amount == Decimal("100000.00") for r in rows)
    mine, counted = entry_page(db, EntryFilter(), "li")
    assert counted == 2 and {r.asset_id for r in mine} == {"A-1", "A-2"}
    assert entry_page(db, EntryFilter(words=("冷库",)), "zhang")[1] == 1
    with pytest.raises(PermissionDenied):
        entry_page(db, EntryFilter(region=OTHER_VILLAGE), "li")
