"""Adding, changing and revoking users. Grants are append-only; the latest grant of a name is in force."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from assetledger.domain.access import Action, Role
from assetledger.errors import NotFoundError, RuleViolation
from assetledger.services.access import current_user, require
from assetledger.services.context import now
from assetledger.store.access_models import UserGrant
from assetledger.store.db import Database
from assetledger.store.models import Region


def grant(db: Database, name: str, role: Role, scope: str, actor: str) -> None:
    with db.transaction() as session:
        if scope != "*" and session.get(Region, scope) is None:
            raise NotFoundError("region", scope)
        require(session, actor, Action.USERS, [] if scope == "*" else [scope])
        if scope == "*":
            granter = current_user(session, actor)
            if granter is not None and granter.scope != "*":
                raise RuleViolation("only a user with scope * may grant scope *")
        if role is Role.VILLAGE_ACCOUNTANT and scope != "*":
            region = session.get(Region, scope)
            if region is not None and region.level != "village":
                raise RuleViolation("a village accountant's scope is one village")
        session.add(
            UserGrant(name=name, role=role.value, scope=scope, revoked=False, granted_by=actor, granted_at=now())
        )


def revoke(db: Database, name: str, actor: str) -> None:
    with db.transaction() as session:
        user = current_user(session, name)
        if user is None:
            raise NotFoundError("user", name)
        require(session, actor, Action.USERS, [] if user.scope == "*" else [user.scope])
        session.add(
            UserGrant(
                name=name, role=user.role.value, scope=user.scope, revoked=True, granted_by=actor, granted_at=now()
            )
        )


def list_users(db: Database) -> list[dict[str, Any]]:
    with db.reading() as session:
        latest = select(func.max(UserGrant.id)).group_by(UserGrant.name)
        rows = session.scalars(select(UserGrant).where(UserGrant.id.in_(latest)).order_by(UserGrant.name))
        return [
            {"name": g.name, "role": g.role, "scope": g.scope, "revoked": g.revoked, "granted_by": g.granted_by,
             "granted_at": g.granted_at}
            for g in rows
        ]  # fmt: off
