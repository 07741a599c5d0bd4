"""`distribute` and its subcommands, `beneficiary` and `report household` over the distribution services
(tests/services/test_distribution*.py, test_paid_correction.py, test_notice_objections.py hold what the services
do): what each command says it did, in Chinese and English, the tables a person reads (names, not codes), --format
json and csv, and the exit code of each refusal with the message that names what to do."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import REGIONS, table_counts, write_csv
from tests.services.test_distribution import RULES, VILLAGE
from tests.services.test_distribution_shares import DIED, EXITED, JOINED, village
from tests.services.test_paid_correction import _distributed_and_paid

RULE = str(RULES / "example-village-rule.toml")
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]


@pytest.mark.usefixtures("village")
def test_distribute_says_what_it_posted_published_and_paid(run: Cli) -> None:
    assert "recorded; in force from 2025-01-18" in run("distribute", "rule", "add", RULE).output
    assert "already recorded" in run("distribute", "rule", "add", RULE).output
    dry = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--dry-run").output
    assert "revenue 18,000.01, costs 0.01, distributed 18,000.00" in dry and "dry run: nothing posted" in dry
    done = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01").output
    assert "posted distribution 1" in done and "4 households share 7,200.00" in done
    again = run("distribute", "--village", VILLAGE, "--period", "2025Q2").output
    assert "already distributed (distribution 1)" in again
    published = run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2").output
    assert "2025Q2 HQ-2025: published on 2025-07-01 by tester" in published
    pay = ("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2")
    assert "paid 4 household(s) 7,200.00 yuan" in run(*pay, "--date", "2025-07-10").output
    assert "paid 0 household(s)" in run(*pay, "--date", "2025-07-11").output
    assert "0 with errors" in run("ledger", "check").output


@pytest.mark.usefixtures("village")
def test_a_rule_or_distribution_refused_exits_with_its_code_and_says_why(run: Cli, db: Database) -> None:
    text = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    late = run.cwd / "late.toml"
    late.write_text(text.replace("start = 2025-01-11", "start = 2025-06-28"), encoding="utf-8")
    run("distribute", "rule", "add", str(late))
    early = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02", ok=False)
    assert early.exit_code == 5 and "in force from 2025-07-05" in early.output
    changed = late.with_name("changed.toml")
    changed.write_text(text.replace("risk_reserve = 5", "risk_reserve = 5\n# changed"), encoding="utf-8")
    same_version = run("distribute", "rule", "add", str(changed), ok=False)
    assert same_version.exit_code == 5 and "raise the version" in same_version.output
    slash = late.with_name("slash.toml")
    slash.write_text(text.replace('code = "HQ-2025"', 'code = "HQ/2025"'), encoding="utf-8")
    refused = run("distribute", "rule", "add", str(slash), ok=False)
    assert refused.exit_code == 2 and "slash.toml" in refused.output
    assert "列「code」 (column)，值「HQ/2025」 (value)" in refused.output and "Traceback" not in refused.output


@pytest.mark.usefixtures("village")
def test_the_notice_command_names_the_files_it_wrote(run: Cli) -> None:
    run("distribute", "rule", "add", RULE)
    run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    out = run("distribute", "notice", "--village", VILLAGE, "--period", "2025Q2", "--out", "notices").output
    html_path = run.cwd / "notices" / f"公示-{VILLAGE}-2025Q2-HQ-2025.html"
    assert html_path.name in out and html_path.with_suffix(".xlsx").name in out
    assert html_path.is_file() and html_path.with_suffix(".xlsx").is_file()


@pytest.mark.usefixtures("village")
def test_roster_refusals_name_row_column_and_value_and_lists_show_names_not_codes(run: Cli, db: Database) -> None:
    before = table_counts(db)
    bad = [
        ROSTER_HEADER,
        ["H9", "无此村", "甲", "2", "脱贫户", "", "2024-01-01", "", ""],
        ["H8", VILLAGE, "乙", "0", "脱贫户", "", "2024-01-01", "", ""],
        ["H7", VILLAGE, "丙", "2", "富裕户", "", "2024-01-01", "", ""],
        ["H6", VILLAGE, "丁", "2", "脱贫户", "会飞", "2024-01-01", "", ""],
        ["H5", VILLAGE, "戊", "2", "脱贫户", "", "2024-01-01", "2024-06-01", ""],
    ]
    result = run("beneficiary", "import", str(write_csv(run.cwd / "bad.csv", bad)), ok=False)
    assert result.exit_code == 2
    for text in (
        "第2行 (row 2)，列「村」 (column)，值「无此村」 (value)",
        "第3行 (row 3)，列「人口」 (column)，值「0」 (value)",
        "第4行 (row 4)，列「类别」 (column)，值「富裕户」 (value)",
        "第5行 (row 5)，列「因素」 (column)，值「会飞」 (value)",
        "第6行 (row 6)，列「退出原因」 (column)",
    ):
        assert text in result.output, result.output
    assert table_counts(db) == before
    assert (
        "household H1 left on 2025-09-01 (exit)"
        in run("beneficiary", "remove", "H1", "--date", "2025-09-01", "--reason", "exit").output
    )
    twice = run("beneficiary", "remove", "H1", "--date", "2025-09-02", "--reason", "exit", ok=False)
    assert twice.exit_code == 5
    listed = json.loads(run("beneficiary", "list", "--village", VILLAGE, "--format", "json").output)
    assert {h["household_id"]: h["left_reason"] for h in listed} == {
        "H1": "exit",
        "H2": None,
        "H3": "death",
        "H4": None,
    }
    table = run("beneficiary", "list", "--village", VILLAGE).output  # a person reads it: names, not codes
    assert "户编号" in table and "退出原因" in table and "退出" in table and "死亡" in table and "脱贫户" in table
    for code in ("household_id", "left_reason", "poverty_exited", "exit", "death", "sick"):
        assert code not in table, (code, table)
    facts = run("report", "household", "H3").output
    assert "户编号" in facts and "户主" in facts and "因素" in facts and "死亡" in facts, facts
    for code in ("household_id", "head", "factors", "left_reason", "death", "sick"):
        assert code not in facts, (code, facts)


@pytest.mark.usefixtures("village")
def test_a_households_report_in_json_gives_its_shares(run: Cli) -> None:
    run("distribute", "rule", "add", RULE)
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    [share] = json.loads(run("report", "household", "H3", "--format", "json").output)
    assert (share["period"], share["rule_code"], share["months"], share["paid_on"]) == ("2025Q2", "HQ-2025", 2, None)


@pytest.mark.usefixtures("rule_ready")
def test_reverse_says_what_it_took_back_and_refusals_exit_with_their_codes(run: Cli) -> None:
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    overlapping = run("distribute", "--village", VILLAGE, "--period", "2025-05", ok=False)
    assert overlapping.exit_code == 5 and "已分配" in overlapping.output and "distribute reverse" in overlapping.output
    reverse = ("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2")
    no_reason = run(*reverse, "--reason", " ", ok=False)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    out = run(*reverse, "--reason", "收入录错", "--date", "2025-07-05").output
    assert "reversed distribution(s) 1; 2025Q2 may be distributed again" in out
    nothing = run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20", ok=False)
    assert nothing.exit_code == 3 and "Traceback" not in nothing.output


@pytest.mark.usefixtures("rule_ready")
def test_a_distributed_month_with_late_revenue_is_shown_as_recorded_with_a_note(run: Cli) -> None:
    """The note goes to standard error beside --format json, so that standard output stays one JSON document."""
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "5000", "--date", "2025-06-12",
        "--ref", "RT-2")  # fmt: skip
    out = run("distribute", "--village", VILLAGE, "--period", "2025Q2").output
    assert "revenue 18,000.01, costs 0.01, distributed 18,000.00" in out  # as recorded, not the books' 23,000.00
    assert "7,200.00" in out and "9,200.00" not in out  # households' 40% as shared
    assert "already distributed (distribution 1)" in out
    assert "又记入收益 5,000.00 元" in out and "账面现为 23,000.00" in out and "distribute reverse" in out
    as_json = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--format", "json")
    data = json.loads(as_json.stdout)
    assert (data["distributed"], data["books_total"], data["undistributed"]) == ("18000.00", "23000.00", "5000.00")
    assert "又记入收益" in as_json.stderr and "又记入收益" not in as_json.stdout
    run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "补记租金",
        "--date", "2025-07-02")  # fmt: skip
    redo = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02").output
    assert "posted distribution 2" in redo and "distributed 23,000.00" in redo and "又记入收益" not in redo


def test_a_paid_distribution_reversed_and_redone_says_what_is_set_against_later_shares(run: Cli) -> None:
    _distributed_and_paid(run)
    out = run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "方案适用有误",
              "--date", "2025-07-20").output  # fmt: skip
    assert "已向 4 户发放" in out and "set against their next shares" in out
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20")
    out = run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-28").output
    assert "paid 0 household(s) 0.00 yuan" in out and "4 household(s) had nothing left to pay" in out
    assert "其中 7,200.00 元以此前多发抵减" in out
    h1 = run("report", "household", "H1").output
    assert "2025-07-20" in h1 and "received" in h1 and "in 1 distributions" in h1 and "paid out" in h1
    notice = run("distribute", "notice", "--village", VILLAGE, "--period", "2025Q2", "--out", "notices").output
    assert len(notice.splitlines()) == 2  # the reversed notice and the standing one


def test_roster_dates_after_today_and_exit_corrections_say_what_and_exit_with_their_codes(
    run: Cli, db: Database
) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("beneficiary", "import", str(write_csv(run.cwd / "roster.csv", [
        ROSTER_HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "", ""]])))  # fmt: skip
    later = (dt.date.today() + dt.timedelta(days=160)).isoformat()
    removed = run("beneficiary", "remove", "H1", "--date", later, "--reason", "death", ok=False)
    assert removed.exit_code == 2 and f"--date」 (column)，值「{later}」 (value)" in removed.output, removed.output
    assert "after today" in removed.output
    added = run("beneficiary", "add", "--id", "H9", "--village", VILLAGE, "--head", "李四", "--persons", "2",
                "--category", "脱贫户", "--joined", later, ok=False)  # fmt: skip
    assert added.exit_code == 2 and f"--joined」 (column)，值「{later}」 (value)" in added.output, added.output
    rows = [ROSTER_HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", later, "死亡"]]
    imported = run("beneficiary", "import", str(write_csv(run.cwd / "名册.csv", rows)), ok=False)
    assert imported.exit_code == 2 and "名册.csv" in imported.output
    assert f"第2行 (row 2)，列「退出日期」 (column)，值「{later}」 (value)" in imported.output
    run("beneficiary", "remove", "H1", "--date", "2025-05-12", "--reason", "death")
    again = run("beneficiary", "remove", "H1", "--date", "2025-08-15", "--reason", "death", ok=False)
    assert again.exit_code == 5 and "already left on 2025-05-12" in again.output and "correct-exit" in again.output
    no_reason = run("beneficiary", "correct-exit", "H1", "--reason", " ", "--date", "2025-08-15", ok=False)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    cause_alone = run("beneficiary", "correct-exit", "H1", "--reason", "录错", "--cause", "exit", ok=False)
    assert cause_alone.exit_code == 2 and "--cause" in cause_alone.output
    fixed = run("beneficiary", "correct-exit", "H1", "--reason", "日期录错", "--date", "2025-08-15")
    assert "exit of 2025-05-12 corrected to 2025-08-15" in fixed.output
    withdrawn = run("beneficiary", "correct-exit", "H1", "--reason", "登记错户")
    assert "exit of 2025-08-15 withdrawn" in withdrawn.output
    nothing = run("beneficiary", "correct-exit", "H1", "--reason", "再次", ok=False)
    assert nothing.exit_code == 5 and "has not left" in nothing.output
    assert "the record verifies clean" in run("audit", "verify", "--skip-bean-check").output


def test_distribute_shows_every_share_with_months_and_why_in_every_format(run: Cli, db: Database) -> None:
    village(db, run.cwd)  # built through the services: tests/services/test_distribution_shares.py
    args = ("distribute", "--village", VILLAGE, "--period", "2025")
    before = table_counts(db)
    dry = run(*args, "--dry-run").output
    assert "revenue 36,000.00, costs 0.00, distributed 36,000.00" in dry
    assert "5 households share 14,400.00" in dry and "dry run: nothing posted" in dry
    for text in ("户编号", "权重", "享受月数", "说明", "王二", "1.8", DIED, EXITED, JOINED, "农户分红", "14,400.00"):
        assert text in dry, text
    assert table_counts(db) == before

    shares = json.loads(run(*args, "--dry-run", "--format", "json").stdout)  # the state goes to stderr
    assert (shares["dry_run"], shares["distribution_id"], shares["distributed"]) == (True, None, "36000.00")
    by_id = {h["household_id"]: h for h in shares["households"]}
    assert (by_id["H1"]["weight"], by_id["H1"]["months"], by_id["H1"]["note"]) == ("1", 12, None)
    assert (by_id["H2"]["weight"], by_id["H2"]["months"]) == ("1.8", 12)
    assert (by_id["H3"]["months"], by_id["H3"]["note"]) == (8, DIED)
    assert (by_id["H4"]["weight"], by_id["H4"]["months"], by_id["H4"]["note"]) == ("0.8", 10, EXITED)
    assert (by_id["H5"]["weight"], by_id["H5"]["months"], by_id["H5"]["note"]) == ("1.5", 8, JOINED)
    # weight × months: 12 + 21.6 + 8 + 8 + 12 = 61.6 shares of 14,400.00
    assert Decimal(by_id["H2"]["amount"]) == (Decimal("14400") * Decimal("21.6") / Decimal("61.6")).quantize(
        Decimal("0.01")
    )
    assert sum(Decimal(h["amount"]) for h in shares["households"]) == Decimal("14400.00")
    assert {p["purpose"]: p["amount"] for p in shares["purposes"]}["公益岗位工资"] == "7200.00"

    lines = list(csv.DictReader(io.StringIO(run(*args, "--dry-run", "--format", "csv").stdout)))
    assert [line["户编号"] for line in lines] == ["", "", "", "", "", "", "H1", "H2", "H3", "H4", "H5"]
    assert lines[8]["说明"] == DIED and lines[8]["享受月数"] == "8"

    run(*args, "--dry-run", "--format", "xlsx", "--out", "试算.xlsx")
    book = load_workbook(run.cwd / "试算.xlsx")
    assert book.sheetnames == ["分配方案", "农户分配明细"]
    rows = list(book["农户分配明细"].iter_rows(values_only=True))
    assert rows[1] == ("户编号", "户主", "权重", "享受月数", "金额(元)", "说明")
    assert rows[4][0] == "H3" and rows[4][3] == 8 and rows[4][5] == DIED
    assert table_counts(db) == before  # a dry run in any format writes nothing

    done = run(*args, "--format", "json").stdout
    posted = json.loads(done)
    assert posted["dry_run"] is False and posted["distribution_id"] is not None
    assert posted["households"] == shares["households"]  # what the dry run showed is what was decided
    again = run(*args).output
    assert "already distributed" in again and DIED in again
