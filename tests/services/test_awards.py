"""Performance evaluation and awards end to end on several counties: indicators in SQL, scores, grades, ties,
external grades, XLSX read back, posting once in payer and receiver books, per-asset performance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from assetledger.services.asset_performance import asset_performance
from assetledger.services.book_reports import balances
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
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


def _policy(run: Cli, name: str = "policy.toml", **replace: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")  # as the example writes it: the city is no county, nothing to exclude
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = run.cwd / name
    path.write_text(text, encoding="utf-8")
    return path


def _setup(run: Cli) -> None:
    regions: list[list[object]] = [["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"]]
    regions += [[*CITIES[code[:4]], c, code, t, f"{code}101", v, village(code)] for code, c, t, v in COUNTIES]
    run("region", "import", str(write_csv(run.cwd / "regions.csv", regions)))
    rows: list[Sequence[object]] = [ASSET_HEADER]
    entries: list[Sequence[object]] = [ENTRY_HEADER]
    for code, county, township, vil in COUNTIES:
        place = {"县": county, "乡镇": township, "村": vil, "确权主体": f"{vil}股份经济合作社",
                 "管护主体": f"{vil}村民委员会"}  # fmt: skip
        if code == "360923":  # a large road neither confirmed nor handed over, and a PV station without revenue
            unconfirmed = dict.fromkeys(("县级衔接资金", "确权主体", "确权级别", "确权日期", "移交日期", "管护主体"))
            value = {"资产原值（元）": "300000.00", "中央衔接资金": "300000.00"}
            rows.append(asset_row(f"ROAD-{code}", **{**place, **value, **unconfirmed}))
        else:
            rows.append(asset_row(f"ROAD-{code}", **place))
        if code in RENT or code == "360923":
            rows.append(asset_row(f"PV-{code}", **{**place, "资产名称": "光伏电站", "资产类别": "经营性",
                                                   "经营方式": "出租", "经营主体": "绿源公司",
                                                   "资产原值（元）": "200000.00" if code != "360923" else "100000.00",
                                                   "中央衔接资金": "200000.00" if code != "360923" else "100000.00",
                                                   "县级衔接资金": None}))  # fmt: skip
        now, before = RENT.get(code, (0, 0))
        for month in range(1, 13):
            for year, rent in ((2025, now), (2024, before)):
                if rent:
                    entries.append([f"{year}-{month:02d}-28", f"PV-{code}", "收入", "租金", str(rent), "", ""])
    entries.append(["2024-01-28", "PV-360923", "收入", "租金", "500", "", ""])
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    run("ledger", "import-entries", str(write_csv(run.cwd / "entries.csv", entries)))
    # 示范县's village distributes its 2025 revenue by its approved rule
    roster = [ROSTER_HEADER, ["H1", village("360921"), "王一", "3", "脱贫户", "", "2024-01-01", "", ""],
              ["H2", village("360921"), "王二", "2", "监测户", "无劳动能力", "2024-01-01", "", ""]]  # fmt: skip
    run("beneficiary", "import", str(write_csv(run.cwd / "roster.csv", roster)))
    run("distribute", "rule", "add", str(RULE))
    run("distribute", "--village", village("360921"), "--period", "2025")
    fund_city(run, "10000000.00")


def fund_city(run: Cli, amount: str, on: str = "2026-01-05", city: str = "S360900", user: str = "tester") -> None:
    """The city's award fund arrives in its own books, as a city brings its books in (`ledger import`)."""
    ledger = run.cwd / f"fund-{city}-{on}-{amount}.beancount"
    ledger.write_text(
        f'2026-01-01 open Assets:Bank CNY\n2026-01-01 open Income:Subsidy CNY\n\n{on} * "市级财政奖补资金到位"\n'
        f"  Assets:Bank  {amount} CNY\n  Income:Subsidy  -{amount} CNY\n",
        encoding="utf-8",
    )
    run("ledger", "import", str(ledger), "--entity", city, user=user)


def _compute(run: Cli, policy: Path, *extra: str) -> dict[str, dict[str, Any]]:
    out = run("awards", "compute", "--year", "2025", "--policy", str(policy), "--format", "json", *extra).stdout
    return {r["region_code"]: r for r in json.loads(out)}


def test_indicators_scores_grades_ties_and_awards(run: Cli) -> None:
    _setup(run)
    found = _compute(run, _policy(run))
    assert list(found) == ["360921", "360925", "360922", "360926", "360923", "360924"]  # rank order, then ungraded
    a, b = found["360921"], found["360922"]
    assert (a["ownership"], a["custody"], a["yield"], a["distribution"], a["idle"]) == (
        "100.00", "100.00", "9.00", "100.00", "0.00",
    )  # fmt: skip
    assert a["governance"] is None and a["proceeds"] is None and a["inventory"] is None
    assert (a["score"], a["grade"], a["rank"]) == ("100.00", "A", 1)
    assert (a["grade_award"], a["rank_award"], a["award"]) == ("300000.00", "2000000.00", "2300000.00")
    assert (b["yield"], b["distribution"], b["score"], b["grade"]) == ("6.00", "0.00", "84.00", "B")
    assert "收益分配率 0.00→30分, 扣14.00" in b["explanation"]
    assert "资产清查完成率 不能计算" in b["explanation"] and "weights renormalised" in b["explanation"]
    # equal scores: better yield first (北川县 6.60), then the smaller region code (东山县 before 中原县)
    assert [found[c]["rank"] for c in ("360925", "360922", "360926")] == [2, 3, 4]
    assert all(found[c]["award"] == "0.00" for c in ("360925", "360922", "360926"))  # rank awards only for A
    c = found["360923"]
    assert (c["ownership"], c["custody"], c["yield"], c["idle"], c["governance"]) == (
        "25.00", "100.00", "0.00", "25.00", "0.00",
    )  # fmt: skip
    assert c["distribution"] is None and (c["weight_share"], c["score"], c["grade"]) == ("70.00", "40.00", "D")
    d = found["360924"]  # no operating asset, no income: too little weight can be computed
    assert d["yield"] is None and d["score"] is None and d["rank"] is None and d["award"] == "0.00"
    assert "not graded: only 45.00% of the weight" in d["explanation"]
    # a lower A threshold: every 84-point county is A, the top three take the rank awards in tie order
    lenient = _compute(run, _policy(run, "lenient.toml", **{"A = 90 ": "A = 84 "}))
    assert [lenient[c]["award"] for c in ("360921", "360925", "360922", "360926")] == [
        "2300000.00", "1800000.00", "1300000.00", "300000.00",
    ]  # fmt: skip
    table = run("awards", "compute", "--year", "2025", "--policy", str(_policy(run))).output
    assert "不能计算" in table and "6 county unit(s), 5 graded; awards total 2,300,000.00" in table


def test_external_grades_decide_the_grade_award(run: Cli) -> None:
    _setup(run)
    policy = _policy(run, **{'source = "computed"               # "external"': 'source = "external"  #'})
    missing = run("awards", "compute", "--year", "2025", "--policy", str(policy), ok=False)
    assert missing.exit_code == 2 and "--results" in missing.output
    grades = write_csv(run.cwd / "grades.csv", [["区划代码", "等次"], ["360922", "优秀"], ["360921", "B"]])
    found = _compute(run, policy, "--grades", str(grades))
    assert (found["360922"]["external_grade"], found["360922"]["grade_award"]) == ("A", "300000.00")
    assert (found["360921"]["grade"], found["360921"]["grade_award"]) == ("A", "0.00")  # the province said B
    assert found["360921"]["rank_award"] == "2000000.00"  # rank awards still follow the computed grade
    assert "无给定等次 (no given grade)" in found["360925"]["explanation"]
    bad = write_csv(run.cwd / "bad.csv", [["区划代码", "等次"], ["360922", "很好"], ["999999", "A"], ["360922", "A"]])
    refused = run("awards", "compute", "--year", "2025", "--policy", str(policy), "--grades", str(bad), ok=False)
    assert refused.exit_code == 2 and "第2行 (row 2)，列「等次」 (column)，值「很好」 (value)" in refused.output
    assert (
        "第4行 (row 4)，列「区划代码」 (column)，值「360922」 (value)：与第 2 行的区划重复 (the same region twice"
        in refused.output
    )
    unknown = write_csv(run.cwd / "unknown.csv", [["region_code", "grade"], ["999999", "A"]])
    refused = run("awards", "compute", "--year", "2025", "--policy", str(policy), "--grades", str(unknown), ok=False)
    assert (
        refused.exit_code == 2
        and "值「999999」 (value)：不是本次评价的单位 (not a county in this evaluation)" in refused.output
    )


def test_xlsx_and_chart(run: Cli) -> None:
    _setup(run)
    out = run("awards", "compute", "--year", "2025", "--policy", str(_policy(run)), "--out", "awards.xlsx",
              "--chart", "awards.png").output  # fmt: skip
    assert "wrote awards.xlsx (6 units)" in out and (run.cwd / "awards.png").stat().st_size > 1000
    book = load_workbook(run.cwd / "awards.xlsx")
    assert book.sheetnames == ["评价结果", "指标明细"]
    rows = list(book["评价结果"].iter_rows(values_only=True))
    header = list(rows[1])
    first = dict(zip(header, rows[2], strict=True))
    assert (first["区划代码"], first["等次"], first["名次"]) == ("360921", "A", 1)
    assert Decimal(str(first["奖励合计"])) == Decimal("2300000.00") and first["资产清查完成率(%)"] == "不能计算"
    assert Decimal(str(first["经营性资产收益率(%)"])) == Decimal("9.00")
    detail = list(book["指标明细"].iter_rows(values_only=True))
    keyed = {(r[0], r[2]): dict(zip(detail[1], r, strict=True)) for r in detail[2:]}
    yield_b = keyed[("360922", "yield")]
    assert (Decimal(str(yield_b["分子"])), Decimal(str(yield_b["分母"]))) == (Decimal(12000), Decimal(200000))
    assert keyed[("360921", "inventory")]["计分方式"] == "excluded"
    assert keyed[("360921", "inventory")]["不能计算原因"] in (  # no inventory run; or no inventory service yet
        "no inventory of the year covers the unit",
        "the inventory service provides no inventory_completion(session, year)",
    )


def test_post_once_in_payer_and_receiver_books(run: Cli, db: Database) -> None:
    _setup(run)
    policy = _policy(run, "lenient.toml", **{"A = 90 ": "A = 84 "})
    args = ("awards", "post", "--year", "2025", "--policy", str(policy), "--paying-entity", "S360900",
            "--date", "2026-03-01")  # fmt: skip
    out = run(*args).output
    assert "巩固拓展脱贫攻坚成果资金和项目资产管理绩效评价奖励: 7 award(s), 5,700,000.00 paid from S360900" in out
    city = {r.name: r.balance for r in balances(db, "S360900", actor="tester")}
    assert city["Expenses:Other:PerformanceAward"] == Decimal("5700000.00")
    assert city["Assets:Bank"] == Decimal("4300000.00")  # 10,000,000 funded, 5,700,000 paid
    county = {r.name: r.balance for r in balances(db, "C360921", actor="tester")}
    assert county["Income:Subsidy:PerformanceAward"] == Decimal("-2300000.00")
    assert county["Assets:Bank"] == Decimal("2300000.00")
    before = table_counts(db)
    again = run(*args).output
    assert "绩效评价奖励: already posted: 7 award(s), 5,700,000.00 from S360900; nothing posted" in again
    assert table_counts(db) == before
    other_payer = run(*args[:-3], "C360921", "--date", "2026-03-01", ok=False)  # pays itself, and already paid
    assert other_payer.exit_code == 5
    changed = run("awards", "post", "--year", "2025", "--policy", str(_policy(run)), "--paying-entity", "S360900",
                  ok=False)  # fmt: skip
    assert changed.exit_code == 5 and "already posted" in changed.output and "reverse" in changed.output
    assert table_counts(db) == before
    assert reconcile(db, "tester") == []
    assert all(not c.errors for c in check_entities(db, "tester"))


def test_payer_must_not_be_a_receiver_and_must_exist(run: Cli, db: Database) -> None:
    _setup(run)
    policy = _policy(run)
    before = table_counts(db)
    itself = run("awards", "post", "--year", "2025", "--policy", str(policy), "--paying-entity", "C360921", ok=False)
    assert itself.exit_code == 5 and "the payer is one of the county units this evaluation scores" in itself.output
    city_as_county = run("awards", "post", "--year", "2025", "--policy", str(policy), "--paying-entity", "C360900",
                         ok=False)  # fmt: skip
    assert city_as_county.exit_code == 5 and "its books are S360900, not county books" in city_as_county.output
    assert table_counts(db) == before
    nowhere = run("awards", "post", "--year", "2025", "--policy", str(policy), "--paying-entity", "C999999", ok=False)
    assert nowhere.exit_code == 3


def test_governance_and_proceeds_indicators(run: Cli) -> None:
    _setup(run)
    shed = asset_row("SHED-360923", **{"县": "西河县", "乡镇": "西河镇", "村": "西河村", "资产名称": "大棚",
                                      "资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司",
                                      "确权主体": "西河村股份经济合作社", "资产原值（元）": "30000.00",
                                      "中央衔接资金": "30000.00", "县级衔接资金": None})  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "more.csv", [ASSET_HEADER, shed])))
    run("asset", "revitalise", "PV-360923", "--date", "2025-11-10", "--operator", "新公司")
    run("asset", "decide-dispose", "SHED-360923", "--date", "2025-11-20")
    run("asset", "dispose", "SHED-360923", "--method", "auction", "--date", "2025-12-01", "--proceeds", "10000",
        "--approval", "村〔2025〕1号", "--approved-by", "village")  # fmt: skip
    run("reinvest", "--asset", "PV-360923", "--amount", "4000", "--date", "2025-12-15", "--from", "restricted")
    found = _compute(run, _policy(run))
    c = found["360923"]
    assert (c["governance"], c["proceeds"]) == ("100.00", "40.00")
    assert found["360921"]["governance"] is None  # nothing to govern: cannot be computed, excluded
    by_village = _compute(run, _policy(run, "village.toml", **{'level = "county"': 'level = "village"'}))
    assert by_village[village("360923")]["proceeds"] == "40.00"
    assert by_village[village("360921")]["distribution"] == "100.00"
    by_township = _compute(run, _policy(run, "township.toml", **{'level = "county"': 'level = "township"'}))
    assert by_township["360923101"]["governance"] == "100.00" and by_township["360921101"]["distribution"] == "100.00"


def test_inventory_completion_from_the_inventory_service(run: Cli) -> None:
    pytest.importorskip("assetledger.services.inventory_reports")
    _setup(run)
    run("inventory", "open", "--year", "2025", "--scope", "county:360921", "--date", "2025-12-01")
    counts = [
        ["清查编号", "区划代码", "资产编号", "结果", "清查日期"],
        ["1", village("360921"), "ROAD-360921", "在用", "2025-12-10"],
    ]
    run("inventory", "record", str(write_csv(run.cwd / "counts.csv", counts)))
    found = _compute(run, _policy(run))
    assert found["360921"]["inventory"] == "50.00"  # one of its two collective assets counted
    assert found["360922"]["inventory"] is None and "资产清查完成率 不能计算" in found["360922"]["explanation"]


def test_asset_performance(run: Cli, db: Database) -> None:
    _setup(run)
    typed = {r.asset_id: r for r in asset_performance(db, 2025, "tester")}
    assert (typed["PV-360921"].yield_pct, typed["PV-360921"].trend) == (Decimal("9.00"), "up")
    assert typed["PV-360923"].net == Decimal("0.00") - typed["PV-360923"].costs
    rows = json.loads(run("awards", "assets", "--year", "2025", "--format", "json").output)
    found = {r["asset_id"]: r for r in rows}
    assert [r["asset_id"] for r in rows] == [
        "PV-360921", "PV-360925", "PV-360922", "PV-360926", "PV-361001", "PV-360923",
    ]  # fmt: skip
    a = found["PV-360921"]
    assert (a["yield_pct"], a["prev_yield_pct"], a["change_pct"], a["trend"]) == ("9.00", "6.00", "50.00", "up")
    assert a["well_performing"] is True
    c = found["PV-360923"]
    assert (c["revenue"], c["prev_revenue"], c["trend"], c["well_performing"]) == ("0.00", "500.00", "down", False)
    well = json.loads(
        run("awards", "assets", "--year", "2025", "--min-yield", "6.5", "--well-performing", "--within", "360921",
            "--format", "json").output
    )  # fmt: skip
    assert [r["asset_id"] for r in well] == ["PV-360921"]


def test_bad_policy_is_refused_with_keys_and_values(run: Cli, db: Database) -> None:
    _setup(run)
    before = table_counts(db)
    bad = _policy(
        run,
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
    refused = run("awards", "compute", "--year", "2025", "--policy", str(bad), ok=False)
    assert refused.exit_code == 2
    for key, value in [
        ("indicators[2].compute", "'profit'"),
        ("indicators[0].weight", "'-1'"),
        ("grades", "'A=90, B=95, C=60'"),
        ("scoring.tie_break[2]", "'x'"),
        ("awards.grade.amounts.A", "'300000.001'"),
        ("indicators[4].bands[1]", None),
    ]:
        assert f"列「{key}」 (column)" in refused.output, key
        if value:
            shown = value.strip("'")
            assert f"列「{key}」 (column)，值「{shown}」 (value)" in refused.output, key
    assert table_counts(db) == before
