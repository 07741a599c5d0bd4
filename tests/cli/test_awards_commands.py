"""The `awards compute` and `awards post` commands over the province's results and several evaluations (what
tests/services/test_awards_given.py and test_awards_refusals.py hold the services to): --results CODE=FILE, the
notes on standard error, the summary lines, the JSON, the workbook and the chart, and the exit codes."""

from __future__ import annotations

import json
from decimal import Decimal

from openpyxl import load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv, write_xlsx
from tests.services.test_awards import EXAMPLE, awards_county
from tests.services.test_awards_given import CONSOL, FUND, PROVINCE, _policy, _results
from tests.services.test_awards_refusals import FUND_ROWS, _fund


def test_compute_prints_the_provinces_results_with_notes_and_refuses_with_exit_2(run: Cli, db: Database) -> None:
    awards_county(db)
    results = str(_results(run.cwd, "巩固衔接考核结果.csv", PROVINCE))
    args = ("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--results", results)
    done = run(*args, "--format", "json")
    found = {r["region_code"]: r for r in json.loads(done.stdout)}
    first = found["360923"]
    assert (first["given_rank"], first["external_grade"], first["rank_award"]) == (1, "A", "2000000.00")
    assert "名次奖励 第1名 2,000,000.00" in first["explanation"] and "score" not in first
    assert "注意 note: " in done.output and "列 备注 未使用 (column 备注 is not used)" in done.output
    assert "巩固衔接考核前三名奖励: 6 county unit(s); awards total 3,000,000.00" in run(*args).output
    undecided = _policy(run.cwd, CONSOL, "undecided.toml", **{'ties = "share"': "", 'gaps = "keep"': ""})
    tied = [r[:] for r in PROVINCE]
    tied[2][4] = "2"
    refused = run("awards", "compute", "--year", "2025", "--policy", str(undecided), "--results",
                  str(_results(run.cwd, "tied.csv", tied)), ok=False)  # fmt: skip
    assert refused.exit_code == 2 and "名次并列：示范县、东山县并列第2名" in refused.output


def test_two_evaluations_side_by_side_in_json_a_workbook_and_a_chart_and_posted(run: Cli, db: Database) -> None:
    awards_county(db)
    rows: list[list[object]] = [["2025年度衔接资金绩效评价结果"], ["序号", "区划代码", "单位名称", "评价等次"]]
    rows += [[1, 360921, "示范县", "良好"], [2, 360922, "东山县", "优秀"], [3, 360923, "西河县", "优秀"]]
    fund = write_xlsx(run.cwd / "资金绩效评价结果.xlsx", rows)
    consol = _results(run.cwd, "巩固衔接考核结果.csv", PROVINCE)
    policies = ("--policy", str(FUND), "--policy", str(CONSOL))
    given = ("--results", f"YC-FUND={fund}", "--results", f"YC-CONSOL={consol}")
    both = json.loads(run("awards", "compute", "--year", "2025", *policies, *given, "--format", "json").stdout)
    summary = {r["region_code"]: r for r in both["side_by_side"]}
    shown = summary["360921"]
    assert (shown["YC-FUND:grade"], shown["YC-FUND:award"]) == ("B", "0.00")
    assert (shown["YC-CONSOL:grade"], shown["YC-CONSOL:rank"], shown["YC-CONSOL:award"]) == ("A", 3, "1000000.00")
    assert summary["360923"]["total"] == "2300000.00" and summary["360922"]["total"] == "300000.00"
    assert [e["policy"] for e in both["evaluations"]] == ["YC-FUND", "YC-CONSOL"]
    ambiguous = run("awards", "compute", "--year", "2025", *policies, "--results", str(fund), ok=False)
    assert ambiguous.exit_code == 2 and "write CODE=FILE" in ambiguous.output
    second = run("awards", "compute", "--year", "2025", *policies, *given, "--results", "YC-FUND=x.csv", ok=False)
    assert second.exit_code == 2 and "--results，值「YC-FUND=x.csv」 (value)：YC-FUND 已有结果文件" in second.output

    out = run("awards", "compute", "--year", "2025", *policies, *given, "--out", "awards.xlsx", "--chart", "a.png")
    assert "wrote awards.xlsx (6 units, 2 evaluations)" in out.output and (run.cwd / "a.png").stat().st_size > 1000
    book = load_workbook(run.cwd / "awards.xlsx")
    # each evaluation's sheet named by its policy's title, not its code
    assert book.sheetnames == ["奖励汇总", "评价结果-巩固衔接资金绩效评价奖励", "评价结果-巩固衔接考核前三名奖励"]
    table = list(book["奖励汇总"].iter_rows(values_only=True))
    f, c = "巩固衔接资金绩效评价奖励", "巩固衔接考核前三名奖励"  # the policies' titles, not their codes
    assert list(table[1]) == ["区划代码", "名称", f"{f} 等次", f"{f} 奖励", f"{c} 等次", f"{c} 名次", f"{c} 奖励",
                              "奖励合计"]  # fmt: skip
    totals = {r[0]: Decimal(str(r[-1])) for r in table[2:]}
    assert totals["360923"] == Decimal("2300000.00") and sum(totals.values()) == Decimal("3600000.00")

    fund_only = run("awards", "post", "--year", "2025", "--policy", str(FUND), "--results", str(fund),
                    "--paying-entity", "S360900", "--date", "2026-03-01").output  # fmt: skip
    assert "巩固衔接资金绩效评价奖励: 2 award(s), 600,000.00 paid from S360900" in fund_only
    post = ("awards", "post", "--year", "2025", *policies, *given, "--paying-entity", "S360900", "--date", "2026-03-01")
    together = run(*post).output
    assert "巩固衔接资金绩效评价奖励: already posted: 2 award(s), 600,000.00 from S360900; nothing posted" in together
    assert "巩固衔接考核前三名奖励: 2 award(s), 3,000,000.00 paid from S360900" in together
    before = table_counts(db)
    assert run(*post).output.count("already posted") == 2 and table_counts(db) == before
    entities = json.loads(run("ledger", "entities", "--format", "json").stdout)
    assert {e["code"]: e["kind"] for e in entities}["S360900"] == "city"


def test_a_county_bureau_is_refused_with_exit_6(run: Cli, db: Database) -> None:
    awards_county(db)
    consol = _results(run.cwd, "巩固衔接考核结果.csv", PROVINCE)
    run("user", "add", "chen", "--role", "finance", "--scope", "360900")  # 宜春市财政局
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="chen")  # 示范县财政局
    args = ("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--results", str(consol))
    county = run(*args, user="zhang", ok=False)
    assert county.exit_code == 6 and "zhang may not read" in county.output
    assert "巩固衔接考核前三名奖励: 6 county unit(s)" in run(*args, user="chen").output
    post = ("awards", "post", "--year", "2025", "--policy", str(CONSOL), "--results", str(consol), "--paying-entity",
            "S360900", "--date", "2026-03-01")  # fmt: skip
    before = table_counts(db)
    assert run(*post, user="zhang", ok=False).exit_code == 6 and table_counts(db) == before
    assert "巩固衔接考核前三名奖励: 2 award(s), 3,000,000.00 paid from S360900" in run(*post, user="chen").output


def test_post_refusals_say_why_and_exit_5_or_2_and_a_year_unstated_is_noted(run: Cli, db: Database) -> None:
    awards_county(db)
    fund = _fund(run.cwd)
    post = ("awards", "post", "--year", "2025", "--paying-entity", "S360900", "--date", "2026-03-01")
    assert (
        "2 award(s), 600,000.00 paid from S360900" in run(*post, "--policy", str(FUND), "--results", str(fund)).output
    )
    before = table_counts(db)
    copy = _policy(run.cwd, FUND, "fund2.toml", **{'"YC-FUND"': '"YC-FUND-2"'})
    again = run(*post, "--policy", str(copy), "--results", str(fund), ok=False)
    assert again.exit_code == 5 and "YC-FUND-2 does not pay it again" in again.output
    village = run(
        *post[:4], "--paying-entity", "V360921101201", "--policy", str(FUND), "--results", str(fund), ok=False
    )
    assert village.exit_code == 5 and "V360921101201 不是市级（市/州/盟）账套" in village.output
    consol = _results(run.cwd, "巩固衔接考核结果.csv", PROVINCE)
    wrong = run("awards", "post", "--year", "2024", "--policy", str(CONSOL), "--results", str(consol),
                "--paying-entity", "S360900", ok=False)  # fmt: skip
    assert wrong.exit_code == 2 and "巩固衔接考核结果.csv，第1行 (row 1)，列「标题 (title)」 (column)" in wrong.output
    assert table_counts(db) == before
    unstated = write_csv(run.cwd / "results.csv", FUND_ROWS)
    noted = run("awards", "compute", "--year", "2025", "--policy", str(FUND), "--results", str(unstated))
    assert "注意 note: " in noted.output and "请核对它是 2025 年度的结果" in noted.output
    earlier = _policy(run.cwd, EXAMPLE, "own-2024.toml")
    assert "no awards to post" in run("awards", "post", "--year", "2024", "--policy", str(earlier),
                                      "--paying-entity", "S360900", "--date", "2026-03-01").output  # fmt: skip
    beyond = _policy(run.cwd, FUND, "beyond.toml", **{"A = 300000": "A = 1000000000.01"})
    refused = run("awards", "compute", "--year", "2025", "--policy", str(beyond), "--results", str(fund), ok=False)
    assert refused.exit_code == 2 and "列「awards.grade.amounts.A」 (column)" in refused.output
