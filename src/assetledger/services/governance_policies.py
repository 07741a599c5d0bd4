"""The governance policy (治理政策: scan thresholds, disposal approval bands, contract findings) a finance bureau
stores in the database, versioned as award policies are: each change is a new sealed version with its actor and
time; nothing is updated in place. An asset is governed by the latest version stored under its region or the
nearest region above it (a county's applies to its townships and villages), else by the project's shipped
ledgers/policy/governance.toml. A disposal is judged by that policy, never by a file given at disposal time, and
records which version (and its sha256) judged it; so are the governance scan, the county report, the contract
alerts, the supervision warnings (each asset by its own region's policy: `policies_for_regions`) and the assets an
inventory selects."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, object_session

from assetledger.domain.access import Action
from assetledger.domain.governance import GovernancePolicy
from assetledger.errors import Finding, InputError
from assetledger.rules.governance_policy import parse_policy, shipped_policy_path
from assetledger.services.access import current_user, reader, region_chain, region_chains, require
from assetledger.services.context import now
from assetledger.store.db import Database
from assetledger.store.governance_models import POLICY_CHARS, GovernancePolicyVersion
from assetledger.store.models import Region

SHIPPED = "ledgers/policy/governance.toml"


@dataclass(frozen=True)
class PolicyInForce:
    """A governance policy and where it comes from: a stored version (its id, scope and number) or, with
    `version_id` None, the shipped file (version 0)."""

    policy: GovernancePolicy
    version_id: int | None
    scope: str | None
    version: int
    sha256: str
    text: str
    note: str | None = None
    actor: str | None = None
    recorded_at: dt.datetime | None = None
    scope_name: str | None = None  # the region's name, for people; None for "*" or a region not found

    @property
    def name(self) -> str:
        """The version as records name it: its scope's code and number."""
        if self.version_id is None:
            return f"{SHIPPED}（项目默认 shipped default）"
        return f"{self.scope} 第{self.version}版 (v{self.version})"

    @property
    def label(self) -> str:
        """The version as people read it on a list: its region's name, not its code."""
        if self.version_id is None:
            return "项目默认治理政策 (shipped default)"
        where = self.scope_name or ("全部地区 (all regions)" if self.scope == "*" else self.scope)
        return f"{where} 第{self.version}版 (v{self.version})"


def _stored(row: GovernancePolicyVersion) -> PolicyInForce:
    policy = parse_policy(row.text, f"{row.scope} v{row.version}")
    session = object_session(row)
    region = session.get(Region, row.scope) if session is not None and row.scope != "*" else None
    return PolicyInForce(policy, row.id, row.scope, row.version, row.sha256, row.text, row.note, row.actor,
                         row.recorded_at, region.name if region is not None else None)  # fmt: skip


def shipped_policy() -> PolicyInForce:
    path = shipped_policy_path()
    raw = path.read_bytes()
    return PolicyInForce(parse_policy(raw.decode("utf-8"), SHIPPED), None, None, 0, hashlib.sha256(raw).hexdigest(),
                         raw.decode("utf-8"))  # fmt: skip


def _latest(session: Session, scope: str) -> GovernancePolicyVersion | None:
    query = (
        select(GovernancePolicyVersion)
        .where(GovernancePolicyVersion.scope == scope)
        .order_by(GovernancePolicyVersion.version.desc())
        .limit(1)
    )
    return session.scalar(query)


def policy_for_region(session: Session, region: str | None) -> PolicyInForce:
    """The policy governing a region: the latest version stored under it or the nearest region above it, else
    under "*", else the shipped file."""
    return policies_for_regions(session, [region])[region]


def policies_for_regions(session: Session, regions: Iterable[str | None]) -> dict[str | None, PolicyInForce]:
    """`policy_for_region` of many regions at once (the scan, the contract alerts, the supervision warnings judge
    each asset by the policy of its own region): the same rule, with the latest versions and the regions' parents
    read once. A region of None is judged by the policy stored under "*" (else the shipped file)."""
    wanted = list(dict.fromkeys(regions))
    newest = select(GovernancePolicyVersion.scope, func.max(GovernancePolicyVersion.version).label("version"))
    newest_sq = newest.group_by(GovernancePolicyVersion.scope).subquery()
    latest = {
        row.scope: row
        for row in session.scalars(
            select(GovernancePolicyVersion).join(
                newest_sq,
                and_(
                    newest_sq.c.scope == GovernancePolicyVersion.scope,
                    newest_sq.c.version == GovernancePolicyVersion.version,
                ),
            )
        )
    }
    shipped = shipped_policy()
    if not latest:
        return dict.fromkeys(wanted, shipped)
    chains = region_chains(session, [r for r in wanted if r is not None])
    parsed: dict[int, PolicyInForce] = {}
    found: dict[str | None, PolicyInForce] = {}
    for region in wanted:
        row = next((latest[s] for s in [*(chains[region] if region else ()), "*"] if s in latest), None)
        if row is not None and row.id not in parsed:
            parsed[row.id] = _stored(row)  # each version parsed once, however many regions it judges
        found[region] = shipped if row is None else parsed[row.id]
    return found


def _own_scope(session: Session, actor: str) -> str:
    user = current_user(session, actor)
    return "*" if user is None else user.scope


def store_policy(
    db: Database, raw: bytes, source: str, actor: str, note: str | None = None
) -> tuple[PolicyInForce, bool]:
    """Check a policy (TOML) and store it as the next version under the actor's scope; (the version, whether it was
    stored): the same text as the latest version stores nothing. Finance only; any problem: every finding, nothing
    stored."""
    if len(raw) > POLICY_CHARS:
        raise InputError([Finding(source, None, None, None, "治理政策最大 64 KB (a policy is at most 64 KB)")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Finding(source, None, None, None, f"不是 UTF-8 文本 (not UTF-8 text: {exc})")]) from exc
    parse_policy(text, source)  # every finding, before anything is written
    digest = hashlib.sha256(raw).hexdigest()
    with db.transaction() as session:
        scope = _own_scope(session, actor)
        require(session, actor, Action.REGISTER, [] if scope == "*" else [scope])
        latest = _latest(session, scope)
        if latest is not None and latest.sha256 == digest:
            return _stored(latest), False
        row = GovernancePolicyVersion(
            scope=scope, version=(latest.version + 1) if latest else 1, text=text, sha256=digest,
            note=(note or "").strip() or None, actor=actor, recorded_at=now(),
        )  # fmt: skip
        session.add(row)
        session.flush()
        return _stored(row), True


def policy_in_force(db: Database, actor: str) -> PolicyInForce:
    """The policy governing the reader's scope."""
    with db.reading() as session:
        reader(session, actor)
        scope = _own_scope(session, actor)
        return policy_for_region(session, None if scope == "*" else scope)


def policy_history(db: Database, actor: str) -> list[PolicyInForce]:
    """Every version stored under the reader's scope and the regions above it, newest first."""
    with db.reading() as session:
        reader(session, actor)
        scope = _own_scope(session, actor)
        scopes = [*(region_chain(session, scope) if scope != "*" else ()), "*"]
        rows = session.scalars(
            select(GovernancePolicyVersion)
            .where(GovernancePolicyVersion.scope.in_(scopes))
            .order_by(GovernancePolicyVersion.id.desc())
        )
        return [_stored(r) for r in rows]
