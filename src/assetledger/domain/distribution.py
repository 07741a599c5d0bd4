"""Revenue distribution (收益分配): rules, eligibility by month, and exact allocation to purposes and households.

Pure. The household rule of DOMAIN 5 (法库县 2025): a household that exits, or whose member dies, in month M receives
for months up to and including M and nothing after. A household that joins in month M counts from month M
(`join_counts_from = "join_month"`) or from the month after (`"next_month"`), as the county's rule says.
A household's weight = basis units (1 per household, or its persons) × its category weight × the product of the
weights of its factors (no labour, elderly, sick, disabled …); its share is weight × eligible months in the period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from assetledger.domain.money import allocate

HUNDRED = Decimal(100)
MAX_PERSONS = 99  # persons in one household (人口): far above any real household, far below any overflow
# The shortest objection period a rule may set, for its plan and for each distribution's notice: the 7 days of
# public notice DOMAIN rule 4 names. A shorter one would let a village pay before anyone could object.
MIN_NOTICE_DAYS = 7
MAX_NOTICE_DAYS = 365  # a public notice (公示) runs 7 days commonly; a year is the most any rule sets
MAX_WEIGHT = Decimal(1000)  # a category or factor weight; their product over four factors stays exact
PLACES = Decimal("0.0001")  # percentages and weights: at most four decimal places


def persons_problem(persons: object) -> str | None:
    """Why `persons` cannot be a household's number of persons (a whole number from 1 to MAX_PERSONS), or None."""
    if isinstance(persons, bool) or not isinstance(persons, int) or not 1 <= persons <= MAX_PERSONS:
        return f"人口为 1 到 {MAX_PERSONS} 的整数 a whole number of persons, 1 to {MAX_PERSONS}"
    return None


class Basis(StrEnum):
    PER_HOUSEHOLD = "per_household"
    PER_PERSON = "per_person"


class JoinRule(StrEnum):
    JOIN_MONTH = "join_month"
    NEXT_MONTH = "next_month"


@dataclass(frozen=True)
class Purpose:
    """A use of revenue (收益用途) and where the books put it."""

    code: str
    label: str
    account: str
    households: bool = False  # the household-share purpose: split among eligible households


# Allowed uses, in the priority order of the township measure (DOMAIN 4b); configurable via a purposes file.
DEFAULT_PURPOSES: tuple[Purpose, ...] = (
    Purpose("household_shares", "农户分红", "Liabilities:DistributionPayable", households=True),
    Purpose("aid_without_labour", "无劳动能力人员救助", "Liabilities:Payable:Aid"),
    Purpose("public_welfare_jobs", "公益岗位工资", "Liabilities:WagesPayable:PublicWelfareJobs"),
    Purpose("maintenance_reserve", "资产管护经费", "Equity:PublicWelfareFund:Maintenance"),
    Purpose("consolidation_projects", "巩固衔接项目", "Equity:PublicWelfareFund:Consolidation"),
    Purpose("village_public_goods", "村内小型公益事业", "Liabilities:Payable:PublicGoods"),
    Purpose("industry_rewards", "产业发展奖补", "Liabilities:Payable:IndustryRewards"),
    Purpose("reinvestment", "扩大再生产", "Equity:PublicWelfareFund:Reinvestment"),
    Purpose("risk_reserve", "风险保障金", "Equity:PublicWelfareFund:RiskReserve"),
    Purpose("collective_economy", "壮大村集体经济", "Equity:PublicWelfareFund:CollectiveEconomy"),
)
# Never allowed (DOMAIN 4b); a rule naming one is refused.
DEFAULT_FORBIDDEN: Mapping[str, str] = {
    "village_committee_costs": "村级组织运转经费",
    "vehicles_phones": "购置车辆、通讯工具",
    "allowances_welfare": "发放补贴、福利",
    "covering_losses": "弥补亏损",
    "debts": "偿还债务",
    "office_buildings": "修建办公场所",
    "large_infrastructure": "大型基础设施建设",
}


@dataclass(frozen=True)
class Approval:
    body: str  # 村民代表大会 …
    date: dt.date
    document: str | None = None


@dataclass(frozen=True)
class DistributionRule:
    code: str
    village: str  # village region code
    version: int
    effective_from: dt.date
    shares: tuple[tuple[str, Decimal], ...]  # (purpose code, percent); sums to 100
    approval: Approval
    notice_start: dt.date
    notice_days: int = 7
    # 公示期 of each distribution's result before households are paid; None: the plan's own notice_days.
    payout_notice_days: int | None = None
    assets: tuple[str, ...] = ()  # empty: the village's pooled revenue of all its assets
    basis: Basis = Basis.PER_HOUSEHOLD
    category_weights: Mapping[str, Decimal] = field(default_factory=dict)
    factor_weights: Mapping[str, Decimal] = field(default_factory=dict)
    join_rule: JoinRule = JoinRule.JOIN_MONTH
    base: str = "net"  # "net": revenue less the covered assets' costs (never below zero); "revenue": revenue

    @property
    def in_force_from(self) -> dt.date:
        """The first day the rule may be applied: after approval and after its public notice has run."""
        notice_end = self.notice_start + dt.timedelta(days=self.notice_days)
        return max(self.effective_from, self.approval.date, notice_end)

    @property
    def objection_days(self) -> int:
        """Days a distribution's public notice runs before its households may be paid (DOMAIN rule 15)."""
        return self.notice_days if self.payout_notice_days is None else self.payout_notice_days

    def first_payout_day(self, noticed_on: dt.date) -> dt.date:
        """The first day a distribution noticed on `noticed_on` may be paid: its objection period has passed."""
        return noticed_on + dt.timedelta(days=self.objection_days)


@dataclass(frozen=True)
class Household:
    household_id: str
    head: str
    persons: int
    category: str
    factors: tuple[str, ...]
    joined_on: dt.date
    left_on: dt.date | None = None
    left_reason: str | None = None


@dataclass(frozen=True)
class Period:
    """A month, quarter, half or year: 2025-05, 2025Q2, 2025H1, 2025."""

    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def parse(cls, text: str) -> Period:
        raw = text.strip().upper()
        match = _PERIOD.fullmatch(raw)
        if match is None:
            raise ValueError(
                f"期间“{text}”应写作 2025、2025H1、2025Q2 或 2025-05 (period "
                f"{text!r}: write 2025, 2025H1, 2025Q2 or 2025-05)"
            )
        year = int(match["year"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(
                f"期间“{text}”的年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间 "
                f"(period {text!r}: the year must be between {MIN_YEAR} and {MAX_YEAR})"
            )
        if match["quarter"]:
            first, last, label = _span(int(match["quarter"]), 3, 4, text)
            label = f"{year}Q{label}"
        elif match["half"]:
            first, last, label = _span(int(match["half"]), 6, 2, text)
            label = f"{year}H{label}"
        elif match["month"]:
            first, last, _ = _span(int(match["month"]), 1, 12, text)
            label = f"{year}-{first:02d}"
        else:
            first, last, label = 1, 12, str(year)
        return cls(dt.date(year, first, 1), _month_end(year, last), label)

    @property
    def words(self) -> str:
        """The period as a notice names it: 2025年第2季度, 2025年上半年, 2025年5月, 2025年 (the label is for files)."""
        year, kind, number = self.start.year, self.label[4:5], self.label[5:]
        if kind == "Q":
            return f"{year}年第{number}季度"
        if kind == "H":
            return f"{year}年{'上' if number == '1' else '下'}半年"
        if kind == "-":
            return f"{year}年{self.start.month}月"
        return f"{year}年"

    def months(self) -> list[tuple[int, int]]:
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def overlaps(self, other: Period) -> bool:
        """Do the two periods share a month? (2025 and 2025Q4 do; 2025Q3 and 2025Q4 do not.)"""
        return self.start <= other.end and other.start <= self.end


MIN_YEAR, MAX_YEAR = 2000, 2100
_PERIOD = re.compile(r"(?P<year>\d{4})(?:Q(?P<quarter>\d{1,2})|H(?P<half>\d{1,2})|-(?P<month>\d{1,2}))?")


def period_words(label: str) -> str:
    """A period's label (2025Q2, as stored and typed) in the words of a notice (2025年第2季度); a label that is not
    a period is returned as it is."""
    try:
        return Period.parse(label).words
    except ValueError:
        return label


def _span(number: int, size: int, count: int, text: str) -> tuple[int, int, str]:
    """First and last month of the number-th part of a year cut into `count` parts of `size` months."""
    if not 1 <= number <= count:
        raise ValueError(
            f"期间“{text}”应写作 2025、2025H1、2025Q2 或 2025-05 (period "
            f"{text!r}: write 2025, 2025H1, 2025Q2 or 2025-05)"
        )
    return size * (number - 1) + 1, size * number, str(number)


def pools_overlap(assets: tuple[str, ...], others: tuple[str, ...]) -> bool:
    """Do two rules share revenue? A rule without an asset list pools every asset of its village."""
    return not assets or not others or bool(set(assets) & set(others))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def eligible_months(h: Household, period: Period, join_rule: JoinRule) -> int:
    first = (h.joined_on.year, h.joined_on.month)
    if join_rule is JoinRule.NEXT_MONTH:
        first = (first[0] + 1, 1) if first[1] == 12 else (first[0], first[1] + 1)
    last = (h.left_on.year, h.left_on.month) if h.left_on else (9999, 12)
    return sum(1 for ym in period.months() if first <= ym <= last)


def plain(value: Decimal) -> Decimal:
    """A weight as people write it: 1.5, not 1.50 or 1.500000; 2, not 2.0 (and never 2E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def household_weight(h: Household, rule: DistributionRule) -> Decimal:
    units = Decimal(h.persons) if rule.basis is Basis.PER_PERSON else Decimal(1)
    weight = units * rule.category_weights.get(h.category, Decimal(1))
    for factor in h.factors:
        weight *= rule.factor_weights.get(factor, Decimal(1))
    return weight


LEFT_LABELS = {"death": ("死亡", "died"), "exit": ("退出", "exited")}


def _month(ym: tuple[int, int]) -> str:
    return f"{ym[0]}-{ym[1]:02d}"


def share_reasons(h: Household, period: Period, join_rule: JoinRule) -> list[tuple[str, str]]:
    """Why a household shares fewer months than the period has (joined, exited or died in it): (Chinese, English)
    for each reason; none when it shares every month."""
    reasons = []
    months = period.months()
    joined = (h.joined_on.year, h.joined_on.month)
    first = joined
    if join_rule is JoinRule.NEXT_MONTH:
        first = (first[0] + 1, 1) if first[1] == 12 else (first[0], first[1] + 1)
    if months[0] < first <= months[-1]:
        since = "that month" if first == joined else _month(first)
        zh = "当月起计" if first == joined else "次月起计"
        reasons.append((f"{_month(joined)} 纳入，{zh}", f"joined {_month(joined)}, counted from {since}"))
    if h.left_on is not None:
        left = (h.left_on.year, h.left_on.month)
        if months[0] <= left < months[-1]:
            zh, en = LEFT_LABELS.get(h.left_reason or "", ("退出", "left"))
            reasons.append((f"{_month(left)} {zh}，计至当月", f"{en} {_month(left)}, counted through that month"))
    return reasons


def share_note(h: Household, period: Period, join_rule: JoinRule) -> str | None:
    """The reasons of a partial share in Chinese with English beside it, or None for a whole share."""
    return "; ".join(f"{zh} ({en})" for zh, en in share_reasons(h, period, join_rule)) or None


@dataclass(frozen=True)
class HouseholdShare:
    household_id: str
    head: str
    months: int
    weight: Decimal  # the household's weight × its months: what its share is in proportion to
    amount: Decimal
    household_weight: Decimal = Decimal(1)  # the household's own weight (per month), as the rule gives it
    note: str | None = None  # why it shares fewer months than the period has (joined, exited, died)


@dataclass(frozen=True)
class Split:
    total: Decimal
    by_purpose: tuple[tuple[str, Decimal], ...]
    households: tuple[HouseholdShare, ...]


def split(total: Decimal, rule: DistributionRule, households: Sequence[Household], period: Period) -> Split:
    """Purposes by their percentages, then the household part by weight × months, each exact to the fen.

    Tie-break (largest remainder): the earlier purpose in the rule, the smaller household id, gets the odd fen.
    If no household is eligible the household part stays undistributed as a payable to nobody: it is refused.
    """
    purpose_parts = allocate(total, [pct for _, pct in rule.shares])
    by_purpose = tuple((code, part) for (code, _), part in zip(rule.shares, purpose_parts, strict=True))
    household_total = sum((p for c, p in by_purpose if c == "household_shares"), Decimal("0.00"))
    ordered = sorted(households, key=lambda h: h.household_id)
    months = [eligible_months(h, period, rule.join_rule) for h in ordered]
    weights = [household_weight(h, rule) * m for h, m in zip(ordered, months, strict=True)]
    shares: list[HouseholdShare] = []
    if household_total:
        if not any(weights):
            raise ValueError(
                "本期没有符合条件的受益户，但收益分配方案中有到户分配的份额 "
                "(no household is eligible in the period, but the rule gives households a share)"
            )
        amounts = allocate(household_total, weights)
        for h, m, w, amount in zip(ordered, months, weights, amounts, strict=True):
            if m:
                note = share_note(h, period, rule.join_rule)
                shares.append(HouseholdShare(h.household_id, h.head, m, w, amount, household_weight(h, rule), note))
    return Split(total, by_purpose, tuple(shares))
