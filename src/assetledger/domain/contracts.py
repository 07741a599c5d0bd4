"""Operating contracts (经营合同): terms, the payment schedule, and the findings of rule 20. Pure.

The schedule: the term is cut into periods of the contract's frequency (a year, a quarter, a month) counted from its
start; each period's payment falls due on its first day when paid in advance (先付) and on its last day when paid in
arrears (后付); a last period cut short by the end of the term pays its share by days. Payments for periods that
started on or before `paid_through` (settled before the contract was recorded here) are not expected again.

A lease's term beyond the legal limit (20 years, Civil Code art. 705) is void: the schedule and the contract's
effective end stop at the limit, and the contract is a finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from assetledger.domain.enums import OperatingMode
from assetledger.domain.money import FEN, ZERO, amount_problem

DAYS_IN_YEAR = Decimal(365)


class Frequency(StrEnum):
    ANNUAL = "annual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"

    @property
    def months(self) -> int:
        return {Frequency.ANNUAL: 12, Frequency.QUARTERLY: 3, Frequency.MONTHLY: 1}[self]

    @property
    def per_year(self) -> int:
        return 12 // self.months

    @property
    def label(self) -> str:
        return {Frequency.ANNUAL: "按年", Frequency.QUARTERLY: "按季", Frequency.MONTHLY: "按月"}[self]


class Timing(StrEnum):
    ADVANCE = "advance"  # 先付: due on the period's first day
    ARREARS = "arrears"  # 后付: due on the period's last day

    @property
    def label(self) -> str:
        return "先付" if self is Timing.ADVANCE else "后付"


FREQUENCY_WORDS = {"按年": "annual", "年": "annual", "每年": "annual", "年付": "annual", "按季": "quarterly",
                   "季": "quarterly", "每季": "quarterly", "季付": "quarterly", "按季度": "quarterly",
                   "按月": "monthly", "月": "monthly", "每月": "monthly", "月付": "monthly"}  # fmt: skip
TIMING_WORDS = {"先付": "advance", "预付": "advance", "先付后用": "advance", "后付": "arrears", "先用后付": "arrears",
                "期末支付": "arrears", "期初支付": "advance"}  # fmt: skip
NO_CONTRACT_MODES = (OperatingMode.SELF_RUN,)  # 自营: the collective runs it itself, no counterparty


class AlertKind(StrEnum):
    NO_CONTRACT = "no_contract"
    EXPIRED = "expired"
    EXPIRING = "expiring"
    OVER_LEGAL_TERM = "over_legal_term"
    ARREARS = "arrears"
    LOW_RENT = "low_rent"

    @property
    def label(self) -> str:
        return ALERT_LABELS[self]


ALERT_LABELS = {
    AlertKind.NO_CONTRACT: "经营无合同 operating without a contract",
    AlertKind.EXPIRED: "合同已到期仍在经营 operating past its contract",
    AlertKind.EXPIRING: "合同即将到期 contract expiring",
    AlertKind.OVER_LEGAL_TERM: "租期超过法定上限 lease term beyond the legal limit",
    AlertKind.ARREARS: "欠缴租金/收益 revenue due but not posted",
    AlertKind.LOW_RENT: "租金明显偏低 rent far below the benchmark",
}


@dataclass(frozen=True)
class ContractPolicy:
    """The county's thresholds for contract findings (`[contracts]` of the governance policy file)."""

    expiring_days: int = 90  # a contract ending within this many days, with no successor, is expiring
    grace_days: int = 30  # a payment not posted this many days after it fell due is in arrears
    max_years: dict[str, int] = field(default_factory=lambda: {OperatingMode.LEASE.value: 20})
    min_yield_pct: Decimal = Decimal(3)  # yearly rent below this % of the assets' value is far below
    renewal_floor_pct: Decimal = Decimal(80)  # a renewal below this % of the previous rent is far below
    arrears_tolerance: Decimal = Decimal("0.00")  # shortfalls up to this many yuan are not findings


@dataclass(frozen=True)
class Terms:
    """What a contract says about money and time (the schedule's input)."""

    mode: OperatingMode
    start: dt.date
    end: dt.date
    amount: Decimal | None
    frequency: Frequency
    timing: Timing
    paid_through: dt.date | None = None
    terminated_on: dt.date | None = None

    @property
    def annual(self) -> Decimal | None:
        return None if self.amount is None else self.amount * self.frequency.per_year


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = m + 1
    last = (dt.date(y + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, month, min(day.day, last))


def legal_end(terms: Terms, policy: ContractPolicy) -> dt.date | None:
    """The last day the law lets the contract run, when its mode has a limit (leases: 20 years)."""
    years = policy.max_years.get(terms.mode.value)
    return None if years is None else add_months(terms.start, 12 * years) - dt.timedelta(days=1)


def over_legal_term(terms: Terms, policy: ContractPolicy) -> bool:
    limit = legal_end(terms, policy)
    return limit is not None and terms.end > limit


def effective_end(terms: Terms, policy: ContractPolicy) -> dt.date:
    """The day the contract stops binding: its end, its termination, or the legal limit, whichever is first."""
    ends = [terms.end]
    if terms.terminated_on is not None:
        ends.append(terms.terminated_on)
    limit = legal_end(terms, policy)
    if limit is not None:
        ends.append(limit)
    return min(ends)


@dataclass(frozen=True)
class Payment:
    period_start: dt.date
    period_end: dt.date
    due: dt.date
    amount: Decimal


def schedule(terms: Terms, policy: ContractPolicy, until: dt.date | None = None) -> list[Payment]:
    """Every payment of the term (see the module's docstring); none when the contract fixes no amount. With `until`:
    only the periods starting on or before it (the others fall due after it, whatever the timing)."""
    if terms.amount is None:
        return []
    last_day = effective_end(terms, policy)
    end = last_day if until is None else min(last_day, until)  # periods are cut short at the effective end only
    payments: list[Payment] = []
    index = 0
    start = terms.start
    while True:
        if start > end:
            return payments
        following = add_months(terms.start, (index + 1) * terms.frequency.months)
        full_end = following - dt.timedelta(days=1)
        period_end = min(full_end, last_day)
        amount = terms.amount
        if period_end < full_end:  # cut short: its share by days
            share = Decimal((period_end - start).days + 1) / Decimal((full_end - start).days + 1)
            amount = (terms.amount * share).quantize(FEN, ROUND_HALF_UP)
        if terms.paid_through is None or start > terms.paid_through:
            due = start if terms.timing is Timing.ADVANCE else period_end
            payments.append(Payment(start, period_end, due, amount))
        index += 1
        start = following


def due_by(payments: Sequence[Payment], day: dt.date) -> Decimal:
    """What had fallen due on or before `day`."""
    return sum((p.amount for p in payments if p.due <= day), ZERO)


def due_between(payments: Sequence[Payment], first: dt.date, last: dt.date) -> Decimal:
    """What falls due from `first` to `last`, both included."""
    return sum((p.amount for p in payments if first <= p.due <= last), ZERO)


def accrued(terms: Terms, policy: ContractPolicy, first: dt.date, last: dt.date) -> Decimal:
    """The yearly rent earned over the days from `first` to `last` that the contract binds (365 days a year)."""
    annual = terms.annual
    if annual is None:
        return ZERO
    start, end = max(first, terms.start), min(last, effective_end(terms, policy))
    if end < start:
        return ZERO
    return (annual * Decimal((end - start).days + 1) / DAYS_IN_YEAR).quantize(FEN, ROUND_HALF_UP)


def in_force(terms: Terms, policy: ContractPolicy, day: dt.date) -> bool:
    return terms.start <= day <= effective_end(terms, policy)


def term_problems(terms: Terms, *, deposit: Decimal | None = None) -> list[tuple[str, str]]:
    """(field, reason) for every way the terms cannot be a contract of record."""
    problems: list[tuple[str, str]] = []
    if terms.mode in NO_CONTRACT_MODES:
        problems.append(("mode", f"{terms.mode.label} 自营无需合同 a self-run asset has no operating contract"))
    if terms.end < terms.start:
        problems.append(("end", f"合同截止早于起始 ends ({terms.end}) before it starts ({terms.start})"))
    for name, amount in (("amount", terms.amount), ("deposit", deposit)):
        if amount is None:
            continue
        problem = amount_problem(amount)
        if problem:
            problems.append((name, f"{amount}: {problem}"))
        elif amount < 0 or (name == "amount" and amount == 0):
            problems.append((name, f"{amount} 须大于 0 ({amount}: must be positive)"))
        elif name == "amount" and terms.annual is not None and amount_problem(terms.annual):
            problems.append((name, f"{amount} × {terms.frequency.per_year} a year: {amount_problem(terms.annual)}"))
    if terms.paid_through is not None and terms.paid_through < terms.start - dt.timedelta(days=1):
        problems.append(("paid_through", "已缴至早于合同起始 settled through a day before the contract starts"))
    return problems


def low_rent(
    annual: Decimal | None, value: Decimal, previous_annual: Decimal | None, policy: ContractPolicy
) -> str | None:
    """Why a yearly rent is far below its benchmark (a share of the assets' value, or of the contract it renews);
    None when it is not, or when there is no rent to judge."""
    if annual is None:
        return None
    floor = (value * policy.min_yield_pct / 100).quantize(FEN, ROUND_HALF_UP)
    if value > 0 and annual < floor:
        return (
            f"年租金 {annual:,.2f} 低于资产价值 {value:,.2f} 的 {policy.min_yield_pct}% ({floor:,.2f}) "
            f"yearly rent below {policy.min_yield_pct}% of the assets' value"
        )
    if previous_annual:
        renewal_floor = (previous_annual * policy.renewal_floor_pct / 100).quantize(FEN, ROUND_HALF_UP)
        if annual < renewal_floor:
            return (
                f"续约年租金 {annual:,.2f} 低于原合同 {previous_annual:,.2f} 的 {policy.renewal_floor_pct}% "
                f"renewed below {policy.renewal_floor_pct}% of the previous rent"
            )
    return None
