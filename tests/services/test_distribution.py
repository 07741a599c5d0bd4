"""Distribution end to end: roster, rule versions, distribution, idempotence, payouts, notices, household report."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assetledger.services.book_reports import balances
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER

RULES = Path(__file__).parents[2] / "ledgers" / "rules"
VILLAGE = "360921101201"
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]


def _village_with_revenue(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [
        ASSET_HEADER,
        asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
    ]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    entries = [
        ENTRY_HEADER,
        ["2025-04-30", "A-2", "收入", "租金", "6000.00", "", ""],
        ["2025-05-31", "A-2", "收入", "租金", "6000.00", "", ""],
        ["2025-06-30", "A-2", "收入", "租金", "6000.01", "", ""],
        ["2025-06-30", "A-2", "支出", "经营成本", "0.01", "", ""],
        ["2025-07-31", "A-2", "收入", "租金", "9999.00", "", ""],  # outside Q2
    ]
    run("ledger", "import-entries", str(write_csv(run.cwd / "entries.csv", entries)))
    roster = [
        ROSTER_HEADER,
        ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "", ""],
        ["H2", VILLAGE, "王二", "2", "监测户", "无劳动能力", "2024-01-01", "", ""],
        ["H3", VILLAGE, "王三", "4", "脱贫户", "老年、患病", "2024-01-01", "2025-05-20", "死亡"],
        ["H4", VILLAGE, "王四", "1", "其他困难户", "", "2025-06-03", "", ""],
    ]
    result = run("beneficiary", "import", str(write_csv(run.cwd / "roster.csv", roster)))
    assert "recorded 4 joined, 0 changed, 1 left" in result.output


@pytest.mark.usefixtures("village")
def test_distribution_posts_once_and_pays_out(run: Cli, db: Database) -> None:
    run("distribute", "rule", "add", str(RULES / "example-village-rule.toml"))
    again = run("distribute", "rule", "add", str(RULES / "example-village-rule.toml"))
    assert "already recorded" in again.output
    dry = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--dry-run")
    assert "revenue 18,000.01, costs 0.01, distributed 18,000.00" in dry.output and "dry run" in dry.output
    before = table_counts(db)
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    twice = run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    assert "already distributed" in twice.output
    after = table_counts(db)
    assert after["distributions"] == before["distributions"] + 1 and after["entries"] == before["entries"] + 1
    assert table_counts(db) == after  # the second run changed nothing
    # 40% of 18,000.00 = 7,200.00 to households; weights: H1 1.0x3, H2 1.2x1.5x3, H3 1.0x1.2x1.3x2 (died in May),
    # H4 0.8x1 (joined in June)
    h1, h2, h3, h4 = (
        Decimal(3),
        Decimal("1.2") * Decimal("1.5") * 3,
        Decimal("1.2") * Decimal("1.3") * 2,
        Decimal("0.8"),
    )
    weights = h1 + h2 + h3 + h4
    notice = json.loads(run("report", "household", "H3", "--format", "json").output)
    assert notice[0]["months"] == 2
    assert abs(Decimal(notice[0]["amount"]) - Decimal("7200") * h3 / weights) < Decimal("0.01")
    payable = [
        r for r in balances(db, f"V{VILLAGE}", actor="tester") if r.name.startswith("Liabilities:DistributionPayable")
    ]
    assert sum(r.balance for r in payable) == Decimal("-7200.00")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")  # 公示, dated the distribution's date
    assert (
        "paid 4 household(s)"
        in run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-10").output
    )
    assert (
        "paid 0 household(s)"
        in run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-11").output
    )
    payable = [
        r for r in balances(db, f"V{VILLAGE}", actor="tester") if r.name.startswith("Liabilities:DistributionPayable")
    ]
    assert payable == []
    assert reconcile(db, "tester") == []
    assert "0 with errors" in run("ledger", "check").output


@pytest.mark.usefixtures("village")
def test_rule_not_applied_before_notice_ends(run: Cli, tmp_path: Path) -> None:
    rule = tmp_path / "late.toml"
    text = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    rule.write_text(text.replace("start = 2025-01-11", "start = 2025-06-28"), encoding="utf-8")
    run("distribute", "rule", "add", str(rule))
    early = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02", ok=False)
    assert early.exit_code == 5 and "in force from 2025-07-05" in early.output
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-05")
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("risk_reserve = 5", "risk_reserve = 5\n# changed"), encoding="utf-8")
    same_version = run("distribute", "rule", "add", str(changed), ok=False)
    assert same_version.exit_code == 5 and "raise the version" in same_version.output


@pytest.mark.usefixtures("village")
def test_notice_html_and_xlsx(run: Cli) -> None:
    """The notice for the village board names each head in full; a household number that is an ID-card number is
    printed masked but for its last four characters (domain/publication.mask_number)."""
    joined = [ROSTER_HEADER, ["360921199001011234", VILLAGE, "张大", "4", "脱贫户", "", "2024-01-01", "", ""]]
    run("beneficiary", "import", str(write_csv(run.cwd / "joined.csv", joined)))
    run("distribute", "rule", "add", str(RULES / "example-village-rule.toml"))
    run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    out = run("distribute", "notice", "--village", VILLAGE, "--period", "2025Q2", "--out", "notices").output
    html_path = run.cwd / "notices" / f"公示-{VILLAGE}-2025Q2-HQ-2025.html"
    assert str(html_path.name) in out
    page = html_path.read_text(encoding="utf-8")
    for text in ("示范县东风镇红旗村", "2025Q2 扶贫项目资产收益分配公示", "18,000.00", "王二", "农户分红", "未发放",
                 "张大", "**************1234"):  # fmt: skip
        assert text in page
    assert "360921199001011234" not in page
    book = load_workbook(html_path.with_suffix(".xlsx"))
    assert book.sheetnames == ["分配方案", "农户分配明细"]
    shares = [row for row in book["农户分配明细"].iter_rows(min_row=3, values_only=True)]
    assert sum(Decimal(str(r[6])) for r in shares) == Decimal("7200.00")
    assert "**************1234" in [r[0] for r in shares] and "H1" in [r[0] for r in shares]
    assert not any("360921199001011234" in str(cell) for row in shares for cell in row)


@pytest.mark.usefixtures("village")
def test_roster_changes_and_refusals(run: Cli, db: Database) -> None:
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
    run("beneficiary", "remove", "H1", "--date", "2025-09-01", "--reason", "exit")
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
def test_yaml_rule_per_person(run: Cli, tmp_path: Path) -> None:
    rule = tmp_path / "rule.yaml"
    shutil.copy(RULES / "example-village-rule.yaml", rule)
    rule.write_text(rule.read_text(encoding="utf-8").replace('"360921101202"', f'"{VILLAGE}"'), encoding="utf-8")
    run("distribute", "rule", "add", str(rule))
    result = run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    assert "revenue 18,000.01, costs 0.01, distributed 18,000.01" in result.output  # base = revenue


@pytest.mark.usefixtures("village")
def test_rule_codes_villages_and_notice_days_are_checked_at_rule_add(run: Cli, db: Database, tmp_path: Path) -> None:
    """Issue #17 item 8: a code with "/" made its notice impossible to write; a township code posted a 0.00
    distribution; notice.days = 99999999999 was an OverflowError."""
    before = table_counts(db)
    example = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    cases = {
        "slash.toml": (example.replace('code = "HQ-2025"', 'code = "HQ/2025"'),
                       "列「code」 (column)，值「HQ/2025」 (value)"),
        "dots.toml": (example.replace('code = "HQ-2025"', 'code = "../../x"'),
                      "列「code」 (column)，值「../../x」 (value)"),
        "township.toml": (example.replace('village = "360921101201"', 'village = "360921101"'),
                          "列「village」 (column)，值「360921101」 (value)"
                          "：东风镇 不是村 (东风镇 is a township, not a village)"),
        "days.toml": (example.replace("days = 7", "days = 99999999999"),
                      "列「notice.days」 (column)，值「99999999999」 (value)"),
        "version.toml": (example.replace("version = 1", "version = 99999999999"), "列「version」 (column)"),
    }  # fmt: skip
    for name, (body, expected) in cases.items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        result = run("distribute", "rule", "add", str(path), ok=False)
        assert result.exit_code == 2 and expected in result.output, (name, result.output)
    assert table_counts(db) == before
    chinese = tmp_path / "chinese.toml"
    chinese.write_text(example.replace('code = "HQ-2025"', 'code = "红旗村_2025-方案"'), encoding="utf-8")
    assert "recorded" in run("distribute", "rule", "add", str(chinese)).output


def test_a_notice_file_name_never_leaves_its_folder(tmp_path: Path) -> None:
    """A rule recorded before codes were restricted may hold "/" or ".."; its notice is still written, inside."""
    from assetledger.domain.publication import NoticeData
    from assetledger.reports.notice import write_notice

    rule = {
        "code": "../../HQ/2025",
        "version": 1,
        "approval_body": "村民代表大会",
        "approval_date": "2025-01-10",
        "approval_document": None,
        "notice_start": "2025-01-11",
        "notice_days": 7,
        "basis": "per_household",
    }
    data = NoticeData(VILLAGE, "红旗村", "东风镇", "示范县", "2025Q2", rule, 1, 0, 1, "2025-07-01", [], [])
    folder = tmp_path / "notices"
    html_path, xlsx_path = write_notice(data, folder)
    assert html_path.parent == folder and xlsx_path.parent == folder
    assert html_path.name == f"公示-{VILLAGE}-2025Q2-______HQ_2025.html"
