"""The annual inventory end to end through the CLI, on SQLite and PostgreSQL: open, sheets (real XLSX written and
read back), record (several times, superseding), refusals with the database unchanged, status, close (idempotent,
books and registers reconciled, Beancount clean), report, completion queryable for the awards."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from assetledger.domain.enums import RegionLevel
from assetledger.services.book_reports import balances
from assetledger.services.inventory_reports import (
    CountedItem,
    LevelRow,
    Shortage,
    SurplusItem,
    inventory_completion,
    inventory_status,
)
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.inventory_models import Inventory, InventoryCount
from assetledger.store.models import Asset, AssetEvent
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv

HONGQI, XIANGYANG, QINGSHAN, DONGFENG = "360921101201", "360921101202", "360921102201", "360921101"
RESULT = "结果（在用/盘亏/毁损/闲置）"


def _registers(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("A-1"),
        asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
        asset_row("A-3", 确权主体=None, 确权级别=None, 确权日期=None),  # unconfirmed: county books, state rule
        asset_row("A-4", 村="向阳村", 确权主体="向阳村股份经济合作社"),
        asset_row("A-5", 乡镇="青山乡", 确权主体="红旗村股份经济合作社"),
        asset_row("A-6", 村=None, 资产名称="县道桥梁", 确权主体="示范县交通运输局", 确权级别="部门"),
        asset_row("H-1", 资产名称="能繁母牛", 资产类别="到户类", 户编号="H001", 户主姓名="王建国", 确权主体="王建国",
                  确权级别="农户", 管护主体=None),
    ]  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))


def _opened(run: Cli) -> Path:
    """Registers, the 2025 county inventory and its sheets; returns the sheet folder."""
    _registers(run)
    run("inventory", "open", "--year", "2025", "--scope", "county:360921", "--date", "2025-12-01")
    run("inventory", "sheets", "1", "--out", "sheets")
    return run.cwd / "sheets"


def _sheet(folder: Path, code: str) -> Path:
    [path] = folder.glob(f"{code}-*.xlsx")
    return path


def _fill(source: Path, target: Path, counts: Mapping[str, Sequence[object]], extra: list[dict[str, object]]) -> Path:
    """Fill a sheet as a team would: (result, date[, condition]) per asset id, then extra rows at the bottom."""
    book = load_workbook(source)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[2]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for row in range(3, sheet.max_row + 1):
        found = counts.get(str(sheet.cell(row, col["资产编号"]).value))
        if found:
            for key, value in zip((RESULT, "清查日期", "状况"), found, strict=False):
                sheet.cell(row, col[key], value)
            sheet.cell(row, col["清查人"], "李四")
    for fields in extra:
        row = sheet.max_row + 1
        for key, value in fields.items():
            sheet.cell(row, col[key], value)
    book.save(target)
    return target


LAMP = {"资产名称": "太阳能路灯", "资产类别": "公益性", "资产原值（元）": 8000, "数量": 4, "单位": "盏",
        "管护主体": "红旗村村民委员会", "清查日期": "2025-12-11"}  # fmt: skip


def test_open_selects_due_assets_and_says_why(run: Cli, db: Database) -> None:
    _registers(run)
    out = run("inventory", "open", "--year", "2025", "--scope", "county:360921").output
    assert "6 assets due" in out
    lines = {line.split()[0]: int(line.split()[-1]) for line in out.splitlines()[3:]}
    assert lines == {"collective": 4, "household_not_counted": 1, "state_never_counted": 2}
    again = run("inventory", "open", "--year", "2025", "--scope", "county:360921", ok=False)
    assert again.exit_code == 4
    wrong = run("inventory", "open", "--year", "2025", "--scope", "township:360921", ok=False)
    assert wrong.exit_code == 2 and "is a county" in wrong.output
    policy = run.cwd / "count-households.toml"
    policy.write_text("[inventory]\ncount_household = true\n", encoding="utf-8")
    given = run(
        "inventory", "open", "--year", "2025", "--scope", f"village:{HONGQI}", "--policy", str(policy), ok=False
    )
    assert given.exit_code == 2 and "--policy" in given.output  # the cycle is the stored policy's, not a file's
    run("asset", "policy", "store", str(policy))
    other = run("inventory", "open", "--year", "2025", "--scope", f"village:{HONGQI}").output
    assert "1 assets due" in other and "already_in_inventory" in other  # H-1 only; the rest are taken this year
    with db.reading() as session:
        recorded = session.scalars(select(Inventory.policy).order_by(Inventory.id)).all()
    assert recorded[0]["governance_policy"] == "ledgers/policy/governance.toml（项目默认 shipped default）"
    assert recorded[1]["count_household"] is True and recorded[1]["governance_policy"] == "* 第1版 (v1)"
    listed = run("inventory", "list").output
    assert "360921" in listed and HONGQI in listed


def test_a_village_with_a_policy_of_its_own_is_judged_by_it_in_a_county_inventory(run: Cli, db: Database) -> None:
    """As the scan judges each asset by its own place's stored policy, so does a county-wide inventory."""
    _registers(run)
    policy = run.cwd / "count-households.toml"
    policy.write_text("[inventory]\ncount_household = true\n", encoding="utf-8")
    run("user", "add", "tester", "--role", "finance", "--scope", "360921")
    run("user", "add", "cun", "--role", "finance", "--scope", HONGQI)
    run("asset", "policy", "store", str(policy), user="cun")
    out = run("inventory", "open", "--year", "2025", "--scope", "county:360921").output
    assert "7 assets due" in out and "household_not_counted" not in out  # H-1 of 红旗村 counted as its policy says
    with db.reading() as session:
        [recorded] = session.scalars(select(Inventory.policy)).all()
    assert recorded["governance_policy"] == "ledgers/policy/governance.toml（项目默认 shipped default）"
    assert [p["governance_policy"] for p in recorded["also"]] == [f"{HONGQI} 第1版 (v1)"]


def test_state_assets_counted_every_three_years(run: Cli, db: Database) -> None:
    folder = _opened(run)
    counts = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("在用", "2025-12-10")}
    run("inventory", "record", str(_fill(_sheet(folder, HONGQI), run.cwd / "f.xlsx", counts, [])))
    for year, due, reason in (("2026", 5, "state_counted_recently"), ("2027", 5, "state_counted_recently"),
                              ("2028", 6, "state_due")):  # fmt: skip
        out = run("inventory", "open", "--year", year, "--scope", "county:360921").output
        assert f"{due} assets due" in out and reason in out, out  # A-3 counted in 2025 is due again in 2028
        assert "state_never_counted" in out  # A-6 (state) was selected in 2025 but never counted: due every year


def test_sheets_record_status_close_report(run: Cli, db: Database) -> None:
    folder = _opened(run)
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 8 and f"{DONGFENG}-示范县东风镇.xlsx" in files  # the department's bridge: township sheet
    book = load_workbook(_sheet(folder, HONGQI))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "2025年度扶贫项目资产清查表" in str(rows[0][0])
    assert rows[1][:4] == ("清查编号", "区划代码", "所在地", "资产编号") and RESULT in rows[1]
    assert [r[3] for r in rows[2:]] == ["A-1", "A-2", "A-3"]
    assert rows[2][4:12] == ("村组道路", "公益性", None, None, 2, "公里", 100000, "红旗村村民委员会")
    assert all(v is None for v in rows[2][12:])
    assert "<table>" in (folder / _sheet(folder, HONGQI).name.replace(".xlsx", ".html")).read_text(encoding="utf-8")

    first = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("盘亏", "2025-12-10", "找不到")}
    filled = _fill(_sheet(folder, HONGQI), run.cwd / "hongqi-1.xlsx", first, [LAMP])
    out = run("inventory", "record", str(filled)).output
    assert "recorded 3 counts" in out and "1 surpluses" in out
    before = table_counts(db)
    assert "already recorded" in run("inventory", "record", str(filled)).output
    assert table_counts(db) == before
    later = {"A-2": ("闲置", "2025-12-12", "停产")}
    refilled = _fill(_sheet(folder, HONGQI), run.cwd / "hongqi-2.xlsx", later, [LAMP | {"资产原值（元）": 9000}])
    assert "1 supersede earlier counts" in run("inventory", "record", str(refilled)).output

    status = run("inventory", "status", "1", "--level", "village").output
    assert "待核销 pending approval" in status and "A-3" in status
    assert reconcile(db, "tester") == []  # counted missing, still on the books until the approved close
    refused = run("inventory", "close", "1", "--approval", "示政〔2026〕3号", ok=False)
    assert refused.exit_code == 5 and "3 of 6 assets are not counted" in refused.output

    run(
        "inventory",
        "record",
        str(_fill(_sheet(folder, XIANGYANG), run.cwd / "x.xlsx", {"A-4": ("毁损", "2025-12-15")}, [])),
    )
    # the township's code in its 12-digit statistical form (360921101000): the township 360921101
    counts = [["清查编号", "区划代码", "资产编号", "结果", "清查日期"], ["1", QINGSHAN, "A-5", "在用", "2025/12/16"],
              ["1", f"{DONGFENG}000", "A-6", "正常", "2025年12月16日"]]  # fmt: skip
    run("inventory", "record", str(write_csv(run.cwd / "counts.csv", counts, encoding="gbk")))

    closed = run("inventory", "close", "1", "--approval", "示政〔2026〕3号", "--date", "2026-01-10").output
    assert "1 shortages written off (100000.00 元), 1 surpluses registered (9000.00 元)" in closed
    assert "1 → damaged" in closed and "1 → idle" in closed
    assert "1 → written_off (已核销)" in closed  # the write-off is a status change too, not "none"
    with db.reading() as session:
        statuses = {a: st for a, st in session.execute(select(Asset.asset_id, Asset.status))}
        a3 = session.get(Asset, "A-3")
        assert a3 is not None and (a3.disposed_on, a3.current_value) == (dt.date(2026, 1, 10), Decimal("0.00"))
        [surplus] = [a for a in statuses if a.startswith("PY2025-")]
        lamp = session.get(Asset, surplus)
        assert lamp is not None
        assert (lamp.name, lamp.original_value, lamp.owner_kind, lamp.village_code) == (
            "太阳能路灯", Decimal("9000.00"), "village", HONGQI)  # fmt: skip
        kinds = list(session.scalars(select(AssetEvent.kind).where(AssetEvent.asset_id == "A-3")))
        a2_counts = session.scalar(select(func.count()).where(InventoryCount.asset_id == "A-2"))
    assert (statuses["A-2"], statuses["A-3"], statuses["A-4"], statuses["A-1"]) == (
        "idle",
        "written_off",  # 核销 is not 处置 (DOMAIN rule 19)
        "damaged",
        "in_use",
    )
    assert kinds[-1] == "inventory_written_off" and a2_counts == 2  # both counts of A-2 kept
    county = {r.name: r.balance for r in balances(db, "C360921", actor="tester")}
    assert county["Expenses:Other:InventoryLoss"] == Decimal("100000.00")
    assert county.get("Assets:PublicBenefit:A-3", Decimal("0.00")) == Decimal("0.00")
    village = {r.name: r.balance for r in balances(db, f"V{HONGQI}", actor="tester")}
    assert village[f"Assets:PublicBenefit:{surplus}"] == Decimal("9000.00")
    assert village["Equity:PublicWelfareFund:Other"] == Decimal("-9000.00")
    assert reconcile(db, "tester") == []
    assert all(not c.errors for c in check_entities(db, "tester"))
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check").output
    # written off (核销) has left the register and the books, and is kept apart from disposed of (处置)
    listed = json.loads(run("asset", "list", "--status", "written_off", "--format", "json").output)
    assert [a["asset_id"] for a in listed] == ["A-3"]
    assert json.loads(run("asset", "list", "--status", "disposed", "--format", "json").output) == []
    late_post = run("ledger", "post", "--asset", "A-3", "--expense", "maintenance", "--amount", "10",
                    "--date", "2026-02-01", ok=False)  # fmt: skip
    assert late_post.exit_code == 5 and "已于 2026-01-10 核销" in late_post.output
    assert "was written off (已核销) on 2026-01-10" in late_post.output
    again = run("asset", "dispose", "A-3", "--method", "scrap", "--date", "2026-02-01", "--proceeds", "0",
                "--approval", "x", "--approved-by", "county", ok=False)  # fmt: skip
    assert again.exit_code == 5 and "已核销（2026-01-10） (already written off on 2026-01-10)" in again.output
    by_hand = run("asset", "status", "A-1", "written_off", "--date", "2026-02-01", ok=False)
    assert by_hand.exit_code == 5 and "inventory close" in by_hand.output

    before = table_counts(db)
    assert "already closed" in run("inventory", "close", "1", "--approval", "another").output
    late = run("inventory", "record", str(filled), ok=False)
    assert late.exit_code == 5 and "closed" in late.output
    assert table_counts(db) == before

    status = run("inventory", "status", "1").output
    assert "已关闭 closed 2026-01-10" in status and "已核销 written off" in status and surplus in status
    assert "已核销 written_off 1" in status  # every status change of the close, the write-off too
    out = run("inventory", "report", "1", "--out", "report.xlsx").output
    assert "6 of 6 counted (100.0%), 1 shortages, 1 surpluses" in out
    report = load_workbook(run.cwd / "report.xlsx")
    assert report.sheetnames == ["汇总", "县级汇总", "乡镇汇总", "村级汇总", "盘亏", "盘盈", "毁损", "闲置"]
    summary = {r[0]: r[1] for r in report["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["完成率 completion %"] == 100 and summary["盘亏账面价值 shortage book value"] == 100000
    villages = {r[0]: r for r in report["村级汇总"].iter_rows(min_row=3, values_only=True)}
    assert villages[HONGQI][2:5] == (3, 3, 0) and villages[None][1] == "(县乡级资产)"
    assert [r[0] for r in report["盘亏"].iter_rows(min_row=3, values_only=True)] == ["A-3"]

    with db.reading() as session:
        rows = inventory_completion(session, 2025)
    assert all(isinstance(r, LevelRow) for r in rows)
    found = {(r.level, r.region_code): r for r in rows}
    assert (found[(RegionLevel.COUNTY, "360921")].items, found[(RegionLevel.COUNTY, "360921")].counted) == (6, 6)
    hongqi = found[(RegionLevel.VILLAGE, HONGQI)]
    assert (hongqi.missing, hongqi.idle, hongqi.surplus, hongqi.surplus_value) == (1, 1, 1, Decimal("9000.00"))
    assert found[(RegionLevel.TOWNSHIP, DONGFENG)].damaged == 1

    # the status through the service: typed rows and findings, the same figures as the report
    status = inventory_status(db, 1, "tester")
    assert status.total is not None and (status.total.items, status.total.completion) == (6, Decimal("100.0"))
    assert [type(x) for x in status.findings.missing] == [Shortage] and status.findings.missing[0].asset_id == "A-3"
    assert [type(x) for x in status.findings.surplus] == [SurplusItem]
    assert status.findings.surplus[0].value == Decimal("9000.00")
    assert all(type(x) is CountedItem for x in (*status.findings.damaged, *status.findings.idle))
    lines = {line.item: line.value for line in status.summary_rows()}
    assert lines["完成率 completion %"] == Decimal("100.0") and lines["盘亏 shortages"] == 1


def _row(asset_id: str, result: str, **cells: Any) -> list[dict[str, object]]:
    """An extra row at the bottom of a sheet."""
    return [{"资产编号": asset_id, RESULT: result, "清查日期": "2025-12-10", **cells}]


BAD_SHEETS: dict[str, tuple[dict[str, tuple[object, ...]], list[dict[str, object]], str, str]] = {
    "unknown asset": ({}, _row("NOPE-1", "在用"), "资产编号", "unknown asset"),
    "not in inventory": ({}, _row("H-1", "在用"), "资产编号",
                         "not in inventory 1"),
    "bad result": ({"A-1": ("找到了吧", "2025-12-10")}, [], RESULT, "unknown result"),
    "empty result": ({"A-1": (None, "2025-12-10")}, [], RESULT, "the result is empty"),
    "bad date": ({"A-1": ("在用", "2025-13-45")}, [], "清查日期", "not a real date"),
    "not a date": ({"A-1": ("在用", "昨天")}, [], "清查日期", "not a date"),
    "no date": ({"A-1": ("在用", None)}, [], "清查日期", "date of the count is empty"),
    "before the year": ({"A-1": ("在用", "2024-12-31")}, [], "清查日期", "before the inventory year"),
    "in the future": ({"A-1": ("在用", "2099-01-01")}, [], "清查日期", "in the future"),
    "surplus without register": ({}, [{k: v for k, v in LAMP.items() if k != "资产类别"}], "资产类别",
                                 "needs its register"),
    "surplus household": ({}, [LAMP | {"资产类别": "到户类"}], "资产类别", "registered to the collective"),
    "surplus bad value": ({}, [LAMP | {"资产原值（元）": "12.345"}], "资产原值（元）", "more than two decimal"),
    "surplus missing": ({}, [LAMP | {RESULT: "盘亏"}], RESULT, "cannot be missing"),
    "surplus outside scope": ({}, [LAMP | {"区划代码": "999999"}], "区划代码", "unknown region code"),
    "duplicate asset": ({"A-1": ("在用", "2025-12-10")}, _row("A-1", "毁损"),
                        "资产编号", "the same asset as row 3"),
    "two inventories": ({"A-1": ("在用", "2025-12-10")}, _row("A-2", "在用", 清查编号=7),
                        "清查编号", "one sheet must be for one inventory"),
    # 数量 of a counted asset was read by nobody and dropped, whatever it held (tester's report)
    "quantity with an exponent": ({}, _row("A-3", "在用", 数量="1e20"), "数量", "值「1e20」 (value)：请用数字书写"),
    "quantity beyond the bound": ({}, _row("A-3", "在用", 数量=1e20), "数量", "超出上限 out of range"),
    "negative quantity": ({}, _row("A-3", "在用", 数量=-3), "数量", "值「-3」 (value)：数量不能为负数"),
    "quantity NaN": ({}, _row("A-3", "在用", 数量="NaN"), "数量", "值「NaN」 (value)：不是有限的数"),
    "quantity in 万": ({}, _row("A-3", "在用", 数量="1,000万"), "数量", "值「1,000万」 (value)：不是数字 not a number"),
    "surplus negative quantity": ({}, [LAMP | {"数量": -3}], "数量", "数量不能为负数"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(BAD_SHEETS))
def test_bad_sheets_are_refused_with_row_and_column(run: Cli, db: Database, kind: str) -> None:
    folder = _opened(run)
    counts, extra, column, reason = BAD_SHEETS[kind]
    good: dict[str, tuple[object, ...]] = {
        "A-2": ("在用", "2025-12-10")
    }  # a good row beside the bad one: nothing of it is written either
    path = _fill(_sheet(folder, HONGQI), run.cwd / "bad.xlsx", good | counts, extra)
    before = table_counts(db)
    result = run("inventory", "record", str(path), ok=False)
    assert result.exit_code == 2, result.output
    assert "nothing was changed" in result.output and column in result.output and reason in result.output
    if kind != "two inventories":
        assert "(row " in result.output
    assert table_counts(db) == before


def test_empty_sheet_and_unknown_inventory_are_refused(run: Cli, db: Database) -> None:
    folder = _opened(run)
    before = table_counts(db)
    empty = run("inventory", "record", str(_sheet(folder, HONGQI)), ok=False)
    assert empty.exit_code == 2 and "no row of the sheet is counted yet" in empty.output
    other = run("inventory", "record", str(_sheet(folder, HONGQI)), "--inventory", "2", ok=False)
    assert other.exit_code == 2 and "this sheet is for inventory 1, not 2" in other.output
    csv = write_csv(
        run.cwd / "c.csv", [["清查编号", "资产编号", "结果", "清查日期"], ["9", "A-1", "在用", "2025-12-10"]]
    )
    missing = run("inventory", "record", str(csv), ok=False)
    assert missing.exit_code == 3 and "inventory '9' not found" in missing.output
    assert table_counts(db) == before


def test_roles_and_scopes(run: Cli, db: Database) -> None:
    folder = _opened(run)
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="setup")
    run("user", "add", "zhao", "--role", "inventory", "--scope", DONGFENG, user="zhang")
    counts = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("在用", "2025-12-10")}
    run("inventory", "record", str(_fill(_sheet(folder, HONGQI), run.cwd / "h.xlsx", counts, [])), user="zhao")
    before = table_counts(db)
    elsewhere = _fill(_sheet(folder, QINGSHAN), run.cwd / "q.xlsx", {"A-5": ("在用", "2025-12-10")}, [])
    for args in (["record", str(elsewhere)], ["close", "1", "--approval", "x", "--allow-uncounted"],
                 ["open", "--year", "2026", "--scope", "county:360921"]):  # fmt: skip
        result = run("inventory", *args, user="zhao", ok=False)
        assert result.exit_code == 6, result.output
    assert table_counts(db) == before
    out = run("inventory", "close", "1", "--approval", "x", "--allow-uncounted", "--date", "2026-01-05", user="zhang")
    assert "3 assets left uncounted" in out.output
    assert reconcile(db, "zhang") == []


def test_inventory_tables_are_append_only(run: Cli, db: Database) -> None:
    folder = _opened(run)
    run(
        "inventory",
        "record",
        str(_fill(_sheet(folder, HONGQI), run.cwd / "f.xlsx", {"A-1": ("在用", "2025-12-10")}, [])),
    )
    for statement in ("UPDATE inventory_counts SET result = 'missing'", "DELETE FROM inventory_items",
                      "UPDATE inventories SET year = 2020"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_count_csv_without_region_codes_takes_each_assets_place(run: Cli, db: Database) -> None:
    """Issue #17 item 8: such a sheet crashed with IntegrityError (exit 1); an asset's place is its inventory item's."""
    _opened(run)
    rows = [
        ["清查编号", "资产编号", "结果", "清查日期"],
        ["1", "A-1", "在用", "2025-12-10"],
        ["1", "A-4", "毁损", "2025-12-10"],
    ]
    out = run("inventory", "record", str(write_csv(run.cwd / "no-codes.csv", rows))).output
    assert "recorded 2 counts" in out, out
    with db.reading() as session:
        places = {a: p for a, p in session.execute(select(InventoryCount.asset_id, InventoryCount.place_code))}
    assert places == {"A-1": HONGQI, "A-4": XIANGYANG}
    before = table_counts(db)
    wrong = [["清查编号", "区划代码", "资产编号", "结果", "清查日期"], ["1", XIANGYANG, "A-1", "在用", "2025-12-11"],
             ["1", "999999999999", "A-2", "在用", "2025-12-11"]]  # fmt: skip
    result = run("inventory", "record", str(write_csv(run.cwd / "wrong-codes.csv", wrong)), ok=False)
    assert result.exit_code == 2, result.output
    assert f"第2行 (row 2)，列「区划代码」 (column)，值「{XIANGYANG}」 (value)：该资产应在红旗村盘点" in result.output
    assert f"(the asset is counted at {HONGQI}" in result.output
    assert (
        "第3行 (row 3)，列「区划代码」 (column)，值「999999999999」 (value)" in result.output
    )  # was a foreign key error on PostgreSQL
    assert table_counts(db) == before
