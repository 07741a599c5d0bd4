"""Who reads household personal data: decided once (domain/access.HOUSEHOLD_RECORDS), least privilege."""

from __future__ import annotations

from assetledger.domain.access import Role, may_read_households


def test_only_the_roles_that_read_distributions_read_households() -> None:
    assert {role for role in Role if may_read_households(role)} == {
        Role.FINANCE,
        Role.VILLAGE_ACCOUNTANT,
        Role.AUDITOR,
    }
    assert not may_read_households(Role.INVENTORY)
