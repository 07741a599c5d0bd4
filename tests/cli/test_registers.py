"""The register commands end to end on a real database file or server, with real CSV and XLSX files."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv, write_xlsx


def _setup(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))


def test_region_import_is_idempotent(run: Cli) -> None:
    first = run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    assert "added 1 县, 2 乡镇, 3 村" in first.output
    again = run("region", "import", str(run.cwd / "regions.csv"))
    assert "added 0 县, 0 乡镇, 0 村; 6 already present" in again.output
    listed = json.loads(run("region", "list", "--format", "json").output)
    assert [r["code"] for r in listed if r["level"] == "village"] == ["360921101201", "360921101202", "360921102201"]


def test_region_conflict_is_refused(run: Cli, db: Database) -> None:
    _setup(run)
    before = table_counts(db)
    bad = [["区划代码", "名称", "级别", "上级代码"], ["360921101201", "别的村", "村", "360921101"]]
    result = run("region", "import", str(write_csv(run.cwd / "bad.csv", bad)), ok=False)
    assert result.exit_code == 2
    assert "360921101201" in result.output and "conflicts with 红旗村" in result.output
    assert table_counts(db) == before


def test_import_csv_and_list_show(run: Cli) -> None:
    _setup(run)
    rows = [
        ASSET_HEADER,
        asset_row("A-1"),
        asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
        asset_row(
            "A-3",
            资产名称="能繁母牛",
            资产类别="到户类",
            户编号="H001",
            户主姓名="王建国",
            确权主体="王建国",
            确权级别="农户",
            管护主体=None,
        ),
        asset_row("A-4", 乡镇="青山乡", 村="红旗村"),  # same village name, other township
    ]
    result = run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    assert "imported 4 assets (2 公益性, 1 经营性, 1 到户类)" in result.output
    listed = json.loads(run("asset", "list", "--format", "json").output)
    assert [r["asset_id"] for r in listed] == ["A-1", "A-2", "A-3", "A-4"]
    assert listed[3]["village_code"] == "360921102201"
    assert listed[0]["original_value"] == "100000.00"
    operating = json.loads(run("asset", "list", "--register", "经营性", "--format", "json").output)
    assert [r["asset_id"] for r in operating] == ["A-2"]
    by_region = json.loads(run("asset", "list", "--region", "360921102", "--format", "json").output)
    assert [r["asset_id"] for r in by_region] == ["A-4"]
    by_fund = json.loads(run("asset", "list", "--fund-source", "central", "--format", "json").output)
    assert len(by_fund) == 4
    shown = json.loads(run("asset", "show", "A-3", "--format", "json").output)
    assert shown["asset"]["owner_kind"] == "household"
    assert [e["kind"] for e in shown["events"]] == ["registered"]
    assert {f["source"]: f["amount"] for f in shown["funding"]} == {"central": "60000.00", "county": "40000.00"}


def test_import_xlsx_with_title_row_and_wan_yuan(run: Cli) -> None:
    _setup(run)
    header = [h.replace("资产原值（元）", "资产原值（万元）") for h in ASSET_HEADER]
    header[header.index("中央衔接资金")] = "中央衔接资金(万元)"
    header[header.index("县级衔接资金")] = "县级衔接资金(万元)"
    row = asset_row("X-1", **{"资产原值（元）": 12.3456, "中央衔接资金": 10.0, "县级衔接资金": 2.3456})
    path = write_xlsx(run.cwd / "assets.xlsx", [["示范县扶贫项目资产台账"], header, row])
    run("asset", "import", str(path))
    shown = json.loads(run("asset", "show", "X-1", "--format", "json").output)
    assert shown["asset"]["original_value"] == "123456.00"


def test_bad_rows_are_all_reported_and_nothing_changes(run: Cli, db: Database) -> None:
    _setup(run)
    run("asset", "import", str(write_csv(run.cwd / "first.csv", [ASSET_HEADER, asset_row("A-1")])))
    before = table_counts(db)
    rows = [
        ASSET_HEADER,
        asset_row("B-1"),
        asset_row("B-2", 资产类别="公益"),  # unknown register
        asset_row("B-3", 村="不存在村"),  # unknown village
        asset_row("B-4", **{"资产原值（元）": "100.005"}),  # three decimals
        asset_row("B-1"),  # duplicate in file
        asset_row("A-1"),  # already registered
        asset_row("B-7", **{"中央衔接资金": "1.00"}),  # sources do not add up
        asset_row("B-8", 经营方式="出租"),  # operating field on a public-benefit asset
        asset_row("B-9", 确权日期="2021-02-30"),  # impossible date
    ]
    path = write_csv(run.cwd / "bad.csv", rows)
    result = run("asset", "import", str(path), ok=False)
    assert result.exit_code == 2
    out = result.output
    for expected in (
        "第3行 (row 3)，列「资产类别 (register)」 (column)，值「公益」 (value)：未知资产类别 (unknown register)",
        "第4行 (row 4)，列「村 (village)」 (column)，值「不存在村」 (value)：东风镇下没有名为“不存在村”的村 "
        "(no 村 named '不存在村' under 东风镇)",
        "第5行 (row 5)，列「资产原值（元） (original value)」 (column)，值「100.005」 (value)："
        "不是以元计的金额（小数超过两位） not an amount in yuan: more than two decimal",
        "第6行 (row 6)，列「资产编号 (asset id)」 (column)，值「B-1」 (value)：与第 2 行重复 duplicate of row 2",
        "第7行 (row 7)，列「资产编号 (asset id)」 (column)，值「A-1」 (value)"
        "：该资产编号已登记 (asset id is already registered)",
        "第8行 (row 8)，列「中央衔接资金 (fund source central)」 (column)，值「1.00」 (value)"
        "：资金来源 fund sources add up to 40001.00",
        "第9行 (row 9)，列「经营方式 (operating mode)」 (column)，值「出租」 (value)：only operating assets",
        "第10行 (row 10)，列「确权日期 (confirmation date)」 (column)，值「2021-02-30」 (value)"
        "：日期不存在 not a real date",
    ):
        assert expected in out, out
    assert str(path) in out
    assert "8 problem(s)" in out  # the bad date is reported once, not again as a missing ownership date
    assert table_counts(db) == before


def test_dry_run_validates_and_writes_nothing(run: Cli, db: Database) -> None:
    _setup(run)
    before = table_counts(db)
    result = run("asset", "import", "--dry-run", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("A-1")])))
    assert "dry run: 1 rows are valid" in result.output
    assert table_counts(db) == before


def test_same_file_twice_is_a_no_op(run: Cli, db: Database) -> None:
    _setup(run)
    path = write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("A-1")])
    run("asset", "import", str(path))
    counts = table_counts(db)
    assert "already imported as batch 1" in run("asset", "import", str(path)).output
    assert table_counts(db) == counts


def test_gbk_csv_and_missing_columns(run: Cli) -> None:
    _setup(run)
    gbk = write_csv(run.cwd / "gbk.csv", [ASSET_HEADER, asset_row("G-1")], encoding="gbk")
    assert "imported 1 assets" in run("asset", "import", str(gbk)).output
    missing = write_csv(run.cwd / "missing.csv", [["资产编号", "资产名称"], ["M-1", "道路"]])
    result = run("asset", "import", str(missing), ok=False)
    assert result.exit_code == 2
    assert "资产类别 (register)」 (column)：缺少必需的列 (required column is missing)" in result.output
    assert "资产原值 (original value)」 (column)：缺少必需的列 (required column is missing)" in result.output


def test_register_confirm_handover_custodian_status(run: Cli) -> None:
    _setup(run)
    run(
        "asset",
        "register",
        "--id",
        "P-1",
        "--name",
        "冷库",
        "--register",
        "operating",
        "--region",
        "360921101202",
        "--value",
        "500000",
        "--fund",
        "central=300000",
        "--fund",
        "省级衔接资金=200000",
        "--year",
        "2023",
        "--operating-mode",
        "lease",
        "--operator",
        "冷链公司",
    )
    run(
        "asset",
        "confirm",
        "P-1",
        "--owner",
        "向阳村股份经济合作社",
        "--owner-kind",
        "village",
        "--date",
        "2023-12-01",
        "--doc",
        "确〔2023〕1号",
        "--handover-date",
        "2023-12-05",
        "--handover-from",
        "县乡村振兴局",
    )
    gaps = json.loads(run("report", "registers", "--level", "village", "--format", "json").output)
    village = next(r for r in gaps if r["region_code"] == "360921101202")
    assert village["no_custodian"] == 1
    run("asset", "custodian", "P-1", "--name", "张三", "--from", "2023-12-05", "--duties", "巡查")
    run("asset", "custodian", "P-1", "--name", "李四", "--from", "2024-06-01")
    early = run("asset", "custodian", "P-1", "--name", "王五", "--from", "2024-01-01", ok=False)
    assert early.exit_code == 5 and "cannot start before" in early.output
    run("asset", "status", "P-1", "idle", "--date", "2025-03-01", "--reason", "停产")
    shown = json.loads(run("asset", "show", "P-1", "--format", "json").output)
    assert [e["kind"] for e in shown["events"]] == [
        "registered",
        "ownership_confirmed",
        "handed_over",
        "custodian_assigned",
        "custodian_assigned",
        "status_changed",
    ]
    assert [c["custodian"] for c in shown["custodians"]] == ["张三", "李四"]
    assert shown["asset"]["custodian"] == "李四" and shown["asset"]["status"] == "idle"
    assert all(e["actor"] == "tester" for e in shown["events"])
    gaps = json.loads(run("report", "registers", "--level", "village", "--format", "json").output)
    village = next(r for r in gaps if r["region_code"] == "360921101202")
    assert village["no_custodian"] == 0 and village["idle"] == 1


def test_register_refusals(run: Cli) -> None:
    _setup(run)
    args = ["asset", "register", "--id", "H-1", "--name", "牛", "--register", "到户类", "--value", "8000"]
    no_region = run(*args, "--region", "999", "--household-head", "王建国", ok=False)
    assert no_region.exit_code == 2 and "999" in no_region.output
    run(*args, "--region", "360921101201")  # 到户类 as published: registered before its household is named
    dup = run(*args, "--region", "360921101201", "--household-head", "王建国", ok=False)
    assert dup.exit_code == 4 and "already exists" in dup.output
    wrong_owner = run(
        "asset", "confirm", "H-1", "--owner", "村", "--owner-kind", "village", "--date", "2024-01-01", ok=False
    )
    assert wrong_owner.exit_code == 5
    missing = run("asset", "show", "NOPE", ok=False)
    assert missing.exit_code == 3


def test_summary_and_exports(run: Cli, tmp_path: Path) -> None:
    _setup(run)
    rows = [ASSET_HEADER, asset_row("A-1"), asset_row("A-2", 确权主体=None, 确权级别=None, 确权日期=None)]
    run("asset", "import", str(write_csv(run.cwd / "a.csv", rows)))
    summary = json.loads(run("report", "registers", "--level", "county", "--format", "json").output)
    county, total = summary
    assert county["region_name"] == "示范县" and county["assets"] == 2 and county["unconfirmed"] == 1
    assert county["value"] == "200000.00" and total["region_name"] == "合计"
    out = tmp_path / "summary.xlsx"
    run("report", "registers", "--level", "township", "--format", "xlsx", "--out", str(out))
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "三本台账汇总（乡镇）"
    assert values[1][:4] == ["区划代码", "区划名称", "资产数", "资产原值"]
    assert values[2][3] == 200000  # exact number, formatted as money
    csv_out = run("asset", "list", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("asset_id,name,register") and len(csv_out) == 3
    table = run("asset", "list").output
    assert "共 2 项资产，原值合计 200,000.00 元 (2 assets, original value 200,000.00 yuan)" in table
