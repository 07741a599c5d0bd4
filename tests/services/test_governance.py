"""Idle and loss-making assets, revitalisation, disposal, reinvestment and the maintenance fund."""

from __future__ import annotations

import json
from decimal import Decimal

from assetledger.services.book_reports import balances
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER

VILLAGE = "V360921101201"


def _setup(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    op = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
    rows = [
        ASSET_HEADER,
        asset_row("EARNS", 资产名称="光伏电站", **op),
        asset_row("SILENT", 资产名称="冷库", **op),  # no revenue since 2025-01
        asset_row("LOSES", 资产名称="大棚", **{**op, "资产原值（元）": "40000.00", "中央衔接资金": "40000.00",
                                              "县级衔接资金": None}),
        asset_row("ROAD", 资产名称="道路"),
    ]  # fmt: off
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    entries = [ENTRY_HEADER]
    for month in range(1, 13):
        entries.append([f"2025-{month:02d}-28", "EARNS", "收入", "租金", "1000", "", ""])
        entries.append([f"2025-{month:02d}-28", "LOSES", "收入", "租金", "100", "", ""])
        entries.append([f"2025-{month:02d}-28", "LOSES", "支出", "经营成本", "150", "", ""])
    entries.append(["2025-01-28", "SILENT", "收入", "租金", "500", "", ""])
    run("ledger", "import-entries", str(write_csv(run.cwd / "entries.csv", entries)))
    run("asset", "status", "ROAD", "idle", "--date", "2025-06-01")


def test_scan_finds_idle_and_loss_making_with_evidence(run: Cli) -> None:
    _setup(run)
    rows = json.loads(run("asset", "scan", "--as-of", "2025-12-31", "--format", "json").output)
    found = {r["asset_id"]: r for r in rows}
    assert set(found) == {"SILENT", "LOSES", "ROAD"}
    assert found["SILENT"]["finding"] == "no_revenue" and found["SILENT"]["last_revenue"] == "2025-01-28"
    assert found["LOSES"]["finding"] == "loss_making"
    assert (found["LOSES"]["trailing_revenue"], found["LOSES"]["trailing_costs"]) == ("1200.00", "1800.00")
    assert found["ROAD"]["finding"] == "marked_idle"
    # nothing stored: the shipped policy judged every row, and each row says so
    assert {(r["policy"], r["idle_months"], r["loss_months"]) for r in rows} == {
        ("项目默认治理政策 (shipped default)", 6, 12)
    }
    earlier = json.loads(run("asset", "scan", "--as-of", "2025-06-30", "--format", "json").output)
    assert {r["asset_id"] for r in earlier} == {"LOSES", "ROAD"}  # SILENT: only five months without revenue


def test_revitalise_and_dispose_with_gain_and_loss(run: Cli, db: Database) -> None:
    _setup(run)
    run("asset", "revitalise", "SILENT", "--date", "2026-01-10", "--operator", "新公司", "--mode", "entrusted")
    shown = json.loads(run("asset", "show", "SILENT", "--format", "json").output)
    assert shown["asset"]["operator"] == "新公司" and shown["events"][-1]["kind"] == "revitalised"
    # LOSES: book value 40,000 — village approval is enough (<= 50,000, shipped policy); ROAD 100,000 needs township
    weak = run("asset", "dispose", "ROAD", "--method", "transfer", "--date", "2026-02-01", "--proceeds", "150000",
               "--approval", "村〔2026〕1号", "--approved-by", "village", ok=False)  # fmt: off
    assert weak.exit_code == 5 and "needs township approval" in weak.output
    run("asset", "dispose", "ROAD", "--method", "transfer", "--date", "2026-02-01", "--proceeds", "150000",
        "--approval", "乡〔2026〕1号", "--approved-by", "township")  # fmt: off
    out = run("asset", "dispose", "LOSES", "--method", "scrap", "--date", "2026-02-02", "--proceeds", "1500",
              "--approval", "村〔2026〕2号", "--approved-by", "village").output  # fmt: off
    assert "book value 40000.00, proceeds 1500.00, loss 38500.00" in out
    twice = run("asset", "dispose", "LOSES", "--method", "scrap", "--date", "2026-02-03", "--approval", "x",
                "--approved-by", "county", ok=False)  # fmt: off
    assert twice.exit_code == 5 and "already disposed" in twice.output
    after = run("ledger", "post", "--asset", "LOSES", "--revenue", "rent", "--amount", "1", "--date", "2026-02-03",
                ok=False)  # fmt: off
    assert after.exit_code == 5 and "disposed of on 2026-02-02" in after.output  # refused by a rule (README)
    run("ledger", "post", "--asset", "LOSES", "--revenue", "rent", "--amount", "1", "--date", "2026-01-31")  # late
    books = {r.name: r.balance for r in balances(db, VILLAGE, actor="tester")}
    assert books["Assets:RestrictedBank"] == Decimal("151500.00")
    assert books["Income:Other:DisposalGain"] == Decimal("-50000.00")
    assert books["Expenses:Other:DisposalLoss"] == Decimal("38500.00")
    assert "Assets:PublicBenefit:ROAD" not in books and "Assets:FixedAssets:LOSES" not in books
    listed = json.loads(run("asset", "list", "--status", "disposed", "--format", "json").output)
    assert {r["asset_id"] for r in listed} == {"ROAD", "LOSES"}
    assert reconcile(db, "tester") == []
    assert all(not c.errors for c in check_entities(db, "tester"))
    report = json.loads(run("report", "governance", "--year", "2026", "--format", "json").output)
    assert report[0]["disposed"] == 2 and Decimal(report[0]["restricted_in"]) == Decimal("151500.00")


def test_a_write_off_is_not_a_disposal(run: Cli, db: Database) -> None:
    """核销 follows an approved inventory shortage (`inventory close`); `asset dispose` refuses it and changes nothing,
    so it is never counted under 已处置/处置损失 nor missing from the written-off list (DOMAIN rule 19)."""
    _setup(run)
    before = table_counts(db)
    refused = run("asset", "dispose", "LOSES", "--method", "write-off", "--date", "2026-02-02", "--approval",
                  "县〔2026〕9号", "--approved-by", "county", ok=False)  # fmt: off
    assert refused.exit_code == 2, refused.output
    assert "--method」 (column)，值「write-off」 (value)" in refused.output and "inventory close" in refused.output
    assert "Traceback" not in refused.output
    assert table_counts(db) == before
    shown = json.loads(run("asset", "show", "LOSES", "--format", "json").output)
    assert shown["asset"]["status"] == "in_use"
    assert json.loads(run("asset", "list", "--status", "disposed", "--format", "json").output) == []
    assert "inventory close" in run("asset", "dispose", "--help").output


def test_reinvest_from_restricted_proceeds_and_reserve(run: Cli, db: Database) -> None:
    _setup(run)
    run("asset", "dispose", "ROAD", "--method", "auction", "--date", "2026-02-01", "--proceeds", "80000",
        "--approval", "县〔2026〕1号", "--approved-by", "county")  # fmt: off
    too_much = run("reinvest", "--asset", "EARNS", "--amount", "80000.01", "--date", "2026-03-01", "--from",
                   "restricted", ok=False)  # fmt: off
    assert too_much.exit_code == 5 and "holds 80000.00" in too_much.output
    run("reinvest", "--asset", "EARNS", "--amount", "30000", "--date", "2026-03-01", "--from", "restricted")
    run("reinvest", "--asset", "NEW-1", "--new", "--name", "新冷库", "--register", "operating", "--village",
        "360921101201", "--value", "50000", "--date", "2026-03-02", "--from", "restricted")  # fmt: off
    shown = json.loads(run("asset", "show", "EARNS", "--format", "json").output)
    assert shown["asset"]["current_value"] == "130000.00" and shown["asset"]["original_value"] == "100000.00"
    new = json.loads(run("asset", "show", "NEW-1", "--format", "json").output)
    assert new["funding"][0]["source"] == "reinvested" and new["asset"]["owner_kind"] == "village"
    books = {r.name: r.balance for r in balances(db, VILLAGE, actor="tester")}
    assert "Assets:RestrictedBank" not in books  # all 80,000 reused
    no_reserve = run("reinvest", "--asset", "EARNS", "--amount", "1", "--date", "2026-03-03", ok=False)
    assert no_reserve.exit_code == 5 and "reinvestment reserve" in no_reserve.output
    assert reconcile(db, "tester") == []
    assert all(not c.errors for c in check_entities(db, "tester"))


def test_maintenance_fund(run: Cli, db: Database) -> None:
    _setup(run)
    run("maintenance", "contribute", "--county", "360921", "--amount", "10000", "--date", "2026-01-01")
    assert "application 1 recorded" in run("maintenance", "apply", "ROAD", "--amount", "8000", "--reason", "水毁",
                                           "--date", "2026-02-01").output  # fmt: off
    not_yet = run("maintenance", "spend", "1", "--amount", "100", "--date", "2026-02-02", ok=False)
    assert not_yet.exit_code == 5 and "not approved" in not_yet.output
    run("maintenance", "decide", "1", "--approve", "--date", "2026-02-03")
    run("maintenance", "spend", "1", "--amount", "5000", "--date", "2026-02-04")
    over = run("maintenance", "spend", "1", "--amount", "3000.01", "--date", "2026-02-05", ok=False)
    assert over.exit_code == 5 and "5000.00 already spent" in over.output
    wrong = run("maintenance", "apply", "EARNS", "--amount", "1", "--reason", "x", "--date", "2026-02-01", ok=False)
    assert wrong.exit_code == 5 and "public-benefit" in wrong.output
    listed = json.loads(run("maintenance", "list", "--format", "json").output)
    assert listed[0]["decision"] == "approved" and listed[0]["spent"] == "5000.00"
    table = run("maintenance", "list").output  # a person reads it: the decision by name
    assert "审批结果" in table and "批准" in table and "approved" not in table and "decision" not in table, table
    county = {r.name: r.balance for r in balances(db, "C360921", actor="tester")}
    assert county["Liabilities:SpecialPayable:MaintenanceFund"] == Decimal("-5000.00")
    before = table_counts(db)
    bad_policy = run.cwd / "bad.toml"
    bad_policy.write_text("[scan]\nidle_months = 0\n[[approval]]\nlevel = 'province'\n", encoding="utf-8")
    refused = run("asset", "policy", "store", str(bad_policy), ok=False)
    assert refused.exit_code == 2 and "scan.idle_months" in refused.output and "approval[0].level" in refused.output
    assert table_counts(db) == before


def test_maintenance_money_is_not_spent_before_its_approval_nor_in_the_future(run: Cli, db: Database) -> None:
    """A spend dated before its application's approval, or after today, is refused and changes nothing (rule 11);
    so is a decision dated before its application."""
    _setup(run)
    run("maintenance", "contribute", "--county", "360921", "--amount", "50000", "--date", "2026-01-01")
    run("maintenance", "apply", "ROAD", "--amount", "36000", "--reason", "水毁", "--date", "2026-11-01")
    early_decision = run("maintenance", "decide", "1", "--approve", "--date", "2026-10-31", ok=False)
    assert early_decision.exit_code == 5 and "between the application (2026-11-01)" in early_decision.output
    run("maintenance", "decide", "1", "--approve", "--date", "2026-11-03")
    before = table_counts(db)
    early = run("maintenance", "spend", "1", "--amount", "36000", "--date", "2026-11-02", ok=False)
    assert early.exit_code == 5 and "早于第 1 号维修申请的批准日期 2026-11-03" in early.output, early.output
    assert "approved on 2026-11-03" in early.output and "Traceback" not in early.output
    future = run("maintenance", "spend", "1", "--amount", "36000", "--date", "2999-01-01", ok=False)
    assert future.exit_code == 5 and "after today" in future.output
    assert table_counts(db) == before
    run("maintenance", "spend", "1", "--amount", "36000", "--date", "2026-11-03")  # the day of the approval
    assert json.loads(run("maintenance", "list", "--format", "json").output)[0]["spent"] == "36000.00"
