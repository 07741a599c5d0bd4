"""Performance evaluation and awards end to end on several counties: indicators in SQL, scores, grades, ties,
external grades, XLSX read back, posting once in payer and receiver books, per-asset performance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.award_reasons import explanation
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import InputError, NotFoundError, RuleViolation
from assetledger.rules.award_policy import parse_policy
from assetledger.services.asset_performance import asset_performance
from assetledger.services.award_results import read_given
from assetledger.services.awards import ResultRow, evaluate_year, post_awards, result_rows
from assetledger.services.book_reports import balances
from assetledger.services.disposal import DisposalRequest
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.builders import ACTOR, assets, regions, roster
from tests.builders.audit import (
    counts,
    decided_disposal,
    disposed,
    distributed,
    entries,
    inventory,
    ledger,
    reinvested,
    revitalised,
    rule,
)
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER

LEDGERS = Path(__file__).parents[2] / "ledgers"
EXAMPLE = LEDGERS / "policy" / "awards-city-example.toml"
RULE = LEDGERS / "rules" / "example-village-rule.toml"
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]

# code, county, township, village; the first village is the one the example distribution rule names
COUNTIES = [
    ("360921", "示范县", "东风镇", "红旗村"),
    ("360922", "东山县", "东山镇", "东山村"),
    ("360923", "西河县", "西河镇", "西河村"),
    ("360924", "南岭县", "南岭镇", "南岭村"),
    ("360925", "北川县", "北川镇", "北川村"),
    ("360926", "中原县", "中原镇", "中原村"),
    ("361001", "外市县", "外市镇", "外市村"),  # another city: outside the policy's scope (code prefix 3609)
]
CITIES = {"3609": ("宜春市", "360900"), "3610": ("抚州市", "361000")}  # the city pays from its own books, S360900
# monthly rent of each county's PV station in 2025 and 2024 (None: no PV station)
RENT = {"360921": (1500, 1000), "360922": (1000, 1000), "360925": (1100, 1100), "360926": (1000, 1000),
        "361001": (1000, 1000)}  # fmt: skip


def village(code: str) -> str:
    return f"{code}101201"


def policy_file(folder: Path, name: str = "policy.toml", **replace: str) -> Path:
    """The city's example policy with `replace`'s texts replaced, written to `folder`."""
    text = EXAMPLE.read_text(encoding="utf-8")  # as the example writes it: the city is no county, nothing to exclude
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def awards_county(db: Database) -> None:
    """Seven counties of two cities with their roads, PV stations and two years of rent; 示范县's village
    distributes its 2025 revenue by its rule; the city's fund of 10,000,000.00 in its books (S360900)."""
    rows: list[list[object]] = [["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"]]
    rows += [[*CITIES[code[:4]], c, code, t, f"{code}101", v, village(code)] for code, c, t, v in COUNTIES]
    regions(db, rows)
    made: list[Sequence[object]] = [ASSET_HEADER]
    books: list[Sequence[object]] = [ENTRY_HEADER]
    for code, county, township, vil in COUNTIES:
        place = {"县": county, "乡镇": township, "村": vil, "确权主体": f"{vil}股份经济合作社",
                 "管护主体": f"{vil}村民委员会"}  # fmt: skip
        if code == "360923":  # a large road neither confirmed nor handed over, and a PV station without revenue
            unconfirmed = dict.fromkeys(("县级衔接资金", "确权主体", "确权级别", "确权日期", "移交日期", "管护主体"))
            value = {"资产原值（元）": "300000.00", "中央衔接资金": "300000.00"}
            made.append(asset_row(f"ROAD-{code}", **{**place, **value, **unconfirmed}))
        else:
            made.append(asset_row(f"ROAD-{code}", **place))
        if code in RENT or code == "360923":
            made.append(asset_row(f"PV-{code}", **{**place, "资产名称": "光伏电站", "资产类别": "经营性",
                                                   "经营方式": "出租", "经营主体": "绿源公司",
                                                   "资产原值（元）": "200000.00" if code != "360923" else "100000.00",
                                                   "中央衔接资金": "200000.00" if code != "360923" else "100000.00",
                                                   "县级衔接资金": None}))  # fmt: skip
        now, before = RENT.get(code, (0, 0))
        for month in range(1, 13):
            for year, rent in ((2025, now), (2024, before)):
                if rent:
                    books.append([f"{year}-{month:02d}-28", f"PV-{code}", "收入", "租金", str(rent), "", ""])
    books.append(["2024-01-28", "PV-360923", "收入", "租金", "500", "", ""])
    assets(db, made)
    entries(db, books)
    # 示范县's village distributes its 2025 revenue by its approved rule
    roster(db, [ROSTER_HEADER, ["H1", village("360921"), "王一", "3", "脱贫户", "", "2024-01-01", "", ""],
                ["H2", village("360921"), "王二", "2", "监测户", "无劳动能力", "2024-01-01", "", ""]])  # fmt: skip
    rule(db, RULE)
    distributed(db, village("360921"), "2025")
    fund(db, "10000000.00")


def fund(db: Database, amount: str, on: str = "2026-01-05", city: str = "S360900", actor: str = ACTOR) -> int:
    """The city's award fund arrives in its own books, as a city brings its books in (`ledger import`)."""
    text = (
        f'2026-01-01 open Assets:Bank CNY\n2026-01-01 open Income:Subsidy CNY\n\n{on} * "市级财政奖补资金到位"\n'
        f"  Assets:Bank  {amount} CNY\n  Income:Subsidy  -{amount} CNY\n"
    )
    return ledger(db, text, city, actor=actor)


# For the tests that still build through a Cli (tests/services/test_award_rows.py, tests/store/test_side_by_side.py,
# tests/web/test_awards_page.py, tests/cli/test_sheet_option.py): the same state, built through the services on the
# Cli's database.


def _policy(run: Cli, name: str = "policy.toml", **replace: str) -> Path:
    return policy_file(run.cwd, name, **replace)


def _setup(run: Cli) -> None:
    db = Database(run.url)
    try:
        awards_county(db)
    finally:
        db.dispose()


def fund_city(run: Cli, amount: str, on: str = "2026-01-05", city: str = "S360900", user: str = ACTOR) -> None:
    db = Database(run.url)
    try:
        fund(db, amount, on, city, user)
    finally:
        db.dispose()


def _compute(db: Database, policy: Path, given: Path | None = None) -> dict[str, ResultRow]:
    """Each unit's result of 2025 by the policy (and the given results), by region code, in the evaluation's order
    (`awards compute`)."""
    evaluation = evaluate_year(db, 2025, parse_policy(policy), ACTOR, read_given(given) if given else None)
    return {r.region_code: r for r in result_rows(evaluation)}


def _said(row: ResultRow) -> str:
    """A unit's reasons as one line (the 说明 column)."""
    return explanation(row.reasons)


def test_indicators_scores_grades_ties_and_awards(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    found = _compute(db, policy_file(tmp_path))
    assert list(found) == ["360921", "360925", "360922", "360926", "360923", "360924"]  # rank order, then ungraded
    a, b = found["360921"], found["360922"]
    assert [a.values[c] for c in ("ownership", "custody", "yield", "distribution", "idle")] == [
        Decimal("100.00"), Decimal("100.00"), Decimal("9.00"), Decimal("100.00"), Decimal("0.00"),
    ]  # fmt: skip
    assert a.values["governance"] is None and a.values["proceeds"] is None and a.values["inventory"] is None
    assert (a.score, a.grade, a.rank) == (Decimal("100.00"), "A", 1)
    assert (a.grade_award, a.rank_award, a.award) == (
        Decimal("300000.00"),
        Decimal("2000000.00"),
        Decimal("2300000.00"),
    )
    assert (b.values["yield"], b.values["distribution"], b.score, b.grade) == (
        Decimal("6.00"), Decimal("0.00"), Decimal("84.00"), "B",
    )  # fmt: skip
    assert "收益分配率 0.00→30分, 扣14.00" in _said(b)
    assert "资产清查完成率 不能计算" in _said(b) and "weights renormalised" in _said(b)
    # equal scores: better yield first (北川县 6.60), then the smaller region code (东山县 before 中原县)
    assert [found[c].rank for c in ("360925", "360922", "360926")] == [2, 3, 4]
    assert all(found[c].award == 0 for c in ("360925", "360922", "360926"))  # rank awards only for A
    c = found["360923"]
    assert [c.values[i] for i in ("ownership", "custody", "yield", "idle", "governance")] == [
        Decimal("25.00"), Decimal("100.00"), Decimal("0.00"), Decimal("25.00"), Decimal("0.00"),
    ]  # fmt: skip
    assert c.values["distribution"] is None
    assert (c.weight_share, c.score, c.grade) == (Decimal("70.00"), Decimal("40.00"), "D")
    d = found["360924"]  # no operating asset, no income: too little weight can be computed
    assert d.values["yield"] is None and d.score is None and d.rank is None and d.award == 0
    assert "not graded: only 45.00% of the weight" in _said(d)
    # a lower A threshold: every 84-point county is A, the top three take the rank awards in tie order
    lenient = _compute(db, policy_file(tmp_path, "lenient.toml", **{"A = 90 ": "A = 84 "}))
    assert [lenient[c].award for c in ("360921", "360925", "360922", "360926")] == [
        Decimal("2300000.00"), Decimal("1800000.00"), Decimal("1300000.00"), Decimal("300000.00"),
    ]  # fmt: skip


def test_external_grades_decide_the_grade_award(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    policy = policy_file(tmp_path, **{'source = "computed"               # "external"': 'source = "external"  #'})
    with pytest.raises(InputError, match="须提供结果文件") as missing:
        _compute(db, policy)
    assert missing.value.exit_code == 2
    grades = write_csv(tmp_path / "grades.csv", [["区划代码", "等次"], ["360922", "优秀"], ["360921", "B"]])
    found = _compute(db, policy, grades)
    assert (found["360922"].external_grade, found["360922"].grade_award) == ("A", Decimal("300000.00"))
    assert (found["360921"].grade, found["360921"].grade_award) == ("A", Decimal("0.00"))  # the province said B
    assert found["360921"].rank_award == Decimal("2000000.00")  # rank awards still follow the computed grade
    assert "无给定等次 (no given grade)" in _said(found["360925"])
    bad = write_csv(tmp_path / "bad.csv", [["区划代码", "等次"], ["360922", "很好"], ["999999", "A"], ["360922", "A"]])
    with pytest.raises(InputError) as refused:
        _compute(db, policy, bad)
    said = "\n".join(str(f) for f in refused.value.findings)
    assert refused.value.exit_code == 2 and "第2行 (row 2)，列「等次」 (column)，值「很好」 (value)" in said
    assert (
        "第4行 (row 4)，列「区划代码」 (column)，值「360922」 (value)：与第 2 行的区划重复 (the same region twice"
        in said
    )
    unknown = write_csv(tmp_path / "unknown.csv", [["region_code", "grade"], ["999999", "A"]])
    with pytest.raises(InputError) as refused:
        _compute(db, policy, unknown)
    said = "\n".join(str(f) for f in refused.value.findings)
    assert "值「999999」 (value)：不是本次评价的单位 (not a county in this evaluation)" in said


def test_post_once_in_payer_and_receiver_books(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    lenient = parse_policy(policy_file(tmp_path, "lenient.toml", **{"A = 90 ": "A = 84 "}))
    evaluation = evaluate_year(db, 2025, lenient, ACTOR)
    (done,) = post_awards(db, [evaluation], "S360900", dt.date(2026, 3, 1), ACTOR)
    assert (done.policy, done.payer, len(done.posted), done.total) == (
        lenient.code, "S360900", 7, Decimal("5700000.00"),
    )  # fmt: skip
    assert lenient.name == "巩固拓展脱贫攻坚成果资金和项目资产管理绩效评价奖励"
    city = {r.name: r.balance for r in balances(db, "S360900", actor=ACTOR)}
    assert city["Expenses:Other:PerformanceAward"] == Decimal("5700000.00")
    assert city["Assets:Bank"] == Decimal("4300000.00")  # 10,000,000 funded, 5,700,000 paid
    county = {r.name: r.balance for r in balances(db, "C360921", actor=ACTOR)}
    assert county["Income:Subsidy:PerformanceAward"] == Decimal("-2300000.00")
    assert county["Assets:Bank"] == Decimal("2300000.00")
    before = table_counts(db)
    (again,) = post_awards(db, [evaluation], "S360900", dt.date(2026, 3, 1), ACTOR)
    assert (again.posted, len(again.already), again.total) == ((), 7, Decimal("5700000.00"))
    assert table_counts(db) == before
    with pytest.raises(RuleViolation) as other_payer:  # pays itself, and already paid
        post_awards(db, [evaluation], "C360921", dt.date(2026, 3, 1), ACTOR)
    assert other_payer.value.exit_code == 5
    changed = evaluate_year(db, 2025, parse_policy(policy_file(tmp_path)), ACTOR)
    with pytest.raises(RuleViolation, match="already posted") as refused:
        post_awards(db, [changed], "S360900", dt.date.today(), ACTOR)  # --date: today by default
    assert "reverse" in str(refused.value)
    assert table_counts(db) == before
    assert reconcile(db, ACTOR) == []
    assert all(not c.errors for c in check_entities(db, ACTOR))


def test_payer_must_not_be_a_receiver_and_must_exist(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    evaluation = evaluate_year(db, 2025, parse_policy(policy_file(tmp_path)), ACTOR)
    today = dt.date.today()  # --date: today by default
    before = table_counts(db)
    with pytest.raises(RuleViolation, match="the payer is one of the county units this evaluation scores"):
        post_awards(db, [evaluation], "C360921", today, ACTOR)
    with pytest.raises(RuleViolation, match="its books are S360900, not county books"):
        post_awards(db, [evaluation], "C360900", today, ACTOR)
    assert table_counts(db) == before
    with pytest.raises(NotFoundError) as nowhere:
        post_awards(db, [evaluation], "C999999", today, ACTOR)
    assert nowhere.value.exit_code == 3


def test_governance_and_proceeds_indicators(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    shed = asset_row("SHED-360923", **{"县": "西河县", "乡镇": "西河镇", "村": "西河村", "资产名称": "大棚",
                                      "资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司",
                                      "确权主体": "西河村股份经济合作社", "资产原值（元）": "30000.00",
                                      "中央衔接资金": "30000.00", "县级衔接资金": None})  # fmt: skip
    assets(db, [ASSET_HEADER, shed])
    revitalised(db, "PV-360923", "2025-11-10", operator="新公司")
    decided_disposal(db, "SHED-360923", "2025-11-20")
    disposed(db, DisposalRequest("SHED-360923", DisposalMethod.AUCTION, dt.date(2025, 12, 1), Decimal("10000"),
                                 "村〔2025〕1号", ApprovalLevel.VILLAGE))  # fmt: skip
    reinvested(db, "PV-360923", "4000", "2025-12-15", source="restricted")
    found = _compute(db, policy_file(tmp_path))
    c = found["360923"]
    assert (c.values["governance"], c.values["proceeds"]) == (Decimal("100.00"), Decimal("40.00"))
    assert found["360921"].values["governance"] is None  # nothing to govern: cannot be computed, excluded
    by_village = _compute(db, policy_file(tmp_path, "village.toml", **{'level = "county"': 'level = "village"'}))
    assert by_village[village("360923")].values["proceeds"] == Decimal("40.00")
    assert by_village[village("360921")].values["distribution"] == Decimal("100.00")
    by_township = _compute(db, policy_file(tmp_path, "township.toml", **{'level = "county"': 'level = "township"'}))
    assert by_township["360923101"].values["governance"] == Decimal("100.00")
    assert by_township["360921101"].values["distribution"] == Decimal("100.00")


def test_inventory_completion_from_the_inventory_service(db: Database, tmp_path: Path) -> None:
    pytest.importorskip("assetledger.services.inventory_reports")
    awards_county(db)
    inventory(db, 2025, "county:360921", "2025-12-01")
    counts(db, [["清查编号", "区划代码", "资产编号", "结果", "清查日期"],
                ["1", village("360921"), "ROAD-360921", "在用", "2025-12-10"]])  # fmt: skip
    found = _compute(db, policy_file(tmp_path))
    assert found["360921"].values["inventory"] == Decimal("50.00")  # one of its two collective assets counted
    assert found["360922"].values["inventory"] is None and "资产清查完成率 不能计算" in _said(found["360922"])


def test_asset_performance(db: Database) -> None:
    awards_county(db)
    rows = asset_performance(db, 2025, ACTOR)
    found = {r.asset_id: r for r in rows}
    assert [r.asset_id for r in rows] == [
        "PV-360921", "PV-360925", "PV-360922", "PV-360926", "PV-361001", "PV-360923",
    ]  # fmt: skip
    a = found["PV-360921"]
    assert (a.yield_pct, a.prev_yield_pct, a.change_pct, a.trend) == (
        Decimal("9.00"), Decimal("6.00"), Decimal("50.00"), "up",
    )  # fmt: skip
    assert a.well_performing is True
    c = found["PV-360923"]
    assert c.net == Decimal("0.00") - c.costs
    assert (c.revenue, c.prev_revenue, c.trend, c.well_performing) == (
        Decimal("0.00"), Decimal("500.00"), "down", False,
    )  # fmt: skip
    well = [r for r in asset_performance(db, 2025, ACTOR, min_yield=Decimal("6.5"), within="360921")
            if r.well_performing]  # fmt: skip
    assert [r.asset_id for r in well] == ["PV-360921"]


def test_bad_policy_is_refused_with_keys_and_values(db: Database, tmp_path: Path) -> None:
    awards_county(db)
    before = table_counts(db)
    bad = policy_file(
        tmp_path,
        "bad.toml",
        **{
            'compute = "operating_yield"': 'compute = "profit"',
            "weight = 15\nmissing": "weight = -1\nmissing",
            "B = 80 ": "B = 95 ",
            'tie_break = ["score", "indicator:yield", "region_code"]': 'tie_break = ["score", "region_code", "x"]',
            "amounts = { A = 300000 }": "amounts = { A = 300000.001 }",
            "{ max = 5, points = 85 }": "{ max = 5, min = 3, points = 85 }",
        },
    )
    with pytest.raises(InputError) as refused:
        parse_policy(bad)  # what `awards compute` reads first
    assert refused.value.exit_code == 2
    found = {f.column: f.value for f in refused.value.findings}
    for key, value in [
        ("indicators[2].compute", "profit"),
        ("indicators[0].weight", "-1"),
        ("grades", "A=90, B=95, C=60"),
        ("scoring.tie_break[2]", "x"),
        ("awards.grade.amounts.A", "300000.001"),
        ("indicators[4].bands[1]", None),
    ]:
        assert key in found, key
        if value:
            assert found[key] == value, key
    assert table_counts(db) == before
