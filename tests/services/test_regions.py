"""The city level (市/州/盟) above the counties (issue 21 item 3): region import takes cities in both file shapes,
places counties loaded before their city under it, refuses a wrong hierarchy; a city's books are a city's (S…),
never a county's; a user whose scope is the city covers its counties and nothing else. Through the services; what
`region import`, `region list` and `report registers` print and their exit codes: tests/cli/test_inventory_commands.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from assetledger.domain.access import Role
from assetledger.domain.enums import RegionLevel
from assetledger.errors import Finding, InputError, PermissionDenied
from assetledger.io.tabular import read_table
from assetledger.services.regions import RegionImportResult, import_regions, list_regions
from assetledger.services.register_summary import register_summary
from assetledger.services.users import grant
from assetledger.store.db import Database
from assetledger.store.models import Region
from tests.builders import ACTOR, regions, user
from tests.helpers import REGIONS, table_counts, write_csv

FLAT = [
    ["区划代码", "名称", "级别", "上级代码"],
    ["360900", "宜春市", "市", ""],
    ["360921", "示范县", "县", "360900"],
    ["360921101", "东风镇", "乡镇", "360921"],
    ["360921101201", "红旗村", "村", "360921101"],
]


def _regions(db: Database) -> dict[str, tuple[str, str | None, str]]:
    with db.reading() as session:
        rows = session.execute(select(Region.code, Region.level, Region.parent_code, Region.county_code))
        return {code: (level, parent, county) for code, level, parent, county in rows}


def _import(db: Database, path: Path, rows: Sequence[Sequence[object]], actor: str = ACTOR) -> RegionImportResult:
    """`rows` written to `path` and imported as `region import` reads it."""
    return import_regions(db, read_table(write_csv(path, rows)), actor)


def _added(result: RegionImportResult) -> dict[str, int]:
    return {level.value: n for level, n in result.added.items() if n}


def _said(findings: Sequence[Finding]) -> dict[str | None, str]:
    """value → reason of each finding."""
    return {f.value: f.reason for f in findings}


def test_city_above_its_counties_in_both_file_shapes(db: Database, tmp_path: Path) -> None:
    flat = _import(db, tmp_path / "flat.csv", FLAT)
    assert _added(flat) == {"city": 1, "county": 1, "township": 1, "village": 1}
    assert (flat.unchanged, flat.placed) == (0, ())
    found = _regions(db)
    assert found["360900"] == ("city", None, "360900")  # a city belongs to no county: its own code
    assert found["360921"] == ("county", "360900", "360921")
    assert found["360921101201"] == ("village", "360921101", "360921")
    nested = [["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
              ["宜春市", "360900", "东山县", "360922", "东山镇", "360922101", "东山村", "360922101201"]]  # fmt: skip
    second = _import(db, tmp_path / "nested.csv", nested)
    assert _added(second) == {"county": 1, "township": 1, "village": 1} and second.unchanged == 1
    assert _regions(db)["360922"] == ("county", "360900", "360922")
    cities = list_regions(db, ACTOR, RegionLevel.CITY)
    assert [c.code for c in cities] == ["360900"]
    with pytest.raises(InputError) as summary:  # a city holds no assets of its own
        register_summary(db, RegionLevel.CITY, ACTOR)
    [finding] = summary.value.findings
    assert finding.value == "city" and "write county, township or village" in finding.reason


def test_counties_loaded_before_their_city_are_placed_under_it(db: Database, tmp_path: Path) -> None:
    regions(db, REGIONS)  # the county alone, as before cities
    assert _regions(db)["360921"] == ("county", None, "360921")
    city = _import(db, tmp_path / "city.csv", FLAT)
    assert _added(city) == {"city": 1} and city.unchanged == 2
    assert city.placed == (("360921", "360900"),)
    assert _regions(db)["360921"] == ("county", "360900", "360921")
    before = table_counts(db)
    other_city = [["区划代码", "名称", "级别", "上级代码"], ["361000", "抚州市", "市", ""],
                  ["360921", "示范县", "县", "361000"]]  # fmt: skip
    with pytest.raises(InputError) as moved:
        _import(db, tmp_path / "other.csv", other_city)
    assert _said(moved.value.findings)["360921"].startswith("与已有的县示范县冲突 (conflicts with 示范县")
    assert table_counts(db) == before and _regions(db)["360921"][1] == "360900"


def test_a_wrong_hierarchy_is_refused(db: Database, tmp_path: Path) -> None:
    bad = [
        ["区划代码", "名称", "级别", "上级代码"],
        ["360900", "宜春市", "市", "360000"],
        ["360921", "示范县", "县", "360921101"],
        ["360921101", "东风镇", "乡镇", "360900"],
    ]
    with pytest.raises(InputError) as refused:
        _import(db, tmp_path / "bad.csv", bad)
    assert refused.value.exit_code == 2
    said = _said(refused.value.findings)
    assert said["360000"].startswith("市没有上级区划 (a city has no parent)")
    assert said["360921101"].startswith("县示范县的上级须是市 (县 360921 needs a 市 as parent)")
    assert said["360900"].startswith("乡镇东风镇的上级须是县 (乡镇 360921101 needs a 县 as parent)")
    assert _regions(db) == {}


def test_city_scope_covers_its_counties_and_its_books_are_a_citys(db: Database, tmp_path: Path) -> None:
    regions(db, FLAT)
    regions(db, [["区划代码", "名称", "级别", "上级代码"], ["361002", "外县", "县", ""]])
    chen = user(db, "chen", "finance", "360900")  # 市财政局
    zhang = user(db, "zhang", "finance", "360921", actor=chen)  # 县财政局 under it
    grant(db, "li", Role.AUDITOR, "360921101201", chen)
    before = table_counts(db)
    with pytest.raises(PermissionDenied) as refused:  # another city's county
        grant(db, "wu", Role.AUDITOR, "361002", chen)
    assert refused.value.exit_code == 6
    city_region = [["区划代码", "名称", "级别", "上级代码"], ["360900", "宜春市", "市", ""],
                   ["360922", "东山县", "县", "360900"]]  # fmt: skip
    with pytest.raises(PermissionDenied):  # a county's bureau may not add a county to its city
        _import(db, tmp_path / "more.csv", city_region, zhang)
    assert table_counts(db) == before
    added = _import(db, tmp_path / "more.csv", city_region, chen)
    assert _added(added) == {"county": 1} and added.unchanged == 1
