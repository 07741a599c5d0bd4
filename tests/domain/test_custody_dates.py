"""Custody (管护) cannot start before the asset existed: its acquisition date, else the start of its build year."""

from __future__ import annotations

import datetime as dt

import pytest

from assetledger.domain.asset_changes import Facts, Outcome, Refusal, check
from assetledger.domain.assets import Custody
from assetledger.domain.enums import AssetStatus, Register


def _facts(acquired: dt.date | None, built: int | None) -> Facts:
    return Facts("A-1", Register.PUBLIC_BENEFIT, AssetStatus.IN_USE, "360921", acquired_on=acquired, build_year=built)


@pytest.mark.parametrize(
    ("acquired", "built", "start", "refused"),
    [
        (dt.date(2023, 3, 15), 2022, dt.date(2020, 1, 1), True),  # the acquisition decides, not the build year
        (dt.date(2023, 3, 15), 2022, dt.date(2023, 3, 14), True),
        (dt.date(2023, 3, 15), 2022, dt.date(2023, 3, 15), False),
        (None, 2021, dt.date(2020, 12, 31), True),
        (None, 2021, dt.date(2021, 1, 1), False),
        (None, None, dt.date(1990, 1, 1), False),  # nothing to judge by
    ],
)
def test_custody_starts_once_the_asset_exists(
    acquired: dt.date | None, built: int | None, start: dt.date, refused: bool
) -> None:
    verdict = check(_facts(acquired, built), Custody("张三", start, None))
    if refused:
        assert isinstance(verdict, Refusal) and verdict.field == "custodian_since"
        assert str(start) in verdict.reason and "existed" in verdict.reason
    else:
        assert verdict is Outcome.APPLY
