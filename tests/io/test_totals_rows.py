"""A register that ends with a totals row (合计/总计, "合  计"): the row is never an asset, and the amount it gives in
the original-value column (资产原值, however the file heads it) must be the sum of the rows above it, else the file is
refused, naming the file, the totals row, the column and both amounts. A subtotal (小计) is skipped, not checked.
Through `asset import`, from a GBK CSV and from an XLSX whose total is a formula Excel has computed."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetledger.io.tabular import TOTAL_ROW
from assetledger.io.totals import TOTAL_UNREADABLE
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, store_numbers, table_counts, write_csv, write_xlsx

pytestmark = pytest.mark.both_backends  # the import writes through the bulk path: on both databases

VALUE = ASSET_HEADER.index("资产原值（元）")


def _total(label: str, amount: object) -> list[object]:
    row: list[object] = [None] * len(ASSET_HEADER)
    row[0], row[VALUE] = label, amount
    return row


def _rows(*totals: list[object]) -> list[list[object]]:
    second = asset_row("A-2", **{"资产原值（元）": "2500.50"}, 中央衔接资金="2500.50", 县级衔接资金=None)
    return [ASSET_HEADER, asset_row("A-1"), second, *totals]


def _write(kind: str, folder: Path, rows: list[list[object]]) -> tuple[Path, str]:
    if kind == "xlsx":
        path = write_xlsx(folder / "台账.xlsx", rows)
        return path, f"{path} [工作表 sheet Sheet]"
    path = write_csv(folder / "台账.csv", rows, encoding="gbk")
    return path, str(path)


@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_total_that_adds_up_is_skipped_and_the_rows_imported(run: Cli, db: Database, kind: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = _rows(_total("小计", "1.00"), _total("合  计", "102500.50"), _total("总计：", "102,500.50"))
    path, where = _write(kind, run.cwd, rows)
    out = run("asset", "import", str(path))
    assert "imported 2 assets" in out.output, out.output
    for row, label in [(4, "小计"), (5, "合  计"), (6, "总计：")]:  # a subtotal's amount is not checked
        said = f"{where}，第{row}行 (row {row})，列「资产编号」 (column)，值「{label}」 (value)：{TOTAL_ROW}"
        assert said in out.output, out.output


@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_total_that_does_not_add_up_refuses_the_file(run: Cli, db: Database, kind: str) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    path, where = _write(kind, run.cwd, _rows(_total("合计", "102000.50")))
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    said = f"{where}，第4行 (row 4)，列「资产原值（元） (original value)」 (column)，值「102000.50」 (value)："
    assert said in out.output, out.output
    assert "合计行为 102,000.50 元，上方各行之和为 102,500.50 元" in out.output
    assert "the rows above add up to 102,500.50 yuan" in out.output and "Traceback" not in out.output
    assert table_counts(db) == before


def test_an_excel_sum_formula_is_checked_by_the_value_excel_computed(run: Cli, db: Database) -> None:
    """Excel keeps a formula's result beside it: =SUM(I2:I3) saved as 102500.5 adds up; one over a row left out
    (I2:I2) does not."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    good = write_xlsx(run.cwd / "good.xlsx", _rows(_total("合计", 0)))
    out = run("asset", "import", str(store_numbers(good, {"I4": ("102500.5", "SUM(I2:I3)")})))
    assert "imported 2 assets" in out.output, out.output
    rows = [ASSET_HEADER, asset_row("A-3"), asset_row("A-4"), _total("合计", 0)]
    bad = store_numbers(write_xlsx(run.cwd / "bad.xlsx", rows), {"I4": ("100000", "SUM(I2:I2)")})
    before = table_counts(db)
    out = run("asset", "import", str(bad), ok=False)
    assert out.exit_code == 2 and "第4行 (row 4)，列「资产原值（元） (original value)」" in out.output, out.output
    assert "上方各行之和为 200,000.00 元" in out.output and table_counts(db) == before


def test_a_total_in_wan_yuan_is_compared_in_yuan(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    header = [h if h != "资产原值（元）" else "资产原值（万元）" for h in ASSET_HEADER]
    header = [h for h in header if h not in ("中央衔接资金", "县级衔接资金")]
    rows: list[list[object]] = [header]
    for asset_id, wan in [("A-1", "10"), ("A-2", "0.25005")]:
        cells = dict(zip(ASSET_HEADER, asset_row(asset_id), strict=True))
        rows.append([wan if h == "资产原值（万元）" else cells.get(h) for h in header])
    rows.append(["合计"] + [None] * 7 + ["10.25005"] + [None] * (len(header) - 9))
    out = run("asset", "import", str(write_csv(run.cwd / "万元.csv", rows)))
    assert "imported 2 assets" in out.output, out.output


def test_a_total_that_cannot_be_read_is_named(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    path = write_csv(run.cwd / "r.csv", _rows(_total("合计", "约十万")))
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2
    said = f"{path}，第4行 (row 4)，列「资产原值（元） (original value)」 (column)，值「约十万」 (value)："
    assert said in out.output, out.output
    assert TOTAL_UNREADABLE in out.output


def test_a_bad_row_above_a_total_is_named_once(run: Cli, db: Database) -> None:
    """A row whose value cannot be read leaves the sum unknown: its own finding is enough."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, asset_row("A-1", **{"资产原值（元）": "十万"}), asset_row("A-2"), _total("合计", "1")]
    out = run("asset", "import", str(write_csv(run.cwd / "r.csv", rows)), ok=False)
    assert out.exit_code == 2 and "值「十万」" in out.output and "合计行为" not in out.output, out.output
