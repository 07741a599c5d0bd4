"""Hidden rows and columns of a workbook (hidden by hand, by a filter, in a collapsed group): refused when they hold
data, naming file, sheet and rows (or columns), so that what is imported is what the user sees; nothing is written."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv

HINT = "取消隐藏（或清除筛选）或删除这些行后再导入"
VILLAGE = "360921101201"


def _regions(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))


def _register(path: Path, ids: list[str], *, hide_rows: tuple[int, ...] = (), hide_columns: str = "") -> Path:
    """A one-sheet register (sheet 台账) of the assets `ids`, with rows (Excel's numbers) and columns hidden."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    for row in [ASSET_HEADER, *(asset_row(i) for i in ids)]:
        sheet.append(row)
    for number in hide_rows:
        sheet.row_dimensions[number].hidden = True
    for letter in hide_columns:
        sheet.column_dimensions[letter].hidden = True
    book.save(path)
    return path


def _unhide(path: Path) -> None:
    book = load_workbook(path)
    sheet = book["台账"]
    for dimension in sheet.row_dimensions.values():
        dimension.hidden = False
    book.save(path)


def test_hidden_rows_with_data_are_refused_naming_them(run: Cli, db: Database) -> None:
    _regions(run)
    path = _register(run.cwd / "台账.xlsx", ["H-1", "H-2", "H-3", "H-4", "H-5"], hide_rows=(3, 5, 6))
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    assert f"{path} [工作表 sheet 台账]" in out.output and "第 3、5-6 行" in out.output, out.output
    assert HINT in out.output and "unhide them (or clear the filter) or delete them" in out.output
    assert "Traceback" not in out.output
    assert table_counts(db) == before
    _unhide(path)
    assert "imported 5 assets" in run("asset", "import", str(path)).output


def test_rows_a_filter_hides_are_refused_and_many_are_named_briefly(run: Cli, db: Database) -> None:
    """An autofilter leaves the rows it hides marked hidden in the file: 60 scattered rows are named as the first
    20 ranges and their count."""
    _regions(run)
    ids = [f"F-{i}" for i in range(1, 131)]
    hidden = tuple(range(3, 123, 2))  # every other row: 60 rows, 60 ranges
    path = _register(run.cwd / "筛选.xlsx", ids, hide_rows=hidden)
    book = load_workbook(path)
    book["台账"].auto_filter.ref = "A1:O131"
    book.save(path)
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2 and HINT in out.output, out.output
    assert "第 3、5、7" in out.output and "…，共 60 行 (60 rows)" in out.output, out.output
    assert "123" not in out.output.split("…")[0].split("第 3")[1]  # past the first 20 ranges, only the count
    assert table_counts(db) == before


def test_a_hidden_column_with_data_is_refused_naming_its_header(run: Cli, db: Database) -> None:
    _regions(run)
    path = _register(run.cwd / "台账.xlsx", ["C-1"], hide_columns="B")
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2 and "第 B“资产名称” 列" in out.output, out.output
    assert "取消隐藏或删除这些列后再导入" in out.output and "unhide or delete them" in out.output
    assert table_counts(db)["assets"] == 0


def test_hidden_rows_and_columns_without_data_are_imported(run: Cli, db: Database) -> None:
    """Rows hidden below the register and every column past it hidden (a tidy sheet): nothing unseen is read."""
    _regions(run)
    path = _register(run.cwd / "台账.xlsx", ["E-1", "E-2"], hide_rows=(10, 11))
    book = load_workbook(path)
    sheet = book["台账"]
    sheet.column_dimensions.group("Z", "AZ", hidden=True)
    book.save(path)
    assert "imported 2 assets" in run("asset", "import", str(path)).output


def test_a_hidden_row_of_a_roster_is_refused_too(run: Cli, db: Database) -> None:
    """Every importer reads through io/tabular.py: a 名册 with a household hidden is refused the same way."""
    _regions(run)
    header = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名册"
    sheet.append(header)
    sheet.append(["H-1", VILLAGE, "王一", 2, "脱贫户", "", "2024-01-01"])
    sheet.append(["H-2", VILLAGE, "王二", 3, "脱贫户", "", "2024-01-01"])
    sheet.row_dimensions[3].hidden = True
    path = run.cwd / "名册.xlsx"
    book.save(path)
    out = run("beneficiary", "import", str(path), ok=False)
    assert out.exit_code == 2 and "[工作表 sheet 名册]" in out.output and "第 3 行" in out.output, out.output
    assert table_counts(db)["households"] == 0


def test_rows_without_numbers_and_hidden_true_are_read(run: Cli, db: Database) -> None:
    """Some producers leave out a row's r (it is then the next row) or write hidden="true": the hidden row is
    found all the same."""
    _regions(run)
    path = _register(run.cwd / "台账.xlsx", ["P-1", "P-2", "P-3"])
    rewritten = run.cwd / "其他软件.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = re.sub(r'<row r="(\d+)"', lambda m: "<row" if m.group(1) in "34" else m.group(0), text)
                text = text.replace("<row>", '<row hidden="true">', 1)  # row 3, found by counting
                data = text.encode()
            target.writestr(item, data)
    out = run("asset", "import", str(rewritten), ok=False)
    assert out.exit_code == 2 and "第 3 行" in out.output, out.output
    assert table_counts(db)["assets"] == 0
