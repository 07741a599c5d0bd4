"""One-sheet XLSX forms with a few styles (count sheets to fill in and print), written by openpyxl's write-only mode.

Strings are always text cells, so nothing a user typed ever becomes a live formula; characters XML cannot hold
(control characters) are dropped; a yes/no is 是/否 and a date its ISO text, as on the printed form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

MONEY_FORMAT = "#,##0.00"
BOLD = Font(name="Calibri", size=11, bold=True)
TITLE = Font(name="Calibri", size=14, bold=True)
TO_FILL = PatternFill("solid", fgColor="FFFFF2CC")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Style(Enum):
    PLAIN = "plain"
    BOLD = "bold"
    BOLD_FILLED = "bold, filled"  # header of a column to fill in
    MONEY = "money"  # #,##0.00
    TITLE = "title"


@dataclass(frozen=True)
class Cell:
    value: object
    style: Style = Style.PLAIN


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    return str(get_column_letter(index + 1))


def _value(value: object) -> object:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or isinstance(value, (int, Decimal)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return _ILLEGAL.sub("", str(value))


def _cell(sheet: Any, cell: object) -> object:
    value, style = (cell.value, cell.style) if isinstance(cell, Cell) else (cell, Style.PLAIN)
    value = _value(value)
    if style is Style.PLAIN and not isinstance(value, str):
        return value
    out = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        out.data_type = "s"  # text, even when it starts with "="
    if style is Style.BOLD:
        out.font = BOLD
    elif style is Style.BOLD_FILLED:
        out.font = BOLD
        out.fill = TO_FILL
    elif style is Style.MONEY:
        out.number_format = MONEY_FORMAT
    elif style is Style.TITLE:
        out.font = TITLE
    return out


def write_sheet(
    path: Path,
    sheet_name: str,
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[float] = (),
    freeze: str | None = None,
    choices: tuple[str, Sequence[str]] | None = None,
) -> Path:
    """One sheet of rows (values or Cells). `freeze` is the top-left unfrozen cell (e.g. "E3"); `choices` a
    drop-down list on a range, e.g. ("M3:M200", ["在用", "盘亏"])."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_name[:31])
    for i, width in enumerate(widths):
        sheet.column_dimensions[column_letter(i)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    if choices:
        ref, options = choices
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.showErrorMessage = True
        validation.add(ref)
        sheet.data_validations.append(validation)
    for row in rows:
        sheet.append([_cell(sheet, c) for c in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
