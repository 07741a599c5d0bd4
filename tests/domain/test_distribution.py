"""Distribution rules: eligibility by month, weights, exact split — properties over any weights."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetledger.domain.distribution import (
    Approval,
    Basis,
    DistributionRule,
    Household,
    JoinRule,
    Period,
    eligible_months,
    period_words,
    split,
)
from assetledger.domain.money import from_fen
from assetledger.errors import InputError
from assetledger.rules.distribution_file import parse_rule

RULES = Path(__file__).parents[2] / "ledgers" / "rules"


def rule(**over: object) -> DistributionRule:
    base: dict[str, object] = {
        "code": "R",
        "village": "V",
        "version": 1,
        "effective_from": dt.date(2025, 1, 1),
        "shares": (("household_shares", Decimal(60)), ("maintenance_reserve", Decimal(40))),
        "approval": Approval("村民代表大会", dt.date(2025, 1, 10)),
        "notice_start": dt.date(2025, 1, 11),
    }
    base.update(over)
    return DistributionRule(**base)  # type: ignore[arg-type]


def hh(hid: str, joined: dt.date, left: dt.date | None = None, **over: object) -> Household:
    values: dict[str, object] = {"head": hid, "persons": 3, "category": "poverty_exited", "factors": ()}
    values.update(over)
    return Household(hid, joined_on=joined, left_on=left, **values)  # type: ignore[arg-type]


def test_rule_is_in_force_after_approval_and_notice() -> None:
    assert rule().in_force_from == dt.date(2025, 1, 18)
    assert rule(notice_days=0).in_force_from == dt.date(2025, 1, 11)


def test_periods() -> None:
    q2 = Period.parse("2025q2")
    assert (q2.start, q2.end, q2.months()) == (
        dt.date(2025, 4, 1),
        dt.date(2025, 6, 30),
        [(2025, m) for m in (4, 5, 6)],
    )
    assert Period.parse("2024-02").end == dt.date(2024, 2, 29)
    assert len(Period.parse("2025").months()) == 12
    with pytest.raises(ValueError):
        Period.parse("2025Q5")


def test_a_period_in_the_words_of_a_notice() -> None:
    """Notices name a period in words (2026年第3季度), never by its label (2026Q3), which is for files and commands."""
    assert [period_words(p) for p in ("2026Q3", "2025h1", "2025H2", "2025-05", "2025")] == [
        "2026年第3季度", "2025年上半年", "2025年下半年", "2025年5月", "2025年"
    ]  # fmt: skip
    assert period_words("not a period") == "not a period"


def test_household_leaving_in_month_m_counts_through_m_only() -> None:
    q2 = Period.parse("2025Q2")
    assert eligible_months(hh("a", dt.date(2020, 1, 1), dt.date(2025, 5, 3)), q2, JoinRule.JOIN_MONTH) == 2
    assert eligible_months(hh("b", dt.date(2025, 5, 31)), q2, JoinRule.JOIN_MONTH) == 2
    assert eligible_months(hh("b", dt.date(2025, 5, 31)), q2, JoinRule.NEXT_MONTH) == 1
    assert eligible_months(hh("c", dt.date(2025, 7, 1)), q2, JoinRule.JOIN_MONTH) == 0


def test_split_weights_months_and_factors() -> None:
    r = rule(factor_weights={"no_labour": Decimal(2)}, basis=Basis.PER_PERSON)
    households = [
        hh("h1", dt.date(2020, 1, 1), persons=1),  # 1 person x 3 months = 3
        hh("h2", dt.date(2020, 1, 1), persons=1, factors=("no_labour",)),  # 2 x 3 = 6
        hh("h3", dt.date(2025, 6, 1), persons=3),  # 3 x 1 = 3
        hh("h4", dt.date(2020, 1, 1), dt.date(2025, 3, 31)),  # left before the quarter: nothing
    ]
    s = split(Decimal("1000.00"), r, households, Period.parse("2025Q2"))
    assert s.by_purpose == (("household_shares", Decimal("600.00")), ("maintenance_reserve", Decimal("400.00")))
    assert [(x.household_id, x.amount) for x in s.households] == [
        ("h1", Decimal("150.00")),
        ("h2", Decimal("300.00")),
        ("h3", Decimal("150.00")),
    ]


def test_each_partial_share_says_why() -> None:
    """Months counted and the reason of every partial share: joined (this month or the next), exited, died."""
    year = Period.parse("2025")
    households = [
        hh("h1", dt.date(2020, 1, 1)),
        hh("h2", dt.date(2025, 5, 12)),
        hh("h3", dt.date(2020, 1, 1), dt.date(2025, 8, 3), left_reason="death"),
        hh("h4", dt.date(2025, 3, 1), dt.date(2025, 10, 9), left_reason="exit"),
        hh("h5", dt.date(2020, 1, 1), dt.date(2025, 12, 20), left_reason="exit"),  # through December: the whole year
    ]
    s = split(Decimal("1000.00"), rule(category_weights={"poverty_exited": Decimal("1.5")}), households, year)
    shown = {x.household_id: (x.months, x.household_weight, x.weight, x.note) for x in s.households}
    assert shown["h1"] == (12, Decimal("1.5"), Decimal("18.0"), None)
    joined = "2025-05 纳入，当月起计 (joined 2025-05, counted from that month)"
    assert shown["h2"] == (8, Decimal("1.5"), Decimal("12.0"), joined)
    assert shown["h3"][:2] == (8, Decimal("1.5")) and shown["h3"][3] == (
        "2025-08 死亡，计至当月 (died 2025-08, counted through that month)"
    )
    assert shown["h4"][0] == 8 and shown["h4"][3] == (
        "2025-03 纳入，当月起计 (joined 2025-03, counted from that month); "
        "2025-10 退出，计至当月 (exited 2025-10, counted through that month)"
    )
    assert shown["h5"] == (12, Decimal("1.5"), Decimal("18.0"), None)
    later = split(Decimal("1000.00"), rule(join_rule=JoinRule.NEXT_MONTH), households[1:2], year).households[0]
    assert (later.months, later.note) == (7, "2025-05 纳入，次月起计 (joined 2025-05, counted from 2025-06)")


def test_split_refuses_household_share_with_nobody_eligible() -> None:
    with pytest.raises(ValueError, match="no household is eligible"):
        split(Decimal("10.00"), rule(), [], Period.parse("2025Q2"))


weights = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(10), places=2)
household_lists = st.lists(
    st.tuples(st.integers(1, 8), weights, st.integers(1, 12), st.one_of(st.none(), st.integers(1, 12))),
    min_size=1,
    max_size=40,
)
percent_lists = st.lists(st.integers(1, 50), min_size=1, max_size=8)


@settings(max_examples=300)
@given(st.integers(0, 10**10).map(from_fen), household_lists, percent_lists, weights)
def test_parts_always_sum_to_the_total_and_none_is_negative(
    total: Decimal, people: list[tuple[int, Decimal, int, int | None]], pcts: list[int], factor: Decimal
) -> None:
    codes = [
        "household_shares",
        "aid_without_labour",
        "public_welfare_jobs",
        "maintenance_reserve",
        "village_public_goods",
        "industry_rewards",
        "reinvestment",
        "risk_reserve",
    ]
    shares = tuple((codes[i], Decimal(p)) for i, p in enumerate(pcts))
    r = rule(
        shares=shares,
        category_weights={"poverty_exited": factor},
        factor_weights={"sick": factor},
        basis=Basis.PER_PERSON,
    )
    households = [
        hh(
            f"h{i:03d}",
            dt.date(2025, joined, 1),
            dt.date(2025, left, 1) if left and left >= joined else None,
            persons=persons,
            factors=("sick",) if w > 5 else (),
        )
        for i, (persons, w, joined, left) in enumerate(people)
    ]
    s = split(total, r, households, Period.parse("2025"))
    assert sum((a for _, a in s.by_purpose), Decimal(0)) == total
    assert all(a >= 0 for _, a in s.by_purpose)
    household_part = dict(s.by_purpose)["household_shares"]
    assert sum((x.amount for x in s.households), Decimal(0)) == household_part
    assert all(x.amount >= 0 and x.months > 0 for x in s.households)


def test_example_rule_files_parse() -> None:
    toml_rule = parse_rule(RULES / "example-village-rule.toml")
    assert sum(p for _, p in toml_rule.shares) == 100
    yaml_rule = parse_rule(RULES / "example-village-rule.yaml")
    assert yaml_rule.join_rule is JoinRule.NEXT_MONTH


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        ("household_shares = 30", "purposes", "sum to 100, they sum to 90"),
        ("household_shares = 40\nbuy_cars = 10", "purposes.buy_cars", "unknown purpose"),
        ("household_shares = 40\nvillage_committee_costs = 10", "purposes.village_committee_costs", "forbidden"),
        ("household_shares = -5", "purposes.household_shares", "above 0"),
        ("no_labour = 0", "households.factor_weights.no_labour", "greater than 0"),
        ('household_shares = "lots"', "purposes.household_shares", "not a number"),
    ],
)
def test_bad_rule_files_name_key_and_value(tmp_path: Path, change: str, key: str, reason: str) -> None:
    text = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    first, rest = change.split("\n", 1) if "\n" in change else (change, "")
    target = first.split("=")[0].strip()
    lines = []
    for line in text.splitlines():
        if line.split("#")[0].split("=")[0].strip() == target:
            line = first + ("\n" + rest if rest else "")
        lines.append(line)
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_rule(bad)
    text_out = str(caught.value)
    assert str(bad) in text_out and key in text_out and reason in text_out, text_out
