"""Money is Decimal yuan with exactly two places (fen). Never float."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyFormatError(ValueError):
    """The text is not an amount of money with at most two decimal places."""


def parse_money(value: object, *, allow_negative: bool = False) -> Decimal:
    """Parse yuan from text, int or Decimal; floats only from spreadsheet cells, via their shortest repr.

    Refuses more than two decimal places instead of rounding: a third decimal in an input file is a mistake.
    """
    if isinstance(value, bool):
        raise MoneyFormatError("not an amount")
    if isinstance(value, float):
        # Spreadsheet numbers arrive as floats; repr gives the shortest text that round-trips.
        text = repr(value)
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if text.startswith("¥") or text.startswith("￥"):
            text = text[1:].strip()
    else:
        raise MoneyFormatError(f"not an amount: {type(value).__name__}")
    if not text:
        raise MoneyFormatError("empty amount")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyFormatError("not a number") from exc
    if not amount.is_finite():
        raise MoneyFormatError("not a finite number")
    if amount != amount.quantize(FEN):
        raise MoneyFormatError("more than two decimal places")
    if amount < 0 and not allow_negative:
        raise MoneyFormatError("negative amount")
    return amount.quantize(FEN)


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of a two-place amount; refuses anything finer."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyFormatError(f"{amount} has more than two decimal places")
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
        raise ValueError("weights must not be negative")
    total_fen = to_fen(total)
    if not weights:
        if total_fen:
            raise ValueError("cannot allocate a non-zero total over no parts")
        return []
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        if total_fen:
            raise ValueError("cannot allocate a non-zero total over zero weights")
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
