"""The journal's rules without a database: bounded amounts that never raise, and the identity of a voucher."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.dialects import sqlite

from assetledger.domain.journal import EntryContent, EntryKind, JournalEntry, Posting, entry_problems, voucher_key
from assetledger.domain.money import MoneyFormatError
from assetledger.store.types import Money

V = "V360921101201"


def entry(
    amount: object, *, kind: EntryKind = EntryKind.REVENUE, ref: str | None = "PZ-7", on: str = "2025-06-30"
) -> JournalEntry:
    return JournalEntry(
        V, dt.date.fromisoformat(on), "租金", (Posting("Assets:Bank", amount), Posting("Income:Contracting", -amount)),  # type: ignore[arg-type,operator]
        kind, "A-1", ref,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (Decimal("90000000000000000"), "out of range"),
        (Decimal("1000000000.01"), "out of range"),
        (Decimal("1e400"), "out of range"),
        (Decimal("NaN"), "not a finite number"),
        (Decimal("Infinity"), "not a finite number"),
        (12.5, "must be Decimal"),
    ],
)
def test_an_entry_beyond_the_bound_is_a_problem_never_an_exception(amount: object, reason: str) -> None:
    problems = entry_problems(entry(amount))
    assert any(reason in p for p in problems), problems


def test_an_entry_at_the_bound_is_fine() -> None:
    assert entry_problems(entry(Decimal("1000000000.00"))) == []


def test_the_money_column_refuses_what_the_services_would() -> None:
    bind = Money().process_bind_param
    assert bind(Decimal("1000000000.00"), sqlite.dialect()) == 100_000_000_000
    for bad in (Decimal("1000000000.01"), Decimal("9e16"), Decimal("NaN"), Decimal("-Infinity")):
        with pytest.raises(MoneyFormatError):
            bind(bad, sqlite.dialect())


def test_a_voucher_is_its_entity_ref_and_month() -> None:
    may, june, june_again = entry(Decimal(1), on="2025-05-31"), entry(Decimal(1)), entry(Decimal(2), on="2025-06-01")
    assert voucher_key(may) != voucher_key(june)  # numbers restart monthly: PZ-7 of May is not PZ-7 of June
    assert voucher_key(june) == voucher_key(june_again) == (V, "PZ-7", "2025-06")
    payout = entry(Decimal(1), kind=EntryKind.PAYOUT, ref="payout:3:H1")
    assert voucher_key(payout) == (V, "payout:3:H1", "")  # the services' refs name their source in any month


def test_a_voucher_may_not_take_a_ref_the_system_makes() -> None:
    problems = entry_problems(entry(Decimal(1), ref="payout:3:H1"))
    assert any("prefix kept for the entries the system makes" in p for p in problems), problems
    assert entry_problems(entry(Decimal(1), kind=EntryKind.PAYOUT, ref="payout:3:H1")) == []
    assert any("blank" in p for p in entry_problems(entry(Decimal(1), ref="  ")))


def test_content_compares_postings_as_a_multiset() -> None:
    one = entry(Decimal("5.00"))
    swapped = JournalEntry(one.entity, one.date, one.narration, one.postings[::-1], one.kind, one.asset_id, one.ref)
    assert EntryContent.of(one, [500, -500]) == EntryContent.of(swapped, [-500, 500])
    assert EntryContent.of(one, [500, -500]) != EntryContent.of(entry(Decimal("5.01")), [501, -501])
    assert EntryContent.of(one, [500, -500]).amount == Decimal("5.00")
