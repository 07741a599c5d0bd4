"""户有户管: the owner of a household-level asset (到户类) as every reader shows it, once households are attached."""

from __future__ import annotations

import pytest

from assetledger.domain.assets import UNNAMED_HOUSEHOLDS, shown_owner
from assetledger.domain.enums import OwnerKind, Register

HOUSEHOLD, VILLAGE = OwnerKind.HOUSEHOLD, OwnerKind.VILLAGE


@pytest.mark.parametrize(
    ("register", "kind", "owner", "heads", "shown"),
    [
        # confirmed to households still to be named: the attached ones are the owners
        (Register.HOUSEHOLD, HOUSEHOLD, UNNAMED_HOUSEHOLDS, ["王一"], "王一"),
        (Register.HOUSEHOLD, HOUSEHOLD, UNNAMED_HOUSEHOLDS, ["王一", "王二"], "王一、王二"),
        (Register.HOUSEHOLD, HOUSEHOLD, UNNAMED_HOUSEHOLDS, ["甲", "乙", "丙", "丁", "戊"], "甲、乙、丙等5户"),
        # the household named at registration, and one attached later
        (Register.HOUSEHOLD, HOUSEHOLD, "王一", ["王一", "王二"], "王一、王二"),
        # no confirmation of record: they benefit, the ownership waits for its 确权
        (Register.HOUSEHOLD, None, None, ["赵六六"], "受益农户 赵六六（待确权）"),
        # nothing attached: as recorded
        (Register.HOUSEHOLD, HOUSEHOLD, UNNAMED_HOUSEHOLDS, [], UNNAMED_HOUSEHOLDS),
        (Register.HOUSEHOLD, None, None, [], None),
        # an owner a confirmation named itself stays; other registers are never touched
        (Register.HOUSEHOLD, HOUSEHOLD, "王一家庭农场", ["王二"], "王一家庭农场"),
        (Register.PUBLIC_BENEFIT, VILLAGE, "红旗村股份经济合作社", ["王一"], "红旗村股份经济合作社"),
        ("household", "household", UNNAMED_HOUSEHOLDS, ["王一"], "王一"),  # as stored (codes)
    ],
)
def test_the_owner_shown(
    register: Register | str, kind: OwnerKind | str | None, owner: str | None, heads: list[str], shown: str | None
) -> None:
    assert shown_owner(register, kind, owner, heads) == shown
