"""Traps in real county files (red-team review): look-alike ids, misplaced commas, a region code that names another
place than the row's names, ids Excel has rounded, an unknown status, a 单位：万元 line above the header, and
workbooks of several sheets. Each is read once, in io/ or domain/, for every importer."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetledger.io import values
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv, write_xlsx

VILLAGE = "360921101201"
ROSTER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期"]


def _regions(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))


# --- 1. look-alike ids ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("look_alike", ["360921－0000001", "３６０９２１-0000001", " 360921-0000001\u3000"])
def test_a_full_width_look_alike_of_an_existing_id_is_that_id(run: Cli, db: Database, look_alike: str) -> None:
    """Full-width digits or hyphen read as the plain id: the existing-id check catches it, no second asset."""
    _regions(run)
    run("asset", "import", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("360921-0000001")])))
    before = table_counts(db)
    path = write_csv(run.cwd / "b.csv", [ASSET_HEADER, asset_row(look_alike)])
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code in (2, 4), out.output
    assert "already registered" in out.output
    assert "360921-0000001" in out.output and "b.csv" in out.output
    assert table_counts(db) == before


def test_look_alike_ids_in_one_file_are_duplicates(run: Cli, db: Database) -> None:
    _regions(run)
    rows = [ASSET_HEADER, asset_row("360921-0000002"), asset_row("３６０９２１－０００００02")]
    out = run("asset", "import", str(write_xlsx(run.cwd / "a.xlsx", rows)), ok=False)
    assert out.exit_code in (2, 4) and "row 3" in out.output and "row 2" in out.output, out.output
    assert table_counts(db)["assets"] == 0


def test_a_roster_reads_full_width_ids_and_counts(run: Cli, db: Database) -> None:
    _regions(run)
    rows = [ROSTER, ["Ｈ－１", "３６０９２１１０１２０１", "王一", "２", "脱贫户", "", "2024-01-01"]]
    run("beneficiary", "import", str(write_csv(run.cwd / "名册.csv", rows)))
    shown = run("beneficiary", "list", "--village", VILLAGE).output
    assert "H-1" in shown and "Ｈ" not in shown, shown


# --- 4. ids Excel has rounded ----------------------------------------------------------------------------------------


def test_an_id_number_typed_as_a_number_is_refused(run: Cli, db: Database) -> None:
    """360921199001011008 typed into a numeric cell is 3.60921199001011E+17 in Excel: the last digits are gone."""
    _regions(run)
    before = table_counts(db)
    rows = [ROSTER, [360921199001011008, VILLAGE, "王五", 2, "脱贫户", "", "2024-01-01"],
            [4107020001, VILLAGE, "赵六", 3.0, "脱贫户", "", "2024-01-01"]]  # fmt: skip
    path = write_xlsx(run.cwd / "名册.xlsx", rows)
    out = run("beneficiary", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    assert "第2行 (row 2)，列「户编号" in out.output and "文本格式" in out.output
    assert "format the column as text" in out.output
    assert "row 3" not in out.output  # a numeric id of 10 digits is read as its digits
    assert table_counts(db) == before


def test_an_asset_id_of_more_than_15_digits_in_a_numeric_cell_is_refused(run: Cli, db: Database) -> None:
    _regions(run)
    rows = [ASSET_HEADER, asset_row(3609211010000001.0), asset_row(36092110100001)]
    out = run("asset", "import", str(write_xlsx(run.cwd / "a.xlsx", rows)), ok=False)
    assert out.exit_code == 2 and "第2行 (row 2)，列「资产编号" in out.output and "文本格式" in out.output, out.output
    assert "row 3" not in out.output


def test_a_numeric_id_of_15_digits_reads_as_its_digits() -> None:
    assert values.identifier(360921101201.0) == "360921101201"
    assert values.identifier(999999999999999) == "999999999999999"
    with pytest.raises(values.CellError, match="15"):
        values.identifier(1e15)


# --- 2. misplaced commas ---------------------------------------------------------------------------------------------


def test_a_register_with_a_misplaced_comma_is_refused(run: Cli, db: Database) -> None:
    _regions(run)
    rows = [ASSET_HEADER, asset_row("A-1", **{"资产原值（元）": "1234,5"}),
            asset_row("A-2", **{"资产原值（元）": "100,000.00"}), asset_row("A-3", 中央衔接资金="60，000")]  # fmt: skip
    before = table_counts(db)
    path = write_csv(run.cwd / "台账.csv", rows, encoding="gbk")
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    assert "第2行 (row 2)，列「资产原值（元）" in out.output and "值「1234,5」 (value)" in out.output
    assert "misplaced comma" in out.output and "逗号位置不对" in out.output
    assert "第4行 (row 4)，列「中央衔接资金" in out.output and "值「60，000」 (value)" in out.output
    assert "row 3," not in out.output  # 100,000.00 is a thousands separator
    assert table_counts(db) == before


def test_an_entry_file_with_a_decimal_comma_is_refused(run: Cli, db: Database) -> None:
    _regions(run)
    run("asset", "import", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("A-1")])))
    path = write_csv(run.cwd / "收支.csv", [
        ["日期", "资产编号", "收支", "类型", "金额", "凭证号"],
        ["2025-03-05", "A-1", "收入", "租金", "1,234.50", "PZ-1"],
        ["2025-03-06", "A-1", "收入", "租金", "1234,5", "PZ-2"],
    ], encoding="gbk")  # fmt: skip
    before = table_counts(db)
    out = run("ledger", "import-entries", str(path), ok=False)
    assert out.exit_code == 2, out.output
    assert (
        f"{path}，第3行 (row 3)，列「金额」 (column)，值「1234,5」 (value)" in out.output
        and "misplaced comma" in out.output
    )
    assert "row 2," not in out.output
    assert table_counts(db) == before


# --- 3. a region code that names another place than the row's names --------------------------------------------------

PLACED = [*ASSET_HEADER, "行政区划代码"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_code_that_disagrees_with_the_names_is_refused(run: Cli, db: Database, kind: str) -> None:
    """东风镇/红旗村 with the code of 青山乡红旗村: refused naming both, not imported into the code's village."""
    _regions(run)
    rows = [PLACED, [*asset_row("A-1"), "360921102201"], [*asset_row("A-2"), "360921101201"],
            [*asset_row("A-3", 乡镇=None, 村=None), "360921102201"]]  # fmt: skip
    path = run.cwd / f"台账.{kind}"
    write_csv(path, rows) if kind == "csv" else write_xlsx(path, rows)
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    assert "第2行 (row 2)，列「行政区划代码" in out.output and "值「360921102201」 (value)" in out.output
    assert "360921102201 是示范县青山乡红旗村，与本行所填的示范县东风镇红旗村不符" in out.output
    assert "but the row names 示范县东风镇红旗村" in out.output
    assert "row 3," not in out.output and "row 4," not in out.output  # names that agree; a code alone
    assert table_counts(db) == before


# --- 6. a 单位：万元 line above the header ----------------------------------------------------------------------------

PLAIN = [h if h != "资产原值（元）" else "资产原值" for h in ASSET_HEADER]


def _wan_register(path: Path, subtitle: list[object], header: list[str]) -> Path:
    width = len(header)
    title = ["示范县扶贫项目资产台账", *[None] * (width - 1)]
    row = asset_row("W-1", **{"资产原值（元）": 12.3, "中央衔接资金": 12.3, "县级衔接资金": None})
    rows = [title, [*subtitle, *[None] * (width - len(subtitle))], header, row]
    return write_xlsx(path, rows) if path.suffix == ".xlsx" else write_csv(path, rows, encoding="gbk")


@pytest.mark.parametrize(
    ("name", "subtitle"),
    [("one.xlsx", ["单位：万元"]),
     ("two.xlsx", ["填报单位：示范县乡村振兴局", None, None, None, None, None, None, None, "金额单位：万元"]),
     ("two.csv", ["填报单位：示范县乡村振兴局", "填报日期：2024-01-05", "（单位：万元）"])],
)  # fmt: skip
def test_a_wan_yuan_line_above_the_header_scales_the_amounts_and_says_so(
    run: Cli, db: Database, name: str, subtitle: list[object]
) -> None:
    _regions(run)
    path = _wan_register(run.cwd / name, subtitle, PLAIN)
    out = run("asset", "import", str(path))
    assert "imported 1 assets" in out.output, out.output
    assert "row 2" in out.output and "按万元读取" in out.output and "read in 万元" in out.output
    assert '"original_value": "123000.00"' in run("asset", "show", "W-1", "--format", "json").output


def test_a_header_that_says_yuan_wins_over_the_line_above(run: Cli, db: Database) -> None:
    _regions(run)
    said = {"资产原值": "资产原值（元）", "中央衔接资金": "中央衔接资金（元）"}
    header = [said.get(h, h) for h in PLAIN]
    run("asset", "import", str(_wan_register(run.cwd / "r.xlsx", ["单位：万元"], header)))
    assert '"original_value": "12.30"' in run("asset", "show", "W-1", "--format", "json").output


def test_an_entry_file_with_a_wan_yuan_line_is_refused(run: Cli, db: Database) -> None:
    _regions(run)
    run("asset", "import", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("A-1")])))
    path = write_xlsx(run.cwd / "收支.xlsx", [
        ["填报单位：红旗村", None, None, None, "单位：万元"],
        ["日期", "资产编号", "收支", "类型", "金额"],
        ["2025-03-05", "A-1", "收入", "租金", 1.2],
    ])  # fmt: skip
    before = table_counts(db)
    out = run("ledger", "import-entries", str(path), ok=False)
    assert out.exit_code == 2 and "row 1" in out.output and "值「单位：万元」 (value)" in out.output, out.output
    assert "须以元计" in out.output and "this import reads yuan" in out.output
    assert table_counts(db) == before


# --- 7. workbooks of several sheets ----------------------------------------------------------------------------------


def _workbook(path: Path, sheets: list[tuple[str, list[list[object]], bool]]) -> Path:
    """A workbook of (name, rows, hidden) sheets, in order."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, rows, hidden in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def test_a_hidden_first_sheet_is_skipped(run: Cli, db: Database) -> None:
    _regions(run)
    instructions = [["说明", "请按模板填写"], ["资产编号", "唯一编号"]]
    path = _workbook(run.cwd / "台账.xlsx", [("填表说明", instructions, True),
                                             ("台账", [ASSET_HEADER, asset_row("S-1")], False)])  # fmt: skip
    assert "imported 1 assets" in run("asset", "import", str(path)).output


def test_several_sheets_with_data_are_refused_unless_one_is_named(run: Cli, db: Database) -> None:
    _regions(run)
    path = _workbook(run.cwd / "台账.xlsx", [("公益性", [ASSET_HEADER, asset_row("S-1")], False),
                                             ("经营性", [ASSET_HEADER, asset_row("S-2")], False),
                                             ("空表", [], False)])  # fmt: skip
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2 and "公益性、经营性" in out.output and "--sheet" in out.output, out.output
    assert table_counts(db) == before
    assert "imported 1 assets" in run("asset", "import", str(path), "--sheet", "经营性").output
    assert "imported 1 assets" in run("asset", "import", str(path), "--sheet", "公益性").output  # a sheet of its own
    again = run("asset", "import", str(path), "--sheet", "公益性").output
    assert "already imported" in again
    missing = run("asset", "import", str(path), "--sheet", "经营", ok=False)
    assert missing.exit_code == 2 and "公益性、经营性、空表" in missing.output


def test_a_finding_in_a_workbook_names_its_sheet(run: Cli, db: Database) -> None:
    _regions(run)
    path = _workbook(run.cwd / "台账.xlsx", [("经营性", [ASSET_HEADER, asset_row("S-1", 资产名称=None)], False)])
    out = run("asset", "import", str(path), ok=False)
    assert f"{path} [工作表 sheet 经营性]，第2行 (row 2)，列「资产名称" in out.output, out.output


def test_entries_and_rosters_take_a_sheet_too(run: Cli, db: Database) -> None:
    _regions(run)
    run("asset", "import", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("A-1")])))
    header = ["日期", "资产编号", "收支", "类型", "金额", "凭证号"]
    march = ("三月", [header, ["2025-03-05", "A-1", "收入", "租金", 100, "P-1"]], False)
    april = ("四月", [header, ["2025-04-05", "A-1", "收入", "租金", 200, "P-2"]], False)
    path = _workbook(run.cwd / "收支.xlsx", [march, april])
    refused = run("ledger", "import-entries", str(path), ok=False)
    assert refused.exit_code == 2 and "三月、四月" in refused.output, refused.output
    assert "posted 1 entries" in run("ledger", "import-entries", str(path), "--sheet", "四月").output
    roster = [ROSTER, ["H-1", VILLAGE, "王一", 2, "脱贫户", "", "2024-01-01"]]
    book = _workbook(run.cwd / "名册.xlsx", [("说明", [["说明", "按模板填写"]], False), ("名册", roster, False)])
    assert run("beneficiary", "import", str(book), ok=False).exit_code == 2
    run("beneficiary", "import", str(book), "--sheet", "名册")
    assert "H-1" in run("beneficiary", "list", "--village", VILLAGE).output


# --- 5. the hint for an unknown name ---------------------------------------------------------------------------------


def test_an_unknown_status_hint_proposes_no_status(run: Cli, db: Database) -> None:
    """报废 (scrapped) in a GBK CSV: refused, with the accepted values and a placeholder, never `in_use = ["报废"]`."""
    _regions(run)
    header = [*ASSET_HEADER, "资产状态"]
    path = write_csv(run.cwd / "台账.csv", [header, [*asset_row("A-1"), "报废"]], encoding="gbk")
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2 and "第2行 (row 2)，列「资产状态" in out.output and "值「报废」 (value)" in out.output
    assert 'in_use = ["报废"]' not in out.output and '<value> = ["报废"]' in out.output
    assert "在用 in_use, 闲置 idle" in out.output
    assert table_counts(db) == before


def test_a_region_file_with_full_width_codes_is_read_as_the_codes(run: Cli, db: Database) -> None:
    wide = [
        REGIONS[0],
        ["示范县", "３６０９２１", "东风镇", "３６０９２１１０１", "红旗村", "３６０９２１１０１２０１"],
    ]
    run("region", "import", str(write_csv(run.cwd / "regions.csv", wide)))
    assert "360921101201" in run("region", "list", "--level", "village").output
