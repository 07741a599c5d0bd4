"""A user's stored role that is none of the roles (written around the product, or by a later version) grants
nothing: every act and every read of that user is refused (PermissionDenied, exit 6) naming the user and the text,
never a traceback and never read as another role; the other users work on, see the text as it was stored, and may
revoke the name. Logging in tells it only to whoever knows the password."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from assetledger.domain.enums import AssetStatus
from assetledger.errors import PermissionDenied
from assetledger.services.asset_queries import AssetFilter, list_assets
from assetledger.services.assets import change_status
from assetledger.services.users import WRONG_LOGIN, check_password, list_users, revoke, set_password
from assetledger.store.db import Database
from tests.builders import ACTOR, assets, regions, user
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards, table_counts

SAID = (
    "用户 li 在授权记录中的角色「finance-admin」不是本版本认识的角色",
    "user li: its stored role 'finance-admin' is no role",
)


def _users(db: Database) -> None:
    regions(db)
    assets(db, [ASSET_HEADER, asset_row("ROAD")])
    user(db, ACTOR, "finance", "*")
    user(db, "li", "finance", "360921")
    set_password(db, "li", "li-password-1", ACTOR)
    drop_append_only_guards(db, "user_grants")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE user_grants SET role = 'finance-admin' WHERE name = 'li'")


def _denied(db: Database, act: Callable[[], object]) -> str:
    before = table_counts(db)
    with pytest.raises(PermissionDenied) as denied:
        act()
    said = str(denied.value)
    assert denied.value.exit_code == 6 and all(words in said for words in SAID), said
    assert table_counts(db) == before
    return said


def test_a_stored_role_that_is_none_may_neither_change_nor_read(db: Database) -> None:
    _users(db)
    _denied(db, lambda: change_status(db, "ROAD", AssetStatus.IDLE, dt.date(2026, 1, 10), "li"))
    _denied(db, lambda: list_assets(db, AssetFilter(region="360921"), "li"))
    _denied(db, lambda: list_users(db, "li"))


def test_the_other_users_see_the_stored_role_as_it_is_and_may_revoke_it(db: Database) -> None:
    _users(db)
    assert {u.name: u.role for u in list_users(db, ACTOR)}["li"] == "finance-admin"
    assert change_status(db, "ROAD", AssetStatus.IDLE, dt.date(2026, 1, 10), ACTOR)
    revoke(db, "li", ACTOR)
    [li] = [u for u in list_users(db, ACTOR) if u.name == "li"]
    assert li.revoked
    with pytest.raises(PermissionDenied, match="not known, or was revoked"):
        list_assets(db, AssetFilter(region="360921"), "li")


def test_logging_in_tells_the_stored_role_only_to_whoever_knows_the_password(db: Database) -> None:
    _users(db)
    with pytest.raises(PermissionDenied) as wrong:
        check_password(db, "li", "not-the-password")
    assert str(wrong.value) == WRONG_LOGIN
    _denied(db, lambda: check_password(db, "li", "li-password-1"))
