"""Changes to a registered asset: confirmation (确权), handover (移交), custody (管护), status. Pure.

Each rule lives here once: `asset confirm` (one asset) and `asset bulk confirm` (a file of thousands) both ask
`check` whether a change may be made, and both record the event `event_of` builds; the register then takes the
values that event says (`asset_events.register_values`, by the same `apply` that `audit verify` replays), so neither
the two paths nor the writers and the verifier can drift apart. A change the register already holds is
`Outcome.ALREADY`: a file applied twice changes nothing the second time (idempotent), and says how many rows were
already so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from assetledger.domain.asset_events import AssetEventKind
from assetledger.domain.assets import (
    AssetDraft,
    Custody,
    Handover,
    Ownership,
    custody_start_problem,
    owner_kind_problem,
)
from assetledger.domain.booking import entry_date
from assetledger.domain.enums import AssetStatus, OwnerKind, Register


@dataclass(frozen=True)
class Facts:
    """What a change is checked against: an asset's register entry as it stands."""

    asset_id: str
    register: Register
    status: AssetStatus
    county_code: str
    township_code: str | None = None
    village_code: str | None = None
    owner_name: str | None = None
    owner_kind: OwnerKind | None = None
    confirmed_on: dt.date | None = None
    confirm_doc: str | None = None
    handed_over_on: dt.date | None = None
    handed_over_by: str | None = None
    handover_doc: str | None = None
    custodian: str | None = None
    custodian_since: dt.date | None = None
    custodian_duties: str | None = None
    household_id: str | None = None
    household_head: str | None = None
    acquired_on: dt.date | None = None
    build_year: int | None = None

    @property
    def region(self) -> str:
        """The lowest region the asset belongs to: its village, else its township, else its county."""
        return self.village_code or self.township_code or self.county_code


@dataclass(frozen=True)
class StatusChange:
    status: AssetStatus
    on: dt.date
    reason: str | None = None


Change = Ownership | Handover | Custody | StatusChange


class Outcome(Enum):
    APPLY = "apply"
    ALREADY = "already"  # the register already says so: nothing to record


@dataclass(frozen=True)
class Refusal:
    """Why a rule refuses the change, and the field (register column) it is about."""

    field: str
    reason: str


@dataclass(frozen=True)
class RegisterEvent:
    """A change's event as stored: `asset_events.event_of(kind, on, payload)` reads it back, for the writer (the
    register values it says) and for `audit verify` (its replay)."""

    kind: AssetEventKind
    on: dt.date | None  # a registration of an asset without any date of its own has none
    payload: dict[str, Any]


KINDS: dict[type[Any], str] = {
    Ownership: "confirm",
    Handover: "handover",
    Custody: "custodian",
    StatusChange: "status",
}


def closed_reason(status: AssetStatus) -> str | None:
    """Why an asset of this status takes no more register changes (it left the register), or None."""
    if not status.off_books:
        return None
    if status is AssetStatus.DISPOSED:
        return "资产已处置，台账登记已关闭 (the asset has been disposed of; its register entry is closed)"
    return "资产已核销，台账登记已关闭 (the asset has been written off; its register entry is closed)"


def check(facts: Facts, change: Change) -> Outcome | Refusal:
    """May `change` be made to the asset as `facts` describe it: APPLY, ALREADY (a no-op), or a Refusal."""
    closed = closed_reason(facts.status)
    if closed:
        return Refusal("status", closed)
    if isinstance(change, Ownership):
        problem = owner_kind_problem(facts.register, change.owner_kind)
        if problem:
            return Refusal("owner_kind", problem)
        same = (facts.owner_name, facts.owner_kind, facts.confirmed_on, facts.confirm_doc)
        wanted = (change.owner_name, change.owner_kind, change.confirmed_on, change.document)
        return Outcome.ALREADY if same == wanted else Outcome.APPLY
    if isinstance(change, Handover):
        if facts.handed_over_on is None:
            return Outcome.APPLY
        if facts.handed_over_on == change.handed_over_on and all(
            new is None or new == old
            for new, old in ((change.handed_over_by, facts.handed_over_by), (change.document, facts.handover_doc))
        ):
            return Outcome.ALREADY
        return Refusal(
            "handed_over_on", f"已于 {facts.handed_over_on} 移交 (already handed over on {facts.handed_over_on})"
        )
    if isinstance(change, Custody):
        held = (facts.custodian, facts.custodian_since, facts.custodian_duties)
        if held == (change.custodian, change.start_on, change.duties):
            return Outcome.ALREADY
        early = custody_start_problem(change.start_on, facts.acquired_on, facts.build_year)
        if early:
            return Refusal("custodian_since", early)
        if facts.custodian_since is not None and change.start_on < facts.custodian_since:
            return Refusal(
                "custodian_since",
                f"现管护责任人{facts.custodian}自 {facts.custodian_since} "
                f"起管护，新的管护不能早于该日期（{change.start_on}） "
                f"(the current custodian {facts.custodian} starts {facts.custodian_since}; "
                f"a new assignment cannot start before that ({change.start_on}))",
            )
        return Outcome.APPLY
    if change.status is AssetStatus.DISPOSED:
        return Refusal(
            "status",
            "处置须经批准并将处置收入记账，请用 `asset dispose` (disposal needs "
            "approval and books the proceeds: use `asset dispose`)",
        )
    if change.status is AssetStatus.WRITTEN_OFF:
        return Refusal(
            "status",
            "核销须在清查盘亏获批准后进行，请用 `inventory close` (a write-off (核销) "
            "follows an approved inventory shortage: `inventory close`)",
        )
    return Outcome.ALREADY if facts.status is change.status else Outcome.APPLY


def already_message(facts: Facts, change: Change) -> str:
    """What the register already says, for a change that would add nothing."""
    if isinstance(change, Ownership):
        return (
            f"已于 {facts.confirmed_on} 确权给{facts.owner_name} (already "
            f"confirmed to {facts.owner_name} on {facts.confirmed_on})"
        )
    if isinstance(change, Handover):
        return f"已于 {facts.handed_over_on} 移交 (already handed over on {facts.handed_over_on})"
    if isinstance(change, Custody):
        return (
            f"管护责任人已是{facts.custodian}（自 {facts.custodian_since} 起） "
            f"(custodian is already {facts.custodian} from {facts.custodian_since})"
        )
    return f"状态已是{facts.status.label} (status is already {facts.status.label})"


def event_of(facts: Facts, change: Change) -> RegisterEvent:
    """The event that records the change in the asset's history (sealed into the chain with every other)."""
    if isinstance(change, Ownership):
        payload = {"owner": change.owner_name, "owner_kind": change.owner_kind.value, "doc": change.document}
        return RegisterEvent(AssetEventKind.OWNERSHIP_CONFIRMED, change.confirmed_on, payload)
    if isinstance(change, Handover):
        payload = {"from": change.handed_over_by, "to": facts.owner_name, "doc": change.document}
        return RegisterEvent(AssetEventKind.HANDED_OVER, change.handed_over_on, payload)
    if isinstance(change, Custody):
        payload = {"custodian": change.custodian, "duties": change.duties, "previous": facts.custodian}
        return RegisterEvent(AssetEventKind.CUSTODIAN_ASSIGNED, change.start_on, payload)
    payload = {"from": facts.status.value, "to": change.status.value, "reason": change.reason}
    return RegisterEvent(AssetEventKind.STATUS_CHANGED, change.on, payload)


def registration_date(d: AssetDraft, today: dt.date) -> dt.date | None:
    """The date of the registration event: the asset's own dates (`entry_date`), None when it has none."""
    handed = d.handover.handed_over_on if d.handover else None
    confirmed = d.ownership.confirmed_on if d.ownership else None
    return entry_date(d.acquired_on, handed, confirmed, d.build_year, today=today)


def registration_event(d: AssetDraft, owner: Ownership | None, batch_id: int | None, today: dt.date) -> RegisterEvent:
    """The event that records a registration: what the register row says of the asset (name, register, value,
    status, owner, handover, custodian; `asset_events.Registered` reads it back) and what it came with (place, funding,
    dates, the import batch). `owner` is the ownership the row is registered with (a household-level asset's own
    household when the draft names none, 户有户管)."""
    payload: dict[str, Any] = {
        "name": d.name,
        "register": d.register.value,
        "region": d.region_code,
        "original_value": str(d.original_value),
        "funding": {s.value: str(a) for s, a in d.funding},
        "status": d.status.value,  # a register file may bring an asset in idle or damaged
    }
    if batch_id is not None:
        payload["batch"] = batch_id
    if d.acquired_on:
        payload["acquired"] = d.acquired_on.isoformat()
    if d.beneficiary_households is not None:
        payload["households"] = d.beneficiary_households  # 受益户数 as published, before the households are named
    if owner:
        payload["owner"] = {
            "name": owner.owner_name,
            "kind": owner.owner_kind.value,
            "on": owner.confirmed_on.isoformat(),
            "doc": owner.document,
        }
    if d.handover:
        payload["handover"] = d.handover.handed_over_on.isoformat()
        payload["handed_over_by"] = d.handover.handed_over_by
        payload["handover_doc"] = d.handover.document
    if d.custody:
        payload["custodian"] = {
            "name": d.custody.custodian,
            "from": d.custody.start_on.isoformat(),
            "duties": d.custody.duties,
        }
    return RegisterEvent(AssetEventKind.REGISTERED, registration_date(d, today), payload)


def attach_problem(facts: Facts, village_code: str) -> str | None:
    """Why a household of `village_code` cannot be attached to the asset (到户类 only, of its own village, still in
    the register), or None."""
    closed = closed_reason(facts.status)
    if closed:
        return closed
    if facts.register is not Register.HOUSEHOLD:
        return (
            f"只有到户类资产可以关联到户，这项资产是{facts.register.label} "
            f"(only household-level assets (到户类) are attached to households; this is {facts.register.label})"
        )
    if facts.village_code != village_code:
        return (
            f"资产与农户不在同一个村 "
            f"(the asset is in village {facts.village_code or facts.region}, the household in {village_code})"
        )
    return None
