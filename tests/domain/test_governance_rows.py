"""The governance list's rows and the county report's rows (domain/governance.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal

import pytest

from assetledger.domain.contracts import AlertKind
from assetledger.domain.governance import CountyGovernance, FlaggedAsset


def _flagged(finding: str) -> FlaggedAsset:
    return FlaggedAsset(
        "A-1", "冷库", "operating", None, "360921", "360921101", None, "idle", "冷链公司", Decimal("100.00"),
        dt.date(2024, 5, 1), Decimal("0.00"), Decimal("30.00"), None, None, Decimal("-30.00"), finding, None,
        "示范县治理政策", 12, 12,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("finding", "idle", "loss"),
    [
        ("marked_idle", True, False),
        ("no_revenue", True, False),
        ("loss_making", False, True),
        ("marked_idle+loss_making", True, True),
        ("no_revenue+loss_making", True, True),
    ],
)
def test_a_flagged_asset_says_whether_it_is_idle_and_loss_making(finding: str, idle: bool, loss: bool) -> None:
    flagged = _flagged(finding)
    assert (flagged.idle, flagged.loss_making) == (idle, loss)


def test_a_flagged_asset_is_placed_at_each_level() -> None:
    flagged = _flagged("no_revenue")
    assert [flagged.code_at(level) for level in ("county", "township", "village")] == ["360921", "360921101", None]
    assert flagged.place == "360921101"


def test_the_county_report_counts_every_kind_of_contract_finding() -> None:
    """A new kind of contract alert needs its column in the report (the report counts alerts by kind's value)."""
    names = {f.name for f in fields(CountyGovernance)}
    assert {kind.value for kind in AlertKind} <= names
