"""Awards as the province and the city run them (issue 21 items 1-3, DOMAIN rules 12 and 18): the province's 等次,
名次 and 得分 decide, read from files shaped as the province sends them; ties and gaps as the policy says; several
evaluations of one year side by side, posted together or one by one, each once, from the city's own books.

What `awards compute` and `awards post` print of them (the notes, the summary lines, --results CODE=FILE, the
workbook and the chart) is tested in tests/cli/test_awards_commands.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.award_lines import side_by_side
from assetledger.domain.award_reasons import explanation
from assetledger.errors import InputError, PermissionDenied
from assetledger.rules.award_policy import parse_policy
from assetledger.services.audit import verify
from assetledger.services.award_results import GivenResults, read_given
from assetledger.services.awards import (
    Evaluation,
    ResultRow,
    distinct_policies,
    evaluate_year,
    post_awards,
    result_columns,
    result_rows,
)
from assetledger.services.book_reports import balances, entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.builders import ACTOR, user
from tests.helpers import table_counts, write_csv, write_xlsx
from tests.services.test_awards import EXAMPLE, awards_county

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
MARCH = dt.date(2026, 3, 1)  # the date the tests post on (--date 2026-03-01)


def _results(folder: Path, name: str, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """A results file as the province's office saves it: a title row, then the table; CSV in GBK."""
    title = [["2025年度巩固拓展脱贫攻坚成果同乡村振兴有效衔接考核结果"]]
    return write_csv(folder / name, [*title, header, *rows], encoding="gbk")


def _policy(folder: Path, source: Path, name: str, **replace: str) -> Path:
    """The policy file `source` with `replace`'s texts replaced, written to `folder` as `name`."""
    text = source.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def evaluations(
    db: Database, *policies: tuple[Path, Path | None], year: int = 2025, actor: str = ACTOR
) -> list[Evaluation]:
    """Each (policy file, its given results file or None) evaluated for the year, as `awards compute` and `awards
    post` read their --policy and --results CODE=FILE: the policies parsed and their codes checked distinct, every
    results file read, then each policy evaluated with its results."""
    parsed = [parse_policy(p) for p, _ in policies]
    distinct_policies(parsed)
    given: list[GivenResults | None] = [read_given(r) if r is not None else None for _, r in policies]
    return [evaluate_year(db, year, p, actor, g) for p, g in zip(parsed, given, strict=True)]


def _by_code(evaluation: Evaluation) -> dict[str, ResultRow]:
    """Each unit's result by region code, in the evaluation's order."""
    return {r.region_code: r for r in result_rows(evaluation)}


def _compute(db: Database, policy: Path, results: Path | None = None) -> dict[str, ResultRow]:
    (evaluation,) = evaluations(db, (policy, results))
    return _by_code(evaluation)


def _refused(error: pytest.ExceptionInfo[InputError]) -> str:
    """The findings of a refusal, one a line, as the CLI lists them."""
    assert error.value.exit_code == 2
    return "\n".join(str(f) for f in error.value.findings)


def test_the_provinces_rank_decides_the_top_three(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    results = _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    (consol,) = evaluations(db, (CONSOL, results))
    found = _by_code(consol)
    first = found["360923"]  # ranked first by the province and 优秀: the first award, whatever the city computes
    assert (first.given_rank, first.external_grade, first.rank_award) == (1, "A", Decimal("2000000.00"))
    assert "名次奖励 第1名 2,000,000.00" in explanation(first.reasons)
    second = found["360922"]  # ranked 2nd but 良好: the 2nd amount is paid to nobody
    assert second.rank_award == Decimal("0.00") and "等次 B 不符合名次奖励条件" in explanation(second.reasons)
    assert found["360921"].rank_award == Decimal("1000000.00") and found["360925"].rank_award == Decimal("0.00")
    assert list(found) == ["360923", "360922", "360921", "360925", "360926", "360924"]  # in the province's order
    assert "score" not in result_columns(consol)  # nothing computed here: the province's results decide
    assert "列 备注 未使用 (column 备注 is not used)" in [n.reason for n in consol.notes]
    assert (consol.policy.name, consol.policy.level, len(consol.results), consol.total_award) == (
        "巩固衔接考核前三名奖励", "county", 6, Decimal("3000000.00"),
    )  # fmt: skip


def test_ties_and_gaps_are_paid_as_the_policy_says(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    tied = [r[:] for r in PROVINCE]
    tied[2][4] = "2"  # 示范县 ranked 2nd with 东山县 (2nd, 良好)
    tied[1][3] = "优秀"
    results = _results(tmp_path, "tied.csv", tied)
    shared = _compute(db, CONSOL, results)
    assert [shared[c].rank_award for c in ("360923", "360922", "360921", "360925")] == [
        Decimal("2000000.00"), Decimal("1250000.00"), Decimal("1250000.00"), Decimal("0.00"),
    ]  # fmt: skip  # the 2nd and 3rd amounts shared; 北川县 ranked 4th takes the 4th place
    assert "与东山县并列第2名，平分第2至3名奖励" in explanation(shared["360921"].reasons)
    both = _policy(tmp_path, CONSOL, "both.toml", **{'ties = "share"': 'ties = "both"'})
    each = _compute(db, both, results)
    assert [each[c].rank_award for c in ("360922", "360921", "360925")] == [
        Decimal("1500000.00"), Decimal("1500000.00"), Decimal("0.00"),
    ]  # fmt: skip
    undecided = _policy(tmp_path, CONSOL, "undecided.toml", **{'ties = "share"': "", 'gaps = "keep"': ""})
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        _compute(db, undecided, results)
    said = _refused(refused)
    assert "名次并列：示范县、东山县并列第2名" in said and 'set [awards.rank] ties = "share"' in said
    assert table_counts(db) == before
    # ranks as the province gives them for all its counties: the city's are 1, 4, 5, 6 ...
    gapped = [r[:] for r in PROVINCE if r[1] != "360922"]
    for row, rank in zip(gapped, ("1", "4", "5", "6", "7"), strict=True):
        row[4] = rank
    results = _results(tmp_path, "gapped.csv", gapped)
    kept = _compute(db, CONSOL, results)
    assert [kept[c].rank_award for c in ("360923", "360921", "360925")] == [
        Decimal("2000000.00"), Decimal("0.00"), Decimal("0.00"),
    ]  # fmt: skip
    close = _policy(tmp_path, CONSOL, "close.toml", **{'gaps = "keep"': 'gaps = "close"'})
    closed = _compute(db, close, results)
    assert [closed[c].rank_award for c in ("360923", "360921", "360925")] == [
        Decimal("2000000.00"), Decimal("1500000.00"), Decimal("1000000.00"),
    ]  # fmt: skip
    with pytest.raises(InputError) as refused:
        _compute(db, undecided, results)
    assert "名次空缺：第2-3名无人，示范县为第4名" in _refused(refused)


def test_given_scores_rank_and_the_file_is_checked(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    by_score = _policy(tmp_path, CONSOL, "by-score.toml", **{'ranking = "given_rank"': 'ranking = "given_score"'})
    rows = [[r[0], r[1].ljust(12, "0"), r[2], r[3], "", r[5], r[6]] for r in PROVINCE]  # 12-digit codes, no ranks
    rows[0][5], rows[2][5] = "90.80", "96.50"  # 示范县 now scores best
    found = _compute(db, by_score, _results(tmp_path, "scores.csv", rows))
    assert (found["360921"].given_score, found["360921"].rank_award) == (Decimal("96.50"), Decimal("2000000.00"))
    assert found["360922"].rank_award == Decimal("0.00")  # 91.20, second, but 良好
    assert found["360923"].rank_award == Decimal("1000000.00")  # 90.80: third
    # a 名次 with a policy that ranks by its own score: refused, not silently ignored (the bug of issue 21)
    own = EXAMPLE.parent / "awards-city-example.toml"
    external = _policy(
        tmp_path, own, "own.toml", **{'source = "computed"               # "external"': 'source = "external" #'}
    )
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        _compute(db, external, _results(tmp_path, "all.csv", PROVINCE))
    said = _refused(refused)
    assert "名次 is given, but YC-PERF ranks by the score it computes" in said and 'set ranking = "given_rank"' in said
    bad = [["1", "360923", "西河县", "很好", "第一", "九十", ""], ["2", "360923", "西河县", "优秀", "1", "1", ""],
           ["3", "999999", "某县", "优秀", "2", "1", ""]]  # fmt: skip
    with pytest.raises(InputError) as refused:
        _compute(db, CONSOL, _results(tmp_path, "bad.csv", bad))
    said = _refused(refused)
    assert "第3行 (row 3)，列「等次」 (column)，值「很好」 (value)" in said
    assert (
        "第3行 (row 3)，列「名次」 (column)，值「第一」 (value)：名次应为 1 至 " in said
        and "(a rank is a whole number" in said
    )
    assert (
        "第3行 (row 3)，列「得分」 (column)，值「九十」 (value)" in said
        and "第4行 (row 4)，列「区划代码」 (column)，值「360923」 (value)" in said
    )
    no_rank = write_csv(tmp_path / "grades-only.csv", [["区划代码", "等次"], ["360923", "优秀"]])
    with pytest.raises(InputError) as refused:
        _compute(db, CONSOL, no_rank)
    assert "the file has no 名次/rank column, and the policy YC-CONSOL needs it" in _refused(refused)
    assert table_counts(db) == before


def test_two_evaluations_side_by_side_posted_once_from_the_citys_books(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    rows: list[list[object]] = [["2025年度衔接资金绩效评价结果"], ["序号", "区划代码", "单位名称", "评价等次"]]
    rows += [[1, 360921, "示范县", "良好"], [2, 360922, "东山县", "优秀"], [3, 360923, "西河县", "优秀"]]  # numbers
    fund = write_xlsx(tmp_path / "资金绩效评价结果.xlsx", rows)
    consol = _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    both = evaluations(db, (FUND, fund), (CONSOL, consol))
    assert [e.policy.code for e in both] == ["YC-FUND", "YC-CONSOL"]
    summary = {u.code: u for u in side_by_side(both)}
    shown_fund, shown_consol = summary["360921"].lines  # B in the fund-performance evaluation, 优秀 in consolidation
    assert shown_fund is not None and shown_consol is not None
    assert (shown_fund.policy, shown_fund.grade, shown_fund.award) == ("YC-FUND", "B", Decimal("0.00"))
    assert (shown_consol.grade, shown_consol.rank, shown_consol.award) == ("A", 3, Decimal("1000000.00"))
    assert summary["360923"].total == Decimal("2300000.00") and summary["360922"].total == Decimal("300000.00")
    assert len(summary) == 6 and sum(u.total for u in summary.values()) == Decimal("3600000.00")
    assert [e.policy.name for e in both] == ["巩固衔接资金绩效评价奖励", "巩固衔接考核前三名奖励"]

    (fund_only,) = post_awards(db, evaluations(db, (FUND, fund)), "S360900", MARCH, ACTOR)
    assert (fund_only.policy, fund_only.payer, len(fund_only.posted), fund_only.already) == (
        "YC-FUND", "S360900", 2, (),
    )  # fmt: skip
    assert fund_only.total == Decimal("600000.00")
    together = post_awards(db, evaluations(db, (FUND, fund), (CONSOL, consol)), "S360900", MARCH, ACTOR)
    assert [(o.policy, len(o.posted), len(o.already), o.total) for o in together] == [
        ("YC-FUND", 0, 2, Decimal("600000.00")), ("YC-CONSOL", 2, 0, Decimal("3000000.00")),
    ]  # fmt: skip
    before = table_counts(db)
    again = post_awards(db, evaluations(db, (FUND, fund), (CONSOL, consol)), "S360900", MARCH, ACTOR)
    assert [(o.posted, len(o.already)) for o in again] == [((), 2), ((), 2)] and table_counts(db) == before
    city = {r.name: r.balance for r in balances(db, "S360900", actor=ACTOR)}
    assert city["Expenses:Other:PerformanceAward"] == Decimal("3600000.00")
    west = {r.name: r.balance for r in balances(db, "C360923", actor=ACTOR)}
    assert west["Income:Subsidy:PerformanceAward"] == Decimal("-2300000.00")
    assert {e.code: e.kind for e in entities(db, ACTOR)}["S360900"] == "city"
    assert reconcile(db, ACTOR) == [] and list(verify(db, ACTOR, bean_check=False)) == []


def test_only_the_citys_bureau_evaluates_and_pays_its_counties(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    consol = _results(tmp_path, "巩固衔接考核结果.csv", PROVINCE)
    user(db, "chen", "finance", "360900")  # 宜春市财政局
    user(db, "zhang", "finance", "360921", actor="chen")  # 示范县财政局
    with pytest.raises(PermissionDenied, match="zhang may not read"):
        evaluations(db, (CONSOL, consol), actor="zhang")
    (by_chen,) = evaluations(db, (CONSOL, consol), actor="chen")
    assert (by_chen.policy.name, len(by_chen.results)) == ("巩固衔接考核前三名奖励", 6)
    before = table_counts(db)
    with pytest.raises(PermissionDenied):  # `awards post` as zhang evaluates first: refused there
        evaluations(db, (CONSOL, consol), actor="zhang")
    with pytest.raises(PermissionDenied):  # nor may zhang post what chen evaluated
        post_awards(db, [by_chen], "S360900", MARCH, "zhang")
    assert table_counts(db) == before
    (paid,) = post_awards(db, evaluations(db, (CONSOL, consol), actor="chen"), "S360900", MARCH, "chen")
    assert (paid.policy, len(paid.posted), paid.total, paid.payer) == ("YC-CONSOL", 2, Decimal("3000000.00"), "S360900")
