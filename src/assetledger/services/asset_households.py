"""Households attached to household-level assets (到户类) registered as published, before their households were
named (issue 20): the roster import's `资产编号` column names the assets a household benefits from. An asset may
benefit several households; once one is attached the asset leaves `asset list --without-household` and the reports
that list such assets. Attachments are append-only rows and events in the asset's history, sealed like every other;
the same roster twice attaches nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.asset_changes import attach_problem
from assetledger.domain.assets import shown_owner
from assetledger.domain.booking import entry_date
from assetledger.domain.enums import OwnerKind, Register
from assetledger.errors import Finding
from assetledger.io.household_rows import HouseholdRow
from assetledger.services.access import require
from assetledger.services.asset_changes import Unread, load_facts
from assetledger.services.context import now, today
from assetledger.store.bulk import chunks, insert_values
from assetledger.store.distribution_models import AssetHousehold, Household
from assetledger.store.models import Asset, AssetEvent
from assetledger.store.tables import table_of


@dataclass(frozen=True)
class Attachment:
    asset_id: str
    household_id: str
    head: str
    attached_on: dt.date
    region: str


@dataclass(frozen=True)
class AttachPlan:
    new: list[Attachment]
    already: int  # attachments the register already holds
    findings: list[Finding]


def plan_attachments(
    session: Session, source: str, column: str, rows: Sequence[tuple[HouseholdRow, str]]
) -> AttachPlan:
    """The attachments a roster's rows ask for, checked against the register: every problem a finding on the row
    and the file's `column`. Dated by the household's joining the roster, or the asset's entering the register when
    that is later (never by the machine's clock)."""
    wanted = [(r, code, asset_id) for r, code in rows for asset_id in r.asset_ids]
    if not wanted:
        return AttachPlan([], 0, [])
    day = today()
    facts = load_facts(session, [asset_id for _, _, asset_id in wanted])
    held = _attached(session, sorted(facts))
    new: list[Attachment] = []
    findings: list[Finding] = []
    already = 0
    for r, code, asset_id in wanted:
        asset = facts.get(asset_id)
        if asset is None:
            findings.append(
                Finding(
                    source,
                    r.row,
                    column,
                    asset_id,
                    "台账中没有这项资产，请先导入或登记 (not in the register; import or register it first)",
                )
            )
            continue
        if isinstance(asset, Unread):  # a stored text that is none of its vocabulary decides nothing
            findings.append(Finding(source, r.row, column, asset_id, asset.reason))
            continue
        problem = attach_problem(asset, code)
        if problem is None and r.left_on is not None:
            problem = f"该户已于 {r.left_on} 退出受益名单 (the household left the roster on {r.left_on})"
        if problem:
            findings.append(Finding(source, r.row, column, asset_id, problem))
        elif (asset_id, r.household_id) in held:
            already += 1
        else:
            registered = entry_date(
                asset.acquired_on, asset.handed_over_on, asset.confirmed_on, asset.build_year, today=day
            )
            on = max(r.joined_on, registered) if registered else r.joined_on
            new.append(Attachment(asset_id, r.household_id, r.head, on, asset.region))
    return AttachPlan(new, already, findings)


def _attached(session: Session, asset_ids: Sequence[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for part in chunks(asset_ids):
        query = select(AssetHousehold.asset_id, AssetHousehold.household_id).where(AssetHousehold.asset_id.in_(part))
        found.update((a, h) for a, h in session.execute(query))
    return found


_LINK_COLUMNS = ("asset_id", "household_id", "attached_on", "actor", "recorded_at")
_EVENT_COLUMNS = ("asset_id", "kind", "event_date", "payload", "actor", "recorded_at")


def write_attachments(session: Session, attachments: Sequence[Attachment], actor: str) -> int:
    """Record the attachments (a register change: the actor must be allowed to change the register there)."""
    if not attachments:
        return 0
    require(session, actor, Action.REGISTER, {a.region for a in attachments})
    at = now()
    links = [(a.asset_id, a.household_id, a.attached_on, actor, at) for a in attachments]
    events = [
        (a.asset_id, "household_attached", a.attached_on, {"household": a.household_id, "head": a.head}, actor, at)
        for a in attachments
    ]
    insert_values(session, table_of(AssetHousehold), _LINK_COLUMNS, links)
    insert_values(session, table_of(AssetEvent), _EVENT_COLUMNS, events)
    return len(attachments)


def owners_shown(session: Session, asset_ids: Iterable[str]) -> dict[str, str | None]:
    """asset id -> its owner as shown (domain/assets.py `shown_owner`), for those of `asset_ids` that have
    households attached: the only assets whose shown owner differs from the recorded one."""
    found: dict[str, list[tuple[str, str]]] = {}
    facts: dict[str, tuple[Register, OwnerKind | None, str | None, str | None, str | None]] = {}
    for part in chunks(sorted(set(asset_ids))):
        query = (
            select(Asset.asset_id, Asset.register, Asset.owner_kind, Asset.owner_name, Asset.household_id,
                   Asset.household_head, AssetHousehold.household_id, Household.head)
            .join(AssetHousehold, AssetHousehold.asset_id == Asset.asset_id)
            .join(Household, Household.household_id == AssetHousehold.household_id)
            .where(Asset.asset_id.in_(part))
            .order_by(Asset.asset_id, AssetHousehold.id)
        )  # fmt: skip
        for asset_id, register, kind, owner, registered_id, registered_head, household_id, head in session.execute(
            query
        ):
            facts[asset_id] = (register, kind, owner, registered_id, registered_head)
            found.setdefault(asset_id, []).append((household_id, head))
    shown: dict[str, str | None] = {}
    for asset_id, attached in found.items():
        register, kind, owner, registered_id, registered_head = facts[asset_id]
        households = ([(registered_id, registered_head)] if registered_head else []) + [
            (h, head) for h, head in attached if h != registered_id
        ]
        heads = list(dict.fromkeys(head for _, head in households if head))
        shown[asset_id] = shown_owner(register, kind, owner, heads)
    return shown


def show_owners(session: Session, rows: Sequence[MutableMapping[str, Any]]) -> None:
    """Put each row's owner as shown in its `owner_name` (rows of the asset register, by `asset_id`)."""
    if not rows or "owner_name" not in rows[0]:
        return
    household = Register.HOUSEHOLD.value
    shown = owners_shown(session, (str(r["asset_id"]) for r in rows if r.get("register", household) == household))
    for row in rows:
        if row["asset_id"] in shown:
            row["owner_name"] = shown[row["asset_id"]]


HIDDEN = "（不显示 hidden）"  # household personal data, for a reader that may not read it (services/access)
_PERSONAL_KEYS = ("household", "head", "household_id", "household_head")


def hide_household_data(asset: MutableMapping[str, Any]) -> None:
    """Hide a household-level asset's (到户类) household personal data — 户编号, 户主, and its owner when that is a
    household (named by its head) — in its record, for a reader `access.reads_households` refuses."""
    if asset.get("register") != Register.HOUSEHOLD.value:
        return
    for key in ("household_id", "household_head"):
        if asset.get(key) is not None:
            asset[key] = HIDDEN
    if asset.get("owner_name") is not None and asset.get("owner_kind") in (None, OwnerKind.HOUSEHOLD.value):
        asset["owner_name"] = HIDDEN


def details_without_households(details: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a household-level asset's event details with the household's 户编号 and 户主 hidden (an attachment
    names both; a registration or confirmation to a household names its head as the owner)."""
    out = dict(details)
    for key in _PERSONAL_KEYS:
        if isinstance(out.get(key), str):
            out[key] = HIDDEN
    owner = out.get("owner")
    if isinstance(owner, Mapping) and owner.get("kind") == OwnerKind.HOUSEHOLD.value and owner.get("name"):
        out["owner"] = {**owner, "name": HIDDEN}
    return out
