"""Acceptances (验收) and the rule "accepted but not registered" (验收后未登记, issue 24) on dated data, through the
services: raised by an acceptance the register does not follow within the policy's days, cleared by registering the
asset; a case on it closes only once the asset is registered. What `asset accept` prints and its exit codes:
tests/cli/test_inventory_commands.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assetledger.domain.assets import AssetDraft
from assetledger.domain.enums import FundSource, OperatingMode, Register
from assetledger.domain.supervision import SupervisionWarning
from assetledger.errors import InputError, PermissionDenied, RuleViolation
from assetledger.rules.supervision_policy import load_policy
from assetledger.services.acceptance import Acceptance, import_acceptances, record_acceptance
from assetledger.services.assets import import_assets
from assetledger.services.audit import verify
from assetledger.services.rectification import close_case, open_case
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from assetledger.store.publication_models import AssetAcceptance
from tests.builders import assets, regions, user
from tests.builders.yearly_work import accepted, registered
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv

VILLAGE, OTHER_VILLAGE = "360921101201", "360921101202"
POLICY = load_policy(Path(__file__).parents[2] / "ledgers" / "policy" / "supervision.toml")
KEY = "unregistered_after_acceptance:A-9"
TODAY = dt.date.today()
ACCEPTED = TODAY - dt.timedelta(days=60)  # the machine's today: registering stamps it, so the test dates follow it
CITIES = [
    ["区划代码", "名称", "级别", "上级代码"],
    ["360900", "宜春市", "市", ""],
    ["360921", "示范县", "县", "360900"],
]


def county_with_users(db: Database) -> None:
    """示范县 under 宜春市 with the well U-1 of 红旗村 (not confirmed); the city's finance shi, the county's zhang,
    the village accountants li (红旗村) and zhao (向阳村), the auditor wang."""
    regions(db, REGIONS)
    registered(db, AssetDraft("U-1", "水井", Register.PUBLIC_BENEFIT, VILLAGE, Decimal("10000"),
                              ((FundSource.CENTRAL, Decimal("10000")),), build_year=2025,
                              acquired_on=dt.date(2025, 3, 1)))  # fmt: skip
    regions(db, CITIES)
    shi = user(db, "shi", "finance", "360900")
    zhang = user(db, "zhang", "finance", "360921", actor=shi)
    for name, role, scope in (("li", "village-accountant", VILLAGE), ("zhao", "village-accountant", OTHER_VILLAGE),
                              ("wang", "auditor", "360921")):  # fmt: skip
        user(db, name, role, scope, actor=zhang)


def found(db: Database, as_of: dt.date, actor: str = "zhang") -> dict[str, SupervisionWarning]:
    """The warnings as of a day under the shipped supervision policy (`supervise warnings --policy`), by key."""
    return {w.key: w for w in warnings(db, actor, as_of, POLICY)}


def _acceptance(on: dt.date = ACCEPTED, doc: str | None = None, region: str = VILLAGE) -> Acceptance:
    return Acceptance("A-9", "冷库", region, on, doc)


def _cold_store() -> AssetDraft:
    """A-9 as `asset register --register operating --operating-mode lease` registers it."""
    return AssetDraft("A-9", "冷库", Register.OPERATING, VILLAGE, Decimal("500000"),
                      ((FundSource.CENTRAL, Decimal("500000")),), build_year=ACCEPTED.year, acquired_on=ACCEPTED,
                      operating_mode=OperatingMode.LEASE, operator="冷链公司")  # fmt: skip


def test_an_accepted_asset_not_registered_in_time_is_warned_until_it_is(db: Database) -> None:
    county_with_users(db)
    assert record_acceptance(db, _acceptance(doc="县验〔2026〕5号"), "zhang") == 1
    assert KEY not in found(db, ACCEPTED + dt.timedelta(days=30))  # the example policy gives 30 days
    late = ACCEPTED + dt.timedelta(days=45)
    w = found(db, late)[KEY]
    assert w.since == ACCEPTED and w.overdue_days(late) == 15
    assert "竣工验收（县验〔2026〕5号）" in w.evidence and "not on the register 45 days later" in w.evidence
    assert w.refs == ("验收记录 acceptance #1",) and w.village_code == VILLAGE

    case = open_case(db, "zhang", KEY, "东风镇人民政府", TODAY, policy=POLICY, on=late)
    assert (case.number, case.key) == (1, KEY)
    with pytest.raises(RuleViolation, match="still fires") as refused:
        close_case(db, "zhang", 1, policy=POLICY, on=TODAY)
    assert refused.value.exit_code == 5

    registered(db, _cold_store(), actor="zhang")
    assert KEY not in found(db, TODAY)
    assert KEY in found(db, late)  # as of then, it was not registered yet
    closed = close_case(db, "zhang", 1, policy=POLICY, on=TODAY)
    assert (closed.number, closed.state.closed, closed.state.closed_on) == (1, True, TODAY)


def test_acceptances_are_of_record_and_refused_when_wrong(db: Database) -> None:
    county_with_users(db)
    before = table_counts(db)
    with pytest.raises(RuleViolation) as future:
        record_acceptance(db, _acceptance(on=TODAY + dt.timedelta(days=1)), "zhang")
    assert future.value.exit_code == 5
    with pytest.raises(InputError) as outside:
        record_acceptance(db, _acceptance(region="999999"), "zhang")
    assert "999999" in [f.value for f in outside.value.findings], outside.value
    with pytest.raises(PermissionDenied):  # an accountant
        record_acceptance(db, _acceptance(), "li")
    with pytest.raises(InputError) as control:
        record_acceptance(db, _acceptance(doc="县验\x1b[2J"), "zhang")
    assert [f.column for f in control.value.findings] == ["--doc"]
    assert table_counts(db) == before
    first = record_acceptance(db, _acceptance(), "zhang")
    assert record_acceptance(db, _acceptance(), "zhang") == first  # the same again: nothing new
    assert table_counts(db)["asset_acceptances"] == before["asset_acceptances"] + 1
    record_acceptance(db, _acceptance(on=ACCEPTED + dt.timedelta(days=20)), "zhang")  # a correction: the later counts
    assert KEY not in found(db, ACCEPTED + dt.timedelta(days=45))
    assert list(verify(db, "wang", bean_check=False)) == []


LIST_HEADER = ["资产编号", "资产名称", "县", "乡镇", "村", "验收日期", "验收文号"]


def test_an_acceptance_list_is_all_or_nothing_and_once(db: Database, tmp_path: Path) -> None:
    county_with_users(db)
    day = ACCEPTED.isoformat()
    bad = [LIST_HEADER, ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, "县验〔2026〕5号"],
           ["A-10", "", "示范县", "东风镇", "无此村", "2026-13-01", ""],
           ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, ""]]  # fmt: skip
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        import_acceptances(db, write_csv(tmp_path / "验收清单.csv", bad), "zhang")
    where = {(f.row, f.column): f.value for f in refused.value.findings}
    assert (3, "资产名称") in where and where[(3, "验收日期")] == "2026-13-01", refused.value
    assert table_counts(db) == before
    good = [[*LIST_HEADER, "备注"], ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, "县验〔2026〕5号", ""],
            ["A-10", "水池", "示范县", "东风镇", "红旗村", day, "", ""]]  # fmt: skip
    path = write_csv(tmp_path / "验收清单.csv", good)
    dry = import_acceptances(db, path, "zhang", dry_run=True)
    assert (dry.dry_run, dry.rows, dry.recorded) == (True, 2, 2) and table_counts(db) == before
    assert dry.notes == ("列 备注 未使用 (column 备注 is not used)",)  # reported, never dropped silently
    assert import_acceptances(db, path, "zhang").recorded == 2
    assert import_acceptances(db, path, "zhang").recorded == 0
    with pytest.raises(PermissionDenied):
        import_acceptances(db, path, "li")
    late = found(db, ACCEPTED + dt.timedelta(days=45))
    assert KEY in late and "unregistered_after_acceptance:A-10" in late


def test_a_register_file_brings_its_acceptance_dates(db: Database) -> None:
    """验收日期 in a register file is kept as the asset's acceptance, as `asset accept` keeps it: the supervision rule
    then knows the asset was registered 60 days after acceptance (late, as of the day before it was registered)."""
    county_with_users(db)
    header: list[object] = [*ASSET_HEADER, "验收日期"]
    rows: list[list[object]] = [
        header,
        [*asset_row("A-9", 资产名称="冷库", 村="红旗村"), ACCEPTED.isoformat()],
        [*asset_row("A-8"), ""],
    ]
    imported = assets(db, rows, actor="zhang")
    assert imported.rows == 2 and "验收日期" not in imported.ignored  # used, not reported as an unused column
    with db.reading() as session:
        kept = session.execute(select(AssetAcceptance.asset_id, AssetAcceptance.accepted_on)).all()
    assert kept == [("A-9", ACCEPTED)]
    assert KEY not in found(db, TODAY)
    assert KEY in found(db, TODAY - dt.timedelta(days=1))  # 59 days after acceptance and not yet on the register
    accepted(db, "A-9", "冷库", VILLAGE, ACCEPTED, actor="zhang")
    with db.reading() as session:  # the same acceptance said again records nothing
        assert session.scalar(select(func.count()).select_from(AssetAcceptance)) == 1


def test_an_acceptance_date_after_today_in_a_register_file_is_a_finding(db: Database, tmp_path: Path) -> None:
    county_with_users(db)
    before = table_counts(db)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    rows: list[list[object]] = [[*ASSET_HEADER, "验收日期"], [*asset_row("A-9"), tomorrow]]
    with pytest.raises(InputError) as refused:
        import_assets(db, write_csv(tmp_path / "台账.csv", rows), "zhang")
    [finding] = refused.value.findings
    assert (finding.row, finding.column, finding.value) == (2, "验收日期", tomorrow) and "after today" in finding.reason
    assert table_counts(db) == before
