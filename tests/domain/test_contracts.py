"""The contract schedule and its rules, without a database: periods, due dates, a short last period, what was
settled before, the legal limit of a lease, accrual, and rent far below its benchmark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from assetledger.domain.contracts import (
    ContractPolicy,
    Frequency,
    Terms,
    Timing,
    accrued,
    add_months,
    due_between,
    due_by,
    effective_end,
    low_rent,
    over_legal_term,
    schedule,
    term_problems,
)
from assetledger.domain.enums import OperatingMode

POLICY = ContractPolicy()
D = dt.date


def _terms(**over: object) -> Terms:
    base: dict[str, object] = {
        "mode": OperatingMode.LEASE, "start": D(2025, 1, 1), "end": D(2025, 12, 31), "amount": Decimal("10000.00"),
        "frequency": Frequency.QUARTERLY, "timing": Timing.ARREARS,
    }  # fmt: skip
    base.update(over)
    return Terms(**base)  # type: ignore[arg-type]


def test_quarterly_in_arrears_falls_due_on_each_quarters_last_day() -> None:
    payments = schedule(_terms(), POLICY)
    assert [p.due for p in payments] == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 31)]
    assert sum(p.amount for p in payments) == Decimal("40000.00")
    assert due_by(payments, D(2025, 6, 29)) == Decimal("10000.00")
    assert due_by(payments, D(2025, 6, 30)) == Decimal("20000.00")


def test_in_advance_falls_due_on_the_first_day_and_months_keep_the_day() -> None:
    payments = schedule(_terms(timing=Timing.ADVANCE, frequency=Frequency.MONTHLY, start=D(2025, 1, 31),
                               end=D(2025, 4, 29)), POLICY)  # fmt: skip
    assert [p.due for p in payments] == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31)]
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_a_short_last_period_pays_its_share_by_days() -> None:
    payments = schedule(_terms(frequency=Frequency.ANNUAL, amount=Decimal("36500.00"), end=D(2026, 3, 31)), POLICY)
    assert [(p.due, p.amount) for p in payments] == [(D(2025, 12, 31), Decimal("36500.00")),
                                                     (D(2026, 3, 31), Decimal("9000.00"))]  # fmt: skip


def test_what_was_settled_before_recording_is_not_expected_again() -> None:
    payments = schedule(_terms(paid_through=D(2025, 6, 30)), POLICY)
    assert [p.due for p in payments] == [D(2025, 9, 30), D(2025, 12, 31)]


def test_a_lease_beyond_twenty_years_is_void_beyond_them_other_modes_are_not_limited() -> None:
    long = _terms(start=D(2020, 1, 1), end=D(2049, 12, 31), frequency=Frequency.ANNUAL)
    assert over_legal_term(long, POLICY) and effective_end(long, POLICY) == D(2039, 12, 31)
    assert schedule(long, POLICY)[-1].due == D(2039, 12, 31) and len(schedule(long, POLICY)) == 20
    contract_out = _terms(mode=OperatingMode.CONTRACT_OUT, start=D(2020, 1, 1), end=D(2049, 12, 31))
    assert not over_legal_term(contract_out, POLICY) and effective_end(contract_out, POLICY) == D(2049, 12, 31)
    assert not over_legal_term(_terms(start=D(2020, 1, 1), end=D(2039, 12, 31)), POLICY)  # exactly 20 years


def test_termination_ends_the_schedule() -> None:
    payments = schedule(_terms(terminated_on=D(2025, 5, 15)), POLICY)
    assert [(p.due, p.amount) for p in payments] == [(D(2025, 3, 31), Decimal("10000.00")),
                                                     (D(2025, 5, 15), Decimal("4945.05"))]  # 45 of 91 days  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(D(2000, 1, 1), D(2030, 12, 31)),
    days=st.integers(0, 30 * 366),
    frequency=st.sampled_from(list(Frequency)),
    timing=st.sampled_from(list(Timing)),
    paid=st.one_of(st.none(), st.integers(0, 5 * 366)),
    cut=st.one_of(st.none(), st.integers(0, 30 * 366)),
    until=st.integers(-400, 31 * 366),
)
def test_a_schedule_up_to_a_day_is_the_full_schedules_periods_starting_by_then(
    start: dt.date, days: int, frequency: Frequency, timing: Timing, paid: int | None, cut: int | None, until: int
) -> None:
    """What the scans ask (due by or between days up to the scan date) is the same from the shortened schedule."""
    terms = _terms(start=start, end=start + dt.timedelta(days=days), frequency=frequency, timing=timing,
                   paid_through=None if paid is None else start + dt.timedelta(days=paid),
                   terminated_on=None if cut is None else start + dt.timedelta(days=cut))  # fmt: skip
    day = start + dt.timedelta(days=until)
    full = schedule(terms, POLICY)
    short = schedule(terms, POLICY, until=day)
    assert short == [p for p in full if p.period_start <= day]
    assert due_by(short, day) == due_by(full, day)
    assert due_between(short, start, day) == due_between(full, start, day)


def test_accrual_counts_the_days_the_contract_binds() -> None:
    terms = _terms(frequency=Frequency.ANNUAL, amount=Decimal("36500.00"), start=D(2025, 7, 1), end=D(2026, 6, 30))
    assert accrued(terms, POLICY, D(2025, 1, 1), D(2025, 12, 31)) == Decimal("18400.00")  # 184 days
    assert due_between(schedule(terms, POLICY), D(2025, 7, 1), D(2025, 12, 31)) == Decimal("0.00")


def test_rent_far_below_the_assets_value_or_the_previous_contract() -> None:
    assert low_rent(Decimal("2999.99"), Decimal("100000.00"), None, POLICY)  # below 3 %
    assert low_rent(Decimal("3000.00"), Decimal("100000.00"), None, POLICY) is None
    why = low_rent(Decimal("7900.00"), Decimal("100000.00"), Decimal("10000.00"), POLICY)
    assert why and "续约" in why  # below 80 % of the rent it renews
    assert low_rent(None, Decimal("100000.00"), None, POLICY) is None


def test_terms_that_cannot_be_a_contract() -> None:
    fields = {f for f, _ in term_problems(_terms(end=D(2024, 1, 1)))}
    assert fields == {"end"}
    assert {f for f, _ in term_problems(_terms(mode=OperatingMode.SELF_RUN))} == {"mode"}
    assert {f for f, _ in term_problems(_terms(amount=Decimal("0.00")))} == {"amount"}
    assert {f for f, _ in term_problems(_terms(amount=Decimal("999999999.00"), frequency=Frequency.MONTHLY))} == {
        "amount"
    }  # twelve a year would pass the bound of one amount
