"""A county's governance policy file (rules/governance_policy.py), read without a database: the shipped file, and
bad files refused with every fault named by its key and value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.governance import GovernancePolicy
from assetledger.errors import InputError
from assetledger.rules.governance_policy import load_policy, parse_policy, shipped_policy_path


def test_the_shipped_policy_reads_as_its_comments_say() -> None:
    policy = load_policy(shipped_policy_path())
    assert (policy.idle_months, policy.loss_months) == (6, 12)
    assert [(band.max_value, band.level) for band in policy.bands] == [
        (Decimal("50000.00"), "village"), (Decimal("500000.00"), "township"), (None, "county"),
    ]  # fmt: skip
    assert policy.required_level(Decimal("50000.00")) is ApprovalLevel.VILLAGE
    assert policy.required_level(Decimal("50000.01")) is ApprovalLevel.TOWNSHIP
    assert policy.required_level(Decimal("9000000.00")) is ApprovalLevel.COUNTY
    assert policy.contracts.max_years == {"lease": 20}


def test_an_empty_file_is_the_default_policy() -> None:
    assert parse_policy("", "empty.toml") == GovernancePolicy()


def test_every_fault_is_named_by_key_and_value_at_once() -> None:
    text = """
[scan]
idle_months = 0
loss_months = true
[[approval]]
level = "province"
[[approval]]
max_value = "lots"
level = "county"
[contracts]
grace_days = -1
rent = 5
max_years = { barter = 3 }
"""
    with pytest.raises(InputError) as refused:
        parse_policy(text, "county.toml")
    named = {(f.source, f.column, f.value) for f in refused.value.findings}
    assert named == {
        ("county.toml", "scan.idle_months", "0"),
        ("county.toml", "scan.loss_months", "True"),
        ("county.toml", "approval[0].level", "province"),
        ("county.toml", "approval[1].max_value", "lots"),
        ("county.toml", "contracts.grace_days", "-1"),
        ("county.toml", "contracts.rent", "5"),
        ("county.toml", "contracts.max_years.barter", "3"),
    }


def test_a_file_that_is_not_toml_is_refused_naming_the_file() -> None:
    with pytest.raises(InputError) as refused:
        parse_policy("[scan\nidle_months = 6", "broken.toml")
    [finding] = refused.value.findings
    assert finding.source == "broken.toml" and "cannot read policy" in finding.reason
