"""The writer's rule and the verifier's replay agree: whatever change `domain.asset_changes` lets a writer make, the
event it records, read back by `domain.asset_events.event_of` and replayed by `apply` (as `audit verify` does), says
of the register what the writer set (`updated`). Without this the two could drift, and a legitimate change would
raise a tamper alarm, or a tampered register pass."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assetledger.domain import asset_changes, asset_events
from assetledger.domain.asset_changes import Facts, Outcome, StatusChange
from assetledger.domain.assets import AssetDraft, Custody, Handover, Ownership
from assetledger.domain.enums import AssetStatus, FundSource, OwnerKind, Register

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


fund_amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
drafts = st.builds(
    AssetDraft,
    asset_id=st.just("A-1"),
    name=names,
    register=st.sampled_from(Register),
    region_code=st.just("360921101201"),
    original_value=fund_amounts,
    funding=st.lists(st.tuples(st.sampled_from(FundSource), fund_amounts), max_size=3, unique_by=lambda f: f[0]).map(
        tuple
    ),
    build_year=st.none() | st.integers(2013, 2030),
    acquired_on=st.none() | days,
    status=st.sampled_from([s for s in AssetStatus if not s.off_books]),
    ownership=st.none() | st.builds(Ownership, names, st.sampled_from(OwnerKind), days, maybe),
    handover=st.none() | st.builds(Handover, days, maybe, maybe),
    custody=st.none() | st.builds(Custody, names, days, maybe),
    beneficiary_households=st.none() | st.integers(0, 1000),
)


@given(drafts, st.none() | st.integers(1, 10_000))
def test_what_a_registration_records_replays_to_the_register_row(draft: AssetDraft, batch: int | None) -> None:
    """The registration event, stored as JSON and read back as `audit verify` reads it, says of the register what
    the writer puts on the row: name, register, value, status, owner, custodian."""
    recorded = asset_changes.registration_event(draft, draft.ownership, batch)
    assert recorded.kind is asset_events.AssetEventKind.REGISTERED
    assert recorded.on == asset_changes.registration_date(draft)
    stored = json.loads(json.dumps(recorded.payload))  # the payload is JSON as it stands (no default= needed)
    event = asset_events.event_of(recorded.kind.value, stored)
    assert isinstance(event, asset_events.Registered)
    after = asset_events.apply(asset_events.AssetState(), event)
    row = {
        "name": draft.name,
        "register": draft.register.value,
        "original_value": draft.original_value,
        "status": draft.status.value,
        "owner": draft.ownership.owner_name if draft.ownership else None,
        "custodian": draft.custody.custodian if draft.custody else None,
    }
    assert asset_events.differences(after, row) == []
    assert after.said == set(asset_events.FIELDS)
