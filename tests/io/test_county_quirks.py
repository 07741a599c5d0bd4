"""What county files hold (tester's report): dates stored as Excel numbers, and a totals row (合计/总计/小计) at the
end of a register, in XLSX and in a GBK CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetledger.io import values
from assetledger.io.tabular import TOTAL_ROW, read_table
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("cell", "day"),
    [(45047, dt.date(2023, 5, 1)), (45047.0, dt.date(2023, 5, 1)), (45047.75, dt.date(2023, 5, 1)),
     (18264, dt.date(1950, 1, 1)), (73050, dt.date(2099, 12, 31)), ("45047", dt.date(2023, 5, 1)),
     (20240301, dt.date(2024, 3, 1)), (20240301.0, dt.date(2024, 3, 1)), ("2024-03-01", dt.date(2024, 3, 1))],
)  # fmt: skip
def test_a_date_stored_as_a_number_is_read(cell: object, day: dt.date) -> None:
    assert values.date(cell) == day


@pytest.mark.parametrize(
    ("cell", "reason"),
    [(3, "no Excel date"), (18263, "no Excel date"), (73051, "no Excel date"), (1e20, "no Excel date"),
     (float("nan"), "not a date"), (True, "not a date"), ("50000", "it would be 2036-11-21: implausible"),
     ("12345", "it would be 1933-10-18"), ("045047", "not a date"), ("45047.5", "not a date")],
)  # fmt: skip
def test_a_number_that_is_no_plausible_date_is_refused(cell: object, reason: str) -> None:
    """A CSV's text is taken as a date number only as five digits and a day from 1990 to today: a stray amount in a
    date column (50000) is refused, with the day it would have been."""
    with pytest.raises(values.CellError, match=reason):
        values.date(cell)


def test_a_csv_date_number_after_today_is_refused() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    serial = str((tomorrow - values.EXCEL_EPOCH).days)
    with pytest.raises(values.CellError, match="implausible"):
        values.date(serial)


@pytest.mark.parametrize("cell", ["二〇二一", "21", "2021.5", "=YEAR(NOW())", "2021-05"])
def test_a_cell_that_is_no_year_is_refused_in_chinese_first(cell: object) -> None:
    """建设年度 2021, 2021年 or 2021年度 is a year; anything else is refused, Chinese first and English beside."""
    assert [values.year(c) for c in (2021, "2021年", "2021年度", " 2021 ")] == [2021] * 4
    with pytest.raises(values.CellError) as refused:
        values.year(cell)
    assert str(refused.value) == values.NOT_A_YEAR == "不是年份，应写如 2021 not a year; write e.g. 2021"


def _register(folder: Path, totals: list[object]) -> list[list[object]]:
    return [ASSET_HEADER, asset_row("A-1", 确权日期=45047, 移交日期=45000), asset_row("A-2"), totals]


TOTALS = ["合计", None, None, None, None, None, None, None, "200000.00", "120000.00", "80000.00", "4"]


@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_totals_row_is_skipped_and_named(tmp_path: Path, kind: str) -> None:
    rows = _register(tmp_path, TOTALS)
    path = (write_xlsx(tmp_path / "r.xlsx", rows) if kind == "xlsx"
            else write_csv(tmp_path / "r.csv", rows, encoding="gbk"))  # fmt: skip
    table = read_table(path)
    assert [number for number, _ in table.rows] == [2, 3]
    [note] = table.notes
    assert (note.row, note.column, note.value, note.reason) == (4, "资产编号", "合计", TOTAL_ROW)


@pytest.mark.parametrize("label", ["总计", "小 计", "合计：", "  合计  "])
def test_totals_labels_as_counties_write_them(tmp_path: Path, label: str) -> None:
    rows = [ASSET_HEADER, asset_row("A-1"), [None, label, None, "100000.00"]]  # the label under 资产名称
    table = read_table(write_csv(tmp_path / "r.csv", rows))
    assert len(table.rows) == 1 and table.notes[0].row == 3 and table.notes[0].column == "资产名称"


def test_a_cell_that_only_mentions_a_total_is_a_row(tmp_path: Path) -> None:
    rows = [ASSET_HEADER, asset_row("A-1"), asset_row("合计-1", 资产名称="合计")]  # an id that starts so: a row
    assert len(read_table(write_csv(tmp_path / "r.csv", rows)).rows) == 2


@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_county_register_with_date_numbers_and_a_totals_row_imports(run: Cli, db: Database, kind: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = _register(run.cwd, TOTALS)
    if kind == "xlsx":
        path = write_xlsx(run.cwd / "县台账.xlsx", rows)
    else:  # a CSV saved by Excel: the date column as numbers, GBK
        rows[1] = asset_row("A-1", 确权日期="45047", 移交日期="45000")
        path = write_csv(run.cwd / "县台账.csv", rows, encoding="gbk")
    out = run("asset", "import", str(path))
    where = f"{path} [工作表 sheet Sheet]" if kind == "xlsx" else str(path)  # a workbook's findings name the sheet
    assert f"{where}，第4行 (row 4)，列「资产编号」 (column)，值「合计」 (value)：{TOTAL_ROW}" in out.output
    assert "imported 2 assets" in out.output
    shown = run("asset", "show", "A-1", "--format", "json").output
    assert "2023-05-01" in shown and "2023-03-15" in shown


def test_a_stray_number_in_a_date_column_is_refused_by_the_import(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    path = write_xlsx(run.cwd / "r.xlsx", [ASSET_HEADER, asset_row("A-1", 确权日期=3)])
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2 and "第2行 (row 2)，列「确权日期" in out.output, out.output
    assert "值「3」 (value)：不是日期" in out.output and "no Excel date" in out.output
    assert table_counts(db) == before
