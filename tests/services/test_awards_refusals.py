"""What an award posting refuses (DOMAIN rules 12, 18; the red team's findings): the same evaluation paid again
under another policy code; the city's own scoring where the province's results decide; results of another year;
a payer that is not the city of the units paid; awards the payer's bank cannot pay. Each refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assetledger.services.book_reports import balances
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv, write_xlsx
from tests.services.test_awards import EXAMPLE, _setup, fund_city
from tests.services.test_awards_given import CONSOL, FUND, PROVINCE, _policy, _results

FUND_ROWS = [["序号", "区划代码", "单位名称", "评价等次"], ["1", "360921", "示范县", "良好"],
             ["2", "360922", "东山县", "优秀"], ["3", "360923", "西河县", "优秀"]]  # fmt: skip


def _fund(run: Cli, name: str = "资金绩效评价结果.csv", title: str = "2025年度衔接资金绩效评价结果") -> Path:
    return write_csv(run.cwd / name, [[title], *FUND_ROWS], encoding="gbk")


def _post(run: Cli, *args: str, ok: bool = True, payer: str = "S360900", on: str = "2026-03-01") -> str:
    result = run("awards", "post", "--year", "2025", *args, "--paying-entity", payer, "--date", on, ok=ok)
    assert ok or result.exit_code != 0
    return result.output


def _bank(db: Database, entity: str = "S360900") -> Decimal:
    return {r.name: r.balance for r in balances(db, entity, actor="tester")}.get("Assets:Bank", Decimal("0.00"))


def test_the_same_results_under_another_code_are_not_paid_twice(run: Cli, db: Database) -> None:
    _setup(run)
    fund = _fund(run)
    assert "2 award(s), 600,000.00 paid from S360900" in _post(run, "--policy", str(FUND), "--results", str(fund))
    before = table_counts(db)
    copy = _policy(run.cwd, FUND, "fund2.toml", **{'"YC-FUND"': '"YC-FUND-2"'})  # only the code changed
    out = _post(run, "--policy", str(copy), "--results", str(fund), ok=False, on="2026-11-25")
    assert "东山县（360922）2025 年度的等次奖励已由“巩固衔接资金绩效评价奖励”于 2026-03-01 入账 300,000.00 元" in out
    assert "under YC-FUND (巩固衔接资金绩效评价奖励), 300,000.00 yuan; YC-FUND-2 does not pay it again" in out
    # the same results re-saved as XLSX, another name and title row: the same evaluation still
    resaved = write_xlsx(run.cwd / "省资金绩效评价.xlsx", [["2025年度资金绩效评价"], *FUND_ROWS])
    out = _post(run, "--policy", str(copy), "--results", str(resaved), ok=False)
    assert "YC-FUND-2 does not pay it again" in out
    retitled = _policy(run.cwd, FUND, "fund3.toml", **{'"YC-FUND"': '"YC-FUND-3"', "title = ": 'title = "改名的" #'})
    assert "YC-FUND-3 does not pay it again" in _post(run, "--policy", str(retitled), "--results", str(fund), ok=False)
    assert table_counts(db) == before and _bank(db) == Decimal("9400000.00")


def test_two_codes_of_one_evaluation_in_one_request_pay_once(run: Cli, db: Database) -> None:
    _setup(run)
    fund = _fund(run)
    copy = _policy(run.cwd, FUND, "fund2.toml", **{'"YC-FUND"': '"YC-FUND-2"'})
    before = table_counts(db)
    out = _post(run, "--policy", str(FUND), "--policy", str(copy), "--results", f"YC-FUND={fund}", "--results",
                f"YC-FUND-2={fund}", ok=False)  # fmt: skip
    assert "在本次一并入账 300,000.00 元" in out and "YC-FUND-2 does not pay it again" in out
    assert table_counts(db) == before


def test_the_province_decides_where_it_gives_results(run: Cli, db: Database) -> None:
    """丰和县 got the city's 1st place on top of the province's 2nd: where the province's evaluation of the year and
    kind is given, the city's own scoring of that kind is never paid, whichever comes first or together."""
    _setup(run)
    own = _policy(run.cwd, EXAMPLE, "own.toml", **{"A = 90 ": "A = 84 "})  # the city's own scoring: grade and rank
    consol = _results(run.cwd, "巩固衔接考核结果.csv", PROVINCE)
    before = table_counts(db)
    together = _post(run, "--policy", str(own), "--policy", str(CONSOL), "--results", str(consol), ok=False)
    assert "是本市自行评分的名次奖励，不能入账：2025 年度的名次奖励已有省级评价结果“巩固衔接考核前三名奖励”" in together
    assert table_counts(db) == before
    assert "2 award(s), 3,000,000.00 paid from S360900" in _post(run, "--policy", str(CONSOL), "--results", str(consol))
    after = table_counts(db)
    out = _post(run, "--policy", str(own), ok=False)
    assert "the province's evaluation 巩固衔接考核前三名奖励 gives the rank awards of 2025, and only it is paid" in out
    assert table_counts(db) == after
    # another year: the province gave nothing, the city's own scoring is paid (as the README's tour shows)
    earlier = _policy(run.cwd, EXAMPLE, "own-2024.toml")
    assert "no awards to post" in run("awards", "post", "--year", "2024", "--policy", str(earlier),
                                      "--paying-entity", "S360900", "--date", "2026-03-01").output  # fmt: skip


def test_the_provinces_awards_wait_while_the_citys_own_are_booked(run: Cli, db: Database) -> None:
    _setup(run)
    own = _policy(run.cwd, EXAMPLE, "own.toml", **{"A = 90 ": "A = 84 "})
    assert "7 award(s), 5,700,000.00 paid from S360900" in _post(run, "--policy", str(own))
    before = table_counts(db)
    consol = _results(run.cwd, "巩固衔接考核结果.csv", PROVINCE)
    out = _post(run, "--policy", str(CONSOL), "--results", str(consol), ok=False)
    own_title = "巩固拓展脱贫攻坚成果资金和项目资产管理绩效评价奖励"
    assert f"2025 年度的名次奖励已按本市自行评分“{own_title}”于 2026-03-01 入账" in out
    assert "reverse the posted awards first" in out and table_counts(db) == before


def test_results_of_another_year_are_refused(run: Cli, db: Database) -> None:
    _setup(run)
    before = table_counts(db)
    consol = _results(run.cwd, "巩固衔接考核结果.csv", PROVINCE)  # title row: 2025年度巩固拓展…考核结果
    args = ("--policy", str(CONSOL), "--results", str(consol), "--paying-entity", "S360900", "--date", "2026-03-01")
    wrong = run("awards", "post", "--year", "2024", *args, ok=False)
    assert wrong.exit_code == 2 and "巩固衔接考核结果.csv，第1行 (row 1)，列「标题 (title)」 (column)" in wrong.output
    assert "文件所列年度为 2025 年，与评价年度 2024 年不符 (the file is of 2025, the year evaluated is 2024)" in (
        wrong.output
    )
    future = run("awards", "post", "--year", "2030", *args, ok=False)
    assert future.exit_code == 2 and "--year，值「2030」 (value)：评价年度 2030 年晚于今年" in future.output
    named = _fund(run, "2023年度资金绩效评价结果.csv", title="资金绩效评价结果")
    refused = run("awards", "compute", "--year", "2025", "--policy", str(FUND), "--results", str(named), ok=False)
    assert refused.exit_code == 2
    assert "列「文件名 (file name)」 (column)，值「2023年度资金绩效评价结果.csv」 (value)" in refused.output
    by_row = write_csv(run.cwd / "年度列.csv", [["区划代码", "等次", "年度"], ["360922", "优秀", "2025"],
                                               ["360923", "优秀", "2024年度"]])  # fmt: skip
    refused = run("awards", "compute", "--year", "2025", "--policy", str(FUND), "--results", str(by_row), ok=False)
    assert (
        "年度列.csv，第3行 (row 3)，列「年度」 (column)，值「2024年度」 (value)：文件所列年度为 2024 年"
        in refused.output
    )
    assert "row 2" not in refused.output
    unstated = write_csv(run.cwd / "results.csv", FUND_ROWS)  # states no year: shown, to be checked
    noted = run("awards", "compute", "--year", "2025", "--policy", str(FUND), "--results", str(unstated))
    assert "注意 note: " in noted.output and "请核对它是 2025 年度的结果" in noted.output
    assert table_counts(db) == before


def test_the_payer_is_the_city_of_the_units_paid(run: Cli, db: Database) -> None:
    _setup(run)
    fund = _fund(run)
    fund_city(run, "10000000.00", city="S361000")  # 抚州市, the other city
    before = table_counts(db)
    village = _post(run, "--policy", str(FUND), "--results", str(fund), payer="V360921101201", ok=False)
    assert "V360921101201 不是市级（市/州/盟）账套，不能支付绩效奖励" in village
    other = _post(run, "--policy", str(FUND), "--results", str(fund), payer="S361000", ok=False)
    assert "（S361000）不辖 东山县（360922）、西河县（360923），不能向其支付奖励" in other and "抚州市" in other
    assert table_counts(db) == before


def test_awards_the_bank_cannot_pay_are_refused(run: Cli, db: Database) -> None:
    _setup(run)  # the city's bank holds 10,000,000.00 from 2026-01-05
    fund = _fund(run)
    huge = _policy(run.cwd, FUND, "huge.toml", **{"A = 300000": "A = 999999999"})
    before = table_counts(db)
    out = _post(run, "--policy", str(huge), "--results", str(fund), ok=False)
    assert "S360900 银行存款余额 10,000,000.00 元（2026-03-01 起的最低余额），" in out
    assert "不足以支付本次奖励 1,999,999,998.00 元" in out
    early = _post(run, "--policy", str(FUND), "--results", str(fund), on="2026-01-04", ok=False)  # before the money
    assert "银行存款余额 0.00 元（2026-01-04 起的最低余额），不足以支付本次奖励 600,000.00 元" in early
    assert table_counts(db) == before and _bank(db) == Decimal("10000000.00")
    beyond = _policy(run.cwd, FUND, "beyond.toml", **{"A = 300000": "A = 1000000000.01"})
    refused = run("awards", "compute", "--year", "2025", "--policy", str(beyond), "--results", str(fund), ok=False)
    assert (
        refused.exit_code == 2
        and "列「awards.grade.amounts.A」 (column)，值「1000000000.01」 (value)" in refused.output
    )
    both = _policy(run.cwd, EXAMPLE, "both.toml", **{"amounts = { A = 300000 }": "amounts = { A = 600000000 }",
                                                 "[2000000,": "[500000000,"})  # fmt: skip
    refused = run("awards", "compute", "--year", "2025", "--policy", str(both), ok=False)
    assert refused.exit_code == 2
    assert (
        "列「awards」 (column)，值「1,100,000,000.00」 (value)：一个单位的等次奖励与名次奖励合计最多" in refused.output
    )
    exact = _policy(run.cwd, FUND, "exact.toml", **{"A = 300000": "A = 5000000"})  # the whole fund, to the fen
    assert "2 award(s), 10,000,000.00 paid from S360900" in _post(run, "--policy", str(exact), "--results", str(fund))
    assert _bank(db) == Decimal("0.00")
