"""The events of an asset's register entry, typed: their kinds, the payloads that change what the register says, and
one pure `apply(state, event)` that the writers use to decide the new state and `audit verify` uses to replay the
events and compare the register with them.

Events are stored as (kind, date, JSON payload) rows (asset_events); `event_of(kind, on, payload)` reads one back, and
`register_values(event)` is what a change writer stores in the register for it. Kinds that leave the register's own
fields as they are (a contract, a document, a reinvestment) are `Noted` events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from assetledger.domain.enums import AssetStatus


class AssetEventKind(StrEnum):
    REGISTERED = "registered"
    OWNERSHIP_CONFIRMED = "ownership_confirmed"  # 确权
    HANDED_OVER = "handed_over"  # 移交
    CUSTODIAN_ASSIGNED = "custodian_assigned"  # 管护
    STATUS_CHANGED = "status_changed"
    REVITALISED = "revitalised"  # 盘活
    REINVESTED = "reinvested"  # 再投入
    DISPOSED = "disposed"  # 处置
    INVENTORY_WRITTEN_OFF = "inventory_written_off"  # 核销 after an inventory shortage (not 处置: DOMAIN rule 19)
    INVENTORY_SURPLUS = "inventory_surplus"  # 盘盈
    CONTRACT_RECORDED = "contract_recorded"
    CONTRACT_TERMINATED = "contract_terminated"
    DOCUMENT_ATTACHED = "document_attached"


class ApprovalLevel(StrEnum):
    """Who approved a disposal, lowest first: a higher level's approval suffices for a lower band."""

    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"

    @property
    def label(self) -> str:
        return {"village": "村级", "township": "乡镇", "county": "县级"}[self.value]

    @property
    def english(self) -> str:
        return {"village": "village", "township": "township", "county": "county"}[self.value]

    def suffices_for(self, required: ApprovalLevel) -> bool:
        order = list(ApprovalLevel)
        return order.index(self) >= order.index(required)


# --- payloads ----------------------------------------------------------------------------------------------------
#
# A payload's event names the register fields it speaks for (`said`): those its stored payload holds. Every writer
# writes them all; an event stored by an older writer that left a key out leaves that field as it was, rather than
# claiming it empty and raising a false tamper alarm.


@dataclass(frozen=True)
class Registered:
    name: str
    register: str
    original_value: Decimal
    status: str
    owner_name: str | None
    custodian: str | None
    owner_kind: str | None = None
    confirmed_on: dt.date | None = None
    confirm_doc: str | None = None
    handed_over_on: dt.date | None = None
    handed_over_by: str | None = None
    handover_doc: str | None = None
    custodian_since: dt.date | None = None
    custodian_duties: str | None = None
    said: frozenset[str] = frozenset(
        {"name", "register", "original_value", "status", "owner_name", "owner_kind", "confirmed_on", "confirm_doc",
         "handed_over_on", "handed_over_by", "handover_doc", "custodian", "custodian_since", "custodian_duties"}
    )  # fmt: skip


@dataclass(frozen=True)
class OwnershipConfirmed:
    owner_name: str
    owner_kind: str | None = None
    confirmed_on: dt.date | None = None
    confirm_doc: str | None = None
    said: frozenset[str] = frozenset({"owner_name", "owner_kind", "confirmed_on", "confirm_doc"})


@dataclass(frozen=True)
class HandedOver:
    """移交 to the owner: when, by whom, under which document."""

    handed_over_on: dt.date | None
    handed_over_by: str | None = None
    handover_doc: str | None = None
    said: frozenset[str] = frozenset({"handed_over_on", "handed_over_by", "handover_doc"})


@dataclass(frozen=True)
class CustodianAssigned:
    custodian: str
    custodian_since: dt.date | None = None
    custodian_duties: str | None = None
    said: frozenset[str] = frozenset({"custodian", "custodian_since", "custodian_duties"})


@dataclass(frozen=True)
class StatusChanged:
    to: str


@dataclass(frozen=True)
class Revitalised:
    """Back in use (盘活), whatever its status was."""


@dataclass(frozen=True)
class Disposed:
    approved_by: ApprovalLevel | None = None


@dataclass(frozen=True)
class WrittenOff:
    """核销 after an approved inventory shortage."""


@dataclass(frozen=True)
class Noted:
    """An event that leaves the register's own fields as they are (contract, document, reinvestment, ...)."""

    kind: AssetEventKind | str


AssetEvent = (
    Registered
    | OwnershipConfirmed
    | HandedOver
    | CustodianAssigned
    | StatusChanged
    | Revitalised
    | Disposed
    | WrittenOff
    | Noted
)


def event_of(kind: str, on: dt.date | None, payload: Mapping[str, Any] | None) -> AssetEvent:
    """A stored event (its kind, date and payload), typed. An unknown kind is `Noted` (verify reports what the
    register says, not the kinds)."""
    data: Mapping[str, Any] = payload or {}
    match kind:
        case AssetEventKind.REGISTERED:
            owner = data.get("owner") or {}
            custodian = data.get("custodian") or {}
            return Registered(
                name=data["name"],
                register=data["register"],
                original_value=Decimal(str(data["original_value"])),
                status=data.get("status", AssetStatus.IN_USE.value),
                owner_name=owner.get("name"),
                custodian=custodian.get("name"),
                owner_kind=owner.get("kind"),
                confirmed_on=_date(owner.get("on")),
                confirm_doc=owner.get("doc"),
                handed_over_on=_date(data.get("handover")),
                handed_over_by=data.get("handed_over_by"),
                handover_doc=data.get("handover_doc"),
                custodian_since=_date(custodian.get("from")),
                custodian_duties=custodian.get("duties"),
                said=Registered.said - _registration_unsaid(data, owner, custodian),
            )
        case AssetEventKind.OWNERSHIP_CONFIRMED:
            said = OwnershipConfirmed.said - _unsaid(data, {"owner_kind": "owner_kind", "doc": "confirm_doc"})
            return OwnershipConfirmed(data["owner"], data.get("owner_kind"), on, data.get("doc"),
                                      said=said - ({"confirmed_on"} if on is None else set()))  # fmt: skip
        case AssetEventKind.HANDED_OVER:
            said = HandedOver.said - _unsaid(data, {"from": "handed_over_by", "doc": "handover_doc"})
            return HandedOver(on, data.get("from"), data.get("doc"),
                              said=said - ({"handed_over_on"} if on is None else set()))  # fmt: skip
        case AssetEventKind.CUSTODIAN_ASSIGNED:
            said = CustodianAssigned.said - _unsaid(data, {"duties": "custodian_duties"})
            return CustodianAssigned(data["custodian"], on, data.get("duties"),
                                     said=said - ({"custodian_since"} if on is None else set()))  # fmt: skip
        case AssetEventKind.STATUS_CHANGED:
            return StatusChanged(data["to"])
        case AssetEventKind.REVITALISED:
            return Revitalised()
        case AssetEventKind.DISPOSED:
            level = data.get("approved_by")
            return Disposed(ApprovalLevel(level) if level in set(ApprovalLevel) else None)
        case AssetEventKind.INVENTORY_WRITTEN_OFF:
            return WrittenOff()
    known = {k.value: k for k in AssetEventKind}
    return Noted(known.get(kind, kind))


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _registration_unsaid(
    data: Mapping[str, Any], owner: Mapping[str, Any], custodian: Mapping[str, Any]
) -> frozenset[str]:
    """The fields a registration payload of an older writer left out. An owner, handover or custodian left out as a
    whole says: none (an unconfirmed asset has no owner, level or date)."""
    handover = data if "handover" in data else {}
    return (
        _unsaid(owner, {"kind": "owner_kind", "on": "confirmed_on", "doc": "confirm_doc"})
        | _unsaid(handover, {"handed_over_by": "handed_over_by", "handover_doc": "handover_doc"})
        | _unsaid(custodian, {"from": "custodian_since", "duties": "custodian_duties"})
    )


def _unsaid(data: Mapping[str, Any], fields: Mapping[str, str]) -> frozenset[str]:
    """The register fields (`fields`' values) whose payload keys (`fields`' keys) a non-empty `data` lacks."""
    return frozenset(name for key, name in fields.items() if data and key not in data)


# --- state -------------------------------------------------------------------------------------------------------

FIELDS = (
    "name", "register", "original_value", "status", "owner_name", "owner_kind", "confirmed_on", "confirm_doc",
    "handed_over_on", "handed_over_by", "handover_doc", "custodian", "custodian_since", "custodian_duties",
)  # fmt: skip


@dataclass(frozen=True)
class AssetState:
    """What an asset's events say of its register entry (the register's columns of the same names). `said` names
    the fields some event set (an asset whose registration event is missing has only what later events say)."""

    name: str | None = None
    register: str | None = None
    original_value: Decimal | None = None
    status: str | None = None
    owner_name: str | None = None
    owner_kind: str | None = None
    confirmed_on: dt.date | None = None
    confirm_doc: str | None = None
    handed_over_on: dt.date | None = None
    handed_over_by: str | None = None
    handover_doc: str | None = None
    custodian: str | None = None
    custodian_since: dt.date | None = None
    custodian_duties: str | None = None
    said: frozenset[str] = field(default_factory=frozenset)

    @property
    def registered(self) -> bool:
        return "name" in self.said

    @property
    def off_books(self) -> bool:
        return self.status is not None and AssetStatus(self.status).off_books


def _set(state: AssetState, **values: Any) -> AssetState:
    return replace(state, **values, said=state.said | set(values))


def _said(event: Registered | OwnershipConfirmed | HandedOver | CustodianAssigned) -> dict[str, Any]:
    return {name: getattr(event, name) for name in event.said}


def apply(state: AssetState, event: AssetEvent) -> AssetState:
    """The register entry as `event` leaves it. Pure and total: what may follow what is `refusal`'s to say."""
    match event:
        case Registered() | OwnershipConfirmed() | HandedOver() | CustodianAssigned():
            return _set(state, **_said(event))
        case StatusChanged():
            return _set(state, status=event.to)
        case Revitalised():
            return _set(state, status=AssetStatus.IN_USE.value)
        case Disposed():
            return _set(state, status=AssetStatus.DISPOSED.value)
        case WrittenOff():
            return _set(state, status=AssetStatus.WRITTEN_OFF.value)
    return state


def replay(events: Iterable[AssetEvent]) -> AssetState:
    state = AssetState()
    for event in events:
        state = apply(state, event)
    return state


def register_values(event: AssetEvent) -> dict[str, Any]:
    """The register columns `event` sets, with the values `apply` gives them: what a writer stores, so that the
    register is what `audit verify`'s replay of the same event says."""
    after = apply(AssetState(), event)
    return {name: getattr(after, name) for name in FIELDS if name in after.said}


def refusal(state: AssetState, event: AssetEvent) -> str | None:
    """Why `event` cannot follow `state` in a writer (None when it can): an asset that left the books (disposed of
    or written off) takes no more changes to its register entry."""
    if isinstance(event, Noted) or not state.off_books:
        return None
    return (
        "已处置 (already disposed of)" if state.status == AssetStatus.DISPOSED.value else "已核销 (already written off)"
    )


def current(status: str) -> AssetState:
    """What a writer knows of an asset before its change: the status on its row."""
    return AssetState(status=status, said=frozenset({"status"}))


def status_after(status: str, event: AssetEvent) -> AssetStatus:
    """The status a writer stores for an asset whose row says `status` when `event` happens: `apply`'s."""
    return AssetStatus(apply(current(status), event).status or status)


def differences(state: AssetState, actual: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, value in the register, value the events say) of each field the events set and the register does not
    hold; amounts compare as amounts, however many places they were written with."""
    found = []
    for name in FIELDS:
        if name not in state.said or name not in actual:
            continue
        said, value = getattr(state, name), actual[name]
        if name == "original_value":
            if value is not None and said is not None and Decimal(str(value)) == said:
                continue
            found.append((name, None if value is None else str(value), None if said is None else str(said)))
        elif said != value:
            found.append((name, value, said))
    return found
