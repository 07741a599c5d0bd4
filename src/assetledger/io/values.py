"""Parse cell values (text from CSV, typed values from XLSX) into domain values, or say why not."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar, cast

from assetledger.domain.assets import quantity_problem
from assetledger.domain.money import FEN, FLOAT_DIGITS, MoneyFormatError, from_float, parse_money, parse_number
from assetledger.domain.text import fold

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


# Excel's 1900 date system: serial 1 is 1900-01-01 and, counting Excel's phantom 1900-02-29, every serial from 61 on
# is this many days after 1899-12-30. A number in a date column is taken as such a serial only when it is plausible:
# from a spreadsheet's numeric cell (XLSX), a serial from 1950-01-01 to 2099-12-31; from text (a CSV saved by Excel
# with the column formatted as numbers), exactly five digits and a day from 1990-01-01 to today, so that a stray
# amount or count in the column is not read as a date far ahead (it is refused, with the day it would be).
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_CELL = (dt.date(1950, 1, 1), dt.date(2099, 12, 31))
SERIAL_TEXT_FROM = dt.date(1990, 1, 1)
_SERIAL_TEXT = re.compile(r"^\d{5}$", re.ASCII)

# An amount as most cells hold it: ASCII digits and at most two decimals, below the bound (MAX_AMOUNT has 10 digits).
_PLAIN_AMOUNT = re.compile(r"\d{1,9}(\.\d{1,2})?\Z", re.ASCII)
T = TypeVar("T")
_MISSING = object()
CACHE_LIMIT = 200_000  # distinct values remembered per column reader; beyond that, parse without remembering


NOT_A_DATE = "不是日期，请按 YYYY-MM-DD 填写 not a date; write YYYY-MM-DD"
NOT_A_YEAR = "不是年份，应写如 2021 not a year; write e.g. 2021"


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _not_yuan(why: str) -> str:
    """From a reason "中文 english": "不是以元计的金额（中文） not an amount in yuan: english"."""
    last = max((m.end() for m in _CJK.finditer(why)), default=0)
    chinese, english = why[:last].strip(), why[last:].strip()
    if not chinese or not english[:1].isalpha():
        return f"不是以元计的金额 not an amount in yuan: {why}"
    return f"不是以元计的金额（{chinese}） not an amount in yuan: {english}"


class CellError(ValueError):
    """The reason a cell's value is refused."""


def remembered(parse: Callable[[object], T | None], limit: int = CACHE_LIMIT) -> Callable[[object], T | None]:
    """`parse`, remembering its result per distinct cell value.

    A register repeats the same dates, years, amounts and labels thousands of times, and a cell's value alone
    decides what a parser here returns, so the answer for one cell is the answer for every equal cell. Only for
    such pure parsers that read None and "" as None (every parser in this module). Refusals are not remembered:
    an equal bad cell raises afresh. Keys carry the cell's type, so 1, 1.0 and True are never confused.
    """
    memo: dict[object, T | None] = {}

    def read(cell: object) -> T | None:
        if cell is None or cell == "":
            return None
        key = cell if cell.__class__ is str else (cell.__class__, cell)
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = parse(cell)
            if len(memo) < limit:
                memo[key] = found
        return cast("T | None", found)

    return read


# What counties write for "nothing" (省级衔接资金 “—”, 管护主体 “/”, 确权文件 “无”): a cell of dashes or slashes
# only, ASCII or Chinese (-, －, –, —, ——, ―, −, /, ／), or 无 / 暂无, with spaces (full-width ones too) about them.
# Such a cell reads as empty in every column, text ones included, so that no custodian is named "/" and no document
# "无"; a required column then names it as missing, showing what was written (`written`). A negative number (-5) has
# digits and is read as a number; a name that only starts so (无名桥, 无此镇) is a name.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
SLASHES = "/\uff0f"
PLACEHOLDER_WORDS = frozenset({"无", "暂无"})
MARKS = DASHES + SLASHES
_MARKS_ONLY = re.compile(rf"[{re.escape(MARKS)}][\s{re.escape(MARKS)}]*\Z")


def placeholder(value: str) -> bool:
    """Whether stripped, non-empty text is a county's way of writing nothing: dashes or slashes only, 无, 暂无."""
    return value in PLACEHOLDER_WORDS or (value[0] in MARKS and _MARKS_ONLY.match(value) is not None)


def blank(cell: object) -> bool:
    """Whether a cell says nothing: empty, only spaces, or a placeholder (—, /, 无, 暂无: `placeholder`)."""
    if cell is None:
        return True
    if not isinstance(cell, str):
        return False
    value = cell.strip()
    return not value or placeholder(value)


def written(cell: object) -> str | None:
    """A cell's text as the user wrote and sees it, a placeholder kept (— or 无): for findings to quote. A numeric
    cell's whole number in its digits (XLSX stores codes like 4107020001 as numbers: never 4107020001.0), any other
    number at Excel's 15 significant digits (0.3, never 0.30000000000000004: `from_float`)."""
    if cell is None:
        return None
    if isinstance(cell, float):
        cell = int(cell) if cell.is_integer() else from_float(cell)
    value = str(cell).strip()
    return value or None


def text(cell: object) -> str | None:
    """A cell's text as a value: what `written` shows, and None for a placeholder (—, /, 无, 暂无), which says
    nothing in a text column as in a number one."""
    value = written(cell)
    return None if value is None or placeholder(value) else value


# Excel keeps 15 significant digits of a number: an id of more digits typed into a numeric cell (an ID-card number
# as 户编号) has lost its last digits in Excel itself, before the file was saved, and cannot be read back.
EXCEL_DIGITS = FLOAT_DIGITS
ID_AS_NUMBER = (
    "数字单元格超过 15 位，Excel 已丢失末尾数字：请把该列设为文本格式后重新录入 "
    "a number of more than 15 digits: Excel has already lost its last digits; format the column as text "
    "(文本格式) and type the id again"
)


def identifier(cell: object) -> str | None:
    """An identifier cell (asset id, 户编号, region code): its text folded (`fold`: full-width digits and hyphens
    read as plain ones) and stripped; a numeric cell's whole number as its digits (4107020001, never 4107020001.0).
    A numeric cell of more than 15 digits is refused (CellError): Excel has rounded it already."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= 10**EXCEL_DIGITS:
        raise CellError(ID_AS_NUMBER)
    value = text(cell)
    return None if value is None else fold(value) or None


def date(cell: object) -> dt.date | None:
    if blank(cell):
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool) and not 10_000_000 <= cell <= 99_999_999:
        return _serial_cell(cell)  # a date number; 20240301 typed as a number is read as text below
    raw = str(cell).strip()
    raw = raw.split(" ")[0] if " " in raw and ":" in raw else raw  # "2024-03-01 00:00:00"
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            y, m, d = (int(g) for g in match.groups())
            try:
                return dt.date(y, m, d)
            except ValueError as exc:
                raise CellError(f"日期不存在 not a real date: {exc}") from exc
    if _SERIAL_TEXT.match(raw):
        on = EXCEL_EPOCH + dt.timedelta(days=int(raw))
        if SERIAL_TEXT_FROM <= on <= dt.date.today():
            return on
        raise CellError(
            f"不是日期（按 Excel 日期数字是 {on}，不合理），请按 YYYY-MM-DD 填写 "
            f"not a date; write YYYY-MM-DD (as an Excel date number it would be {on}: implausible)"
        )
    raise CellError(NOT_A_DATE)


def _serial_cell(cell: int | float) -> dt.date:  # not money: a spreadsheet's date number
    """A date stored as a number in a spreadsheet cell (Excel serial, 45047 = 2023-05-01): whole days in the
    plausible range only (a time of day after the point is dropped, as with "2024-03-01 08:00")."""
    if isinstance(cell, float) and not math.isfinite(cell):
        raise CellError(NOT_A_DATE)
    days = int(cell)
    first, last = SERIAL_CELL
    if not (first - EXCEL_EPOCH).days <= days <= (last - EXCEL_EPOCH).days:
        raise CellError(
            f"不是日期（数字 {cell!r} 不是 {first} 至 {last} 之间的 Excel 日期），请按 YYYY-MM-DD 填写 "
            f"not a date; write YYYY-MM-DD (the number {cell!r} is no Excel date from {first} to {last})"
        )
    return EXCEL_EPOCH + dt.timedelta(days=days)


def money(cell: object, scale: int = 1) -> Decimal | None:
    """An amount in yuan (Decimal, two places), or None for an empty cell. A numeric cell (float) is taken as the
    spreadsheet shows it, at 15 significant digits (=100.1*3 is 300.30), and only then checked for more than two
    places; text (CSV) is read as written."""
    if scale == 1:
        plain = _plain_text(cell)
        if plain is not None and _PLAIN_AMOUNT.match(plain):
            return Decimal(plain).quantize(FEN)  # what parse_money gives for such text, sooner
    if blank(cell):
        return None
    try:
        if scale != 1:
            # 万元 columns: up to six decimals are whole fen once scaled; the bound applies to the yuan
            return parse_money(parse_number(cell) * scale)
        return parse_money(cell)
    except MoneyFormatError as exc:
        raise CellError(_not_yuan(str(exc))) from exc


def _plain_text(cell: object) -> str | None:
    """The text parse_money reads from a str or int cell as it is (not stripped); None for other types (a float
    is read by parse_money alone, as the spreadsheet shows it)."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    return None


def year(cell: object) -> int | None:
    value = None if blank(cell) else text(cell)
    if value is None:
        return None
    match = re.match(r"^(\d{4})(年|年度)?$", value)
    if not match:
        raise CellError(NOT_A_YEAR)
    return int(match.group(1))


def quantity(cell: object) -> Decimal | None:
    """A quantity (数量): a numeric cell as the spreadsheet shows it (parse_number), text as written."""
    value = None if blank(cell) else text(cell)
    if value is None:
        return None
    try:
        amount = parse_number(cell if isinstance(cell, float) else value)
    except MoneyFormatError as exc:
        raise CellError(str(exc)) from exc
    problem = quantity_problem(amount)
    if problem:
        raise CellError(problem)
    return amount


_HOUSEHOLDS = re.compile(r"^(\d{1,7})(\.0+)?\s*户?$")


def households(cell: object) -> int | None:
    """A number of households (受益户数): 12, 12.0 (a spreadsheet's number) or 12户."""
    value = None if blank(cell) else text(cell)
    if value is None:
        return None
    match = _HOUSEHOLDS.match(value)
    if not match:
        raise CellError("不是户数，应写如 12 (not a number of households; write e.g. 12)")
    return int(match.group(1))
