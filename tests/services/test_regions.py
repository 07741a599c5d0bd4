"""The city level (市/州/盟) above the counties (issue 21 item 3): region import takes cities in both file shapes,
places counties loaded before their city under it, refuses a wrong hierarchy; a city's books are a city's (S…),
never a county's; a user whose scope is the city covers its counties and nothing else."""

from __future__ import annotations

import json

from sqlalchemy import select

from assetledger.store.db import Database
from assetledger.store.models import Region
from tests.conftest import Cli
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


def test_city_above_its_counties_in_both_file_shapes(run: Cli, db: Database) -> None:
    out = run("region", "import", str(write_csv(run.cwd / "flat.csv", FLAT))).output
    assert "added 1 市, 1 县, 1 乡镇, 1 村; 0 already present" in out
    found = _regions(db)
    assert found["360900"] == ("city", None, "360900")  # a city belongs to no county: its own code
    assert found["360921"] == ("county", "360900", "360921")
    assert found["360921101201"] == ("village", "360921101", "360921")
    nested = [["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
              ["宜春市", "360900", "东山县", "360922", "东山镇", "360922101", "东山村", "360922101201"]]  # fmt: skip
    out = run("region", "import", str(write_csv(run.cwd / "nested.csv", nested))).output
    assert "added 0 县" not in out and "1 县, 1 乡镇, 1 村; 1 already present" in out
    assert _regions(db)["360922"] == ("county", "360900", "360922")
    cities = json.loads(run("region", "list", "--level", "city", "--format", "json").output)
    assert [c["code"] for c in cities] == ["360900"]
    summary = run("report", "registers", "--level", "city", ok=False)  # a city holds no assets of its own
    assert summary.exit_code == 2 and "write county, township or village" in summary.output


def test_counties_loaded_before_their_city_are_placed_under_it(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))  # the county alone, as before cities
    assert _regions(db)["360921"] == ("county", None, "360921")
    out = run("region", "import", str(write_csv(run.cwd / "city.csv", FLAT))).output
    assert "added 1 市, 0 县, 0 乡镇, 0 村; 1 县 placed under their 市; 2 already present" in out
    assert _regions(db)["360921"] == ("county", "360900", "360921")
    before = table_counts(db)
    other_city = [["区划代码", "名称", "级别", "上级代码"], ["361000", "抚州市", "市", ""],
                  ["360921", "示范县", "县", "361000"]]  # fmt: skip
    moved = run("region", "import", str(write_csv(run.cwd / "other.csv", other_city)), ok=False)
    assert moved.exit_code == 2 and "值「360921」 (value)：与已有的县示范县冲突 (conflicts with 示范县" in moved.output
    assert table_counts(db) == before and _regions(db)["360921"][1] == "360900"


def test_a_wrong_hierarchy_is_refused(run: Cli, db: Database) -> None:
    bad = [
        ["区划代码", "名称", "级别", "上级代码"],
        ["360900", "宜春市", "市", "360000"],
        ["360921", "示范县", "县", "360921101"],
        ["360921101", "东风镇", "乡镇", "360900"],
    ]
    refused = run("region", "import", str(write_csv(run.cwd / "bad.csv", bad)), ok=False)
    assert refused.exit_code == 2
    assert "值「360000」 (value)：市没有上级区划 (a city has no parent)" in refused.output
    assert "值「360921101」 (value)：县示范县的上级须是市 (县 360921 needs a 市 as parent)" in refused.output
    assert "值「360900」 (value)：乡镇东风镇的上级须是县 (乡镇 360921101 needs a 县 as parent)" in refused.output
    assert _regions(db) == {}


def test_city_scope_covers_its_counties_and_its_books_are_a_citys(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", FLAT)))
    outside = [["区划代码", "名称", "级别", "上级代码"], ["361002", "外县", "县", ""]]
    run("region", "import", str(write_csv(run.cwd / "outside.csv", outside)))
    run("user", "add", "chen", "--role", "finance", "--scope", "360900")  # 市财政局
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="chen")  # 县财政局 under it
    allowed = run("user", "add", "li", "--role", "auditor", "--scope", "360921101201", user="chen")
    assert allowed.exit_code == 0
    refused = run("user", "add", "wu", "--role", "auditor", "--scope", "361002", user="chen", ok=False)
    assert refused.exit_code == 6  # another city's county
    city_region = [["区划代码", "名称", "级别", "上级代码"], ["360900", "宜春市", "市", ""],
                   ["360922", "东山县", "县", "360900"]]  # fmt: skip
    by_county = run("region", "import", str(write_csv(run.cwd / "more.csv", city_region)), user="zhang", ok=False)
    assert by_county.exit_code == 6  # a county's bureau may not add a county to its city
    assert "1 县" in run("region", "import", str(write_csv(run.cwd / "more.csv", city_region)), user="chen").output
