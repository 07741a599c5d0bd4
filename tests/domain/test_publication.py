"""Names on the public pages (issue 24): masked as Chinese notices online mask them."""

from __future__ import annotations

import pytest

from assetledger.domain.publication import mask_name, mask_number


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳明华", "欧**华"),
        ("王", "王"),
        ("", ""),
        (None, ""),
        (" 李四 ", "李*"),
    ],
)
def test_names_keep_their_first_and_last_character_only(name: str | None, shown: str) -> None:
    assert mask_name(name) == shown


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("360921199001011234", "**************1234"),  # an ID-card number
        ("36092119900101123X", "**************123X"),
        ("360921900101123", "***********1123"),  # the old 15-digit card
        ("H-13912345678", "H-*******5678"),  # a mobile number inside a household's number
        ("H001", "H001"),
        ("360921101201-0012", "360921101201-0012"),  # a village code and a number: no personal number
    ],
)
def test_a_paper_notice_masks_personal_numbers_in_a_households_number(number: str, shown: str) -> None:
    assert mask_number(number) == shown
