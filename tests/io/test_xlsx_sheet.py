"""One-sheet forms (count sheets) written with openpyxl's write-only mode read back as the hand-written writer they
replace wrote them: the same values and types, fonts, fill, number format, widths, frozen panes and drop-down.
(The expected cells below are what openpyxl read from that writer's file for the same rows.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from assetledger.io.xlsx_sheet import Cell, Style, column_letter, write_sheet


def test_a_form_reads_back_as_written(tmp_path: Path) -> None:
    rows = [
        [Cell("丰和县 2025 年清查表", Style.TITLE)],
        [Cell("清查编号", Style.BOLD), Cell("结果", Style.BOLD_FILLED), Cell(None, Style.BOLD_FILLED)],
        [7, "=SUM(A1:A2)", "  空格  ", "a\x01b\x1fc", True, False, dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 8, 30),
         Decimal("1234.50"), Cell(Decimal("99999999.99"), Style.MONEY), None, "<&>\"'", -3, "+1", "@x"],
    ]  # fmt: skip
    path = write_sheet(tmp_path / "f.xlsx", "清查表" + "长" * 40, rows, widths=(8, 14), freeze="E3",
                       choices=("M3:M200", ["在用", "盘亏"]))  # fmt: skip
    sheet = load_workbook(path).active
    assert sheet is not None and sheet.title == "清查表" + "长" * 28  # 31 characters at most
    title, bold, filled, empty_filled = sheet["A1"], sheet["A2"], sheet["B2"], sheet["C2"]
    assert (title.value, title.font.b, title.font.sz, title.font.name) == ("丰和县 2025 年清查表", True, 14, "Calibri")
    assert (bold.value, bold.font.b, bold.font.sz, bold.fill.fill_type) == ("清查编号", True, 11, None)
    for cell in (filled, empty_filled):
        assert (cell.font.b, cell.fill.fill_type, cell.fill.fgColor.rgb) == (True, "solid", "FFFFF2CC")
    assert (filled.value, empty_filled.value) == ("结果", None)
    values = [(c.value, c.data_type) for c in sheet[3]]
    assert values == [
        (7, "n"), ("=SUM(A1:A2)", "s"), ("  空格  ", "s"), ("abc", "s"), ("是", "s"), ("否", "s"),
        ("2025-03-01", "s"), ("2025-03-01T08:30:00", "s"), (1234.5, "n"), (99999999.99, "n"), (None, "n"),
        ("<&>\"'", "s"), (-3, "n"), ("+1", "s"), ("@x", "s"),
    ]  # fmt: skip
    assert sheet["J3"].number_format == "#,##0.00" and sheet["I3"].number_format == "General"
    assert {k: d.width for k, d in sheet.column_dimensions.items() if d.customWidth} == {"A": 8, "B": 14}
    assert sheet.freeze_panes == "E3"
    [validation] = sheet.data_validations.dataValidation
    assert (str(validation.sqref), validation.type, validation.formula1) == ("M3:M200", "list", '"在用,盘亏"')
    assert validation.allow_blank and validation.showErrorMessage
    read = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()  # as `inventory record` reads
    assert read[2][:4] == [7.0, "=SUM(A1:A2)", "  空格  ", "abc"]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
