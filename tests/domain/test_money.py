from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetledger.domain.money import (
    MAX_AMOUNT,
    MAX_FEN,
    MoneyFormatError,
    allocate,
    from_fen,
    parse_money,
    parse_number,
    to_fen,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100", "100.00"), ("1,234.5", "1234.50"), ("¥12.30", "12.30"), (12.3, "12.30"), (7, "7.00")],
)
def test_parse_money_accepts_yuan(text: object, expected: str) -> None:
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1.234", "abc", "", "-5", "NaN", "Infinity", True])
def test_parse_money_refuses(text: object) -> None:
    with pytest.raises(MoneyFormatError):
        parse_money(text)


def test_fen_round_trip_is_exact() -> None:
    assert to_fen(Decimal("12345678901.23")) == 1234567890123
    assert from_fen(-1) == Decimal("-0.01")
    with pytest.raises(MoneyFormatError):
        to_fen(Decimal("0.001"))


def test_allocate_tie_break_goes_to_earlier_parts() -> None:
    # 1.00 over three equal weights: 0.34, 0.33, 0.33 — the earlier part gets the odd fen.
    assert allocate(Decimal("1.00"), [Decimal(1)] * 3) == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]


def test_allocate_refuses_negative_or_empty_weights() -> None:
    with pytest.raises(ValueError):
        allocate(Decimal("1.00"), [Decimal(-1), Decimal(2)])
    with pytest.raises(ValueError):
        allocate(Decimal("1.00"), [Decimal(0)])


amounts = st.integers(min_value=-(10**12), max_value=10**12).map(from_fen)
weights = st.lists(st.decimals(min_value=0, max_value=10**6, places=4), min_size=1, max_size=60)


@given(amounts, weights)
def test_allocate_parts_sum_to_total_and_never_flip_sign(total: Decimal, ws: list[Decimal]) -> None:
    if sum(ws) == 0:
        ws = [*ws, Decimal(1)]
    parts = allocate(total, ws)
    assert sum(parts, Decimal("0.00")) == total
    assert all(p * total >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, ws, strict=True) if w == 0)
    # no part is more than one fen away from its exact share
    share = [total * w / sum(ws) for w in ws]
    assert all(abs(p - s) < Decimal("0.01") for p, s in zip(parts, share, strict=True))


# --- bounds (issue #17 item 6): every amount within MAX_AMOUNT, so that no sum a database computes can overflow


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("90000000000000000", "out of range"),  # posted twice, it broke SUM on SQLite for good
        ("1000000000.01", "out of range"),
        ("-1000000000.01", "out of range"),
        ("1e400", "without an exponent"),  # quantize raised decimal.InvalidOperation
        ("1E5", "without an exponent"),
        ("9.5e16", "without an exponent"),
        ("nan", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("sNaN", "not a finite number"),
        ("1_000", "not a number"),  # Decimal() takes it; a person does not write it
        ("١٢٣", "not a number"),  # Arabic-Indic digits: Decimal() takes them too
        ("1" * 41, "longer than 40"),
        pytest.param(10**5000, "out of range", id="int-of-5000-digits"),  # str() of it raises ValueError
        (10**12, "out of range"),
        (Decimal("1e400"), "out of range"),
        (Decimal("NaN"), "not a finite number"),
        (Decimal("-Infinity"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (float("nan"), "not a finite number"),
        (1e17, "out of range"),
        (None, "not an amount"),
        (b"12", "not an amount"),
    ],
)
def test_parse_money_refuses_what_no_amount_can_be(value: object, reason: str) -> None:
    with pytest.raises(MoneyFormatError, match=reason):
        parse_money(value, allow_negative=True)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1234,5", "misplaced comma"),  # a decimal comma: dropping it read 12,345.00
        ("1,00,000", "misplaced comma"),  # lakh grouping: dropping it read 100,000
        ("1,2345", "misplaced comma"),
        (",123", "misplaced comma"),
        ("1,234,", "misplaced comma"),
        ("1,234.5,6", "misplaced comma"),
        ("12，5", "Chinese comma"),  # dropping it read 125
        ("１，２３４", "Chinese comma"),
    ],
)
def test_a_comma_is_read_only_as_a_thousands_separator(value: str, reason: str) -> None:
    """A comma anywhere but between groups of three would multiply the amount if dropped: refused, never dropped."""
    with pytest.raises(MoneyFormatError, match=reason):
        parse_number(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1000000000", "1000000000.00"),
        ("-1000000000.00", "-1000000000.00"),
        ("１２３．４５", "123.45"),  # full width, as a Chinese input method types it
        ("￥１２３４", "1234.00"),
        ("1,234,567.89", "1234567.89"),
        ("-1,234", "-1234.00"),
        ("¥1,000,000,000", "1000000000.00"),
        (" 7. ", "7.00"),
        (".5", "0.50"),
        (Decimal("1E+3"), "1000.00"),  # a Decimal from the Python API: its value counts, not how it prints
        (1e9, "1000000000.00"),
    ],
)
def test_parse_money_accepts_amounts_up_to_the_bound(value: object, expected: str) -> None:
    assert parse_money(value, allow_negative=True) == Decimal(expected)


anything = st.one_of(
    st.text(max_size=50),
    st.text(alphabet="0123456789.,-+eE ¥￥，．１２nNaIifty_", max_size=30),
    st.from_regex(r"\A[+-]?[0-9]{0,20}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,4})?\Z"),
    st.integers(),
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@settings(max_examples=600)
@given(anything, st.booleans())
def test_parse_money_raises_only_money_format_errors_and_keeps_the_bound(value: object, negative: bool) -> None:
    try:
        amount = parse_money(value, allow_negative=negative)
    except MoneyFormatError:
        return
    assert isinstance(amount, Decimal)
    assert amount.is_finite() and amount.as_tuple().exponent == -2
    assert abs(amount) <= MAX_AMOUNT and (negative or amount >= 0)
    assert abs(to_fen(amount)) <= MAX_FEN


@given(st.lists(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN), min_size=1, max_size=50))
def test_a_province_of_bounded_amounts_cannot_overflow_a_64_bit_sum(fens: list[int]) -> None:
    # 90 million amounts at the bound (every posting of a province for decades) still fit a signed 64-bit integer
    assert 90_000_000 * MAX_FEN < 2**63 - 1
    assert all(abs(to_fen(from_fen(f))) <= MAX_FEN for f in fens)
