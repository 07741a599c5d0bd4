"""The governance and supervision commands over their services (tests/services/test_governance.py,
test_disposal.py, test_rectification.py, test_stored_thresholds.py and test_supervision.py hold what the services
do): what each command makes of its options, the words it prints, its formats, and the exit code of each refusal
(2 bad input, 3 not found, 4 already there, 5 refused by a rule, 6 not allowed: cli/main.py maps the services'
errors)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from click.testing import Result
from openpyxl import load_workbook
from sqlalchemy import text

from assetledger.store.db import Database
from tests.builders import ACTOR
from tests.builders.governance import contracts, disposed, policy
from tests.conftest import Cli
from tests.helpers import drop_append_only_guards, table_counts
from tests.services.test_disposal import CONTRACT_HEADER, LEASE, SHIPPED, _county
from tests.services.test_governance import _setup
from tests.services.test_rectification import APPLICATION_PDF
from tests.services.test_rectification import _county as _cases_county
from tests.services.test_stored_thresholds import _two_counties
from tests.services.test_supervision import POLICY, _readers

DISPOSE = ("--method", "transfer", "--proceeds", "1", "--approval", "x")


def test_scan_revitalise_dispose_and_report_through_their_commands(run: Cli, db: Database) -> None:
    _setup(db)  # SILENT without revenue since 2025-01, LOSES losing, ROAD marked idle
    rows = json.loads(run("asset", "scan", "--as-of", "2025-12-31", "--format", "json").output)
    found = {r["asset_id"]: r for r in rows}
    assert set(found) == {"SILENT", "LOSES", "ROAD"} and found["SILENT"]["last_revenue"] == "2025-01-28"
    assert (found["LOSES"]["trailing_revenue"], found["LOSES"]["trailing_costs"]) == ("1200.00", "1800.00")
    assert {(r["policy"], r["idle_months"], r["loss_months"]) for r in rows} == {
        ("项目默认治理政策 (shipped default)", 6, 12)
    }  # json keeps the policy that judged each row
    table = run("asset", "scan", "--as-of", "2025-12-31").output
    assert "判定依据 judged by：项目默认治理政策 (shipped default)；闲置 6 个月、亏损 12 个月" in table, table
    assert "3 assets need governance; 0 have a decision" in table
    revitalised = run("asset", "revitalise", "SILENT", "--date", "2026-01-10", "--operator", "新公司", "--mode",
                      "entrusted").output  # fmt: skip
    assert "SILENT: revitalised on 2026-01-10" in revitalised
    shown = json.loads(run("asset", "show", "SILENT", "--format", "json").output)
    assert shown["asset"]["operator"] == "新公司" and shown["asset"]["operating_mode"] == "entrusted"
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
    listed = json.loads(run("asset", "list", "--status", "disposed", "--format", "json").output)
    assert {r["asset_id"] for r in listed} == {"ROAD", "LOSES"}
    report = json.loads(run("report", "governance", "--year", "2026", "--format", "json").output)
    assert report[0]["disposed"] == 2 and report[0]["restricted_in"] == "151500.00"


@pytest.mark.both_backends  # the stored texts read back through each database's driver
def test_asset_scan_shows_a_person_labels_and_keeps_codes_for_programs(run: Cli, db: Database) -> None:
    """The table and the XLSX name the register, status, finding and decision in words (as `asset list` and
    `maintenance list` do); CSV and JSON keep the codes. A stored text that is none of its vocabulary (written around
    the product) is shown as it is, not a traceback."""
    _setup(db)  # SILENT without revenue since 2025-01, LOSES losing, ROAD (public-benefit) marked idle
    run("asset", "decide-dispose", "ROAD", "--date", "2025-12-01")
    table = run("asset", "scan", "--as-of", "2025-12-31").output
    listed = table.split("经营合同预警")[0]
    road = next(line for line in listed.splitlines() if line.startswith("ROAD"))
    assert all(word in road for word in ("公益性", "闲置", "登记为闲置", "处置")), road
    silent = next(line for line in listed.splitlines() if line.startswith("SILENT"))
    assert all(word in silent for word in ("经营性", "在用", "长期无收益")), silent
    assert "亏损" in next(line for line in listed.splitlines() if line.startswith("LOSES"))
    codes = ("public_benefit", "operating", "in_use", "marked_idle", "no_revenue", "loss_making", "dispose")
    assert not [code for code in codes if code in listed], listed
    found = {r["asset_id"]: r for r in json.loads(run("asset", "scan", "--as-of", "2025-12-31", "--format",
                                                      "json").output)}  # fmt: skip
    assert (found["ROAD"]["register"], found["ROAD"]["status"]) == ("public_benefit", "idle")
    assert (found["ROAD"]["finding"], found["ROAD"]["decision"]) == ("marked_idle", "dispose")
    csv = run("asset", "scan", "--as-of", "2025-12-31", "--format", "csv").output
    assert "public_benefit,marked_idle" not in csv and ",public_benefit," in csv and ",dispose," in csv, csv
    run("asset", "scan", "--as-of", "2025-12-31", "--format", "xlsx", "--out", "scan.xlsx")
    sheet = load_workbook(run.cwd / "scan.xlsx")["governance list"]
    cells = {c.value for row in sheet.iter_rows() for c in row}
    assert {"公益性", "闲置", "登记为闲置", "处置", "经营性", "长期无收益"} <= cells
    assert not cells & {"public_benefit", "operating", "marked_idle", "dispose"}
    drop_append_only_guards(db, "governance_decisions")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE governance_decisions SET decision = 'abandon'"))
        conn.execute(text("UPDATE assets SET status = 'stolen' WHERE asset_id = 'SILENT'"))
    tampered = run("asset", "scan", "--as-of", "2025-12-31")
    assert tampered.exit_code == 0 and "Traceback" not in tampered.output
    lines = tampered.output.split("经营合同预警")[0].splitlines()
    assert "abandon" in next(line for line in lines if line.startswith("ROAD"))
    assert "stolen" in next(line for line in lines if line.startswith("SILENT"))
    found = {r["asset_id"]: r for r in json.loads(run("asset", "scan", "--as-of", "2025-12-31", "--format",
                                                      "json").output)}  # fmt: skip
    assert (found["ROAD"]["decision"], found["SILENT"]["status"]) == ("abandon", "stolen")


def test_a_write_off_is_refused_by_asset_dispose_as_bad_input(run: Cli, db: Database) -> None:
    _setup(db)
    before = table_counts(db)
    refused = run("asset", "dispose", "LOSES", "--method", "write-off", "--date", "2026-02-02", "--approval",
                  "县〔2026〕9号", "--approved-by", "county", ok=False)  # fmt: off
    assert refused.exit_code == 2, refused.output
    assert "--method」 (column)，值「write-off」 (value)" in refused.output and "inventory close" in refused.output
    assert "Traceback" not in refused.output
    assert table_counts(db) == before
    assert "inventory close" in run("asset", "dispose", "--help").output


def test_reinvest_into_an_asset_or_a_new_one(run: Cli, db: Database) -> None:
    _setup(db)
    disposed(db, "ROAD", dt.date(2026, 2, 1), "county", method="auction", proceeds="80000", approval="县〔2026〕1号")
    too_much = run("reinvest", "--asset", "EARNS", "--amount", "80000.01", "--date", "2026-03-01", "--from",
                   "restricted", ok=False)  # fmt: off
    assert too_much.exit_code == 5 and "holds 80000.00" in too_much.output
    done = run("reinvest", "--asset", "EARNS", "--amount", "30000", "--date", "2026-03-01", "--from", "restricted")
    assert "EARNS: reinvested 30000.00 from restricted" in done.output, done.output
    new = run("reinvest", "--asset", "NEW-1", "--new", "--name", "新冷库", "--register", "operating", "--village",
              "360921101201", "--value", "50000", "--date", "2026-03-02", "--from", "restricted")  # fmt: off
    assert "registered NEW-1 新冷库" in new.output, new.output
    shown = json.loads(run("asset", "show", "NEW-1", "--format", "json").output)
    assert shown["funding"][0]["source"] == "reinvested" and shown["asset"]["owner_kind"] == "village"
    assert shown["asset"]["register"] == "operating" and shown["asset"]["original_value"] == "50000.00"
    no_reserve = run("reinvest", "--asset", "EARNS", "--amount", "1", "--date", "2026-03-03", ok=False)
    assert no_reserve.exit_code == 5 and "reinvestment reserve" in no_reserve.output
    unnamed = run("reinvest", "--asset", "NEW-2", "--new", "--date", "2026-03-03", ok=False)
    assert unnamed.exit_code == 2 and "--name" in unnamed.output


def test_maintenance_commands_and_their_refusals(run: Cli, db: Database) -> None:
    _setup(db)
    run("maintenance", "contribute", "--county", "360921", "--amount", "50000", "--date", "2026-01-01")
    assert "application 1 recorded" in run("maintenance", "apply", "ROAD", "--amount", "36000", "--reason", "水毁",
                                           "--date", "2026-11-01").output  # fmt: off
    not_yet = run("maintenance", "spend", "1", "--amount", "100", "--date", "2026-11-02", ok=False)
    assert not_yet.exit_code == 5 and "not approved" in not_yet.output
    early_decision = run("maintenance", "decide", "1", "--approve", "--date", "2026-10-31", ok=False)
    assert early_decision.exit_code == 5 and "between the application (2026-11-01)" in early_decision.output
    assert "application 1 approved" in run("maintenance", "decide", "1", "--approve", "--date", "2026-11-03").output
    before = table_counts(db)
    early = run("maintenance", "spend", "1", "--amount", "36000", "--date", "2026-11-02", ok=False)
    assert early.exit_code == 5 and "早于第 1 号维修申请的批准日期 2026-11-03" in early.output, early.output
    assert "approved on 2026-11-03" in early.output and "Traceback" not in early.output
    future = run("maintenance", "spend", "1", "--amount", "36000", "--date", "2999-01-01", ok=False)
    assert future.exit_code == 5 and "after today" in future.output
    wrong = run("maintenance", "apply", "EARNS", "--amount", "1", "--reason", "x", "--date", "2026-02-01", ok=False)
    assert wrong.exit_code == 5 and "public-benefit" in wrong.output
    assert table_counts(db) == before
    assert "spent 5000.00" in run("maintenance", "spend", "1", "--amount", "5000", "--date", "2026-11-04").output
    listed = json.loads(run("maintenance", "list", "--format", "json").output)
    assert listed[0]["decision"] == "approved" and listed[0]["spent"] == "5000.00"  # json keeps the codes
    table = run("maintenance", "list").output  # a person reads it: the decision by name
    assert "审批结果" in table and "批准" in table and "approved" not in table and "decision" not in table, table


def test_a_bad_policy_file_is_refused_with_its_keys(run: Cli, db: Database) -> None:
    _setup(db)
    before = table_counts(db)
    bad_policy = run.cwd / "bad.toml"
    bad_policy.write_text("[scan]\nidle_months = 0\n[[approval]]\nlevel = 'province'\n", encoding="utf-8")
    refused = run("asset", "policy", "store", str(bad_policy), user=ACTOR, ok=False)
    assert refused.exit_code == 2 and "scan.idle_months" in refused.output and "approval[0].level" in refused.output
    assert table_counts(db) == before


def test_asset_dispose_takes_no_policy_file_and_names_the_policy_that_judged_it(run: Cli, db: Database) -> None:
    _county(db)
    lax = run.cwd / "lax.toml"
    lax.write_text('[[approval]]\nlevel = "village"\n', encoding="utf-8")
    before = table_counts(db)
    bypass = run("asset", "dispose", "RT-0001", *DISPOSE, "--date", "2026-11-30", "--approved-by", "village",
                 "--policy", str(lax), user="zhang", ok=False)  # fmt: skip
    assert bypass.exit_code == 2 and "--policy" in bypass.output, bypass.output
    refused = run("asset", "dispose", "RT-0001", *DISPOSE, "--date", "2026-11-30", "--approved-by", "village",
                  user="zhang", ok=False)  # fmt: skip
    assert refused.exit_code == 5 and "needs township approval" in refused.output
    assert table_counts(db) == before
    out = run("asset", "dispose", "RT-0001", *DISPOSE, "--date", "2026-11-30", "--approved-by", "township",
              user="zhang").output  # fmt: skip
    digest = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert "ledgers/policy/governance.toml" in out and digest[:12] in out
    event = json.loads(run("asset", "show", "RT-0001", "--format", "json", user="zhang").output)["events"][-1]
    assert event["kind"] == "disposed" and event["details"]["policy_sha256"] == digest


def test_asset_policy_store_and_show(run: Cli, db: Database) -> None:
    _county(db)
    strict = run.cwd / "strict.toml"
    strict.write_text('[[approval]]\nmax_value = 10000\nlevel = "village"\n[[approval]]\nlevel = "county"\n',
                      encoding="utf-8")  # fmt: skip
    not_finance = run("asset", "policy", "store", str(strict), user="li", ok=False)
    assert not_finance.exit_code == 6, not_finance.output
    bad = run.cwd / "bad.toml"
    bad.write_text('[[approval]]\nlevel = "province"\n', encoding="utf-8")
    refused = run("asset", "policy", "store", str(bad), user="zhang", ok=False)
    assert refused.exit_code == 2 and "approval[0].level" in refused.output
    out = run("asset", "policy", "store", str(strict), "--note", "县财〔2026〕8号", user="zhang").output
    assert "stored governance policy 360921 第1版 (v1)" in out
    assert "nothing stored" in run("asset", "policy", "store", str(strict), user="zhang").output
    township = run("asset", "dispose", "RT-0002", *DISPOSE, "--date", "2026-11-30", "--approved-by", "township",
                   user="zhang", ok=False)  # fmt: skip
    assert township.exit_code == 5 and "needs county approval" in township.output, township.output
    run("asset", "policy", "store", str(SHIPPED), "--note", "恢复", user="zhang")
    shown = json.loads(run("asset", "policy", "show", "--format", "json", user="li").output)
    assert [r["policy"] for r in shown] == ["360921 第2版 (v2)", "360921 第1版 (v1)"]  # in force first
    assert shown[1]["actor"] == "zhang" and shown[1]["sha256"] == hashlib.sha256(strict.read_bytes()).hexdigest()
    assert shown[1]["note"] == "县财〔2026〕8号"
    assert "in force: 360921 第2版 (v2)" in run("asset", "policy", "show", user="li").output


def test_a_contract_in_force_refuses_asset_dispose_and_its_arrears_stay_listed(run: Cli, db: Database) -> None:
    _county(db)
    contracts(db, [CONTRACT_HEADER, LEASE], actor="zhang")
    live = run("asset", "dispose", "RT-0003", *DISPOSE, "--date", "2026-11-30", "--approved-by", "county",
               user="zhang", ok=False)  # fmt: skip
    assert live.exit_code == 5 and "HT-R1" in live.output and "contract terminate" in live.output, live.output
    ended = run("contract", "terminate", "HT-R1", "--date", "2025-12-31", "--reason", "协商解除", user="zhang")
    assert "contract HT-R1 (RT-0003) ends on 2025-12-31" in ended.output, ended.output
    run("asset", "dispose", "RT-0003", *DISPOSE, "--date", "2026-01-15", "--approved-by", "county", user="zhang")
    alerts = json.loads(run("contract", "alerts", "--as-of", "2027-06-01", "--format", "json", user="zhang").output)
    assert [(r["finding"], r["contract"], r["amount"]) for r in alerts if r["asset_id"] == "RT-0003"] == [
        ("arrears", "HT-R1", "36000.00")
    ]
    in_force = json.loads(run("contract", "list", "--as-of", "2027-06-01", "--format", "json", user="zhang").output)
    assert in_force == []
    report = json.loads(run("report", "governance", "--year", "2026", "--format", "json", user="zhang").output)
    assert report[0]["arrears"] == 1 and report[0]["arrears_amount"] == "36000.00"


def _open(run: Cli, user: str = "zhang", ok: bool = True) -> Result:
    return run("supervise", "open", "unconfirmed:U-1", "--unit", "东风镇人民政府", "--deadline", "2025-06-30", "--date",
               "2025-06-01", "--policy", str(POLICY), user=user, ok=ok)  # fmt: skip


def test_a_case_opened_stepped_closed_listed_and_shown(run: Cli, db: Database) -> None:
    _cases_county(db)
    early = run("supervise", "open", "unconfirmed:U-1", "--unit", "东风镇", "--deadline", "2025-06-30", "--date",
                "2025-05-01", user="zhang", ok=False)  # fmt: skip
    assert early.exit_code == 3 and "未触发" in early.output  # not yet 90 days: no warning, no case
    assert "case 1 opened on 2025-06-01" in _open(run).output
    twice = _open(run, ok=False)
    assert twice.exit_code == 4 and "unconfirmed:U-1" in twice.output
    listed = json.loads(run("supervise", "warnings", "--as-of", "2025-06-02", "--format", "json", user="zhang").output)
    assert [w["case"] for w in listed if w["key"] == "unconfirmed:U-1"] == [1]
    doc = run.cwd / "确权申请.pdf"
    doc.write_bytes(APPLICATION_PDF)
    stepped = run("supervise", "step", "1", "--text", "已提交确权申请", "--date", "2025-06-05", "--document", str(doc),
                  user="li").output  # fmt: skip
    assert "case 1: step 1 recorded with 确权申请.pdf" in stepped, stepped
    refused = run("supervise", "close", "1", "--date", "2025-06-06", "--policy", str(POLICY), user="zhang", ok=False)
    assert refused.exit_code == 5 and "预警仍然触发" in refused.output and "still fires" in refused.output
    run("asset", "confirm", "U-1", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date", "2025-06-10",
        user="zhang")  # fmt: skip
    closed = run("supervise", "close", "1", "--date", "2025-06-12", "--note", "已确权", user="zhang").output
    assert "case 1 closed on 2025-06-12" in closed and "逾期" not in closed
    after = run("supervise", "step", "1", "--text", "补充材料", user="li", ok=False)
    assert after.exit_code == 5 and "已销号" in after.output
    assert run("supervise", "close", "1", user="zhang", ok=False).exit_code == 5
    [case] = json.loads(run("supervise", "cases", "--format", "json", user="wang").output)
    assert (case["state"], case["steps"], case["documents"], case["closed_on"]) == ("closed", 1, 1, "2025-06-12")
    shown = run("supervise", "show", "1", user="wang").output
    assert "已提交确权申请" in shown and "li" in shown and "销号 closed" in shown and "佐证 document" in shown
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check", user="wang").output
    run("audit", "export", "--scope", "360921", "--out", "package", user="wang")
    assert (run.cwd / "package" / "rectification.jsonl").exists()


def test_a_case_whose_stored_rule_and_event_kind_are_none_is_listed_shown_and_refused_in_words(
    run: Cli, db: Database
) -> None:
    """`supervise cases` and `supervise show` print a rule or event kind written around the product as it was
    stored; `supervise step` and `close` refuse (exit 5) naming the case and the text, never a traceback."""
    _cases_county(db)
    _open(run)
    run("supervise", "step", "1", "--text", "已督办", "--date", "2025-06-02", user="li")
    for name in ("rectification_cases", "rectification_events"):
        drop_append_only_guards(db, name)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE rectification_cases SET rule = 'vanished' WHERE id = 1"))
        conn.execute(text("UPDATE rectification_events SET kind = 'reopened' WHERE id = 1"))
    assert "vanished" in run("supervise", "cases", user="wang").output
    [case] = json.loads(run("supervise", "cases", "--format", "json", user="wang").output)
    assert (case["rule"], case["steps"]) == ("vanished", 0)
    shown = run("supervise", "show", "1", user="wang").output
    assert "vanished" in shown and "reopened" in shown and "销号 closed" not in shown, shown
    for args, user in ((("step", "1", "--text", "x", "--date", "2025-06-03"), "li"), (("close", "1"), "zhang")):
        refused = run("supervise", *args, user=user, ok=False)
        assert refused.exit_code == 5 and "Traceback" not in refused.output, refused.output
        assert "整改案件 1" in refused.output and "「reopened」" in refused.output, refused.output


def test_case_commands_refuse_by_role_and_by_bad_input(run: Cli, db: Database) -> None:
    _cases_county(db)
    for user in ("li", "wang"):
        assert _open(run, user=user, ok=False).exit_code == 6, user
    _open(run)
    before = table_counts(db)
    assert run("supervise", "step", "1", "--text", "x", "--date", "2025-06-02", user="zhao", ok=False).exit_code == 6
    assert run("supervise", "close", "1", user="li", ok=False).exit_code == 6
    assert run("supervise", "cases", user="zhao").output.count("unconfirmed:U-1") == 0  # not in its scope
    assert run("supervise", "show", "1", user="zhao", ok=False).exit_code == 6
    bad = run("supervise", "open", "nonsense", "--unit", "x", "--deadline", "2025-06-30", user="zhang", ok=False)
    assert bad.exit_code == 2
    late = run("supervise", "open", "unconfirmed:U-1", "--unit", "x", "--deadline", "2025-05-01", "--date",
               "2025-06-01", user="zhang", ok=False)  # fmt: skip
    assert late.exit_code == 2 and "--deadline" in late.output
    unit = run("supervise", "open", "unconfirmed:U-1", "--unit", "东风镇\x1b[31m", "--deadline", "2025-06-30",
               "--date", "2025-06-01", user="zhang", ok=False)  # fmt: skip
    assert unit.exit_code == 2 and "--unit" in unit.output
    words = run("supervise", "step", "1", "--text", "\u202e已督办", "--date", "2025-06-02", user="li", ok=False)
    assert words.exit_code == 2 and "--text" in words.output
    fake = run.cwd / "not-a-document.pdf"
    fake.write_text("hello", encoding="utf-8")
    assert run("supervise", "step", "1", "--text", "x", "--document", str(fake), user="li", ok=False).exit_code == 2
    assert table_counts(db) == before


def test_overdue_cases_in_a_table_and_a_tampered_case_fails_audit_verify(run: Cli, db: Database) -> None:
    _cases_county(db)
    _open(run)
    assert "(no rows)" in run("supervise", "cases", "--overdue", "--as-of", "2025-06-30", user="wang").output
    overdue = json.loads(run("supervise", "cases", "--overdue", "--as-of", "2025-07-01", "--format", "json",
                             user="wang").output)  # fmt: skip
    assert [c["case"] for c in overdue] == [1] and overdue[0]["overdue"] is True
    assert "unconfirmed:U-1" in run("supervise", "cases", "--as-of", "2025-07-01", user="shi").output  # the city
    table = run("supervise", "cases", "--overdue", "--as-of", "2025-07-01", user="wang").output
    assert "逾期" in table and "1 逾期 overdue" in table
    for name in ("rectification_cases", "rectification_events"):
        drop_append_only_guards(db, name)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE rectification_cases SET deadline = '2026-12-31' WHERE id = 1"))
    result = run("audit", "verify", "--skip-bean-check", user="wang", ok=False)
    assert result.exit_code == 1 and "rectification_cases id 1" in result.output


def test_no_command_takes_a_governance_policy_file_and_the_scan_names_the_stored_one(run: Cli, db: Database) -> None:
    _two_counties(db)
    policy(db, "[contracts]\narrears_tolerance = 5000\n", actor="zhang")
    lax = run.cwd / "lax.toml"
    lax.write_text("[scan]\nidle_months = 1200\n[contracts]\narrears_tolerance = 50000\n", encoding="utf-8")
    before = table_counts(db)
    for args, option in (
        (("contract", "alerts", "--as-of", "2025-11-15"), "--policy"),
        (("asset", "scan", "--as-of", "2025-11-15"), "--policy"),
        (("report", "governance", "--year", "2025"), "--policy"),
        (("supervise", "warnings", "--as-of", "2025-11-15"), "--governance-policy"),
        (("supervise", "indicators", "--year", "2025"), "--governance-policy"),
    ):
        refused = run(*args, option, str(lax), user="wang", ok=False)
        assert refused.exit_code == 2 and option in refused.output, (args, refused.output)
    assert table_counts(db) == before
    scan = run("asset", "scan", "--as-of", "2025-11-15", user="wang").output
    assert "HT-W" in scan and "欠缴租金/收益" in scan and "判定依据 judged by：示范县 第1版 (v1)" in scan, scan
    alerts = json.loads(run("contract", "alerts", "--as-of", "2025-11-15", "--format", "json", user="wang").output)
    assert [(r["contract"], r["amount"]) for r in alerts if r["finding"] == "arrears"] == [("HT-W", "20000.00")]


def test_supervise_warnings_in_a_table_a_workbook_and_json_and_its_refusals(run: Cli, db: Database) -> None:
    _readers(db)
    listed = json.loads(run("supervise", "warnings", "--as-of", "2025-01-10", "--rule", "no_custodian", "--policy",
                            str(POLICY), "--format", "json", user="wang").output)  # fmt: skip
    assert [(w["key"], w["rule"], w["case"]) for w in listed] == [("no_custodian:Q-1", "no_custodian", None)]
    refused = run("supervise", "warnings", "--region", "360921101201", user="wang", ok=False)
    assert refused.exit_code == 6
    table = run("supervise", "warnings", "--as-of", "2025-01-10", "--rule", "no_custodian", user="zhang").output
    assert "未落实管护 no custodian" in table and "2 条预警" in table
    run("supervise", "warnings", "--as-of", "2025-01-10", "--format", "xlsx", "--out", "w.xlsx", user="zhang")
    assert (run.cwd / "w.xlsx").stat().st_size > 0
    bad = run("supervise", "warnings", "--rule", "nonsense", user="zhang", ok=False)
    assert bad.exit_code == 2 and "unknown rule" in bad.output
