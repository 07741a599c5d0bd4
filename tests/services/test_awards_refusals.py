"""What an award posting refuses (DOMAIN rules 12, 18; the red team's findings): the same evaluation paid again
under another policy code; the city's own scoring where the province's results decide; results of another year;
a payer that is not the city of the units paid; awards the payer's bank cannot pay. Each refusal changes nothing.

What `awards post` and `awards compute` print of these refusals, and their exit codes:
tests/cli/test_awards_commands.py."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.errors import InputError, RuleViolation
from assetledger.services.awards import PostOutcome, post_awards
from assetledger.services.book_reports import balances
from assetledger.store.db import Database
from tests.builders import ACTOR
from tests.helpers import table_counts, write_csv, write_xlsx
from tests.services.test_awards import EXAMPLE, awards_county, fund
from tests.services.test_awards_given import CONSOL, FUND, MARCH, PROVINCE, _policy, _results, evaluations

FUND_ROWS = [["序号", "区划代码", "单位名称", "评价等次"], ["1", "360921", "示范县", "良好"],
             ["2", "360922", "东山县", "优秀"], ["3", "360923", "西河县", "优秀"]]  # fmt: skip


def _fund(folder: Path, name: str = "资金绩效评价结果.csv", title: str = "2025年度衔接资金绩效评价结果") -> Path:
    """The province's fund-performance results (等次 only) as its office saves them: a title row, CSV in GBK."""
    return write_csv(folder / name, [[title], *FUND_ROWS], encoding="gbk")


def _post(
    db: Database, *policies: tuple[Path, Path | None], payer: str = "S360900", on: dt.date = MARCH, year: int = 2025
) -> list[PostOutcome]:
    """The policies evaluated with their results, then their awards posted (`awards post`, as ACTOR)."""
    return post_awards(db, evaluations(db, *policies, year=year), payer, on, ACTOR)


def _paid(outcomes: list[PostOutcome]) -> tuple[int, Decimal, str]:
    """(awards posted now, their total, the payer) of the one evaluation posted."""
    (outcome,) = outcomes
    assert not outcome.already
    return len(outcome.posted), outcome.total, outcome.payer


def _findings(error: pytest.ExceptionInfo[InputError]) -> str:
    """The findings of a refusal, one a line, as the CLI lists them."""
    assert error.value.exit_code == 2
    return "\n".join(str(f) for f in error.value.findings)


def _bank(db: Database, entity: str = "S360900") -> Decimal:
    return {r.name: r.balance for r in balances(db, entity, actor=ACTOR)}.get("Assets:Bank", Decimal("0.00"))


def test_the_same_results_under_another_code_are_not_paid_twice(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    given = _fund(tmp_path)
    assert _paid(_post(db, (FUND, given))) == (2, Decimal("600000.00"), "S360900")
    before = table_counts(db)
    copy = _policy(tmp_path, FUND, "fund2.toml", **{'"YC-FUND"': '"YC-FUND-2"'})  # only the code changed
    with pytest.raises(RuleViolation) as refused:
        _post(db, (copy, given), on=dt.date(2026, 11, 25))
    said = str(refused.value)
    assert "东山县（360922）2025 年度的等次奖励已由“巩固衔接资金绩效评价奖励”于 2026-03-01 入账 300,000.00 元" in said
    assert "under YC-FUND (巩固衔接资金绩效评价奖励), 300,000.00 yuan; YC-FUND-2 does not pay it again" in said
    # the same results re-saved as XLSX, another name and title row: the same evaluation still
    resaved = write_xlsx(tmp_path / "省资金绩效评价.xlsx", [["2025年度资金绩效评价"], *FUND_ROWS])
    with pytest.raises(RuleViolation, match="YC-FUND-2 does not pay it again"):
        _post(db, (copy, resaved))
    retitled = _policy(tmp_path, FUND, "fund3.toml", **{'"YC-FUND"': '"YC-FUND-3"', "title = ": 'title = "改名的" #'})
    with pytest.raises(RuleViolation, match="YC-FUND-3 does not pay it again"):
        _post(db, (retitled, given))
    assert table_counts(db) == before and _bank(db) == Decimal("9400000.00")


def test_two_codes_of_one_evaluation_in_one_request_pay_once(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    given = _fund(tmp_path)
    copy = _policy(tmp_path, FUND, "fund2.toml", **{'"YC-FUND"': '"YC-FUND-2"'})
    before = table_counts(db)
    with pytest.raises(RuleViolation) as refused:
        _post(db, (FUND, given), (copy, given))
    said = str(refused.value)
    assert "在本次一并入账 300,000.00 元" in said and "YC-FUND-2 does not pay it again" in said
    assert table_counts(db) == before


def test_the_province_decides_where_it_gives_results(db: Database, tmp_path: Path) -> None:
    """丰和县 got the city's 1st place on top of the province's 2nd: where the province's evaluation of the year and
    kind is given, the city's own scoring of that kind is never paid, whichever comes first or together."""
    awards_county(db)
    own = _policy(tmp_path, EXAMPLE, "own.toml", **{"A = 90 ": "A = 84 "})  # the city's own scoring: grade and rank
    consol = _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    before = table_counts(db)
    with pytest.raises(RuleViolation) as together:
        _post(db, (own, None), (CONSOL, consol))
    assert "是本市自行评分的名次奖励，不能入账：2025 年度的名次奖励已有省级评价结果“巩固衔接考核前三名奖励”" in str(
        together.value
    )
    assert table_counts(db) == before
    assert _paid(_post(db, (CONSOL, consol))) == (2, Decimal("3000000.00"), "S360900")
    after = table_counts(db)
    with pytest.raises(RuleViolation) as refused:
        _post(db, (own, None))
    assert "the province's evaluation 巩固衔接考核前三名奖励 gives the rank awards of 2025, and only it is paid" in str(
        refused.value
    )
    assert table_counts(db) == after
    # another year: the province gave nothing, the city's own scoring is paid (as the README's tour shows)
    earlier = _policy(tmp_path, EXAMPLE, "own-2024.toml")
    (nothing,) = _post(db, (earlier, None), year=2024)
    assert (nothing.posted, nothing.already) == ((), ())  # no awards to post
    assert table_counts(db) == after


def test_the_provinces_awards_wait_while_the_citys_own_are_booked(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    own = _policy(tmp_path, EXAMPLE, "own.toml", **{"A = 90 ": "A = 84 "})
    assert _paid(_post(db, (own, None))) == (7, Decimal("5700000.00"), "S360900")
    before = table_counts(db)
    consol = _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    with pytest.raises(RuleViolation) as refused:
        _post(db, (CONSOL, consol))
    said = str(refused.value)
    own_title = "巩固拓展脱贫攻坚成果资金和项目资产管理绩效评价奖励"
    assert f"2025 年度的名次奖励已按本市自行评分“{own_title}”于 2026-03-01 入账" in said
    assert "reverse the posted awards first" in said and table_counts(db) == before


def test_results_of_another_year_are_refused(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    before = table_counts(db)
    consol = _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)  # title row: 2025年度巩固拓展…考核结果
    with pytest.raises(InputError) as wrong:
        _post(db, (CONSOL, consol), year=2024)
    said = _findings(wrong)
    assert "巩固衔接考核结果.csv，第1行 (row 1)，列「标题 (title)」 (column)" in said
    assert "文件所列年度为 2025 年，与评价年度 2024 年不符 (the file is of 2025, the year evaluated is 2024)" in said
    with pytest.raises(InputError) as future:
        _post(db, (CONSOL, consol), year=2030)
    assert "--year，值「2030」 (value)：评价年度 2030 年晚于今年" in _findings(future)
    named = _fund(tmp_path, "2023年度资金绩效评价结果.csv", title="资金绩效评价结果")
    with pytest.raises(InputError) as refused:
        evaluations(db, (FUND, named))  # `awards compute`
    assert "列「文件名 (file name)」 (column)，值「2023年度资金绩效评价结果.csv」 (value)" in _findings(refused)
    by_row = write_csv(tmp_path / "年度列.csv", [["区划代码", "等次", "年度"], ["360922", "优秀", "2025"],
                                                ["360923", "优秀", "2024年度"]])  # fmt: skip
    with pytest.raises(InputError) as refused:
        evaluations(db, (FUND, by_row))
    assert "年度列.csv，第3行 (row 3)，列「年度」 (column)，值「2024年度」 (value)：文件所列年度为 2024 年" in (
        _findings(refused)
    )
    assert [f.row for f in refused.value.findings] == [3]  # row 2 is of 2025: not refused
    unstated = write_csv(tmp_path / "results.csv", FUND_ROWS)  # states no year: noted, to be checked
    (noted,) = evaluations(db, (FUND, unstated))
    assert any("请核对它是 2025 年度的结果" in n.reason for n in noted.notes)
    assert table_counts(db) == before


def test_the_payer_is_the_city_of_the_units_paid(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    given = _fund(tmp_path)
    fund(db, "10000000.00", city="S361000")  # 抚州市, the other city
    before = table_counts(db)
    with pytest.raises(RuleViolation, match="V360921101201 不是市级（市/州/盟）账套，不能支付绩效奖励"):
        _post(db, (FUND, given), payer="V360921101201")
    with pytest.raises(RuleViolation) as other:
        _post(db, (FUND, given), payer="S361000")
    said = str(other.value)
    assert "（S361000）不辖 东山县（360922）、西河县（360923），不能向其支付奖励" in said and "抚州市" in said
    assert table_counts(db) == before


def test_awards_the_bank_cannot_pay_are_refused(db: Database, tmp_path: Path) -> None:
    awards_county(db)  # the city's bank holds 10,000,000.00 from 2026-01-05
    given = _fund(tmp_path)
    huge = _policy(tmp_path, FUND, "huge.toml", **{"A = 300000": "A = 999999999"})
    before = table_counts(db)
    with pytest.raises(RuleViolation) as refused:
        _post(db, (huge, given))
    said = str(refused.value)
    assert "S360900 银行存款余额 10,000,000.00 元（2026-03-01 起的最低余额），" in said
    assert "不足以支付本次奖励 1,999,999,998.00 元" in said
    with pytest.raises(
        RuleViolation,
        match=re.escape("银行存款余额 0.00 元（2026-01-04 起的最低余额），不足以支付本次奖励 600,000.00 元"),
    ):
        _post(db, (FUND, given), on=dt.date(2026, 1, 4))  # before the money
    assert table_counts(db) == before and _bank(db) == Decimal("10000000.00")
    beyond = _policy(tmp_path, FUND, "beyond.toml", **{"A = 300000": "A = 1000000000.01"})
    with pytest.raises(InputError) as bad:
        evaluations(db, (beyond, given))  # `awards compute`
    assert "列「awards.grade.amounts.A」 (column)，值「1000000000.01」 (value)" in _findings(bad)
    both = _policy(tmp_path, EXAMPLE, "both.toml", **{"amounts = { A = 300000 }": "amounts = { A = 600000000 }",
                                                      "[2000000,": "[500000000,"})  # fmt: skip
    with pytest.raises(InputError) as bad:
        evaluations(db, (both, None))
    assert "列「awards」 (column)，值「1,100,000,000.00」 (value)：一个单位的等次奖励与名次奖励合计最多" in _findings(
        bad
    )
    exact = _policy(tmp_path, FUND, "exact.toml", **{"A = 300000": "A = 5000000"})  # the whole fund, to the fen
    assert _paid(_post(db, (exact, given))) == (2, Decimal("10000000.00"), "S360900")
    assert _bank(db) == Decimal("0.00")
