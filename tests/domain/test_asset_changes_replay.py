"""The writer's rule and the verifier's replay agree: whatever change `domain.asset_changes` lets a writer make, the
event it records, read back by `domain.asset_events.event_of` and replayed by `apply` (as `audit verify` does), says
of the register what the writer set (`updated`). Without this the two could drift, and a legitimate change would
raise a tamper alarm, or a tampered register pass."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from assetledger.domain import asset_changes, asset_events
from assetledger.domain.asset_changes import Facts, Outcome, StatusChange
from assetledger.domain.assets import Custody, Handover, Ownership
from assetledger.domain.enums import AssetStatus, OwnerKind, Register

days = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
names = st.text("张王李赵村社合作镇政府", min_size=1, max_size=8)
maybe = st.none() | names

facts = st.builds(
    Facts,
    asset_id=st.just("A-1"),
    register=st.sampled_from(Register),
    status=st.sampled_from(AssetStatus),
    county_code=st.just("360921"),
    village_code=st.just("360921101201"),
    owner_name=maybe,
    owner_kind=st.none() | st.sampled_from(OwnerKind),
    confirmed_on=st.none() | days,
    custodian=maybe,
    custodian_since=st.none() | days,
    handed_over_on=st.none() | days,
)
changes = st.one_of(
    st.builds(Ownership, owner_name=names, owner_kind=st.sampled_from(OwnerKind), confirmed_on=days, document=maybe),
    st.builds(Handover, handed_over_on=days, handed_over_by=maybe, document=maybe),
    st.builds(Custody, custodian=names, start_on=days, duties=maybe),
    st.builds(StatusChange, status=st.sampled_from(AssetStatus), on=days, reason=maybe),
)
# The register fields the events speak for, and what the writer's `updated` calls them.
SAID = {"owner": "owner_name", "custodian": "custodian", "status": "status"}


def state_of(f: Facts) -> asset_events.AssetState:
    return asset_events.AssetState(
        status=f.status.value, owner=f.owner_name, custodian=f.custodian, said=frozenset({"status"})
    )


@given(facts, changes)
def test_what_a_writer_records_replays_to_what_it_set(before: Facts, change: asset_changes.Change) -> None:
    outcome = asset_changes.check(before, change)
    if outcome is not Outcome.APPLY:
        return
    recorded = asset_changes.event_of(before, change)
    stored = json.loads(json.dumps(recorded.payload, default=str))  # as the event row keeps it
    event = asset_events.event_of(recorded.kind.value, stored)
    assert asset_events.refusal(state_of(before), event) is None  # the writer and the verifier allow the same
    after = asset_events.apply(state_of(before), event)
    written = asset_changes.updated(change)
    for said, column in SAID.items():
        if column in written:
            assert getattr(after, said) == written[column], (said, change)
        else:
            assert getattr(after, said) == getattr(state_of(before), said), (said, change)


def test_every_change_kind_is_a_known_event_kind() -> None:
    before = Facts("A-1", Register.OPERATING, AssetStatus.IN_USE, "360921")
    on = dt.date(2025, 1, 1)
    for change in (
        Ownership("村集体", OwnerKind.VILLAGE, on),
        Handover(on),
        Custody("张三", on),
        StatusChange(AssetStatus.IDLE, on),
    ):
        kind = asset_changes.event_of(before, change).kind
        assert isinstance(kind, asset_events.AssetEventKind)
        assert not isinstance(asset_events.event_of(kind.value, {"owner": "x", "custodian": "y", "to": "idle"}),
                              asset_events.Noted) or kind is asset_events.AssetEventKind.HANDED_OVER  # fmt: skip
