"""Render rows (dicts) as an aligned text table, CSV, JSON or XLSX. Money stays exact in every format.

Output never attacks its reader. A text cell that a spreadsheet would run as a formula (= + - @, or TAB/CR first)
is written to CSV with a leading apostrophe, and to XLSX as a text cell; numbers, amounts and dates are data and
stay as they are (a Decimal -12.50 is written -12.50). Control characters are shown as escapes (ESC as \\x1b) in
the table a terminal shows, in JSON and CSV, and in XLSX (which cannot hold them at all).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetledger.domain.text import visible

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FORMATS = ("table", "csv", "json", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # text a spreadsheet would run as a formula (CSV injection)
MONEY_FORMAT = "#,##0.00"


def records(items: Iterable[DataclassInstance]) -> list[dict[str, Any]]:
    """The rows a service returned (frozen dataclasses) as dicts to render, keys in field order."""
    return [asdict(item) for item in items]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def render_table(rows: Sequence[Mapping[str, Any]], headers: Mapping[str, str] | None = None) -> str:
    """An aligned table for a terminal: control characters and line breaks in cells shown as escapes."""
    if not rows:
        return "(no rows)"
    keys = list(rows[0].keys())
    titles = [visible((headers or {}).get(k, k)) for k in keys]
    cells = [[visible(_cell_text(r.get(k))) for k in keys] for r in rows]
    numeric = [all(isinstance(r.get(k), (int, Decimal)) or r.get(k) is None for r in rows) for k in keys]
    widths = [max(_width(t), *(_width(c[i]) for c in cells)) for i, t in enumerate(titles)]
    lines = ["  ".join(_pad(t, w, n) for t, w, n in zip(titles, widths, numeric, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for c in cells:
        lines.append("  ".join(_pad(v, w, n) for v, w, n in zip(c, widths, numeric, strict=True)))
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def render_csv(rows: Sequence[Mapping[str, Any]], headers: Mapping[str, str] | None = None) -> str:
    out = io.StringIO()
    if rows:
        keys = list(rows[0].keys())
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([csv_cell((headers or {}).get(k, k)) for k in keys])
        for r in rows:
            writer.writerow([csv_cell(r.get(k)) for k in keys])
    return out.getvalue()


def csv_cell(value: Any) -> str | int:
    """One CSV cell: text a spreadsheet would run as a formula gets a leading apostrophe (what Excel itself writes
    to show such text), control characters become escapes; numbers, amounts and dates are written as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (Decimal, float, dt.date, dt.datetime)):
        return str(_plain(value))
    text = json.dumps(_plain(value), ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
    text = visible(text, keep_lines=True)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A CSV file of plain rows (header first), each cell as `csv_cell` writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([csv_cell(c) for c in row] for row in rows)
    return path


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")  # json.dumps escapes C0 itself


def render_json(data: Any) -> str:
    text = json.dumps(_plain(data), ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # the same JSON, safe on a terminal


SHEET_NAME_MAX = 31  # Excel's limit on a sheet's name
# Characters Excel refuses in a sheet's name, as the full-width ones a Chinese title would use; a control character
# as a space.
_SHEET_REFUSED = str.maketrans({"[": "【", "]": "】", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"}
                               | {chr(c): " " for c in range(32)})  # fmt: skip


def sheet_names(names: Iterable[str]) -> list[str]:
    """Names Excel accepts for sheets named `names`, in order: what it refuses ([ ] : * ? / \\) written full-width
    (【 】 ： ＊ ？ ／ ＼), no apostrophe at either end, at most 31 characters, never blank, and each unique in the
    workbook (Excel compares them ignoring case): a repeated name gets (2), (3), ... within the 31 characters."""
    taken: set[str] = set()
    shown: list[str] = []
    for name in names:
        base = name.translate(_SHEET_REFUSED).strip().strip("'").strip() or "Sheet"
        base = base[:SHEET_NAME_MAX]
        candidate, n = base, 1
        while candidate.casefold() in taken:
            n += 1
            suffix = f"({n})"
            candidate = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        taken.add(candidate.casefold())
        shown.append(candidate)
    return shown


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Sequence[Mapping[str, Any]]],
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Path:
    """One sheet per entry, named as `sheet_names` makes a name Excel accepts; money as exact numbers formatted
    #,##0.00; write-only mode for large sheets."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for name, rows in zip(sheet_names(sheets), sheets.values(), strict=True):
        sheet = book.create_sheet(title=name)
        bold = Font(bold=True)
        if title:
            cell = WriteOnlyCell(sheet, value=visible(title))
            cell.font = Font(bold=True, size=14)
            sheet.append([cell])
        if not rows:
            sheet.append(["(无数据 no rows)"])
            continue
        keys = list(rows[0].keys())
        header_cells = []
        for k in keys:
            cell = WriteOnlyCell(sheet, value=visible(str((headers or {}).get(k, k))))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for r in rows:
            line = []
            for k in keys:
                value = r.get(k)
                if isinstance(value, Decimal):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = MONEY_FORMAT
                    line.append(cell)
                elif isinstance(value, (dict, list)):
                    line.append(visible(json.dumps(_plain(value), ensure_ascii=False), keep_lines=True))
                elif isinstance(value, str):
                    value = visible(value, keep_lines=True)  # openpyxl refuses control characters
                    line.append(_text_cell(sheet, value) if value.startswith(FORMULA_STARTS) else value)
                else:
                    line.append(value)
            sheet.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _text_cell(sheet: Any, value: str) -> Any:
    """A cell that shows `value` as text even when it looks like a formula: data from the field is never run."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
