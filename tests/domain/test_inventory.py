"""Inventory rules without a database: who is due, result spellings, scopes, the county policy file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetledger.domain.enums import RegionLevel
from assetledger.domain.inventory import (
    CountResult,
    DueReason,
    InventoryPolicy,
    due,
    load_inventory_policy,
    parse_result,
    parse_scope,
)
from assetledger.errors import InputError

POLICY = Path(__file__).parents[2] / "ledgers" / "policy" / "inventory.toml"


@pytest.mark.parametrize(
    ("owner", "register", "last", "expected"),
    [
        ("village", "public_benefit", None, (True, DueReason.COLLECTIVE)),
        ("village", "operating", 2024, (True, DueReason.COLLECTIVE)),  # every year
        ("county", "public_benefit", None, (True, DueReason.STATE_NEVER_COUNTED)),
        (None, "public_benefit", None, (True, DueReason.STATE_NEVER_COUNTED)),  # unconfirmed: the county's books
        ("department", "public_benefit", 2023, (False, DueReason.STATE_COUNTED_RECENTLY)),
        ("township", "operating", 2022, (True, DueReason.STATE_DUE)),  # three years on
        ("household", "household", None, (False, DueReason.HOUSEHOLD_NOT_COUNTED)),
        ("enterprise", "operating", None, (False, DueReason.ENTERPRISE)),
    ],
)
def test_due_follows_the_cycle(owner: str | None, register: str, last: int | None, expected: object) -> None:
    assert due(owner, register, last, 2025, InventoryPolicy()) == expected


def test_policy_can_count_households_and_stretch_the_collective_cycle() -> None:
    policy = InventoryPolicy(collective_every_years=2, count_household=True)
    assert due("household", "household", None, 2025, policy) == (True, DueReason.HOUSEHOLD)
    assert due("village", "public_benefit", 2024, 2025, policy) == (False, DueReason.COLLECTIVE_COUNTED_RECENTLY)
    assert due("village", "public_benefit", 2023, 2025, policy) == (True, DueReason.COLLECTIVE)


def test_results_parse_from_chinese_and_english() -> None:
    assert parse_result("盘亏") is CountResult.MISSING
    assert parse_result(" 在用 ") is CountResult.IN_USE
    assert parse_result("damaged") is CountResult.DAMAGED
    assert parse_result("盘盈", surplus=True) is CountResult.IN_USE
    with pytest.raises(ValueError, match="unknown result"):
        parse_result("盘盈")  # only a surplus row is a surplus
    with pytest.raises(ValueError, match="cannot be missing"):
        parse_result("盘亏", surplus=True)
    assert CountResult.MISSING.status is None and CountResult.IDLE.status is not None


def test_scopes() -> None:
    assert parse_scope("county:360921").level is RegionLevel.COUNTY
    assert parse_scope("村:360921101201").level is RegionLevel.VILLAGE
    for bad in ("360921", "county:", "planet:1"):
        with pytest.raises(ValueError):
            parse_scope(bad)


def test_policy_file(tmp_path: Path) -> None:
    assert load_inventory_policy(POLICY) == InventoryPolicy()
    assert load_inventory_policy(None) == InventoryPolicy()
    bad = tmp_path / "bad.toml"
    bad.write_text('[inventory]\nstate_every_years = 0\ncount_household = "yes"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inventory_policy(bad)
    assert {f.column for f in caught.value.findings} == {"inventory.state_every_years", "inventory.count_household"}
