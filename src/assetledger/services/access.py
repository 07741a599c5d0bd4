"""Checking the acting user before anything changes.

Until the first user is added the database is in set-up mode and any actor may act (so a county can load its
data, and the demo and tests need no users). From the first `user add` on, every write names a known user whose
role allows the action in a scope that covers every region it touches; anything else is refused before a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import LABELS, Action, Role, covers, may
from assetledger.errors import PermissionDenied
from assetledger.store.access_models import UserGrant
from assetledger.store.models import Region

_SETUP_CACHE: dict[int, bool] = {}


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    scope: str


def current_user(session: Session, name: str) -> User | None:
    grant = session.scalar(select(UserGrant).where(UserGrant.name == name).order_by(UserGrant.id.desc()).limit(1))
    if grant is None or grant.revoked:
        return None
    return User(grant.name, Role(grant.role), grant.scope)


def in_setup_mode(session: Session) -> bool:
    return session.scalar(select(UserGrant.id).limit(1)) is None


def region_chain(session: Session, code: str) -> tuple[str, ...]:
    chain: list[str] = []
    current: str | None = code
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(Region.parent_code).where(Region.code == current))
    return tuple(chain)


def region_of_entity(entity: str) -> str:
    return entity[1:]


def require(session: Session, actor: str, action: Action, regions: Iterable[str]) -> None:
    """Refuse, before any change, an actor whose role or scope does not allow `action` on every region."""
    if in_setup_mode(session):
        return
    user = current_user(session, actor)
    if user is None:
        raise PermissionDenied(f"user {actor!r} is not known (or was revoked); ask the finance bureau to add you")
    if not may(user.role, action):
        raise PermissionDenied(f"{actor} ({LABELS[user.role]}) may not {action.value}")
    for region in sorted(set(regions)):
        if not covers(user.scope, region_chain(session, region)):
            raise PermissionDenied(f"{actor} ({LABELS[user.role]}, scope {user.scope}) may not act on {region}")


def require_read(session: Session, actor: str, region: str | None) -> None:
    """Readers (auditors included) see only their scope; in set-up mode everyone sees everything."""
    if in_setup_mode(session):
        return
    user = current_user(session, actor)
    if user is None:
        raise PermissionDenied(f"user {actor!r} is not known")
    if region is None:
        if user.scope != "*":
            raise PermissionDenied(f"{actor} (scope {user.scope}) must name a region within the scope")
        return
    if not covers(user.scope, region_chain(session, region)):
        raise PermissionDenied(f"{actor} (scope {user.scope}) may not read {region}")


def visible_regions(session: Session, actor: str) -> set[str] | None:
    """The region codes a reader may see (its scope and everything below), or None for everything."""
    if in_setup_mode(session):
        return None
    user = current_user(session, actor)
    if user is None:
        raise PermissionDenied(f"user {actor!r} is not known")
    if user.scope == "*":
        return None
    children: dict[str | None, list[str]] = {}
    for code, parent in session.execute(select(Region.code, Region.parent_code)):
        children.setdefault(parent, []).append(code)
    seen, todo = set(), [user.scope]
    while todo:
        code = todo.pop()
        if code not in seen:
            seen.add(code)
            todo.extend(children.get(code, []))
    return seen
