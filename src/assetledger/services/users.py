"""Adding, changing and revoking users. Grants are append-only; the latest grant of a name is in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action, Role
from assetledger.domain.text import ONE_LINE, text_problem
from assetledger.errors import Finding, InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.services import password_gate
from assetledger.services.access import User, current_user, grant_in_force, read_scope, require
from assetledger.services.context import now
from assetledger.services.password_gate import DEFAULT_GATE, PasswordGate
from assetledger.store.access_models import UserGrant, UserPassword, WebSession
from assetledger.store.db import Database
from assetledger.store.models import Region
from assetledger.store.text_rules import column_rule, require_fits

NAME_RULE = column_rule(UserGrant.name) or ONE_LINE


def grant(db: Database, name: str, role: Role, scope: str, actor: str) -> None:
    require_fits("user add", ("name", name, UserGrant.name))
    with db.transaction() as session:
        if scope != "*" and session.get(Region, scope) is None:
            raise NotFoundError("region", scope)
        require(session, actor, Action.USERS, [] if scope == "*" else [scope])
        held = _latest_scope(session, name)
        if held is not None and held != "*":
            require(session, actor, Action.USERS, [held])  # a name of another county's stays with that county
        if "*" in (scope, held):
            granter = current_user(session, actor)
            if granter is not None and granter.scope != "*":
                raise RuleViolation(
                    "只有范围为 * 的用户可以授予或更改范围 * 的用户 (only a user with scope * may grant scope * or "
                    "change a user who has it)"
                )
        if role is Role.VILLAGE_ACCOUNTANT and scope != "*":
            region = session.get(Region, scope)
            if region is not None and region.level != "village":
                raise RuleViolation(
                    f"村会计的范围只能是一个村，{region.name}不是村 (a village accountant's scope is one village)"
                )
        session.add(
            UserGrant(name=name, role=role.value, scope=scope, revoked=False, granted_by=actor, granted_at=now())
        )


def _latest_scope(session: Session, name: str) -> str | None:
    """The scope of a name's latest grant, revoked or not: whoever re-grants or re-roles a name must also be allowed
    to manage users there, or a county's bureau could take over a city's or another county's user by granting its
    name anew in its own county and then setting its password."""
    return session.scalar(select(UserGrant.scope).where(UserGrant.name == name).order_by(UserGrant.id.desc()).limit(1))


def revoke(db: Database, name: str, actor: str) -> None:
    with db.transaction() as session:
        held = grant_in_force(session, name)  # a stored role that is none is revoked too: revoking grants nothing
        if held is None:
            raise NotFoundError("user", name)
        require(session, actor, Action.USERS, [] if held.scope == "*" else [held.scope])
        session.add(
            UserGrant(name=name, role=held.role, scope=held.scope, revoked=True, granted_by=actor, granted_at=now())
        )
        session.execute(delete(WebSession).where(WebSession.name == name))  # a revoked user's sessions end too


@dataclass(frozen=True)
class UserListing:
    """A user as the latest grant of its name has it: role (a Role value), scope (a region code, or "*"), whether
    it is revoked, and who granted it when."""

    name: str
    role: str
    scope: str
    revoked: bool
    granted_by: str
    granted_at: dt.datetime


def list_users(db: Database, actor: str) -> list[UserListing]:
    """The users whose scope lies within the reader's (a county's bureau sees its county's users, a village
    accountant those of its village), with their current role and scope; an unknown reader is refused."""
    with db.reading() as session:
        visible = read_scope(session, actor)
        latest = select(func.max(UserGrant.id)).group_by(UserGrant.name)
        query = select(UserGrant).where(UserGrant.id.in_(latest)).order_by(UserGrant.name)
        if visible is not None:
            query = query.where(UserGrant.scope.in_(sorted(visible)) | (UserGrant.name == actor))
        return [
            UserListing(g.name, g.role, g.scope, g.revoked, g.granted_by, g.granted_at) for g in session.scalars(query)
        ]


# --- web passwords (Argon2 hashes; append-only, the latest row of a name is in force) --------------------------

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # characters: a password, not a document (a 64 MiB form field is never hashed)
WRONG_LOGIN = "用户名或密码不对 (wrong user name or password)"  # one answer: it never tells which of the two


def set_password(db: Database, name: str, password: str, actor: str, gate: PasswordGate = DEFAULT_GATE) -> None:
    """Set a known user's web password: the user itself, or a user who may manage users in its scope. Every web
    session of the user ends: a session opened before the change does not outlive it."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        reason = (
            f"密码须为 {MIN_PASSWORD} 至 {MAX_PASSWORD} 个字符 "
            f"(at least {MIN_PASSWORD} and at most {MAX_PASSWORD} characters)"
        )
        raise InputError([Finding("user password", None, "password", None, reason)])
    with gate.slot():
        hashed = password_gate.HASHER.hash(password)
    with db.transaction() as session:
        held = grant_in_force(session, name)  # its role is not what a password is set by
        if held is None:
            raise NotFoundError("user", name)
        if actor != name:
            require(session, actor, Action.USERS, [] if held.scope == "*" else [held.scope])
        session.add(UserPassword(name=name, password_hash=hashed, set_by=actor, set_at=now()))
        session.execute(delete(WebSession).where(WebSession.name == name))


def check_password(db: Database, name: str, password: str, gate: PasswordGate = DEFAULT_GATE) -> tuple[User, int]:
    """The user in force for a name and password, and the id of the password row that let it in; PermissionDenied
    for an unknown, revoked or wrong one; ServiceBusy when too many checks are running (see password_gate.py)."""
    if len(password) > MAX_PASSWORD or text_problem(name, NAME_RULE) is not None:
        raise PermissionDenied(WRONG_LOGIN)  # never a user: nothing to hash
    with db.reading() as session:
        try:
            user, refused = current_user(session, name), None
        except PermissionDenied as exc:  # a stored role that is none: told only to whoever knows the password
            user, refused = None, exc
        stored = session.execute(
            select(UserPassword.id, UserPassword.password_hash)
            .where(UserPassword.name == name)
            .order_by(UserPassword.id.desc())
            .limit(1)
        ).first()
    with gate.slot():
        if (user is None and refused is None) or stored is None:
            password_gate.HASHER.hash(
                password
            )  # the same work as a real check, so timing does not tell which names exist
            raise PermissionDenied(WRONG_LOGIN)
        try:
            password_gate.HASHER.verify(stored.password_hash, password)
        except (VerificationError, InvalidHashError) as exc:
            raise PermissionDenied(WRONG_LOGIN) from exc
    if refused is not None or user is None:
        raise refused or PermissionDenied(WRONG_LOGIN)
    return user, int(stored.id)
