"""Idle and loss-making assets, revitalisation, disposal, reinvestment and the maintenance fund."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.assets import AssetDraft
from assetledger.domain.booking import AssetPosting
from assetledger.domain.enums import AssetStatus, OperatingMode, Register
from assetledger.domain.governance import DisposalMethod, GovernanceAction, MaintenanceDecision
from assetledger.errors import InputError, RuleViolation
from assetledger.services import maintenance as fund
from assetledger.services.asset_queries import AssetFilter, list_assets, show_asset
from assetledger.services.audit import verify
from assetledger.services.book_reports import balances
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.governance import Revitalisation, decide_disposal, governance_report, revitalise, scan
from assetledger.services.governance_policies import store_policy
from assetledger.services.journal import post_for_asset
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.services.reinvest import reinvest_existing, reinvest_new
from assetledger.store.db import Database
from assetledger.store.governance_models import GovernanceDecision, MaintenanceApplication
from tests.builders import ACTOR, assets, regions
from tests.builders.governance import disposed, entries, status
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards, table_counts
from tests.services.test_journal import ENTRY_HEADER

VILLAGE = "V360921101201"


def _setup(db: Database) -> None:
    regions(db)
    op = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
    rows: list[Sequence[object]] = [
        ASSET_HEADER,
        asset_row("EARNS", 资产名称="光伏电站", **op),
        asset_row("SILENT", 资产名称="冷库", **op),  # no revenue since 2025-01
        asset_row("LOSES", 资产名称="大棚", **{**op, "资产原值（元）": "40000.00", "中央衔接资金": "40000.00",
                                              "县级衔接资金": None}),
        asset_row("ROAD", 资产名称="道路"),
    ]  # fmt: off
    assets(db, rows)
    booked = [ENTRY_HEADER]
    for month in range(1, 13):
        booked.append([f"2025-{month:02d}-28", "EARNS", "收入", "租金", "1000", "", ""])
        booked.append([f"2025-{month:02d}-28", "LOSES", "收入", "租金", "100", "", ""])
        booked.append([f"2025-{month:02d}-28", "LOSES", "支出", "经营成本", "150", "", ""])
    booked.append(["2025-01-28", "SILENT", "收入", "租金", "500", "", ""])
    entries(db, booked)
    status(db, "ROAD", AssetStatus.IDLE, dt.date(2025, 6, 1))


def _request(asset_id: str, method: str, on: str, proceeds: str, approval: str, level: str) -> DisposalRequest:
    """What `asset dispose ASSET --method --date --proceeds --approval --approved-by` asks for."""
    return DisposalRequest(
        asset_id, DisposalMethod(method), dt.date.fromisoformat(on), Decimal(proceeds), approval, ApprovalLevel(level)
    )


def test_scan_finds_idle_and_loss_making_with_evidence(db: Database) -> None:
    _setup(db)
    rows = scan(db, dt.date(2025, 12, 31), ACTOR)
    found = {r.asset_id: r for r in rows}
    assert set(found) == {"SILENT", "LOSES", "ROAD"}
    assert found["SILENT"].finding == "no_revenue" and found["SILENT"].last_revenue == dt.date(2025, 1, 28)
    assert found["LOSES"].finding == "loss_making"
    assert (found["LOSES"].trailing_revenue, found["LOSES"].trailing_costs) == (Decimal("1200.00"), Decimal("1800.00"))
    assert found["ROAD"].finding == "marked_idle"
    # nothing stored: the shipped policy judged every row, and each row says so
    assert {(r.policy, r.idle_months, r.loss_months) for r in rows} == {("项目默认治理政策 (shipped default)", 6, 12)}
    earlier = scan(db, dt.date(2025, 6, 30), ACTOR)
    assert {r.asset_id for r in earlier} == {"LOSES", "ROAD"}  # SILENT: only five months without revenue


def test_revitalise_and_dispose_with_gain_and_loss(db: Database) -> None:
    _setup(db)
    revitalise(db, "SILENT", Revitalisation("新公司", OperatingMode("entrusted"), dt.date(2026, 1, 10)), ACTOR)
    shown = show_asset(db, "SILENT", ACTOR)
    assert shown.asset["operator"] == "新公司" and shown.events[-1].kind == "revitalised"
    # LOSES: book value 40,000 — village approval is enough (<= 50,000, shipped policy); ROAD 100,000 needs township
    with pytest.raises(RuleViolation, match="needs township approval") as weak:
        dispose(db, _request("ROAD", "transfer", "2026-02-01", "150000", "村〔2026〕1号", "village"), ACTOR)
    assert weak.value.exit_code == 5
    road = dispose(db, _request("ROAD", "transfer", "2026-02-01", "150000", "乡〔2026〕1号", "township"), ACTOR)
    assert (road.book_value, road.proceeds, road.gain) == (Decimal("100000.00"), Decimal("150000.00"),
                                                           Decimal("50000.00"))  # fmt: skip
    loses = dispose(db, _request("LOSES", "scrap", "2026-02-02", "1500", "村〔2026〕2号", "village"), ACTOR)
    assert (loses.book_value, loses.proceeds, loses.gain) == (Decimal("40000.00"), Decimal("1500.00"),
                                                              Decimal("-38500.00"))  # fmt: skip
    assert loses.required_level is ApprovalLevel.VILLAGE
    with pytest.raises(RuleViolation, match="already disposed") as twice:
        dispose(db, _request("LOSES", "scrap", "2026-02-03", "0", "x", "county"), ACTOR)
    assert twice.value.exit_code == 5
    after = AssetPosting("LOSES", dt.date(2026, 2, 3), "revenue", "rent", Decimal("1"))
    with pytest.raises(RuleViolation, match="disposed of on 2026-02-02") as refused:
        post_for_asset(db, after, ACTOR)
    assert refused.value.exit_code == 5  # refused by a rule (README)
    late = post_for_asset(db, AssetPosting("LOSES", dt.date(2026, 1, 31), "revenue", "rent", Decimal("1")), ACTOR)
    assert len(late.posted) == 1 and late.skipped == []
    books = {r.name: r.balance for r in balances(db, VILLAGE, actor=ACTOR)}
    assert books["Assets:RestrictedBank"] == Decimal("151500.00")
    assert books["Income:Other:DisposalGain"] == Decimal("-50000.00")
    assert books["Expenses:Other:DisposalLoss"] == Decimal("38500.00")
    assert "Assets:PublicBenefit:ROAD" not in books and "Assets:FixedAssets:LOSES" not in books
    listed = list_assets(db, AssetFilter(status=AssetStatus.DISPOSED), ACTOR)
    assert {r.asset_id for r in listed} == {"ROAD", "LOSES"}
    assert reconcile(db, ACTOR) == []
    assert all(not c.errors for c in check_entities(db, ACTOR))
    report = governance_report(db, 2026, ACTOR)
    assert report[0].disposed == 2 and report[0].restricted_in == Decimal("151500.00")


def test_a_write_off_is_not_a_disposal(db: Database) -> None:
    """核销 follows an approved inventory shortage (`inventory close`); `asset dispose` refuses it and changes nothing,
    so it is never counted under 已处置/处置损失 nor missing from the written-off list (DOMAIN rule 19)."""
    _setup(db)
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        dispose(db, _request("LOSES", "write-off", "2026-02-02", "0", "县〔2026〕9号", "county"), ACTOR)
    assert refused.value.exit_code == 2
    [finding] = refused.value.findings
    assert (finding.column, finding.value) == ("--method", "write-off") and "inventory close" in finding.reason
    assert table_counts(db) == before
    assert show_asset(db, "LOSES", ACTOR).asset["status"] == AssetStatus.IN_USE
    assert list_assets(db, AssetFilter(status=AssetStatus.DISPOSED), ACTOR) == []


def test_reinvest_from_restricted_proceeds_and_reserve(db: Database) -> None:
    _setup(db)
    disposed(db, "ROAD", dt.date(2026, 2, 1), "county", method="auction", proceeds="80000", approval="县〔2026〕1号")
    with pytest.raises(RuleViolation, match=r"holds 80000\.00") as too_much:
        reinvest_existing(db, "EARNS", Decimal("80000.01"), dt.date(2026, 3, 1), "restricted", ACTOR)
    assert too_much.value.exit_code == 5
    reinvest_existing(db, "EARNS", Decimal("30000"), dt.date(2026, 3, 1), "restricted", ACTOR)
    draft = AssetDraft("NEW-1", "新冷库", Register.OPERATING, "360921101201", Decimal("50000"), build_year=2026)
    reinvest_new(db, draft, dt.date(2026, 3, 2), "restricted", ACTOR)
    shown = show_asset(db, "EARNS", ACTOR).asset
    assert (shown["current_value"], shown["original_value"]) == (Decimal("130000.00"), Decimal("100000.00"))
    new = show_asset(db, "NEW-1", ACTOR)
    assert new.funding[0].source == "reinvested" and new.asset["owner_kind"] == "village"
    books = {r.name: r.balance for r in balances(db, VILLAGE, actor=ACTOR)}
    assert "Assets:RestrictedBank" not in books  # all 80,000 reused
    with pytest.raises(RuleViolation, match="reinvestment reserve") as no_reserve:
        reinvest_existing(db, "EARNS", Decimal("1"), dt.date(2026, 3, 3), "reserve", ACTOR)
    assert no_reserve.value.exit_code == 5
    assert reconcile(db, ACTOR) == []
    assert all(not c.errors for c in check_entities(db, ACTOR))


def test_maintenance_fund(db: Database) -> None:
    _setup(db)
    fund.contribute(db, "360921", Decimal("10000"), dt.date(2026, 1, 1), ACTOR)
    assert fund.apply(db, "ROAD", Decimal("8000"), "水毁", dt.date(2026, 2, 1), ACTOR) == 1
    with pytest.raises(RuleViolation, match="not approved") as not_yet:
        fund.spend(db, 1, Decimal("100"), dt.date(2026, 2, 2), ACTOR)
    assert not_yet.value.exit_code == 5
    fund.decide(db, 1, True, dt.date(2026, 2, 3), ACTOR)
    fund.spend(db, 1, Decimal("5000"), dt.date(2026, 2, 4), ACTOR)
    with pytest.raises(RuleViolation, match=r"5000\.00 already spent") as over:
        fund.spend(db, 1, Decimal("3000.01"), dt.date(2026, 2, 5), ACTOR)
    assert over.value.exit_code == 5
    with pytest.raises(RuleViolation, match="public-benefit") as wrong:
        fund.apply(db, "EARNS", Decimal("1"), "x", dt.date(2026, 2, 1), ACTOR)
    assert wrong.value.exit_code == 5
    [listed] = fund.applications(db, ACTOR)
    assert (listed.id, listed.asset_id, listed.decision, listed.spent) == (1, "ROAD", "approved", Decimal("5000.00"))
    county = {r.name: r.balance for r in balances(db, "C360921", actor=ACTOR)}
    assert county["Liabilities:SpecialPayable:MaintenanceFund"] == Decimal("-5000.00")
    before = table_counts(db)
    bad_policy = b"[scan]\nidle_months = 0\n[[approval]]\nlevel = 'province'\n"
    with pytest.raises(InputError) as refused:
        store_policy(db, bad_policy, "bad.toml", ACTOR)
    assert refused.value.exit_code == 2
    found = {(f.source, f.column, f.value) for f in refused.value.findings}
    assert {("bad.toml", "scan.idle_months", "0"), ("bad.toml", "approval[0].level", "province")} <= found, found
    assert table_counts(db) == before


def test_maintenance_money_is_not_spent_before_its_approval_nor_in_the_future(db: Database) -> None:
    """A spend dated before its application's approval, or after today, is refused and changes nothing (rule 11);
    so is a decision dated before its application."""
    _setup(db)
    fund.contribute(db, "360921", Decimal("50000"), dt.date(2026, 1, 1), ACTOR)
    application = fund.apply(db, "ROAD", Decimal("36000"), "水毁", dt.date(2026, 11, 1), ACTOR)
    with pytest.raises(RuleViolation, match=r"between the application \(2026-11-01\)") as early_decision:
        fund.decide(db, application, True, dt.date(2026, 10, 31), ACTOR)
    assert early_decision.value.exit_code == 5
    fund.decide(db, application, True, dt.date(2026, 11, 3), ACTOR)
    before = table_counts(db)
    with pytest.raises(RuleViolation) as early:
        fund.spend(db, application, Decimal("36000"), dt.date(2026, 11, 2), ACTOR)
    assert early.value.exit_code == 5
    said = str(early.value)
    assert "早于第 1 号维修申请的批准日期 2026-11-03" in said and "approved on 2026-11-03" in said, said
    with pytest.raises(RuleViolation, match="after today") as future:
        fund.spend(db, application, Decimal("36000"), dt.date(2999, 1, 1), ACTOR)
    assert future.value.exit_code == 5
    assert table_counts(db) == before
    fund.spend(db, application, Decimal("36000"), dt.date(2026, 11, 3), ACTOR)  # the day of the approval
    assert [a.spent for a in fund.applications(db, ACTOR)] == [Decimal("36000.00")]


def test_decisions_and_maintenance_rows_read_back_as_their_enums(db: Database) -> None:
    """Governance decisions (their kind, the status they found the asset in, the new operating mode) and the rows
    after a maintenance application are closed vocabularies, stored as their codes and read back as members."""
    _setup(db)
    revitalise(db, "SILENT", Revitalisation("新公司", OperatingMode.ENTRUSTED, dt.date(2026, 1, 10)), ACTOR)
    decide_disposal(db, "ROAD", dt.date(2026, 1, 11), "无法盘活", ACTOR)
    fund.contribute(db, "360921", Decimal("10000"), dt.date(2026, 1, 1), ACTOR)
    for _ in range(2):
        fund.apply(db, "ROAD", Decimal("800"), "水毁", dt.date(2026, 2, 1), ACTOR)
    fund.decide(db, 1, True, dt.date(2026, 2, 3), ACTOR)
    fund.decide(db, 2, False, dt.date(2026, 2, 3), ACTOR)
    fund.spend(db, 1, Decimal("500"), dt.date(2026, 2, 4), ACTOR)
    with db.reading() as session:
        decisions = session.scalars(select(GovernanceDecision).order_by(GovernanceDecision.id)).all()
        kept = [(d.decision, d.reason, d.new_mode) for d in decisions]
        after = session.scalars(select(MaintenanceApplication.decision).order_by(MaintenanceApplication.id)).all()
        stored = session.execute(text("SELECT decision, reason, new_mode FROM governance_decisions ORDER BY id")).all()
    assert kept == [
        (GovernanceAction.REVITALISE, AssetStatus.IN_USE, OperatingMode.ENTRUSTED),  # no revenue, still in use
        (GovernanceAction.DISPOSE, AssetStatus.IDLE, None),
    ]
    assert all(type(v) is not str for row in kept for v in row if v is not None), kept  # members, not text
    assert [tuple(r) for r in stored] == [("revitalise", "in_use", "entrusted"), ("dispose", "idle", None)]
    assert after == [None, None, MaintenanceDecision.APPROVED, MaintenanceDecision.REFUSED, MaintenanceDecision.SPENT]
    assert {r.asset_id: r.decision for r in scan(db, dt.date(2026, 1, 31), ACTOR)}["ROAD"] is GovernanceAction.DISPOSE
    assert [(a.id, a.decision, a.spent) for a in fund.applications(db, ACTOR)] == [
        (1, MaintenanceDecision.APPROVED, Decimal("500.00")),
        (2, MaintenanceDecision.REFUSED, Decimal("0.00")),
    ]
    fund.apply(db, "ROAD", Decimal("100"), "又水毁", dt.date(2026, 3, 1), ACTOR)
    assert fund.applications(db, ACTOR)[-1].decision is None  # pending


def test_a_decision_text_outside_its_vocabulary_is_read_and_reported(db: Database) -> None:
    """A decision written around the product that is no member of its vocabulary reads back as that text: the scan
    still lists the asset with it, a maintenance application whose decision is no decision is pending (its money
    cannot be spent), and `audit verify` names both rows."""
    _setup(db)
    decide_disposal(db, "ROAD", dt.date(2026, 1, 11), None, ACTOR)
    fund.contribute(db, "360921", Decimal("10000"), dt.date(2026, 1, 1), ACTOR)
    fund.apply(db, "ROAD", Decimal("800"), "水毁", dt.date(2026, 2, 1), ACTOR)
    fund.decide(db, 1, True, dt.date(2026, 2, 3), ACTOR)
    assert list(verify(db, ACTOR, bean_check=False)) == []
    for table in ("governance_decisions", "maintenance_applications"):
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE governance_decisions SET decision = 'abandon', reason = 'stolen'")
        conn.exec_driver_sql("UPDATE maintenance_applications SET decision = 'granted' WHERE id = 2")
    [road] = [r for r in scan(db, dt.date(2026, 1, 31), ACTOR) if r.asset_id == "ROAD"]
    assert road.decision == "abandon" and not isinstance(road.decision, GovernanceAction)
    with db.reading() as session:
        decision = session.scalars(select(GovernanceDecision)).one()
        assert (decision.decision, decision.reason) == ("abandon", "stolen")
    [application] = fund.applications(db, ACTOR)
    assert application.decision is None  # "granted" decides nothing
    with pytest.raises(RuleViolation, match="not approved"):
        fund.spend(db, 1, Decimal("100"), dt.date(2026, 2, 4), ACTOR)
    found = [what for check, what in verify(db, ACTOR, bean_check=False) if check == "integrity"]
    assert found == ["governance_decisions id 1: row changed after it was recorded",
                     "maintenance_applications id 2: row changed after it was recorded"]  # fmt: skip


def test_a_stored_status_outside_its_vocabulary_decides_no_disposal(db: Database) -> None:
    """`asset decide-dispose` decides from the asset's status (off the books: refused): a status written around the
    product that is no status is refused by name (the asset and the stored text, exit 5), not a traceback, and
    nothing is recorded; the governance scan still lists the asset with the text as it was stored."""
    _setup(db)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE assets SET status = 'stolen' WHERE asset_id = 'SILENT'")
    before = table_counts(db)
    with pytest.raises(RuleViolation) as refused:
        decide_disposal(db, "SILENT", dt.date(2026, 1, 11), None, ACTOR)
    said = str(refused.value)
    assert refused.value.exit_code == 5 and refused.value.asset_id == "SILENT"
    assert "资产 SILENT 在台账中的状态「stolen」不是本版本认识的状态" in said, said
    assert "its stored status 'stolen' is no status this version knows" in said, said
    assert table_counts(db) == before
    [silent] = [r for r in scan(db, dt.date(2025, 12, 31), ACTOR) if r.asset_id == "SILENT"]
    assert silent.status == "stolen" and silent.finding == "no_revenue"
