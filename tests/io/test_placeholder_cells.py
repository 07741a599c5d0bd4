"""What clerks write for "nothing" (tester's brief): /, 无, 暂无, -, —, —— (with full-width spaces about them) in cells
that have no value. In an optional column such a cell is empty, in text columns too (no custodian named "/", no
document number "无", no operating mode "/"); in a required one it is missing, as an empty cell is, and the finding
names the file, the row, the file's own header and what was written. Read through the real commands, from CSV as
counties save it (GBK) and from XLSX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetledger.io import values
from assetledger.io.rows import EMPTY_CELL
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv, write_xlsx

PLACEHOLDERS = ["/", "／", "无", "暂无", "-", "—", "——", "\u3000/\u3000", " 无 ", "\u3000暂无", "//", "— —"]
NOT_PLACEHOLDERS = ["无名桥", "无此镇", "-5", "1/2", "A/B", "暂无编号的水池", "—5"]
BOTH = pytest.mark.both_backends  # the imports write through the bulk path: on both databases


@pytest.mark.parametrize("cell", PLACEHOLDERS)
def test_a_placeholder_reads_as_empty_in_every_kind_of_column(cell: str) -> None:
    assert values.blank(cell) and values.text(cell) is None and values.identifier(cell) is None
    assert values.money(cell) is None and values.date(cell) is None and values.year(cell) is None
    assert values.quantity(cell) is None and values.households(cell) is None
    assert values.written(cell) == cell.strip()  # what a finding quotes


@pytest.mark.parametrize("cell", NOT_PLACEHOLDERS)
def test_text_that_only_starts_like_a_placeholder_is_text(cell: str) -> None:
    assert not values.blank(cell) and values.text(cell) == cell


def test_full_width_spaces_alone_are_empty() -> None:
    assert values.blank("\u3000\u3000") and values.text("\u3000") is None and values.written("\u3000") is None


HEADER = [*ASSET_HEADER, "确权文件", "移交单位", "管护责任", "资金来源"]


def _register(kind: str, folder: Path, rows: list[list[object]]) -> Path:
    if kind == "xlsx":
        return write_xlsx(folder / "台账.xlsx", rows)
    return write_csv(folder / "台账.csv", rows, encoding="gbk")


def _where(kind: str, path: Path) -> str:
    return f"{path} [工作表 sheet Sheet]" if kind == "xlsx" else str(path)


@BOTH
@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_placeholders_in_optional_columns_are_empty(run: Cli, db: Database, kind: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows: list[list[object]] = [
        HEADER,
        [*asset_row("A-1", 管护主体="/", 项目名称="无", 数量="暂无", 单位="—", 经营方式="／", 经营主体="\u3000/\u3000",
                    户编号="-", 户主姓名="——"), "无", "暂无", "/", None],
        [*asset_row("A-2", 村="/", 确权主体="—", 确权级别="无", 确权日期="/", 建设年度="暂无", 管护主体="暂无",
                    中央衔接资金="100000.00", 县级衔接资金="—"), "/", "/", "无", "/"],
    ]  # fmt: skip
    path = _register(kind, run.cwd, rows)
    out = run("asset", "import", str(path))
    assert "imported 2 assets" in out.output, out.output
    one = json.loads(run("asset", "show", "A-1", "--format", "json").output)
    asset = one["asset"]
    assert (asset["custodian"], asset["confirm_doc"], asset["project_name"], asset["quantity"]) == (None,) * 4
    assert (asset["unit"], asset["operating_mode"], asset["operator"], asset["household_id"]) == (None,) * 4
    assert asset["household_head"] is None and one["custodians"] == []
    assert asset["owner_name"] == "红旗村股份经济合作社" and asset["village_code"] == "360921101201"
    two = json.loads(run("asset", "show", "A-2", "--format", "json").output)["asset"]
    assert (two["village_code"], two["township_code"]) == (None, "360921101")  # 村 "/": the township's asset
    assert (two["owner_name"], two["owner_kind"], two["build_year"], two["custodian"]) == (None,) * 4
    assert two["original_value"] == "100000.00"


@BOTH
@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_placeholders_in_required_columns_are_missing_and_named(run: Cli, db: Database, kind: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows: list[list[object]] = [
        ASSET_HEADER,
        asset_row("A-1"),
        asset_row("/", 资产名称="无"),
        asset_row("A-3", 资产类别="—", **{"资产原值（元）": "暂无"}, 中央衔接资金=None, 县级衔接资金=None),
        asset_row("\u3000无\u3000"),
    ]
    path = _register(kind, run.cwd, rows)
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    where = _where(kind, path)
    for row, column, written in [(3, "资产编号 (asset id)", "/"), (3, "资产名称 (asset name)", "无"),
                                 (4, "资产类别 (register)", "—"), (4, "资产原值（元） (original value)", "暂无"),
                                 (5, "资产编号 (asset id)", "无")]:  # fmt: skip
        said = f"{where}，第{row}行 (row {row})，列「{column}」 (column)，值「{written}」 (value)："
        assert said in out.output, (said, out.output)
    assert out.output.count(EMPTY_CELL) == 4  # 资产类别 says which values to write
    assert "必填，此格为空" in out.output.split("资产类别 (register)")[1].split("\n")[0]
    assert "Traceback" not in out.output and table_counts(db) == before


@BOTH
def test_a_placeholder_in_a_number_column_is_never_a_parse_error(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [[*ASSET_HEADER, "受益户数", "取得日期"],
            [*asset_row("A-1", 数量="/", 建设年度="无", 确权日期="暂无", 中央衔接资金="／",
                        县级衔接资金="100000.00"), "无", "/"]]  # fmt: skip
    out = run("asset", "import", str(write_csv(run.cwd / "r.csv", rows)))
    assert "imported 1 assets" in out.output, out.output
    asset = json.loads(run("asset", "show", "A-1", "--format", "json").output)
    assert asset["asset"]["confirmed_on"] == "2021-12-01"  # by 移交日期: 确权日期 "暂无" is no date
    assert [f["source"] for f in asset["funding"]] == ["county"]


ROSTER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]


@BOTH
def test_a_roster_reads_placeholders_as_empty_and_names_a_missing_head(run: Cli, db: Database) -> None:
    """The readers of the other imports (io/rows.RowReader) read them alike: 因素 "无" is no factor, 退出日期 "/"
    no exit; 户主 "/" is missing, named with what was written."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    good = [ROSTER, ["H-1", "360921101201", "王建国", "3", "脱贫户", "无", "2021-01-01", "/", "——"]]
    run("beneficiary", "import", str(write_xlsx(run.cwd / "名册.xlsx", good)))
    bad = [ROSTER, ["H-2", "360921101201", "／", "2", "脱贫户", "暂无", "2021-01-01", None, None]]
    before = table_counts(db)
    path = write_csv(run.cwd / "名册2.csv", bad, encoding="gbk")
    out = run("beneficiary", "import", str(path), ok=False)
    assert out.exit_code == 2
    assert f"{path}，第2行 (row 2)，列「户主」 (column)，值「／」 (value)：{EMPTY_CELL}" in out.output, out.output
    assert table_counts(db) == before
