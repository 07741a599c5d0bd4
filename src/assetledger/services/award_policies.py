"""Award policies (绩效奖励办法) stored in the database by a finance bureau, versioned: each change is a new sealed
version with its actor and time, a withdrawal too; nothing is updated in place. A bureau's policies are those
stored under its own scope; the awards page evaluates the latest version of each code not withdrawn."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.awards import AwardPolicy
from assetledger.errors import Finding, InputError, NotFoundError
from assetledger.rules.award_policy import parse_policy_text
from assetledger.services.access import current_user, reader, region_chain, require
from assetledger.services.awards import distinct_policies
from assetledger.services.context import now
from assetledger.store.award_policy_models import POLICY_CHARS, AwardPolicyVersion
from assetledger.store.db import Database

MAX_POLICY_BYTES = POLICY_CHARS


@dataclass(frozen=True)
class StoredVersion:
    id: int
    scope: str
    code: str
    version: int
    title: str
    text: str
    sha256: str
    withdrawn: bool
    note: str | None
    actor: str
    recorded_at: dt.datetime

    @property
    def name(self) -> str:
        return f"{self.code} v{self.version}"

    def policy(self) -> AwardPolicy:
        policy = parse_policy_text(self.text.encode("utf-8"), self.name, self.name)
        return replace(policy, edition=policy.edition or f"第{self.version}版")


@dataclass(frozen=True)
class StoreOutcome:
    version: StoredVersion
    unchanged: bool  # the same text as the version in force: nothing stored


def _scope(session: Session, actor: str) -> str:
    user = current_user(session, actor)
    return "*" if user is None else user.scope


def _versions(session: Session, scope: str) -> list[StoredVersion]:
    query = (
        select(AwardPolicyVersion)
        .where(AwardPolicyVersion.scope == scope)
        .order_by(AwardPolicyVersion.code, AwardPolicyVersion.version)
    )
    return [
        StoredVersion(
            r.id, r.scope, r.code, r.version, r.title, r.text, r.sha256, r.withdrawn, r.note, r.actor, r.recorded_at
        )
        for r in session.scalars(query)
    ]


def _in_force(versions: list[StoredVersion]) -> list[StoredVersion]:
    latest: dict[str, StoredVersion] = {}
    for v in versions:
        latest[v.code] = v  # in version order: the last one wins
    return [v for v in latest.values() if not v.withdrawn]


def store_policy(db: Database, raw: bytes, source: str, actor: str, note: str | None = None) -> StoreOutcome:
    """Check a policy (TOML) and store it as the next version of its code under the actor's scope; the same text
    as the version in force stores nothing. Finance only; any problem: every finding, nothing stored."""
    if len(raw) > MAX_POLICY_BYTES:
        raise InputError([Finding(source, None, None, None, "奖励办法最大 256 KB (a policy is at most 256 KB)")])
    policy = parse_policy_text(raw, source, source)  # every finding, before anything is written
    text = raw.decode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    with db.transaction() as session:
        require(session, actor, Action.AWARDS, [])
        scope = _scope(session, actor)
        versions = _versions(session, scope)
        current = [v for v in versions if v.code == policy.code]
        if current and not current[-1].withdrawn and current[-1].sha256 == digest:
            return StoreOutcome(current[-1], unchanged=True)
        others = [v.policy() for v in _in_force(versions) if v.code != policy.code]
        distinct_policies([*others, policy])
        row = AwardPolicyVersion(
            scope=scope, code=policy.code, version=(current[-1].version + 1) if current else 1,
            title=policy.title, text=text, sha256=digest, withdrawn=False, note=(note or "").strip() or None,
            actor=actor, recorded_at=now(),
        )  # fmt: skip
        session.add(row)
        session.flush()
        return StoreOutcome(next(v for v in _versions(session, scope) if v.id == row.id), unchanged=False)


def withdraw_policy(db: Database, code: str, actor: str, note: str | None = None) -> StoredVersion:
    """Take a policy out of force: a new version that withdraws it (its earlier versions stay)."""
    with db.transaction() as session:
        require(session, actor, Action.AWARDS, [])
        scope = _scope(session, actor)
        current = [v for v in _versions(session, scope) if v.code == code]
        if not current or current[-1].withdrawn:
            raise NotFoundError("award policy", code)
        row = AwardPolicyVersion(
            scope=scope, code=code, version=current[-1].version + 1, title=current[-1].title, text="",
            sha256=hashlib.sha256(b"").hexdigest(), withdrawn=True, note=(note or "").strip() or None, actor=actor,
            recorded_at=now(),
        )  # fmt: skip
        session.add(row)
        session.flush()
        return next(v for v in _versions(session, scope) if v.id == row.id)


def _scopes_up(session: Session, actor: str) -> list[str]:
    """The reader's scope, then each region above it, then everything ("*")."""
    scope = _scope(session, actor)
    return ["*"] if scope == "*" else [*region_chain(session, scope), "*"]


def _governing(session: Session, actor: str) -> tuple[str, list[StoredVersion]]:
    """The scope whose policies govern the reader — its own if it stored any in force, else the nearest above
    that did (a township's auditor reads its county's) — and their versions."""
    scopes = _scopes_up(session, actor)
    for scope in scopes:
        versions = _versions(session, scope)
        if _in_force(versions):
            return scope, versions
    return scopes[0], _versions(session, scopes[0])


def policies_in_force(db: Database, actor: str) -> list[StoredVersion]:
    """The policies in force for the reader (finance and auditors), in code order: those stored under its scope,
    else under the nearest scope above it that stored any."""
    with db.reading() as session:
        reader(session, actor, Action.AWARDS)
        return _in_force(_governing(session, actor)[1])


@dataclass(frozen=True)
class History:
    scope: str  # whose policies are in force for the reader
    own: str  # the reader's scope, where finance stores
    versions: list[StoredVersion]  # of both scopes, newest first


def policy_history(db: Database, actor: str) -> History:
    """Every version stored under the reader's scope and under the scope whose policies are in force for it."""
    with db.reading() as session:
        reader(session, actor, Action.AWARDS)
        scope, versions = _governing(session, actor)
        own = _scope(session, actor)
        if own != scope:
            versions = versions + _versions(session, own)
    return History(scope, own, sorted(versions, key=lambda v: v.id, reverse=True))
