"""Awards as the province and the city run them (issue 21 items 1-3, DOMAIN rules 12 and 18): the province's 等次,
名次 and 得分 decide, read from files shaped as the province sends them; ties and gaps as the policy says; several
evaluations of one year side by side, posted together or one by one, each once, from the city's own books."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from assetledger.services.audit import verify
from assetledger.services.book_reports import balances
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv, write_xlsx
from tests.services.test_awards import EXAMPLE, _setup

POLICIES = EXAMPLE.parent
FUND = POLICIES / "awards-fund-performance-example.toml"
CONSOL = POLICIES / "awards-consolidation-example.toml"
HEADER = ["序号", "区划代码", "单位名称", "等次", "名次", "得分", "备注"]
# The province ranks 西河县 (360923) first: the city's own indicators grade it D (tests/services/test_awards.py).
PROVINCE = [
    ["1", "360923", "西河县", "优秀", "1", "96.50", ""],
    ["2", "360922", "东山县", "良好", "2", "91.20", "整改中"],
    ["3", "360921", "示范县", "优秀", "3", "90.80", ""],
    ["4", "360925", "北川县", "优秀", "4", "88.00", ""],
    ["5", "360926", "中原县", "合格", "5", "80.00", ""],
    ["6", "360924", "南岭县", "优秀", "6", "79.00", ""],
]


def _results(run: Cli, name: str, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """A results file as the province's office saves it: a title row, then the table; CSV in GBK."""
    title = [["2025年度巩固拓展脱贫攻坚成果同乡村振兴有效衔接考核结果"]]
    return write_csv(run.cwd / name, [*title, header, *rows], encoding="gbk")


def _policy(run: Cli, source: Path, name: str, **replace: str) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = run.cwd / name
    path.write_text(text, encoding="utf-8")
    return path


def _compute(run: Cli, *args: str) -> Any:
    result = run("awards", "compute", "--year", "2025", "--format", "json", *args)
    return json.loads(result.stdout)


def _by_code(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["region_code"]: r for r in rows}


def test_the_provinces_rank_decides_the_top_three(run: Cli) -> None:
    _setup(run)
    results = _results(run, "巩固衔接考核结果.csv", PROVINCE)
    done = run("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--results", str(results),
               "--format", "json")  # fmt: skip
    found = _by_code(json.loads(done.stdout))
    first = found["360923"]  # ranked first by the province and 优秀: the first award, whatever the city computes
    assert (first["given_rank"], first["external_grade"], first["rank_award"]) == (1, "A", "2000000.00")
    assert "名次奖励 第1名 2,000,000.00" in first["explanation"]
    second = found["360922"]  # ranked 2nd but 良好: the 2nd amount is paid to nobody
    assert second["rank_award"] == "0.00" and "等次 B 不符合名次奖励条件" in second["explanation"]
    assert found["360921"]["rank_award"] == "1000000.00" and found["360925"]["rank_award"] == "0.00"
    assert list(found) == ["360923", "360922", "360921", "360925", "360926", "360924"]  # in the province's order
    assert "score" not in first  # nothing computed here: the province's results decide
    assert "注意 note: " in done.output and "列 备注 未使用 (column 备注 is not used)" in done.output
    table = run("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--results", str(results)).output
    assert "巩固衔接考核前三名奖励: 6 county unit(s); awards total 3,000,000.00" in table


def test_ties_and_gaps_are_paid_as_the_policy_says(run: Cli, db: Database) -> None:
    _setup(run)
    tied = [r[:] for r in PROVINCE]
    tied[2][4] = "2"  # 示范县 ranked 2nd with 东山县 (2nd, 良好)
    tied[1][3] = "优秀"
    results = _results(run, "tied.csv", tied)
    shared = _by_code(_compute(run, "--policy", str(CONSOL), "--results", str(results)))
    assert [shared[c]["rank_award"] for c in ("360923", "360922", "360921", "360925")] == [
        "2000000.00", "1250000.00", "1250000.00", "0.00",
    ]  # fmt: skip  # the 2nd and 3rd amounts shared; 北川县 ranked 4th takes the 4th place
    assert "与东山县并列第2名，平分第2至3名奖励" in shared["360921"]["explanation"]
    both = _policy(run, CONSOL, "both.toml", **{'ties = "share"': 'ties = "both"'})
    each = _by_code(_compute(run, "--policy", str(both), "--results", str(results)))
    assert [each[c]["rank_award"] for c in ("360922", "360921", "360925")] == ["1500000.00", "1500000.00", "0.00"]
    undecided = _policy(run, CONSOL, "undecided.toml", **{'ties = "share"': "", 'gaps = "keep"': ""})
    before = table_counts(db)
    refused = run("awards", "compute", "--year", "2025", "--policy", str(undecided), "--results", str(results),
                  ok=False)  # fmt: skip
    assert refused.exit_code == 2 and "名次并列：示范县、东山县并列第2名" in refused.output
    assert 'set [awards.rank] ties = "share"' in refused.output and table_counts(db) == before
    # ranks as the province gives them for all its counties: the city's are 1, 4, 5, 6 ...
    gapped = [r[:] for r in PROVINCE if r[1] != "360922"]
    for row, rank in zip(gapped, ("1", "4", "5", "6", "7"), strict=True):
        row[4] = rank
    results = _results(run, "gapped.csv", gapped)
    kept = _by_code(_compute(run, "--policy", str(CONSOL), "--results", str(results)))
    assert [kept[c]["rank_award"] for c in ("360923", "360921", "360925")] == ["2000000.00", "0.00", "0.00"]
    close = _policy(run, CONSOL, "close.toml", **{'gaps = "keep"': 'gaps = "close"'})
    closed = _by_code(_compute(run, "--policy", str(close), "--results", str(results)))
    assert [closed[c]["rank_award"] for c in ("360923", "360921", "360925")] == [
        "2000000.00", "1500000.00", "1000000.00",
    ]  # fmt: skip
    refused = run("awards", "compute", "--year", "2025", "--policy", str(undecided), "--results", str(results),
                  ok=False)  # fmt: skip
    assert refused.exit_code == 2 and "名次空缺：第2-3名无人，示范县为第4名" in refused.output


def test_given_scores_rank_and_the_file_is_checked(run: Cli, db: Database) -> None:
    _setup(run)
    by_score = _policy(run, CONSOL, "by-score.toml", **{'ranking = "given_rank"': 'ranking = "given_score"'})
    rows = [[r[0], r[1].ljust(12, "0"), r[2], r[3], "", r[5], r[6]] for r in PROVINCE]  # 12-digit codes, no ranks
    rows[0][5], rows[2][5] = "90.80", "96.50"  # 示范县 now scores best
    found = _by_code(_compute(run, "--policy", str(by_score), "--results", str(_results(run, "scores.csv", rows))))
    assert (found["360921"]["given_score"], found["360921"]["rank_award"]) == ("96.50", "2000000.00")
    assert found["360922"]["rank_award"] == "0.00"  # 91.20, second, but 良好
    assert found["360923"]["rank_award"] == "1000000.00"  # 90.80: third
    # a 名次 with a policy that ranks by its own score: refused, not silently ignored (the bug of issue 21)
    own = EXAMPLE.parent / "awards-city-example.toml"
    external = _policy(
        run, own, "own.toml", **{'source = "computed"               # "external"': 'source = "external" #'}
    )
    before = table_counts(db)
    refused = run("awards", "compute", "--year", "2025", "--policy", str(external), "--results",
                  str(_results(run, "all.csv", PROVINCE)), ok=False)  # fmt: skip
    assert refused.exit_code == 2 and "名次 is given, but YC-PERF ranks by the score it computes" in refused.output
    assert 'set ranking = "given_rank"' in refused.output
    bad = [["1", "360923", "西河县", "很好", "第一", "九十", ""], ["2", "360923", "西河县", "优秀", "1", "1", ""],
           ["3", "999999", "某县", "优秀", "2", "1", ""]]  # fmt: skip
    refused = run("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--results",
                  str(_results(run, "bad.csv", bad)), ok=False)  # fmt: skip
    out = refused.output
    assert refused.exit_code == 2 and "第3行 (row 3)，列「等次」 (column)，值「很好」 (value)" in out
    assert (
        "第3行 (row 3)，列「名次」 (column)，值「第一」 (value)：名次应为 1 至 " in out
        and "(a rank is a whole number" in out
    )
    assert (
        "第3行 (row 3)，列「得分」 (column)，值「九十」 (value)" in out
        and "第4行 (row 4)，列「区划代码」 (column)，值「360923」 (value)" in out
    )
    no_rank = write_csv(run.cwd / "grades-only.csv", [["区划代码", "等次"], ["360923", "优秀"]])
    refused = run("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--results", str(no_rank), ok=False)
    assert refused.exit_code == 2 and "the file has no 名次/rank column, and the policy YC-CONSOL needs it" in (
        refused.output
    )
    assert table_counts(db) == before


def test_two_evaluations_side_by_side_posted_once_from_the_citys_books(run: Cli, db: Database) -> None:
    _setup(run)
    rows: list[list[object]] = [["2025年度衔接资金绩效评价结果"], ["序号", "区划代码", "单位名称", "评价等次"]]
    rows += [[1, 360921, "示范县", "良好"], [2, 360922, "东山县", "优秀"], [3, 360923, "西河县", "优秀"]]  # numbers
    fund = write_xlsx(run.cwd / "资金绩效评价结果.xlsx", rows)
    consol = _results(run, "巩固衔接考核结果.csv", PROVINCE)
    policies = ("--policy", str(FUND), "--policy", str(CONSOL))
    given = ("--results", f"YC-FUND={fund}", "--results", f"YC-CONSOL={consol}")
    both = _compute(run, *policies, *given)
    summary = {r["region_code"]: r for r in both["side_by_side"]}
    shown = summary["360921"]  # B in the fund-performance evaluation, 优秀 in the consolidation evaluation
    assert (shown["YC-FUND:grade"], shown["YC-FUND:award"]) == ("B", "0.00")
    assert (shown["YC-CONSOL:grade"], shown["YC-CONSOL:rank"], shown["YC-CONSOL:award"]) == ("A", 3, "1000000.00")
    assert summary["360923"]["total"] == "2300000.00" and summary["360922"]["total"] == "300000.00"
    assert [e["policy"] for e in both["evaluations"]] == ["YC-FUND", "YC-CONSOL"]
    ambiguous = run("awards", "compute", "--year", "2025", *policies, "--results", str(fund), ok=False)
    assert ambiguous.exit_code == 2 and "write CODE=FILE" in ambiguous.output

    out = run("awards", "compute", "--year", "2025", *policies, *given, "--out", "awards.xlsx", "--chart", "a.png")
    assert "wrote awards.xlsx (6 units, 2 evaluations)" in out.output and (run.cwd / "a.png").stat().st_size > 1000
    book = load_workbook(run.cwd / "awards.xlsx")
    # each evaluation's sheet named by its policy's title, not its code
    assert book.sheetnames == ["奖励汇总", "评价结果-巩固衔接资金绩效评价奖励", "评价结果-巩固衔接考核前三名奖励"]
    rows = list(book["奖励汇总"].iter_rows(values_only=True))
    header = list(rows[1])
    f, c = "巩固衔接资金绩效评价奖励", "巩固衔接考核前三名奖励"  # the policies' titles, not their codes
    assert header == ["区划代码", "名称", f"{f} 等次", f"{f} 奖励", f"{c} 等次", f"{c} 名次", f"{c} 奖励",
                      "奖励合计"]  # fmt: skip
    totals = {r[0]: Decimal(str(r[-1])) for r in rows[2:]}
    assert totals["360923"] == Decimal("2300000.00") and sum(totals.values()) == Decimal("3600000.00")

    fund_only = run("awards", "post", "--year", "2025", "--policy", str(FUND), "--results", str(fund),
                    "--paying-entity", "S360900", "--date", "2026-03-01").output  # fmt: skip
    assert "巩固衔接资金绩效评价奖励: 2 award(s), 600,000.00 paid from S360900" in fund_only
    post = ("awards", "post", "--year", "2025", *policies, *given, "--paying-entity", "S360900", "--date", "2026-03-01")
    together = run(*post).output
    assert "巩固衔接资金绩效评价奖励: already posted: 2 award(s), 600,000.00 from S360900; nothing posted" in together
    assert "巩固衔接考核前三名奖励: 2 award(s), 3,000,000.00 paid from S360900" in together
    before = table_counts(db)
    again = run(*post).output
    assert again.count("already posted") == 2 and table_counts(db) == before
    city = {r.name: r.balance for r in balances(db, "S360900", actor="tester")}
    assert city["Expenses:Other:PerformanceAward"] == Decimal("3600000.00")
    west = {r.name: r.balance for r in balances(db, "C360923", actor="tester")}
    assert west["Income:Subsidy:PerformanceAward"] == Decimal("-2300000.00")
    entities = json.loads(run("ledger", "entities", "--format", "json").stdout)
    assert {e["code"]: e["kind"] for e in entities}["S360900"] == "city"
    assert reconcile(db, "tester") == [] and list(verify(db, "tester", bean_check=False)) == []


def test_only_the_citys_bureau_evaluates_and_pays_its_counties(run: Cli, db: Database) -> None:
    _setup(run)
    consol = _results(run, "巩固衔接考核结果.csv", PROVINCE)
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
