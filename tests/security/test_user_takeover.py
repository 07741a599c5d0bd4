"""A county's bureau manages its own county's users and no one else's: granting another county's (or the city's)
user name anew in its own county, then setting its password, would be a takeover of that account."""

from __future__ import annotations

import pytest

from assetledger.domain.access import Role
from assetledger.errors import PermissionDenied, RuleViolation
from assetledger.services.users import check_password, grant, list_users, revoke, set_password
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import write_csv

REGIONS = [
    ["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
    ["宜春市", "360900", "示范县", "360921", "东风镇", "360921101", "红旗村", "360921101201"],
    ["宜春市", "360900", "江安县", "360923", "青山乡", "360923102", "大树村", "360923102201"],
]
PASSWORD = "the city's own password"


@pytest.fixture
def city(run: Cli, db: Database) -> Database:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    grant(db, "root", Role.FINANCE, "*", "setup")
    grant(db, "city", Role.FINANCE, "360900", "root")
    grant(db, "fin", Role.FINANCE, "360921", "root")
    grant(db, "fin3", Role.FINANCE, "360923", "root")
    grant(db, "acc3", Role.VILLAGE_ACCOUNTANT, "360923102201", "fin3")
    set_password(db, "city", PASSWORD, "root")
    return db


@pytest.mark.parametrize("victim", ["city", "fin3", "acc3"])
def test_a_county_cannot_take_over_a_user_of_another_scope(city: Database, victim: str) -> None:
    with pytest.raises(PermissionDenied):
        grant(city, victim, Role.FINANCE, "360921", "fin")
    with pytest.raises(PermissionDenied):
        set_password(city, victim, "a takeover password", "fin")
    before = {u.name: (u.role, u.scope) for u in list_users(city, "root")}
    assert before["city"] == ("finance", "360900") and before["fin3"] == ("finance", "360923")


def test_a_revoked_user_of_another_county_stays_that_countys(city: Database) -> None:
    revoke(city, "acc3", "fin3")
    with pytest.raises(PermissionDenied):
        grant(city, "acc3", Role.FINANCE, "360921", "fin")


def test_the_city_keeps_its_password(city: Database) -> None:
    with pytest.raises(PermissionDenied):
        grant(city, "city", Role.FINANCE, "360921", "fin")
    user, _ = check_password(city, "city", PASSWORD)
    assert user.scope == "360900"


def test_the_county_still_manages_its_own_users(city: Database) -> None:
    grant(city, "acc", Role.VILLAGE_ACCOUNTANT, "360921101201", "fin")
    grant(city, "acc", Role.INVENTORY, "360921", "fin")  # a new role within the county: allowed
    set_password(city, "acc", "an accountant's password", "fin")
    assert check_password(city, "acc", "an accountant's password")[0].role is Role.INVENTORY
    grant(city, "fin3", Role.AUDITOR, "360923", "city")  # the city may change a county's user


def test_scope_star_only_from_scope_star(city: Database) -> None:
    with pytest.raises(RuleViolation):
        grant(city, "root", Role.AUDITOR, "360900", "city")
