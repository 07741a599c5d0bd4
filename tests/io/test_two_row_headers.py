"""A header of two rows (tester's brief): a merged group header ("确权情况" over 确权层级 and 确权文件,
"资金来源（万元）" over one column per source) above the real names, the other headers merged down over both rows.
The reader finds the real names (the unit of a group carried to the columns below it) and the data below both rows,
each row numbered as in the file; a data row is never taken for a second header row. Through `asset import`, from an
XLSX with merged cells (openpyxl) and from the CSV Excel saves of it (GBK)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from assetledger.io.tabular import read_table
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import REGIONS, table_counts, write_csv

TOP = ["资产编号", "资产名称", "资产类别", "乡镇", "村", "建设年度", "资产原值（元）", "资金来源（万元）", None,
       "确权情况", None, None, "管护主体"]  # fmt: skip
SUB = [None, None, None, None, None, None, None, "中央衔接资金", "县级衔接资金", "确权层级", "确权日期", "确权文件",
       None]  # fmt: skip
ROWS = [
    ["A-1", "村组道路", "公益性", "东风镇", "红旗村", "2021", "100000.00", "6", "4", "村", "2021-12-01",
     "确〔2021〕1号", "/"],
    ["A-2", "文化广场", "公益性", "东风镇", "向阳村", "2022", "50000.00", "5", "—", "村", "2022-12-01", "无", None],
]  # fmt: skip


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [TOP, SUB, *rows]:
        sheet.append(row)
    for column in "ABCDEFGM":  # the headers of their own, merged down over both rows
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("H1:I1")  # 资金来源（万元）
    sheet.merge_cells("J1:L1")  # 确权情况
    book.save(path)
    return path


def _write(kind: str, folder: Path, rows: list[list[object]]) -> tuple[Path, str]:
    if kind == "xlsx":
        path = _xlsx(folder / "台账.xlsx", rows)
        return path, f"{path} [工作表 sheet Sheet]"
    path = write_csv(folder / "台账.csv", [TOP, SUB, *rows], encoding="gbk")  # a merge saved as CSV: the rest empty
    return path, str(path)


@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_the_real_header_row_is_found_under_the_groups(tmp_path: Path, kind: str) -> None:
    path, _ = _write(kind, tmp_path, ROWS)
    table = read_table(path)
    assert table.header == [*TOP[:7], "中央衔接资金（万元）", "县级衔接资金（万元）", *SUB[9:12], "管护主体"]
    assert [number for number, _ in table.rows] == [3, 4]


@pytest.mark.both_backends  # the import writes through the bulk path
@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_register_with_a_two_row_header_imports(run: Cli, db: Database, kind: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    path, _ = _write(kind, run.cwd, ROWS)
    out = run("asset", "import", str(path))
    assert "imported 2 assets" in out.output, out.output
    one = json.loads(run("asset", "show", "A-1", "--format", "json").output)
    assert (one["asset"]["owner_kind"], one["asset"]["confirm_doc"]) == ("village", "确〔2021〕1号")
    assert [(f["source"], f["amount"]) for f in one["funding"]] == [("central", "60000.00"), ("county", "40000.00")]
    two = json.loads(run("asset", "show", "A-2", "--format", "json").output)["asset"]
    assert (two["confirm_doc"], two["confirmed_on"]) == (None, "2022-12-01")


@pytest.mark.both_backends
@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_finding_under_a_two_row_header_names_the_files_row(run: Cli, db: Database, kind: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    bad = [*ROWS[:1], [*ROWS[1][:9], "省", *ROWS[1][10:]]]  # 确权层级 "省": no such level
    path, where = _write(kind, run.cwd, bad)
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2
    said = f"{where}，第4行 (row 4)，列「确权层级 (ownership level)」 (column)，值「省」 (value)："
    assert said in out.output, out.output
    assert table_counts(db) == before


@pytest.mark.parametrize(
    "first",
    [["A-1", "村组道路", "公益性", "100000"],  # every column of its own filled: data
     ["A-1", None, None, None],  # a sparse row: its id under a column of its own
     [None, None, "公益性", None],  # text under a column of its own
     [None, "道路", "x", None]],  # under a header with an empty one beside it, but not in its first column
)  # fmt: skip
def test_a_first_data_row_is_never_a_second_header_row(tmp_path: Path, first: list[object]) -> None:
    header = ["资产编号", "资产名称", "资产类别", "资产原值"]
    if first == [None, "道路", "x", None]:
        header = ["资产编号", "资产名称", "", "资产原值"]
        first = [None, None, "x", None]
    table = read_table(write_csv(tmp_path / "r.csv", [header, first, ["A-2", "桥", "公益性", "1"]]))
    assert table.header == header and [n for n, _ in table.rows] == [2, 3]
