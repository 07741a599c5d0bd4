"""Region codes as GB/T 2260 and the statistical 统计用区划代码 write them: region import refuses a code its level
cannot have (digits only; a city 4 or 6 digits, a county 6, a township 9, a village 12; a child's code starts with
its parent's), reads the 12-digit forms of county and township codes as the short ones, refuses two regions of one
name under one parent, and names every problem by file, row, the file's own header and the value. Through the
services; what `region import` and `asset list --region` print and their exit codes:
tests/cli/test_inventory_commands.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assetledger.errors import InputError
from assetledger.io.tabular import read_table
from assetledger.services.asset_queries import AssetFilter, list_assets
from assetledger.services.regions import RegionImportResult, import_regions
from assetledger.store.db import Database
from assetledger.store.models import Region
from tests.builders import ACTOR, assets, regions
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv, write_xlsx

FLAT_HEADER = ["区划代码", "名称", "级别", "上级代码"]
NESTED_HEADER = ["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"]
COUNTY = [["360921", "丰和县", "县", ""], ["360921101", "城青镇", "镇", "360921"]]
# A register naming 丰和县/城青镇/大万村, and one giving its region codes in the statistical 12-digit form too.
REGISTER: list[list[object]] = [
    list(ASSET_HEADER),
    asset_row(
        "A-1", 县="丰和县", 乡镇="城青镇", 村="大万村", 确权主体="大万村股份经济合作社", 管护主体="大万村村民委员会"
    ),
]
BY_CODE: list[list[object]] = [
    [*ASSET_HEADER, "行政区划代码"],
    [*asset_row("A-2", 县=None, 乡镇=None, 村=None, 确权主体=None, 确权级别="乡镇"), "360921101000"],
    [*asset_row("A-3", 县="丰和县", 乡镇="360921101000", 村="大万村"), "360921101201"],
]


def _regions(db: Database) -> dict[str, tuple[str, str, str | None]]:
    with db.reading() as session:
        rows = session.execute(select(Region.code, Region.name, Region.level, Region.parent_code))
        return {code: (name, level, parent) for code, name, level, parent in rows}


def _added(result: RegionImportResult) -> dict[str, int]:
    return {level.value: n for level, n in result.added.items()}


def _refused(db: Database, path: Path) -> list[str]:
    """The findings of a refused import, as printed; the database is checked unchanged."""
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        import_regions(db, read_table(path), ACTOR)
    assert table_counts(db) == before
    return [str(f).removeprefix(f"{path.parent}/") for f in refused.value.findings]


def test_invalid_codes_are_refused_and_nothing_changes(db: Database, tmp_path: Path) -> None:
    """The tester's r4.csv, and the other ways a code is not its level's: every row named, nothing imported."""
    r4 = [
        FLAT_HEADER,
        *COUNTY,
        ["36092110120X", "坏村", "村", "360921101"],
        ["3609221019", "跨县村", "村", "360921101"],
        ["360922101201", "邻县村", "村", "360921101"],
        ["360921101000", "镇码村", "村", "360921101"],
        ["360900", "市码县", "县", ""],
    ]
    found = _refused(db, write_csv(tmp_path / "r4.csv", r4))
    assert found == [
        "r4.csv，第4行 (row 4)，列「区划代码」 (column)，值「36092110120X」 (value)：区划代码只能由数字组成 "
        "(a region code is digits only)",
        "r4.csv，第5行 (row 5)，列「区划代码」 (column)，值「3609221019」 (value)：村代码须为 12 位数字（此为 10 位） "
        "(a village code has 12 digits; this has 10)",
        "r4.csv，第6行 (row 6)，列「区划代码」 (column)，值「360922101201」 (value)：村代码 360922101201 "
        "不以上级乡镇城青镇的代码 360921101 开头 (the village code 360922101201 does not start with the code "
        "360921101 of its township 城青镇)",
        "r4.csv，第7行 (row 7)，列「区划代码」 (column)，值「360921101000」 (value)：360921101000 是乡镇代码 "
        "360921101 的 12 位统计用写法，不是村代码 (360921101000 is the 12-digit form of the township code "
        "360921101, not a village code)",
        "r4.csv，第8行 (row 8)，列「区划代码」 (column)，值「360900」 (value)："
        "县代码末两位不能是 00（那是市或省的代码） "
        "(a county code does not end in 00 (that is a city's or a province's))",
    ]
    assert _regions(db) == {}


def test_a_county_under_another_citys_code_is_refused(db: Database, tmp_path: Path) -> None:
    """A city is 4 digits or its 6-digit form; its counties start with its 4 (360921 under 3609 and 360900)."""
    good = [FLAT_HEADER, ["360900", "宜春市", "市", ""], ["360921", "丰和县", "县", "360900"]]
    import_regions(db, read_table(write_csv(tmp_path / "good.csv", good)), "tester")
    nested = [NESTED_HEADER, ["抚州市", "3610", "临县", "360922", "临镇", "360922101", "临村", "360922101201"]]
    found = _refused(db, write_xlsx(tmp_path / "nested.xlsx", nested))
    assert found == [
        "nested.xlsx [工作表 sheet Sheet]，第2行 (row 2)，列「县代码」 (column)，值「360922」 (value)："
        "县代码 360922 不以上级市抚州市的代码 3610 开头 "
        "(the county code 360922 does not start with the code 3610 of its city 抚州市)"
    ]


def test_12_digit_township_codes_make_one_township(db: Database, tmp_path: Path) -> None:
    """The tester's regions.xlsx: 城青镇 as 360921101000 in some rows and 360921101 in others is one township, and
    the register's rows naming 丰和县/城青镇/大万村 find their village."""
    rows = [
        NESTED_HEADER,
        ["宜春市", "360900", "丰和县", "360921", "城青镇", "360921101000", "大万村", "360921101201"],
        ["宜春市", "360900", "丰和县", "360921000000", "城青镇", "360921101", "小万村", "360921101202"],
        ["宜春市", "360900000000", "丰和县", "360921", "城青镇", "360921101000", "新田村", "360921101203"],
    ]
    first = import_regions(db, read_table(write_xlsx(tmp_path / "regions.xlsx", rows)), ACTOR)
    assert _added(first) == {"city": 1, "county": 1, "township": 1, "village": 3} and first.unchanged == 0
    assert _regions(db) == {
        "360900": ("宜春市", "city", None),
        "360921": ("丰和县", "county", "360900"),
        "360921101": ("城青镇", "township", "360921"),
        "360921101201": ("大万村", "village", "360921101"),
        "360921101202": ("小万村", "village", "360921101"),
        "360921101203": ("新田村", "village", "360921101"),
    }
    flat = [FLAT_HEADER, ["360921101204", "后田村", "村", "360921101000"], ["360921000000", "丰和县", "县", "360900"]]
    second = import_regions(db, read_table(write_csv(tmp_path / "flat.csv", flat)), ACTOR)
    assert _added(second) == {"city": 0, "county": 0, "township": 0, "village": 1} and second.unchanged == 1
    assert _regions(db)["360921101204"] == ("后田村", "village", "360921101")
    assets(db, REGISTER)
    assets(db, BY_CODE)
    village = list_assets(db, AssetFilter(region="360921101201"), ACTOR)
    township = list_assets(db, AssetFilter(region="360921101"), ACTOR)
    assert {a.asset_id for a in village} == {"A-1", "A-3"}
    assert {a.asset_id for a in township} == {"A-1", "A-2", "A-3"}


def test_two_regions_of_one_name_under_one_parent_are_refused(db: Database, tmp_path: Path) -> None:
    twice = [
        FLAT_HEADER,
        *COUNTY,
        ["360921102", "城青镇", "镇", "360921"],
        ["360921101201", "大万村", "村", "360921101"],
        ["360921101202", "大万村", "村", "360921101"],
    ]
    found = _refused(db, write_csv(tmp_path / "twice.csv", twice))
    assert found == [
        "twice.csv，第4行 (row 4)，列「名称」 (column)，值「城青镇」 (value)："
        "与第 3 行的乡镇城青镇（360921101）同名且同属 360921，同一上级下不能有两个同名区划 "
        "(same name and parent as row 3's 360921101; one parent has one region of a name)",
        "twice.csv，第6行 (row 6)，列「名称」 (column)，值「大万村」 (value)："
        "与第 5 行的村大万村（360921101201）同名且同属 360921101，同一上级下不能有两个同名区划 "
        "(same name and parent as row 5's 360921101201; one parent has one region of a name)",
    ]
    import_regions(db, read_table(write_csv(tmp_path / "county.csv", [FLAT_HEADER, *COUNTY])), "tester")
    again = [NESTED_HEADER[2:], ["丰和县", "360921", "城青镇", "360921105", "大万村", "360921105201"]]
    found = _refused(db, write_xlsx(tmp_path / "again.xlsx", again))
    assert found == [
        "again.xlsx [工作表 sheet Sheet]，第2行 (row 2)，列「乡镇」 (column)，值「城青镇」 (value)："
        "上级 360921 下已有名为“城青镇”的乡镇（360921101），同一上级下不能有两个同名区划 "
        "(a township named 城青镇 is already present under 360921: 360921101; one parent has one region of a name)"
    ]


def test_findings_name_the_row_and_the_files_own_header(db: Database, tmp_path: Path) -> None:
    """The tester's r3.csv: a missing parent and a village moved to another parent are named by row and by the
    file's headers (上级代码, 区划代码), never the internal field names."""
    regions(db, [FLAT_HEADER, *COUNTY, ["360921102", "中庆镇", "镇", "360921"],
                 ["360921101201", "大万村", "村", "360921101"]])  # fmt: skip
    r3 = [FLAT_HEADER, ["360921103201", "孤村", "村", "360921103"], ["360921101201", "大万村", "村", "360921102"]]
    found = _refused(db, write_csv(tmp_path / "r3.csv", r3))
    assert (
        "r3.csv，第2行 (row 2)，列「上级代码」 (column)，值「360921103」 (value)：上级乡镇不在区划表中，也不在本文件中 "
        "(the township above village 360921103201 is neither loaded nor in this file)"
    ) in found
    assert (
        "r3.csv，第3行 (row 3)，列「区划代码」 (column)，值「360921101201」 (value)：与已有的村大万村冲突 (conflicts "
        "with 大万村 (村), already present)：那是村大万村，上级 360921101，本行是村大万村，上级 360921102，"
        "一个代码只能是一个区划 "
        "(that is village 大万村 under 360921101, this row village 大万村 under 360921102: one code, one region)"
    ) in found
    said = "\n".join(found)
    assert "parent_code" not in said and "「code」" not in said
    same_code = [["代码", "名称", "级别", "上级区划代码"], ["360921102202", "东村", "村", "360921102"],
                 ["360921102202", "西村", "村", "360921102"]]  # fmt: skip
    [same] = _refused(db, write_csv(tmp_path / "same.csv", same_code))
    assert same.startswith(
        "same.csv，第3行 (row 3)，列「代码」 (column)，值「360921102202」 (value)："
        "与第 2 行的村东村冲突 (conflicts with 东村 (村), row 2)"
    )
