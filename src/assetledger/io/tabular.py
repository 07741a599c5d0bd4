"""Read a CSV or XLSX sheet into a header row and data rows, remembering each row's number in the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from assetledger.errors import Finding, InputError

CSV_ENCODINGS = (
    "utf-8-sig",
    "gb18030",
)  # gb18030 is a superset of GBK, the usual encoding of Chinese Excel CSV


NO_DATA_ROWS = "the file has a header but no data rows"


# The label of a totals row (合计/总计/小计) a county's register ends with, or has under each group: not a record.
TOTAL_LABELS = frozenset({"合计", "总计", "小计", "共计", "总合计"})
TOTAL_ROW = "合计行，已跳过，不导入 (a totals row: skipped, not imported)"


@dataclass
class Table:
    source: str
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the user sees it in the file, cells)
    notes: list[Finding] = field(default_factory=list)  # rows skipped (totals rows), each named, for the user

    def empty_findings(self) -> list[Finding]:
        """A file of only a header is refused by every import (exit 2), never taken as "nothing to do"."""
        return [] if self.rows else [Finding(self.source, None, None, None, NO_DATA_ROWS)]


# Who is told of each table's notes as it is read. Every import reads its file here, so the CLI shows every
# importer's notes (a totals row skipped, naming file and row) from one place, its entry point (cli/main.py); where
# none is set (the web, the library) the notes stay on the Table for the caller (`asset import`'s result has them).
_REPORT: ContextVar[Callable[[Finding], None] | None] = ContextVar("assetledger_table_notes", default=None)


@contextmanager
def reporting_notes(report: Callable[[Finding], None] | None) -> Iterator[None]:
    """Within: `report` is called with each note of every table read (None: no one is told)."""
    token = _REPORT.set(report)
    try:
        yield
    finally:
        _REPORT.reset(token)


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    table = _read(path, sheet)
    report = _REPORT.get()
    if report is not None:
        for note in table.notes:
            report(note)
    return table


def _read(path: Path, sheet: str | None) -> Table:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError([Finding(str(path), None, None, None, "file not found")])
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    raise InputError([Finding(str(path), None, None, suffix, "unsupported file type; use .csv or .xlsx")])


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    text = None
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise InputError(
            [Finding(str(path), None, None, None, "不是 UTF-8 或 GBK/GB18030 编码的文本 not UTF-8 or GBK/GB18030 text")]
        )
    grid: list[list[object]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        grid.extend(cast("Iterator[list[object]]", reader))  # rows of str, never copied
    except csv.Error as exc:  # a cell beyond csv.field_size_limit(), or a quote the csv module cannot read
        limit = csv.field_size_limit()
        reason = (
            f"a cell longer than {limit:,} characters, far more than any column holds"
            if "field larger" in str(exc)
            else f"not readable as CSV: {exc}"
        )
        raise InputError([Finding(str(path), len(grid) + 1, None, None, reason)]) from exc
    return _split(str(path), grid)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        grid = book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)
        cells = cast(list[list[object]], grid.to_python(skip_empty_area=False))
    except Exception as exc:  # calamine raises its own error types for broken or encrypted files
        raise InputError(
            [
                Finding(
                    str(path),
                    None,
                    None,
                    None,
                    f"不是可读取的 .xlsx 工作簿（文件损坏、加密或并非 Excel 文件） cannot read workbook: {exc}",
                )
            ]
        ) from exc
    return _split(str(path), cells)


def _split(source: str, grid: list[list[object]]) -> Table:
    # Skip leading blank lines and title rows above the header (a merged title like "XX县扶贫项目资产台账").
    start = 0
    while start < len(grid) and sum(1 for c in grid[start] if _filled(c)) < 2:
        start += 1
    if start >= len(grid):
        raise InputError([Finding(source, None, None, None, "the file has no header row")])
    header = [str(c).strip() if c is not None else "" for c in grid[start]]
    rows = []
    notes = []
    for offset, cells in enumerate(grid[start + 1 :], start=start + 2):
        if any(_filled(c) for c in cells):
            label = _total_label(cells)
            if label is None:
                rows.append((offset, cells))
            else:
                column = header[label] if label < len(header) and header[label] else None
                notes.append(Finding(source, offset, column, str(cells[label]).strip(), TOTAL_ROW))
    return Table(source, header, rows, notes)


def _total_label(cells: list[object]) -> int | None:
    """The position of a totals row's label (its first filled cell reads 合计, 总 计, 小计：…), else None."""
    first = next((i for i, c in enumerate(cells) if _filled(c)), None)
    if first is None or not isinstance(cells[first], str):
        return None
    text = "".join(str(cells[first]).split()).rstrip(":：")
    return first if text in TOTAL_LABELS else None


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())
