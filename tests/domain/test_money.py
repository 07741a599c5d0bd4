from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetledger.domain.money import MoneyFormatError, allocate, from_fen, parse_money, to_fen


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
