"""Checking the acting user before anything changes, and before anything is read.

Until the first user is added the database is in set-up mode and any actor may act (so a county can load its
data, and the demo and tests need no users). From the first `user add` on, every write names a known user whose
role allows the action in a scope that covers every region it touches; anything else is refused before a change.
Every read service calls `read_scope` (or `require_read` for one named region): the CLI and the web only render.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import (
    ACTION_ENGLISH,
    ACTION_LABELS,
    AUDIT_READERS,
    ENGLISH,
    LABELS,
    Action,
    Role,
    covers,
    may,
    may_read,
    may_read_households,
)
from assetledger.errors import Finding, PermissionDenied
from assetledger.services.stored import unknown_words
from assetledger.store.access_models import UserGrant
from assetledger.store.journal_models import Entity
from assetledger.store.models import Region

_SETUP_CACHE: dict[int, bool] = {}


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    scope: str


def current_user(session: Session, name: str) -> User | None:
    """The user a name's grant in force makes, or None (no grant, or revoked). A grant whose stored role is none of
    the roles (written around the product, or by a later version) grants nothing: refused (PermissionDenied, exit 6),
    naming the user and the text, before any role is compared with an action (never read as another role)."""
    grant = grant_in_force(session, name)
    if grant is None:
        return None
    if not isinstance(grant.role, Role):
        raise unknown_role(grant.name, grant.role)
    return User(grant.name, grant.role, grant.scope)


def grant_in_force(session: Session, name: str) -> UserGrant | None:
    """A name's latest grant, unless it is revoked: its role as stored (a Role, or a text that is none)."""
    grant = session.scalar(select(UserGrant).where(UserGrant.name == name).order_by(UserGrant.id.desc()).limit(1))
    return None if grant is None or grant.revoked else grant


def unknown_role(name: str, role: str) -> PermissionDenied:
    """The refusal of a user whose stored role is none of the roles: it may do and read nothing."""
    return PermissionDenied(
        unknown_words((f"用户 {name}", f"user {name}"), "role", role, where="在授权记录中"), actor=name
    )


def in_setup_mode(session: Session) -> bool:
    return session.scalar(select(UserGrant.id).limit(1)) is None


def region_chain(session: Session, code: str) -> tuple[str, ...]:
    """The region and every region above it, nearest first."""
    return region_chains(session, [code])[code]


def region_chains(session: Session, codes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """`region_chain` of many regions at once (a scan over a city's villages): one query per level of the
    hierarchy, not one per region."""
    wanted = list(dict.fromkeys(codes))
    parents: dict[str, str | None] = {}
    todo = set(wanted)
    while todo:
        batch = sorted(todo)
        for start in range(0, len(batch), 900):
            part = batch[start : start + 900]
            found = dict(session.execute(select(Region.code, Region.parent_code).where(Region.code.in_(part))).all())
            parents.update((code, found.get(code)) for code in part)
        todo = {p for p in parents.values() if p is not None and p not in parents}
    chains: dict[str, tuple[str, ...]] = {}
    for code in wanted:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[code] = tuple(chain)
    return chains


def region_of_entity(entity: str) -> str:
    return entity[1:]


def require(session: Session, actor: str, action: Action, regions: Iterable[str]) -> None:
    """Refuse, before any change, an actor whose role or scope does not allow `action` on every region."""
    refused = outside_scope(session, actor, action, regions)
    if refused:
        raise next(iter(refused.values()))


def outside_scope(session: Session, actor: str, action: Action, regions: Iterable[str]) -> dict[str, PermissionDenied]:
    """`require`'s rule, for a file whose rows each name a place: refuse (PermissionDenied) an actor unknown or whose
    role may not do `action` at all, else return each of `regions` outside the actor's scope with why ("无权操作长马村
    ...") — empty when every one is within — so that each row can be named with the file's other problems."""
    if in_setup_mode(session):
        return {}
    user = current_user(session, actor)
    if user is None:
        raise _unknown_user(actor)
    if not may(user.role, action):
        raise _may_not(user, action, reading=False)
    return {
        region: _out_of_scope(session, actor, user, region)
        for region in sorted(set(regions))
        if not covers(user.scope, region_chain(session, region))
    }


@dataclass(frozen=True)
class WriteScope:
    """Who writes a file of rows, checked before any row is compared with what the database holds: `user` is None
    in set-up mode (everything is within)."""

    user: User | None
    scope_name: str = "全部地区"
    _covered: dict[str, bool] = field(default_factory=dict, compare=False)  # a file's rows name few places

    def covers(self, session: Session, region: str) -> bool:
        if self.user is None:
            return True
        if region not in self._covered:
            self._covered[region] = covers(self.user.scope, region_chain(session, region))
        return self._covered[region]

    def refusal(self) -> str:
        """The reason of a row outside the scope: the writer's own scope, never what the database holds for the row
        (whose village an asset is in, who heads a household, what contract it has)."""
        assert self.user is not None
        return (
            f"无权操作：不在{self.user.name}的管辖范围（{self.scope_name}）内 "
            f"(outside {self.user.name}'s scope ({self.scope_name}): may not act on it)"
        )


def write_scope(session: Session, actor: str, action: Action) -> WriteScope:
    """The first step of every importer and bulk command: refuse outright an unknown actor or a role that may not do
    `action` anywhere; else the scope each row's place is then checked against (`rows_outside`)."""
    if in_setup_mode(session):
        return WriteScope(None)
    user = current_user(session, actor)
    if user is None:
        raise _unknown_user(actor)
    if not may(user.role, action):
        raise _may_not(user, action, reading=False)
    return WriteScope(user, region_name(session, user.scope))


@dataclass(frozen=True)
class RowPlace:
    """A row of a file and the places it touches: `column` and `value` are the row's own cell (the only things a
    refusal names), `regions` the region codes it acts on (from the row, or looked up, but never shown)."""

    row: int | None
    column: str | None
    value: str | None
    regions: tuple[str, ...]


def rows_outside(session: Session, scope: WriteScope, source: str, rows: Iterable[RowPlace]) -> list[Finding]:
    """A finding (file, row, the row's own cell) for each row touching a region outside `scope`: the importer raises
    them (ScopeRefusal, with the file's own problems of input) before comparing any row with the records."""
    found = []
    for r in rows:
        if not all(scope.covers(session, region) for region in r.regions):
            found.append(Finding(source, r.row, r.column, r.value, scope.refusal()))
    return found


def region_name(session: Session, code: str) -> str:
    """A region's name as a user knows it (全部地区 for the scope "*"); its code where no region has it."""
    if code == "*":
        return "全部地区"
    return session.scalar(select(Region.name).where(Region.code == code)) or code


def entity_name(session: Session, code: str) -> str:
    """An accounting entity's name as a user knows it (某村股份经济合作社); its code where no entity has it."""
    return session.scalar(select(Entity.name).where(Entity.code == code)) or code


def _out_of_scope(session: Session, actor: str, user: User, region: str) -> PermissionDenied:
    """The user's role and the regions by name, as the user knows them, not by code."""
    scope, target = region_name(session, user.scope), region_name(session, region)
    return PermissionDenied(
        f"{actor}（{LABELS[user.role]}，管辖{scope}）无权操作{target} "
        f"({actor} ({ENGLISH[user.role]}, scope {scope}) may not act on {target})",
        reason="out_of_scope",
        actor=actor,
        role=user.role.value,
        scope=scope,
        region=target,
    )


def _may_not(user: User, action: Action, *, reading: bool) -> PermissionDenied:
    """A role that may not read (or change) an action's records at all, wherever they lie."""
    zh, en, reason = ("查看", "read", "may_not_read") if reading else ("办理", "change", "may_not_change")
    return PermissionDenied(
        f"{user.name}（{LABELS[user.role]}）无权{zh}{ACTION_LABELS[action]} ({user.name} ({ENGLISH[user.role]}) may "
        f"not {en} {ACTION_ENGLISH[action]})",
        reason=reason,
        actor=user.name,
        role=user.role.value,
        action=action.value,
    )


def _unknown_user(actor: str) -> PermissionDenied:
    return PermissionDenied(
        f"用户 {actor} 未登记或已被撤销，请财政局添加 (user {actor!r} is not known, or was revoked; "
        "ask the finance bureau to add you)",
        reason="unknown_user",
        actor=actor,
    )


def require_whole_database(session: Session, actor: str) -> None:
    """For an act on the whole database at once: a backup copies every county's records (password hashes and
    households included), a restore replaces them all. Set-up mode, or a finance user whose scope covers every
    region the database holds; anyone else is refused, in Chinese and English."""
    if in_setup_mode(session):
        return
    user = current_user(session, actor)
    if user is None:
        raise _unknown_user(actor)
    tops = session.scalars(select(Region.code).where(Region.parent_code.is_(None)))
    if user.role is Role.FINANCE and all(covers(user.scope, (code,)) for code in tops):
        return
    raise PermissionDenied(
        f"{actor}（{LABELS[user.role]}）无权备份或恢复整个数据库：只有范围覆盖全部数据的财政局用户可以 "
        f"({actor} ({ENGLISH[user.role]}) may not back up or restore the whole database: only a finance user whose "
        "scope covers all of it may)",
        reason="may_not_back_up",
        actor=actor,
    )


def require_read(session: Session, actor: str, region: str | None, *, action: Action | None = None) -> None:
    """Readers (auditors included) see only their scope; in set-up mode everyone sees everything. Naming no region
    is refused unless the scope is everything (lists that should then show the scope use `read_scope`); a role
    that may not read `action`'s records is refused."""
    user = reader(session, actor, action)
    if user is None:
        return
    if region is None:
        if user.scope != "*":
            scope = region_name(session, user.scope)
            raise PermissionDenied(
                f"{actor}（范围：{scope}）须指定其范围内的地区 ({actor} (scope: {scope}) must name a region within "
                "the scope)",
                reason="name_a_region",
                actor=actor,
                scope=scope,
            )
        return
    _require_within(session, user, region)


def reader(session: Session, actor: str, action: Action | None = None) -> User | None:
    """The known user reading, or None in set-up mode (everyone reads everything). An unknown or revoked name is
    refused, and so is a role that may not read `action`'s records (e.g. awards: finance and auditors only)."""
    if in_setup_mode(session):
        return None
    user = current_user(session, actor)
    if user is None:
        raise _unknown_user(actor)
    if action is not None and not may_read(user.role, action):
        raise _may_not(user, action, reading=True)
    return user


def _require_within(session: Session, user: User, region: str) -> None:
    """Refuse a read outside the scope, naming the scope and not the place refused: what lies outside a reader's
    scope (an asset's village, say) is not told to that reader, by name or by code."""
    if not covers(user.scope, region_chain(session, region)):
        scope = region_name(session, user.scope)
        raise PermissionDenied(
            f"{user.name}（{LABELS[user.role]}，范围：{scope}）无权查看：该地区不在其范围内 "
            f"({user.name} ({ENGLISH[user.role]}) may not read a region outside the scope {scope})",
            reason="outside_scope",
            actor=user.name,
            role=user.role.value,
            scope=scope,
        )


def read_scope(
    session: Session, actor: str, region: str | None = None, *, action: Action | None = None
) -> set[str] | None:
    """The one check of every read: which region codes `actor` may see (its scope and everything below it), or None
    for everything (set-up mode, or the scope "*").

    A region the read names (a filter, or the region of the entity, asset or village read) must lie within the scope,
    else the read is refused, in Chinese and English; a list that names none is filtered to the returned codes rather
    than refused. An unknown or revoked name is refused once users exist, and so is a role that may not read
    `action`'s records."""
    user = reader(session, actor, action)
    if user is None:
        return None
    if region is not None:
        _require_within(session, user, region)
    return None if user.scope == "*" else regions_within(session, user.scope)


def read_households(session: Session, actor: str, region: str | None = None) -> set[str] | None:
    """`read_scope` of a read of household personal data (roster, factors, shares of a notice): refused, in Chinese
    and English, to a role that may not read it (the inventory team, domain/access.HOUSEHOLD_RECORDS)."""
    user = reader(session, actor)
    if user is not None and not may_read_households(user.role):
        raise PermissionDenied(
            f"{actor}（{LABELS[user.role]}）无权查看农户信息 ({actor} ({ENGLISH[user.role]}) may not read household "
            "records: the roster and what households received)",
            reason="may_not_read_households",
            actor=actor,
            role=user.role.value,
        )
    return read_scope(session, actor, region)


def read_audit(session: Session, actor: str, region: str | None = None) -> set[str] | None:
    """`read_scope` of the auditor's tools (audit SQL, the audit package): refused, in Chinese and English, to a role
    that is not an auditor or the finance bureau (domain/access.AUDIT_READERS)."""
    user = reader(session, actor)
    if user is not None and user.role not in AUDIT_READERS:
        raise PermissionDenied(
            f"{actor}（{LABELS[user.role]}）无权使用审计查询和审计资料包 ({actor} ({ENGLISH[user.role]}) may not use "
            "the audit queries or the audit package: they are for auditors and the finance bureau)"
        )
    return read_scope(session, actor, region)


def reads_households(session: Session, actor: str) -> bool:
    """Whether `actor` may read household personal data (户编号, 户主, the roster, shares): the one rule behind
    `read_households`, for pages that show an asset to every reader and hide those facts from the rest (set-up mode,
    before the first user, reads everything)."""
    user = reader(session, actor)
    return user is None or may_read_households(user.role)


def visible_regions(session: Session, actor: str) -> set[str] | None:
    """The region codes a reader may see (its scope and everything below), or None for everything."""
    user = reader(session, actor)
    if user is None or user.scope == "*":
        return None
    return regions_within(session, user.scope)


def listed_within(session: Session, column: Any, region: str | None, visible: set[str] | None) -> list[Any]:
    """The WHERE terms of a list read: its region `column` within the region it names (itself and everything below),
    else within the reader's `visible` codes (from read_scope, which checked the region), else none."""
    if region:
        return [column.in_(sorted(regions_within(session, region)))]
    return [] if visible is None else [column.in_(sorted(visible))]


def regions_within(session: Session, code: str) -> set[str]:
    """A region's code and the codes of every region below it."""
    children: dict[str | None, list[str]] = {}
    for child, parent in session.execute(select(Region.code, Region.parent_code)):
        children.setdefault(parent, []).append(child)
    seen, todo = set(), [code]
    while todo:
        code = todo.pop()
        if code not in seen:
            seen.add(code)
            todo.extend(children.get(code, []))
    return seen
