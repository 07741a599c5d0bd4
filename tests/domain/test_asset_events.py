"""Asset events, typed: read back from their stored form, replayed by the one `apply`, and what a writer refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assetledger.domain.asset_events import (
    ApprovalLevel,
    AssetEventKind,
    AssetState,
    Disposed,
    Noted,
    Registered,
    StatusChanged,
    apply,
    current,
    differences,
    event_of,
    refusal,
    replay,
)

REGISTERED = {"name": "冷库", "register": "operating", "original_value": "500000.00", "status": "idle",
              "owner": {"name": "向阳村股份经济合作社", "kind": "village"}}  # fmt: skip


def test_stored_events_read_back_typed() -> None:
    event = event_of("registered", REGISTERED)
    assert event == Registered("冷库", "operating", Decimal("500000.00"), "idle", "向阳村股份经济合作社", None)
    assert event_of("status_changed", {"from": "idle", "to": "in_use"}) == StatusChanged("in_use")
    assert event_of("disposed", {"approved_by": "county"}) == Disposed(ApprovalLevel.COUNTY)
    assert event_of("handed_over", {"from": "县交通运输局"}) == Noted(AssetEventKind.HANDED_OVER)
    assert event_of("something_new", None) == Noted("something_new")


def test_replay_gives_what_the_register_must_hold() -> None:
    kinds = [("registered", REGISTERED), ("custodian_assigned", {"custodian": "张三"}), ("revitalised", {}),
             ("ownership_confirmed", {"owner": "李家村"}), ("inventory_written_off", {})]  # fmt: skip
    state = replay(event_of(kind, payload) for kind, payload in kinds)
    assert (state.owner, state.custodian, state.status) == ("李家村", "张三", "written_off")
    assert state.registered and state.off_books
    register = {"name": "冷库", "register": "operating", "original_value": Decimal("500000"), "owner": "李家村",
                "custodian": "王五", "status": "written_off"}  # fmt: skip
    assert differences(state, register) == [("custodian", "王五", "张三")]  # 500000 is 500000.00


def test_fields_no_event_set_are_not_compared() -> None:
    state = apply(AssetState(), StatusChanged("idle"))
    assert not state.registered
    assert differences(state, {"name": "x", "owner": "y", "status": "idle"}) == []


@pytest.mark.parametrize(("status", "refused"), [("in_use", None), ("idle", None),
                                                 ("disposed", "已处置 (already disposed of)"),
                                                 ("written_off", "已核销 (already written off)")])  # fmt: skip
def test_an_asset_off_the_books_takes_no_change(status: str, refused: str | None) -> None:
    assert refusal(current(status), Disposed()) == refused
    assert refusal(current(status), Noted(AssetEventKind.DOCUMENT_ATTACHED)) is None


def test_a_higher_approval_suffices() -> None:
    assert ApprovalLevel.COUNTY.suffices_for(ApprovalLevel.TOWNSHIP)
    assert not ApprovalLevel.VILLAGE.suffices_for(ApprovalLevel.TOWNSHIP)
