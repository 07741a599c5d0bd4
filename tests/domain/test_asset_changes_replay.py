"""The writer's rule and the verifier's replay agree: whatever change `domain.asset_changes` lets a writer make, the
event it records, read back from its stored form by `domain.asset_events.event_of` and replayed by `apply` (as
`audit verify` does, and as the writer does to decide the register's new values), says of the register what the
change means. Without this a legitimate change could raise a tamper alarm, or a tampered register pass."""

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
TODAY = dt.date(2026, 6, 15)  # a day inside the drafts' years: this year's 建设年度 enters on it, not on 31 December
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


def state_of(f: Facts) -> asset_events.AssetState:
    return asset_events.AssetState(
        status=f.status.value, owner_name=f.owner_name, custodian=f.custodian, said=frozenset({"status"})
    )


def meant(change: asset_changes.Change) -> dict[str, object]:
    """What the register must say after the change, by the change's own fields."""
    if isinstance(change, Ownership):
        return {"owner_name": change.owner_name, "owner_kind": change.owner_kind.value,
                "confirmed_on": change.confirmed_on, "confirm_doc": change.document}  # fmt: skip
    if isinstance(change, Handover):
        return {"handed_over_on": change.handed_over_on, "handed_over_by": change.handed_over_by,
                "handover_doc": change.document}  # fmt: skip
    if isinstance(change, Custody):
        return {"custodian": change.custodian, "custodian_since": change.start_on, "custodian_duties": change.duties}
    return {"status": change.status.value}


@given(facts, changes)
def test_what_a_writer_records_replays_to_what_the_change_means(before: Facts, change: asset_changes.Change) -> None:
    outcome = asset_changes.check(before, change)
    if outcome is not Outcome.APPLY:
        return
    recorded = asset_changes.event_of(before, change)
    stored = json.loads(json.dumps(recorded.payload, default=str))  # as the event row keeps it
    event = asset_events.event_of(recorded.kind.value, recorded.on, stored)
    assert asset_events.refusal(state_of(before), event) is None  # the writer and the verifier allow the same
    assert asset_events.register_values(event) == meant(change)  # what the writer stores
    after = asset_events.apply(state_of(before), event)
    for name in asset_events.FIELDS:  # the replay says the same, and leaves every other field as it was
        expected = meant(change).get(name, getattr(state_of(before), name))
        assert getattr(after, name) == expected, (name, change)


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
        payload = {"owner": "x", "custodian": "y", "to": "idle"}
        assert not isinstance(asset_events.event_of(kind.value, on, payload), asset_events.Noted)


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
    the writer puts on the row, every field the replay compares: name, register, value, status, owner (name, level,
    date, document), handover (date, party, document), custodian (name, start, duties)."""
    recorded = asset_changes.registration_event(draft, draft.ownership, batch, TODAY)
    assert recorded.kind is asset_events.AssetEventKind.REGISTERED
    assert recorded.on == asset_changes.registration_date(draft, TODAY)
    stored = json.loads(json.dumps(recorded.payload))  # the payload is JSON as it stands (no default= needed)
    event = asset_events.event_of(recorded.kind.value, recorded.on, stored)
    assert isinstance(event, asset_events.Registered)
    after = asset_events.apply(asset_events.AssetState(), event)
    row = {
        "name": draft.name,
        "register": draft.register.value,
        "original_value": draft.original_value,
        "status": draft.status.value,
        "owner_name": draft.ownership.owner_name if draft.ownership else None,
        "owner_kind": draft.ownership.owner_kind.value if draft.ownership else None,
        "confirmed_on": draft.ownership.confirmed_on if draft.ownership else None,
        "confirm_doc": draft.ownership.document if draft.ownership else None,
        "handed_over_on": draft.handover.handed_over_on if draft.handover else None,
        "handed_over_by": draft.handover.handed_over_by if draft.handover else None,
        "handover_doc": draft.handover.document if draft.handover else None,
        "custodian": draft.custody.custodian if draft.custody else None,
        "custodian_since": draft.custody.start_on if draft.custody else None,
        "custodian_duties": draft.custody.duties if draft.custody else None,
    }
    assert asset_events.differences(after, row) == []
    assert after.said == set(asset_events.FIELDS) == set(row)
