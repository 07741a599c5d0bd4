"""Read a CSV or XLSX sheet into a header row and data rows, remembering each row's number in the file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from assetledger.errors import Finding, InputError
from assetledger.io.xlsx_hidden import Hidden, hidden_lines

CSV_ENCODINGS = (
    "utf-8-sig",
    "gb18030",
)  # gb18030 is a superset of GBK, the usual encoding of Chinese Excel CSV


NO_DATA_ROWS = "文件只有表头，没有数据行 (the file has a header but no data rows)"


# The label of a totals row (合计/总计/小计) a county's register ends with, or has under each group: not a record.
TOTAL_LABELS = frozenset({"合计", "总计", "小计", "共计", "总合计"})
TOTAL_ROW = "合计行，已跳过，不导入 (a totals row: skipped, not imported)"


@dataclass(frozen=True)
class TotalRow:
    """A totals row left out of the data: its number in the file, its label as read (合计, 小计: spaces and a colon
    dropped) and its cells, whose amounts io/totals.py checks against the rows above."""

    row: int
    label: str
    cells: list[object]


@dataclass
class Table:
    source: str
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the user sees it in the file, cells)
    notes: list[Finding] = field(default_factory=list)  # rows skipped (totals rows), each named, for the user
    unit: int = 1  # the amounts' unit a line above the header gives: 10000 for 单位：万元 (io/headers.py applies it)
    totals: list[TotalRow] = field(default_factory=list)  # the totals rows skipped, for io/totals.py to check

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
    report_notes(table.notes)
    return table


def report_notes(notes: Iterable[Finding]) -> None:
    """Tell whoever listens (`reporting_notes`) of each note: those of a table as it is read, and those an import
    finds later about rows it took (a count sheet's 资产原值 that differs from the register's)."""
    report = _REPORT.get()
    if report is not None:
        for note in notes:
            report(note)


def _read(path: Path, sheet: str | None) -> Table:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError([Finding(str(path), None, None, None, "找不到文件 (file not found)")])
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    raise InputError(
        [
            Finding(
                str(path),
                None,
                None,
                suffix,
                "不支持此文件类型：请用 .csv 或 .xlsx；.xls 文件请在 Excel 或 WPS 中另存为 .xlsx "
                "(unsupported file type; use .csv or .xlsx)",
            )
        ]
    )


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
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        visible = [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
        if sheet is not None:
            if sheet not in book.sheet_names:
                raise InputError([Finding(str(path), None, None, sheet, _no_such_sheet(book.sheet_names))])
            name, cells = sheet, _cells(book, sheet)
        else:
            name, cells = _the_sheet(str(path), book, visible)
        source = f"{path} [工作表 sheet {name}]"  # every finding names the sheet it is on
        _refuse_hidden(source, hidden_lines(path, name), cells)
    except InputError:
        raise
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
    return _split(source, cells)


def _cells(book: Any, name: str) -> list[list[object]]:
    return cast(list[list[object]], book.get_sheet_by_name(name).to_python(skip_empty_area=False))


def _the_sheet(source: str, book: Any, visible: list[str]) -> tuple[str, list[list[object]]]:
    """The one visible sheet that holds data. Hidden sheets (a 填表说明 kept out of sight) are never read unless
    named; several visible sheets with data are refused, naming them, for the user to pick one (--sheet)."""
    read = [(name, _cells(book, name)) for name in visible]
    filled = [(name, cells) for name, cells in read if any(_filled(c) for row in cells for c in row)]
    if len(filled) > 1:
        names = "、".join(name for name, _ in filled)
        raise InputError(
            [
                Finding(
                    source,
                    None,
                    None,
                    names,
                    f"工作簿中有 {len(filled)} 个工作表有数据，请用 --sheet 指定要导入的工作表 "
                    f"the workbook has {len(filled)} sheets with data: name the one to import with --sheet NAME",
                )
            ]
        )
    if filled:
        return filled[0]
    if read:
        return read[0]
    raise InputError([Finding(source, None, None, None, "工作簿中没有可见的工作表 the workbook has no visible sheet")])


HIDDEN_ROWS = (
    "这些行被隐藏（或被筛选隐藏）且有数据，导入会把看不见的行一并导入：取消隐藏（或清除筛选）或删除这些行后再导入 "
    "these rows are hidden (by hand or by a filter) and hold data, which would be imported unseen: unhide them "
    "(or clear the filter) or delete them, then import again"
)
HIDDEN_COLUMNS = (
    "这些列被隐藏且有数据：取消隐藏或删除这些列后再导入 "
    "these columns are hidden and hold data, which would be read unseen: unhide or delete them, then import again"
)
SHOWN_RANGES = 20  # row ranges named in the refusal; a filter may hide thousands


def _refuse_hidden(source: str, hidden: Hidden, cells: list[list[object]]) -> None:
    """Hidden rows or columns that hold data are refused, naming them: what is imported is what the user sees.
    A row hidden or filtered out is as often an old or unwanted record as one kept, so neither importing nor
    skipping it is safe to guess; unhiding or deleting it is one step in Excel."""
    width = max((len(line) for line in cells), default=0)  # a <col> may hide every column to XFD
    rows = sorted(r for r in hidden.rows if r <= len(cells) and any(_filled(c) for c in cells[r - 1]))
    columns = sorted(
        c for c in hidden.columns if c < width and any(c < len(line) and _filled(line[c]) for line in cells)
    )
    findings = []
    if rows:
        findings.append(Finding(source, None, None, f"第 {_ranges(rows)} 行 (rows)", HIDDEN_ROWS))
    if columns:
        from assetledger.io.xlsx_sheet import column_letter  # openpyxl: only when there is a column to name

        start = _header_row(cells)
        header = _texts(cells[start]) if start < len(cells) else []
        named = "、".join(
            column_letter(c) + (f"“{header[c]}”" if c < len(header) and header[c] else "") for c in columns
        )
        findings.append(Finding(source, None, None, f"第 {named} 列 (columns)", HIDDEN_COLUMNS))
    if findings:
        raise InputError(findings)


def _texts(cells: list[object]) -> list[str]:
    return [str(c).strip() if c is not None else "" for c in cells]


def _ranges(numbers: list[int]) -> str:
    """[3, 5, 6, 7, 12] -> "3、5-7、12"; past SHOWN_RANGES ranges, "…，共 N 行 (N rows)"."""
    spans: list[tuple[int, int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    text = "、".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:SHOWN_RANGES])
    return text if len(spans) <= SHOWN_RANGES else f"{text}…，共 {len(numbers)} 行 ({len(numbers)} rows)"


def _no_such_sheet(names: list[str]) -> str:
    return f"工作簿中没有这个工作表，现有：{'、'.join(names)} the workbook has no such sheet; it has {', '.join(names)}"


def _split(source: str, grid: list[list[object]]) -> Table:
    start = _header_row(grid)
    if start >= len(grid):
        raise InputError([Finding(source, None, None, None, "文件中没有表头行 (the file has no header row)")])
    unit, unit_note = _unit_above(source, grid[:start])
    header = _texts(grid[start])
    first = start + 1  # the first row below the header
    below = _sub_header(grid[start], grid[first]) if first < len(grid) else None
    if below is not None:  # a header of two rows: a group's name above the columns it spans
        header, first = below, first + 1
    rows = []
    notes = []
    totals = []
    for offset, cells in enumerate(grid[first:], start=first + 1):
        if any(_filled(c) for c in cells):
            label = _total_label(cells)
            if label is None:
                rows.append((offset, cells))
            else:
                column = header[label] if label < len(header) and header[label] else None
                notes.append(Finding(source, offset, column, str(cells[label]).strip(), TOTAL_ROW))
                totals.append(TotalRow(offset, _label_text(cells[label]), cells))
    if unit_note is not None:
        notes.insert(0, unit_note)
    return Table(source, header, rows, notes, unit, totals)


# A line above the header that gives the unit of the amounts: 单位：万元, 金额单位：元, （单位：万元）.
_UNIT = re.compile(r"^[（(]?(?:金额)?单位\s*[:：]\s*(万元|元)\s*[）)]?$")
# A subtitle cell, "label：value" (填报单位：丰和县乡村振兴局, 填报日期：2024-01-05): no header cell reads so.
_SUBTITLE = re.compile(r"^[^:：]{1,20}[:：]\s*\S")
WAN = 10000
IN_WAN = (
    "表头上方注明“单位：万元”：未注明单位的金额列按万元读取（×10000） "
    "the line above the header says the amounts are in 万元: amount columns whose header names no unit are read "
    "in 万元 (× 10,000)"
)


def _header_row(grid: list[list[object]]) -> int:
    """The header's index: past leading blank lines, title rows (a merged title like "XX县扶贫项目资产台账", fewer
    than two filled cells) and subtitle lines whose every filled cell reads "label：value" (填报单位：… 单位：万元)."""
    start = 0
    while start < len(grid):
        filled = [c for c in grid[start] if _filled(c)]
        if len(filled) >= 2 and not all(isinstance(c, str) and _SUBTITLE.match(c.strip()) for c in filled):
            break
        start += 1
    return start


# A unit a group's header gives the columns below it: 资金来源（万元） over 中央衔接资金, 省级衔接资金.
_GROUP_UNIT = re.compile(r"[（(]\s*(万元|元)\s*[）)]")


def _sub_header(top: list[object], below: list[object]) -> list[str] | None:
    """The header of a sheet whose header takes two rows, else None (the row below is data).

    Counties group columns under a merged cell ("确权情况" over 确权层级 and 确权文件, "资金来源（万元）" over a
    column per source); the other headers are merged down over both rows, so the row below holds text only under a
    group (an Excel merge keeps its value in the first cell; a CSV saved from it has the rest empty). The row below is
    taken as the second header row only when it is such a row: text only; under every column of its own (a header
    with nothing beside it) empty or the same text; under each group that it fills, its first column too; and at
    least one group. A data row has values under the columns of their own (资产编号, 资产名称), so it never reads so.
    The header is then the lower row's name where it has one, else the upper one's; a unit the group's name gives
    (（万元）) is carried to the names below it that give none, so that no amount is read 10,000 times too small."""
    width = max(len(top), len(below))
    upper = _texts(top) + [""] * (width - len(top))
    lower = _texts(below) + [""] * (width - len(below))
    filled = [c for c in below if _filled(c)]
    if not filled or not all(isinstance(c, str) for c in filled) or _total_label(below) is not None:
        return None
    starts = [i for i, h in enumerate(upper) if h]
    if not starts or any(lower[: starts[0]]):
        return None  # text under no header at all
    merged = list(upper)
    groups = 0
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else width
        under = lower[start:end]
        if not any(under):
            continue  # merged down over both rows
        if end - start == 1:
            if under[0] != upper[start]:
                return None  # a value under a column of its own: data
            continue
        if not under[0]:
            return None  # a group's first column sits under its name
        groups += 1
        unit = _GROUP_UNIT.search(upper[start])
        for i in range(start, end):
            name = lower[i]
            if name and unit and "元" not in name:
                name = f"{name}（{unit.group(1)}）"
            merged[i] = name
    return merged if groups else None


def _unit_above(source: str, above: list[list[object]]) -> tuple[int, Finding | None]:
    """The unit the lines above the header give the amounts (1: 元, or none given; 10000: 万元), and the note
    that says so for 万元, naming the line."""
    for number, cells in enumerate(above, start=1):
        for cell in cells:
            if isinstance(cell, str):
                match = _UNIT.match("".join(cell.split()))
                if match and match.group(1) == "万元":
                    return WAN, Finding(source, number, None, cell.strip(), IN_WAN)
    return 1, None


def _total_label(cells: list[object]) -> int | None:
    """The position of a totals row's label (its first filled cell reads 合计, 总 计, 小计：…), else None."""
    first = next((i for i, c in enumerate(cells) if _filled(c)), None)
    if first is None or not isinstance(cells[first], str):
        return None
    return first if _label_text(cells[first]) in TOTAL_LABELS else None


def _label_text(cell: object) -> str:
    """A label as compared: "合  计：" reads 合计 (spaces, full-width ones too, and a trailing colon dropped)."""
    return "".join(str(cell).split()).rstrip(":：")


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())
