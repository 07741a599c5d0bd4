"""Asset events, typed: read back from their stored form, replayed by the one `apply`, and what a writer refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assetledger.domain.asset_events import (
    ApprovalLevel,
    AssetEventKind,
    AssetState,
    CustodianAssigned,
    Disposed,
    HandedOver,
    Noted,
    Registered,
    StatusChanged,
    apply,
    current,
    differences,
    event_of,
    refusal,
    register_values,
    replay,
)

REGISTERED: dict[str, object] = {
    "name": "冷库", "register": "operating", "original_value": "500000.00", "status": "idle",
    "owner": {"name": "向阳村股份经济合作社", "kind": "village"},
}  # fmt: skip


ON = dt.date(2025, 3, 1)


def test_stored_events_read_back_typed() -> None:
    event = event_of("registered", None, REGISTERED)
    assert isinstance(event, Registered)
    assert (event.name, event.original_value, event.status) == ("冷库", Decimal("500000.00"), "idle")
    assert (event.owner_name, event.owner_kind, event.custodian) == ("向阳村股份经济合作社", "village", None)
    assert event_of("status_changed", ON, {"from": "idle", "to": "in_use"}) == StatusChanged("in_use")
    assert event_of("disposed", ON, {"approved_by": "county"}) == Disposed(ApprovalLevel.COUNTY)
    assert event_of("handed_over", ON, {"from": "县交通运输局", "to": "李家村", "doc": "交〔2025〕3号"}) == HandedOver(
        ON, "县交通运输局", "交〔2025〕3号"
    )
    assert event_of("custodian_assigned", ON, {"custodian": "张三", "duties": "日常巡查"}) == CustodianAssigned(
        "张三", ON, "日常巡查"
    )
    assert event_of("something_new", ON, None) == Noted("something_new")


def test_an_older_payload_says_only_what_it_holds() -> None:
    """A key an older writer left out leaves its field unsaid (not claimed empty: no false tamper alarm)."""
    confirmed = event_of("ownership_confirmed", ON, {"owner": "李家村"})
    assert apply(AssetState(), confirmed).said == {"owner_name", "confirmed_on"}
    registered = event_of("registered", None, REGISTERED)  # its owner names no date or document
    assert "confirmed_on" not in apply(AssetState(), registered).said
    assert "custodian_since" in apply(AssetState(), registered).said  # no custodian at all: none, said


def test_a_writer_stores_what_the_replay_says() -> None:
    event = event_of("ownership_confirmed", ON, {"owner": "李家村", "owner_kind": "village", "doc": None})
    assert register_values(event) == {"owner_name": "李家村", "owner_kind": "village", "confirmed_on": ON,
                                      "confirm_doc": None}  # fmt: skip
    assert register_values(StatusChanged("idle")) == {"status": "idle"}
    assert register_values(Noted(AssetEventKind.DOCUMENT_ATTACHED)) == {}


def test_replay_gives_what_the_register_must_hold() -> None:
    kinds: list[tuple[str, dict[str, object]]] = [
        ("registered", REGISTERED), ("custodian_assigned", {"custodian": "张三"}), ("revitalised", {}),
        ("ownership_confirmed", {"owner": "李家村"}), ("inventory_written_off", {}),
    ]  # fmt: skip
    state = replay(event_of(kind, ON, payload) for kind, payload in kinds)
    assert (state.owner_name, state.custodian, state.status) == ("李家村", "张三", "written_off")
    assert state.registered and state.off_books
    register = {"name": "冷库", "register": "operating", "original_value": Decimal("500000"), "owner_name": "李家村",
                "custodian": "王五", "custodian_since": ON, "status": "written_off"}  # fmt: skip
    assert differences(state, register) == [("custodian", "王五", "张三")]  # 500000 is 500000.00


def test_fields_no_event_set_are_not_compared() -> None:
    state = apply(AssetState(), StatusChanged("idle"))
    assert not state.registered
    assert differences(state, {"name": "x", "owner_name": "y", "status": "idle"}) == []


@pytest.mark.parametrize(("status", "refused"), [("in_use", None), ("idle", None),
                                                 ("disposed", "已处置 (already disposed of)"),
                                                 ("written_off", "已核销 (already written off)")])  # fmt: skip
def test_an_asset_off_the_books_takes_no_change(status: str, refused: str | None) -> None:
    assert refusal(current(status), Disposed()) == refused
    assert refusal(current(status), Noted(AssetEventKind.DOCUMENT_ATTACHED)) is None


def test_a_higher_approval_suffices() -> None:
    assert ApprovalLevel.COUNTY.suffices_for(ApprovalLevel.TOWNSHIP)
    assert not ApprovalLevel.VILLAGE.suffices_for(ApprovalLevel.TOWNSHIP)
