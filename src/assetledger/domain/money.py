"""Money is Decimal yuan with exactly two places (fen). Never float.

Every amount is bounded (`MAX_AMOUNT`, 10亿 yuan) so that no sum the databases compute can overflow: SQLite and
PostgreSQL add integer fen in a signed 64-bit integer (at most 9.2e18 fen), and a province's ninety million amounts
at the bound still fit (9e7 × 1e11 fen = 9e18).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1000000000.00")  # 10亿元: the most one amount may be, either sign
MAX_FEN = 100_000_000_000
MAX_TEXT = 40  # characters of a written number: more is not an amount anyone writes
OUT_OF_RANGE = f"超出上限 out of range: one amount is at most {MAX_AMOUNT:,} yuan (10亿元)"
IN_DIGITS = "请用数字书写 write it in digits, without an exponent (1e5 → 100000)"
NOT_FINITE = "不是有限的数 not a finite number"
NOT_A_NUMBER = "不是数字 not a number"
NEGATIVE = "金额为负数 negative amount"
MORE_THAN_TWO_DECIMALS = "小数超过两位 more than two decimal places"
MISPLACED_COMMA = (
    "逗号位置不对：千位分隔符须每三位一组（如 1,234,567.89），小数点请用“.” "
    "misplaced comma: a thousands separator comes every three digits (1,234,567.89); write the decimal point as '.'"
)
FULL_WIDTH_COMMA = (
    "中文逗号“，”不能用作分隔符：请删去，或写成 1,234,567.89 "
    "a Chinese comma (，) is no separator in a number: remove it, or write 1,234,567.89"
)
# A written number once full-width forms are folded (NFKC): optional sign, digits, optional decimals.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z", re.ASCII)
# Its whole part with thousands separators: one to three digits, then groups of exactly three (1,234,567.89).
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?\Z", re.ASCII)
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+\Z", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(?:nan|snan|inf|infinity)\Z", re.IGNORECASE | re.ASCII)


class MoneyFormatError(ValueError):
    """The text is not an amount of money with at most two decimal places, within the bound."""


# Excel keeps and shows a number to 15 significant digits: a formula such as =100.1*3 leaves the binary float
# 300.29999999999995 in the file, and the cell shows 300.3.
FLOAT_DIGITS = 15


def from_float(value: float) -> Decimal:
    """A float as a spreadsheet shows it: rounded to 15 significant digits (half away from zero, as Excel rounds),
    trailing zeros dropped: 300.29999999999995 -> 300.3, 59.970000000000006 -> 59.97, 2.0 -> 2, while 300.305 stays
    300.305 (and is refused as money). The one conversion of a float to a Decimal: a spreadsheet's numeric cell
    reaches every reader of amounts and quantities through it (parse_number). NaN and infinities stay so."""
    shown = Context(prec=FLOAT_DIGITS, rounding=ROUND_HALF_UP)  # its own: rounding sets the context's flags
    number = shown.create_decimal_from_float(value)
    if not number.is_finite():
        return number
    if not number:
        return Decimal(0)  # -0.0 shows as 0
    number = number.normalize(shown)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0 and abs(number) < 10**FLOAT_DIGITS:
        number = number.quantize(Decimal(1))  # 1E+2 -> 100: a whole number in its digits
    return number


def parse_number(value: object) -> Decimal:
    """A finite Decimal from a number or its text, or MoneyFormatError saying why not. No bound, no rounding.

    Text is folded to ASCII (full-width digits and ￥ from a Chinese input method), a leading ¥ is dropped, and
    commas are read only as thousands separators in groups of three (1,234,567.89): any other comma (1234,5 a
    decimal comma, 1,00,000) and the Chinese comma (12，5) are refused, never dropped, for dropping them multiplies
    the amount. What is left must be plain digits: exponents (1e5), NaN, Infinity and
    underscores are refused, so the number read is the number a person sees. A float (a spreadsheet's numeric
    cell, a TOML number) is read as the spreadsheet shows it, at 15 significant digits (`from_float`), so that
    =100.1*3 is 300.3, never 300.29999999999995; ints are bounded before they are turned into text (a huge int has
    no text)."""
    if isinstance(value, bool):
        raise MoneyFormatError("不是金额 not an amount")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyFormatError(NOT_FINITE)
        return value
    if isinstance(value, int):
        if abs(value) > MAX_FEN:  # far beyond any bound here; str() of a 5,000-digit int would raise
            raise MoneyFormatError(OUT_OF_RANGE)
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise MoneyFormatError(NOT_FINITE)
        return from_float(value)
    if not isinstance(value, str):
        raise MoneyFormatError(f"不是金额 (not an amount: {type(value).__name__})")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise MoneyFormatError(f"不是数字（超过 {MAX_TEXT} 个字符） not a number: longer than {MAX_TEXT} characters")
    chinese_comma = "，" in text
    text = unicodedata.normalize("NFKC", text).strip()  # folds ， to , too
    if "," in text:
        bare = text.removeprefix("¥").strip()
        if _NUMBER.match(bare.replace(",", "")) and (chinese_comma or not _GROUPED.match(bare)):
            raise MoneyFormatError(FULL_WIDTH_COMMA if chinese_comma else MISPLACED_COMMA)  # a number, but for it
        text = text.replace(",", "")  # thousands separators; or no number at all, refused below as such
    if text.startswith("¥"):
        text = text[1:].strip()
    if not text:
        raise MoneyFormatError("金额为空 empty amount")
    if _NUMBER.match(text):
        return Decimal(text)
    if _EXPONENT.match(text):
        raise MoneyFormatError(IN_DIGITS)
    if _NOT_FINITE.match(text):
        raise MoneyFormatError(NOT_FINITE)
    raise MoneyFormatError(NOT_A_NUMBER)


def amount_problem(amount: Decimal) -> str | None:
    """Why `amount` cannot be an amount of money here (not finite, beyond the bound, finer than a fen), or None."""
    if not isinstance(amount, Decimal):
        return f"金额须为 Decimal (money must be Decimal, not {type(amount).__name__})"
    if not amount.is_finite():
        return NOT_FINITE
    if abs(amount) > MAX_AMOUNT:
        return OUT_OF_RANGE
    if amount != amount.quantize(FEN):  # safe: within the bound, the quantized value has few digits
        return MORE_THAN_TWO_DECIMALS
    return None


def parse_money(value: object, *, allow_negative: bool = False) -> Decimal:
    """Parse yuan from text, int or Decimal; a float (a spreadsheet's numeric cell) as the spreadsheet shows it.

    Refuses more than two decimal places instead of rounding (a third decimal in an input file is a mistake),
    amounts beyond `MAX_AMOUNT`, exponents, NaN and infinities. Raises nothing but MoneyFormatError.
    """
    amount = parse_number(value)
    problem = amount_problem(amount)
    if problem:
        raise MoneyFormatError(problem)
    if amount < 0 and not allow_negative:
        raise MoneyFormatError(NEGATIVE)
    return amount.quantize(FEN)


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of a two-place amount; refuses anything finer."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyFormatError(f"{amount} 小数超过两位 has more than two decimal places")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """Yuan of integer fen, with exactly two places (scaleb moves the exponent: no division, no rounding)."""
    return Decimal(fen).scaleb(-2)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` into parts proportional to `weights` that add up to `total` exactly.

    Largest-remainder method in fen. Each part first gets floor(total * w / sum(w)); the fen left over go one
    each to the parts with the largest remainders. Tie-break: equal remainders go to the earlier position, so
    callers order their parts deterministically (e.g. by household id) to make the result reproducible.
    Zero weights get zero. Negative weights or a zero weight sum with a non-zero total are refused.
    """
    if any(w < 0 for w in weights):
        raise ValueError("分配权重不能为负数 (weights must not be negative)")
    total_fen = to_fen(total)
    if not weights:
        if total_fen:
            raise ValueError("没有分配对象，无法分配非零金额 (cannot allocate a non-zero total over no parts)")
        return []
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        if total_fen:
            raise ValueError("权重全为零，无法分配非零金额 (cannot allocate a non-zero total over zero weights)")
        return [ZERO for _ in weights]
    sign = -1 if total_fen < 0 else 1
    magnitude = abs(total_fen)
    floors: list[int] = []
    remainders: list[Decimal] = []
    for w in weights:
        exact = Decimal(magnitude) * w / weight_sum
        floor = int(exact.to_integral_value(rounding=ROUND_FLOOR))
        floors.append(floor)
        remainders.append(exact - floor)
    left = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [from_fen(sign * f) for f in floors]
