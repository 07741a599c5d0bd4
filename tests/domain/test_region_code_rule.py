"""The one rule for region codes (domain/regions.py): what code each level may have, GB/T 2260 for cities and
counties and the statistical 统计用区划代码 below them, and the 12-digit statistical forms read as the short codes."""

from __future__ import annotations

import pytest

from assetledger.domain.enums import RegionLevel
from assetledger.domain.regions import RegionNode, code_problem, parent_problem, short_code


@pytest.mark.parametrize(
    ("written", "level", "expected"),
    [
        ("3609", RegionLevel.CITY, None),
        ("360900", RegionLevel.CITY, None),
        ("360900000000", RegionLevel.CITY, None),  # the city's 12-digit form is its 6-digit one
        ("360921", RegionLevel.COUNTY, None),
        ("360921000000", RegionLevel.COUNTY, None),
        ("360921101", RegionLevel.TOWNSHIP, None),
        ("360921101000", RegionLevel.TOWNSHIP, None),
        ("360921101201", RegionLevel.VILLAGE, None),
        ("36092110120X", RegionLevel.VILLAGE, "digits only"),
        ("３６０９２１", RegionLevel.COUNTY, "digits only"),  # full-width: region import folds it first
        ("3609221019", RegionLevel.VILLAGE, "a village code has 12 digits; this has 10"),
        ("360921", RegionLevel.TOWNSHIP, "a township code has 9 digits; this has 6"),
        ("36092", RegionLevel.CITY, "a city code has 4 or 6 digits; this has 5"),
        ("360921", RegionLevel.CITY, "a city code is 4 digits (3609), or those and 00 (360900)"),
        ("3600", RegionLevel.CITY, "a city code is 4 digits"),  # a province
        ("360900", RegionLevel.COUNTY, "a county code does not end in 00"),
        ("360921000", RegionLevel.TOWNSHIP, "a township code does not end in 000"),
        ("360921101000", RegionLevel.VILLAGE, "the 12-digit form of the township code 360921101, not a village"),
        ("360921000000", RegionLevel.TOWNSHIP, "the 12-digit form of the county code 360921, not a township"),
    ],
)
def test_the_code_a_level_can_have(written: str, level: RegionLevel, expected: str | None) -> None:
    problem = code_problem(written, level)
    assert (problem is None) if expected is None else (problem is not None and expected in problem), problem


def test_the_12_digit_forms_are_the_short_codes() -> None:
    assert short_code("360921000000") == "360921"
    assert short_code("360921101000") == "360921101"
    assert short_code("360921101201") == "360921101201"  # a village's code is 12 digits already
    assert short_code("360921") == "360921" and short_code("36092110100X") == "36092110100X"


def test_a_childs_code_starts_with_its_parents() -> None:
    city = RegionNode("360900", "宜春市", RegionLevel.CITY, None)
    assert parent_problem("360921", RegionLevel.COUNTY, city) is None  # a city's first four digits
    assert parent_problem("360921", RegionLevel.COUNTY, RegionNode("3609", "宜春市", RegionLevel.CITY, None)) is None
    township = RegionNode("360921101", "城青镇", RegionLevel.TOWNSHIP, "360921")
    assert parent_problem("360921101201", RegionLevel.VILLAGE, township) is None
    problem = parent_problem("360922101201", RegionLevel.VILLAGE, township)
    assert problem is not None and "does not start with the code 360921101 of its township 城青镇" in problem
