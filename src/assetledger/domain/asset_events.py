"""The events of an asset's register entry, typed: their kinds, the payloads that change what the register says, and
one pure `apply(state, event)` that the writers use to decide the new state and `audit verify` uses to replay the
events and compare the register with them.

Events are stored as (kind, JSON payload) rows (asset_events); `event_of(kind, payload)` reads one back. Kinds that
leave the register's own fields as they are (a handover, a contract, a document) are `Noted` events.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Registered:
    name: str
    register: str
    original_value: Decimal
    status: str
    owner: str | None
    custodian: str | None


@dataclass(frozen=True)
class OwnershipConfirmed:
    owner: str


@dataclass(frozen=True)
class CustodianAssigned:
    custodian: str


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
    """An event that leaves the register's own fields as they are (handover, contract, document, ...)."""

    kind: AssetEventKind | str


AssetEvent = (
    Registered | OwnershipConfirmed | CustodianAssigned | StatusChanged | Revitalised | Disposed | WrittenOff | Noted
)


def event_of(kind: str, payload: Mapping[str, Any] | None) -> AssetEvent:
    """A stored event, typed. An unknown kind is `Noted` (verify reports what the register says, not the kinds)."""
    data: Mapping[str, Any] = payload or {}
    match kind:
        case AssetEventKind.REGISTERED:
            return Registered(
                name=data["name"],
                register=data["register"],
                original_value=Decimal(str(data["original_value"])),
                status=data.get("status", AssetStatus.IN_USE.value),
                owner=(data.get("owner") or {}).get("name"),
                custodian=(data.get("custodian") or {}).get("name"),
            )
        case AssetEventKind.OWNERSHIP_CONFIRMED:
            return OwnershipConfirmed(data["owner"])
        case AssetEventKind.CUSTODIAN_ASSIGNED:
            return CustodianAssigned(data["custodian"])
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


# --- state -------------------------------------------------------------------------------------------------------

FIELDS = ("name", "register", "original_value", "owner", "custodian", "status")


@dataclass(frozen=True)
class AssetState:
    """What an asset's events say of its register entry. `said` names the fields some event set (an asset whose
    registration event is missing has only what later events say)."""

    name: str | None = None
    register: str | None = None
    original_value: Decimal | None = None
    status: str | None = None
    owner: str | None = None
    custodian: str | None = None
    said: frozenset[str] = field(default_factory=frozenset)

    @property
    def registered(self) -> bool:
        return "name" in self.said

    @property
    def off_books(self) -> bool:
        return self.status is not None and AssetStatus(self.status).off_books


def _set(state: AssetState, **values: Any) -> AssetState:
    return replace(state, **values, said=state.said | set(values))


def apply(state: AssetState, event: AssetEvent) -> AssetState:
    """The register entry as `event` leaves it. Pure and total: what may follow what is `refusal`'s to say."""
    match event:
        case Registered():
            return _set(state, name=event.name, register=event.register, original_value=event.original_value,
                        status=event.status, owner=event.owner, custodian=event.custodian)  # fmt: skip
        case OwnershipConfirmed():
            return _set(state, owner=event.owner)
        case CustodianAssigned():
            return _set(state, custodian=event.custodian)
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
