"""Names on the public pages (issue 24): masked as Chinese notices online mask them."""

from __future__ import annotations

import pytest

from assetledger.domain.publication import mask_name


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
