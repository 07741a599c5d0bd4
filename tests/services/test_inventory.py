"""The annual inventory end to end through the services, on SQLite and PostgreSQL: open, sheets (real XLSX written
and read back), record (several times, superseding), refusals with the database unchanged, status, close (idempotent,
books and registers reconciled, Beancount clean), report, completion queryable for the awards. What the inventory
commands print and their exit codes: tests/cli/test_inventory_commands.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.booking import AssetPosting
from assetledger.domain.enums import AssetStatus, RegionLevel
from assetledger.domain.governance import DisposalMethod
from assetledger.domain.inventory import DueReason, parse_scope
from assetledger.errors import DuplicateError, InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.services.asset_queries import AssetFilter, list_assets
from assetledger.services.assets import change_status
from assetledger.services.audit import verify
from assetledger.services.book_reports import balances
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.governance_policies import store_policy
from assetledger.services.inventory import list_inventories, open_inventory
from assetledger.services.inventory_close import close_inventory
from assetledger.services.inventory_counts import record_counts
from assetledger.services.inventory_reports import (
    CountedItem,
    LevelRow,
    Shortage,
    SurplusItem,
    inventory_completion,
    inventory_status,
    write_report,
)
from assetledger.services.journal import post_for_asset
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.inventory_models import Inventory, InventoryClose, InventoryCount, InventoryItem
from assetledger.store.models import Asset, AssetEvent
from tests.builders import ACTOR, assets, regions, user
from tests.builders.yearly_work import counts, inventory, policy, sheets
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards, table_counts, write_csv

HONGQI, XIANGYANG, QINGSHAN, DONGFENG = "360921101201", "360921101202", "360921102201", "360921101"
RESULT = "结果（在用/盘亏/毁损/闲置）"
COUNT_HOUSEHOLDS = "[inventory]\ncount_household = true\n"
REGISTER: list[list[object]] = [
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


def registers(db: Database) -> None:
    """示范县's regions and seven assets: three in 红旗村 (A-3 unconfirmed), one each in 向阳村 and 青山乡's 红旗村,
    the department's bridge A-6 of 东风镇, the household's cow H-1."""
    regions(db)
    assets(db, REGISTER)


def opened(db: Database, folder: Path) -> Path:
    """Registers, the 2025 county inventory (id 1, opened 2025-12-01) and its sheets in `folder`; returns it."""
    registers(db)
    inventory(db, 2025, "county:360921", on=dt.date(2025, 12, 1))
    sheets(db, 1, folder)
    return folder


def sheet_of(folder: Path, code: str) -> Path:
    [path] = folder.glob(f"{code}-*.xlsx")
    return path


def fill(source: Path, target: Path, counted: Mapping[str, Sequence[object]], extra: list[dict[str, object]]) -> Path:
    """Fill a sheet as a team would: (result, date[, condition]) per asset id, then extra rows at the bottom."""
    book = load_workbook(source)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[2]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for row in range(3, sheet.max_row + 1):
        found = counted.get(str(sheet.cell(row, col["资产编号"]).value))
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


# The names the CLI tests that fill count sheets import (tests/cli/test_totals_rows.py and test_sheet_option.py): the
# same state, built through the services.
_fill, _sheet = fill, sheet_of


def _opened(run: Cli) -> Path:
    """`opened` on a Cli's database, the sheets in its folder (run.cwd / "sheets")."""
    database = Database(run.url)
    try:
        return opened(database, run.cwd / "sheets")
    finally:
        database.dispose()


LAMP = {"资产名称": "太阳能路灯", "资产类别": "公益性", "资产原值（元）": 8000, "数量": 4, "单位": "盏",
        "管护主体": "红旗村村民委员会", "清查日期": "2025-12-11"}  # fmt: skip


def _reasons(found: Mapping[DueReason, int]) -> dict[str, int]:
    return {reason.value: n for reason, n in found.items()}


def test_open_selects_due_assets_and_says_why(db: Database) -> None:
    registers(db)
    county = parse_scope("county:360921")
    opened = open_inventory(db, 2025, county, ACTOR)
    assert (opened.inventory_id, opened.year, opened.scope, opened.selected) == (1, 2025, county, 6)
    assert _reasons(opened.reasons) == {"collective": 4, "household_not_counted": 1, "state_never_counted": 2}
    before = table_counts(db)
    with pytest.raises(DuplicateError) as again:
        open_inventory(db, 2025, county, ACTOR)
    assert again.value.exit_code == 4 and again.value.key == "2025 county:360921 (id 1)"
    with pytest.raises(InputError) as wrong:
        open_inventory(db, 2025, parse_scope("township:360921"), ACTOR)
    [finding] = wrong.value.findings
    assert (finding.column, finding.value) == ("--scope", "township:360921")
    assert "is a county" in finding.reason, finding
    assert table_counts(db) == before
    policy(db, COUNT_HOUSEHOLDS)
    other = open_inventory(db, 2025, parse_scope(f"village:{HONGQI}"), ACTOR)
    assert other.selected == 1  # H-1 only; the rest are taken this year
    assert _reasons(other.reasons) == {"household": 1, "already_in_inventory": 3}
    with db.reading() as session:
        recorded = session.scalars(select(Inventory.policy).order_by(Inventory.id)).all()
    assert recorded[0]["governance_policy"] == "ledgers/policy/governance.toml（项目默认 shipped default）"
    assert recorded[1]["count_household"] is True and recorded[1]["governance_policy"] == "* 第1版 (v1)"
    listed = list_inventories(db, ACTOR)
    assert [(i.id, i.year, i.scope_code) for i in listed] == [(1, 2025, "360921"), (2, 2025, HONGQI)]


def test_each_selected_assets_reason_reads_back_as_its_member_and_a_stray_text_as_it_is(
    db: Database, tmp_path: Path
) -> None:
    """Why an asset was selected is stored as the reason's code and read back as the DueReason; a text written around
    the product that is no reason reads back as that text: the inventory's status and sheets still read, and `audit
    verify` names the row."""
    registers(db)
    open_inventory(db, 2025, parse_scope("county:360921"), ACTOR)
    with db.reading() as session:
        kept = dict(session.execute(select(InventoryItem.asset_id, InventoryItem.reason)).all())
        stored: dict[str, str] = dict(session.execute(text("SELECT asset_id, reason FROM inventory_items")).all())
    assert kept == {"A-1": DueReason.COLLECTIVE, "A-2": DueReason.COLLECTIVE, "A-3": DueReason.STATE_NEVER_COUNTED,
                    "A-4": DueReason.COLLECTIVE, "A-5": DueReason.COLLECTIVE,
                    "A-6": DueReason.STATE_NEVER_COUNTED}  # fmt: skip
    assert all(type(reason) is DueReason for reason in kept.values())
    assert stored == {asset_id: reason.value for asset_id, reason in kept.items()}
    assert list(verify(db, ACTOR, bean_check=False)) == []
    drop_append_only_guards(db, "inventory_items")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE inventory_items SET reason = 'picked' WHERE asset_id = 'A-1'")
    with db.reading() as session:
        item = session.scalars(select(InventoryItem).where(InventoryItem.asset_id == "A-1")).one()
        assert item.reason == "picked" and not isinstance(item.reason, DueReason)
        stray = item.id
    assert inventory_status(db, 1, ACTOR).total is not None  # the status and the sheets read on
    assert sheets(db, 1, tmp_path / "sheets")
    found = [what for check, what in verify(db, ACTOR, bean_check=False) if check == "integrity"]
    assert found == [f"inventory_items id {stray}: row changed after it was recorded"]


def test_a_village_with_a_policy_of_its_own_is_judged_by_it_in_a_county_inventory(db: Database) -> None:
    """As the scan judges each asset by its own place's stored policy, so does a county-wide inventory."""
    registers(db)
    user(db, ACTOR, "finance", "360921")
    cun = user(db, "cun", "finance", HONGQI)
    store_policy(db, COUNT_HOUSEHOLDS.encode("utf-8"), "count-households.toml", cun)
    opened = open_inventory(db, 2025, parse_scope("county:360921"), ACTOR)
    assert opened.selected == 7  # H-1 of 红旗村 counted as its policy says
    assert DueReason.HOUSEHOLD_NOT_COUNTED not in opened.reasons and opened.reasons[DueReason.HOUSEHOLD] == 1
    with db.reading() as session:
        [recorded] = session.scalars(select(Inventory.policy)).all()
    assert recorded["governance_policy"] == "ledgers/policy/governance.toml（项目默认 shipped default）"
    also = recorded["also"]
    assert isinstance(also, list) and [p["governance_policy"] for p in also] == [f"{HONGQI} 第1版 (v1)"]


def test_state_assets_counted_every_three_years(db: Database, tmp_path: Path) -> None:
    folder = opened(db, tmp_path / "sheets")
    done = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("在用", "2025-12-10")}
    counts(db, fill(sheet_of(folder, HONGQI), tmp_path / "f.xlsx", done, []))
    for year, due, reason in ((2026, 5, DueReason.STATE_COUNTED_RECENTLY), (2027, 5, DueReason.STATE_COUNTED_RECENTLY),
                              (2028, 6, DueReason.STATE_DUE)):  # fmt: skip
        found = open_inventory(db, year, parse_scope("county:360921"), ACTOR)
        assert found.selected == due and reason in found.reasons, found  # A-3 counted in 2025 is due again in 2028
        # A-6 (state) was selected in 2025 but never counted: due every year
        assert found.reasons[DueReason.STATE_NEVER_COUNTED] == 1, found


def test_sheets_record_status_close_report(db: Database, tmp_path: Path) -> None:
    folder = opened(db, tmp_path / "sheets")
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 8 and f"{DONGFENG}-示范县东风镇.xlsx" in files  # the department's bridge: township sheet
    book = load_workbook(sheet_of(folder, HONGQI))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "2025年度扶贫项目资产清查表" in str(rows[0][0])
    assert rows[1][:4] == ("清查编号", "区划代码", "所在地", "资产编号") and RESULT in rows[1]
    assert [r[3] for r in rows[2:]] == ["A-1", "A-2", "A-3"]
    assert rows[2][4:12] == ("村组道路", "公益性", None, None, 2, "公里", 100000, "红旗村村民委员会")
    assert all(v is None for v in rows[2][12:])
    assert "<table>" in (folder / sheet_of(folder, HONGQI).name.replace(".xlsx", ".html")).read_text(encoding="utf-8")

    first = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("盘亏", "2025-12-10", "找不到")}
    filled = fill(sheet_of(folder, HONGQI), tmp_path / "hongqi-1.xlsx", first, [LAMP])
    recorded = record_counts(db, filled, ACTOR)
    assert (recorded.inventory_id, recorded.counted, recorded.surpluses, recorded.superseded) == (1, 3, 1, 0)
    assert {r.value: n for r, n in recorded.by_result.items()} == {"in_use": 2, "missing": 1}
    assert not recorded.already_recorded
    before = table_counts(db)
    again = record_counts(db, filled, ACTOR)
    assert again.already_recorded and (again.counted, again.batch_id) == (0, recorded.batch_id)
    assert table_counts(db) == before
    later = {"A-2": ("闲置", "2025-12-12", "停产")}
    refilled = fill(sheet_of(folder, HONGQI), tmp_path / "hongqi-2.xlsx", later, [LAMP | {"资产原值（元）": 9000}])
    superseding = record_counts(db, refilled, ACTOR)
    assert (superseding.counted, superseding.surpluses, superseding.superseded) == (1, 1, 1)

    pending = inventory_status(db, 1, ACTOR)
    assert [(s.asset_id, s.state) for s in pending.findings.missing] == [("A-3", "待核销 pending approval")]
    assert pending.closed_on is None
    assert reconcile(db, ACTOR) == []  # counted missing, still on the books until the approved close
    with pytest.raises(RuleViolation, match="3 of 6 assets are not counted") as refused:
        close_inventory(db, 1, "示政〔2026〕3号", ACTOR)
    assert refused.value.exit_code == 5

    damaged = fill(sheet_of(folder, XIANGYANG), tmp_path / "x.xlsx", {"A-4": ("毁损", "2025-12-15")}, [])
    assert record_counts(db, damaged, ACTOR).counted == 1
    # the township's code in its 12-digit statistical form (360921101000): the township 360921101
    rest = [["清查编号", "区划代码", "资产编号", "结果", "清查日期"], ["1", QINGSHAN, "A-5", "在用", "2025/12/16"],
            ["1", f"{DONGFENG}000", "A-6", "正常", "2025年12月16日"]]  # fmt: skip
    gbk = record_counts(db, write_csv(tmp_path / "counts.csv", rest, encoding="gbk"), ACTOR)
    assert (gbk.counted, {r.value: n for r, n in gbk.by_result.items()}) == (2, {"in_use": 2})

    closed = close_inventory(db, 1, "示政〔2026〕3号", ACTOR, dt.date(2026, 1, 10))
    assert not closed.already_closed and closed.approval == "示政〔2026〕3号"
    assert closed.closed_on == dt.date(2026, 1, 10)
    assert (closed.written_off, closed.written_off_value) == (["A-3"], Decimal("100000.00"))
    [surplus] = closed.surplus_assets
    assert closed.surplus_value == Decimal("9000.00") and closed.uncounted == 0
    # the write-off is a status change too, not "none"; the changes by the new status's code, as they are stored
    assert list(closed.status_changes.items()) == [("damaged", 1), ("idle", 1), ("written_off", 1)]
    with db.reading() as session:
        statuses = {a: st for a, st in session.execute(select(Asset.asset_id, Asset.status))}
        a3 = session.get(Asset, "A-3")
        assert a3 is not None and (a3.disposed_on, a3.current_value) == (dt.date(2026, 1, 10), Decimal("0.00"))
        assert [a for a in statuses if a.startswith("PY2025-")] == [surplus]
        lamp = session.get(Asset, surplus)
        assert lamp is not None
        assert (lamp.name, lamp.original_value, lamp.owner_kind, lamp.village_code) == (
            "太阳能路灯", Decimal("9000.00"), "village", HONGQI)  # fmt: skip
        kinds = list(session.scalars(select(AssetEvent.kind).where(AssetEvent.asset_id == "A-3")))
        a2_counts = session.scalar(select(func.count()).where(InventoryCount.asset_id == "A-2"))
        stored = session.scalar(select(InventoryClose.summary).where(InventoryClose.inventory_id == 1))
    assert stored is not None and list(stored["status_changes"]) == ["damaged", "idle", "written_off"]
    assert (statuses["A-2"], statuses["A-3"], statuses["A-4"], statuses["A-1"]) == (
        "idle",
        "written_off",  # 核销 is not 处置 (DOMAIN rule 19)
        "damaged",
        "in_use",
    )
    assert kinds[-1] == "inventory_written_off" and a2_counts == 2  # both counts of A-2 kept
    county = {r.name: r.balance for r in balances(db, "C360921", actor=ACTOR)}
    assert county["Expenses:Other:InventoryLoss"] == Decimal("100000.00")
    assert county.get("Assets:PublicBenefit:A-3", Decimal("0.00")) == Decimal("0.00")
    village = {r.name: r.balance for r in balances(db, f"V{HONGQI}", actor=ACTOR)}
    assert village[f"Assets:PublicBenefit:{surplus}"] == Decimal("9000.00")
    assert village["Equity:PublicWelfareFund:Other"] == Decimal("-9000.00")
    assert reconcile(db, ACTOR) == []
    assert all(not c.errors for c in check_entities(db, ACTOR))
    assert list(verify(db, ACTOR, bean_check=False)) == []  # the record verifies clean
    # written off (核销) has left the register and the books, and is kept apart from disposed of (处置)
    written_off = list_assets(db, AssetFilter(status=AssetStatus.WRITTEN_OFF), ACTOR)
    assert [a.asset_id for a in written_off] == ["A-3"]
    assert list_assets(db, AssetFilter(status=AssetStatus.DISPOSED), ACTOR) == []
    late_post = AssetPosting("A-3", dt.date(2026, 2, 1), "expense", "maintenance", Decimal("10"))
    with pytest.raises(RuleViolation) as refused:
        post_for_asset(db, late_post, ACTOR)
    assert refused.value.exit_code == 5
    said = str(refused.value)
    assert "已于 2026-01-10 核销" in said and "was written off (已核销) on 2026-01-10" in said
    scrap = DisposalRequest("A-3", DisposalMethod.SCRAP, dt.date(2026, 2, 1), Decimal("0"), "x", ApprovalLevel.COUNTY)
    with pytest.raises(RuleViolation, match=r"已核销（2026-01-10） \(already written off on 2026-01-10\)") as refused:
        dispose(db, scrap, ACTOR)
    assert refused.value.exit_code == 5
    with pytest.raises(RuleViolation, match="inventory close") as refused:
        change_status(db, "A-1", AssetStatus.WRITTEN_OFF, dt.date(2026, 2, 1), ACTOR)
    assert refused.value.exit_code == 5

    before = table_counts(db)
    twice = close_inventory(db, 1, "another", ACTOR)
    assert twice.already_closed and (twice.closed_on, twice.approval) == (dt.date(2026, 1, 10), "示政〔2026〕3号")
    assert (twice.written_off, twice.surplus_assets, list(twice.status_changes.items())) == (
        ["A-3"], [surplus], list(closed.status_changes.items()))  # fmt: skip
    with pytest.raises(RuleViolation, match="closed") as late:
        record_counts(db, filled, ACTOR)
    assert late.value.exit_code == 5
    assert table_counts(db) == before

    done = inventory_status(db, 1, ACTOR)
    lines = {line.item: line.value for line in done.summary_rows()}
    assert lines["状态 state"] == "已关闭 closed 2026-01-10（示政〔2026〕3号）"
    assert [(s.asset_id, s.state) for s in done.findings.missing] == [("A-3", "已核销 written off")]
    assert [s.asset_id for s in done.findings.surplus] == [surplus]
    # every status change of the close, the write-off too, in the order the close listed them
    assert list(done.status_changes.items()) == list(closed.status_changes.items())
    assert lines["状态变更 status changes"] == "毁损 damaged 1, 闲置 idle 1, 已核销 written_off 1"
    path, reported = write_report(db, 1, tmp_path / "report.xlsx", ACTOR)
    total = reported.total
    assert path == tmp_path / "report.xlsx" and total is not None
    assert (total.counted, total.items, total.completion, total.missing, total.surplus) == (
        6, 6, Decimal("100.0"), 1, 1)  # fmt: skip
    report = load_workbook(path)
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
    status = inventory_status(db, 1, ACTOR)
    assert status.total is not None and (status.total.items, status.total.completion) == (6, Decimal("100.0"))
    assert [type(x) for x in status.findings.missing] == [Shortage] and status.findings.missing[0].asset_id == "A-3"
    assert [type(x) for x in status.findings.surplus] == [SurplusItem]
    assert status.findings.surplus[0].value == Decimal("9000.00")
    assert all(type(x) is CountedItem for x in (*status.findings.damaged, *status.findings.idle))
    lines = {line.item: line.value for line in status.summary_rows()}
    assert lines["完成率 completion %"] == Decimal("100.0") and lines["盘亏 shortages"] == 1


def test_stored_codes_that_are_none_are_reported_as_they_are_and_decide_no_close(db: Database, tmp_path: Path) -> None:
    """Texts written around the product (or by a later version) where a code is stored — a reason in the inventory's
    selection, a count's result, a surplus's register, an asset's register — are shown as they were stored by the
    status, its summary lines and the report (they are only read there); the close, which decides from them, refuses
    naming each one (exit 5), and nothing is written."""
    folder = opened(db, tmp_path / "sheets")
    first = {"A-1": ("在用", "2025-12-10"), "A-2": ("毁损", "2025-12-10"), "A-3": ("盘亏", "2025-12-10", "找不到")}
    record_counts(db, fill(sheet_of(folder, HONGQI), tmp_path / "hongqi.xlsx", first, [LAMP]), ACTOR)
    for table in ("inventories", "inventory_counts"):
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("""UPDATE inventories SET selected = '{"collective": 4, "picked": 2}' WHERE id = 1""")
        conn.exec_driver_sql(
            "UPDATE inventory_counts SET result = 'found', register = 'mystery' WHERE surplus_key IS NOT NULL"
        )
        conn.exec_driver_sql("UPDATE inventory_counts SET result = 'fine' WHERE asset_id = 'A-1'")
        conn.exec_driver_sql("UPDATE assets SET register = 'gone' WHERE asset_id = 'A-2'")
    status = inventory_status(db, 1, ACTOR)
    lines = {line.item: line.value for line in status.summary_rows()}
    assert (lines["选取 村集体资产，每年清查"], lines["选取 picked"]) == (4, 2)
    assert [(d.asset_id, d.register) for d in status.findings.damaged] == [("A-2", "gone")]
    assert [(s.name, s.register, s.result) for s in status.findings.surplus] == [("太阳能路灯", "mystery", "found")]
    path, _ = write_report(db, 1, tmp_path / "report.xlsx", ACTOR)
    report = load_workbook(path)
    assert "选取 picked" in {r[0] for r in report["汇总"].iter_rows(min_row=3, values_only=True)}
    assert {"mystery", "found"} <= {v for r in report["盘盈"].iter_rows(min_row=3, values_only=True) for v in r}
    before = table_counts(db)
    with pytest.raises(RuleViolation) as refused:
        close_inventory(db, 1, "示政〔2026〕3号", ACTOR, dt.date(2026, 1, 10), allow_uncounted=True)
    said = str(refused.value)
    assert refused.value.exit_code == 5 and "Traceback" not in said
    assert "资产 A-1 (asset)，列「结果 result」 (column)，值「fine」 (value)：不是本版本认识的值" in said, said
    assert "盘盈 太阳能路灯" in said and "值「found」" in said and "值「mystery」" in said, said
    assert "the close cannot decide from it; run `audit verify`" in said
    assert table_counts(db) == before


def test_a_stored_region_level_that_is_none_is_named_as_it_is_when_an_inventory_is_refused(db: Database) -> None:
    registers(db)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE regions SET level = 'hamlet' WHERE code = '360921'")
    with pytest.raises(InputError) as wrong:
        open_inventory(db, 2025, parse_scope("county:360921"), ACTOR)
    [finding] = wrong.value.findings
    assert finding.reason == "示范县是hamlet，不是县 (360921 is a hamlet)", finding


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
def test_bad_sheets_are_refused_with_row_and_column(db: Database, tmp_path: Path, kind: str) -> None:
    folder = opened(db, tmp_path / "sheets")
    counted, extra, column, reason = BAD_SHEETS[kind]
    good: dict[str, tuple[object, ...]] = {
        "A-2": ("在用", "2025-12-10")
    }  # a good row beside the bad one: nothing of it is written either
    path = fill(sheet_of(folder, HONGQI), tmp_path / "bad.xlsx", good | counted, extra)
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        record_counts(db, path, ACTOR)
    assert refused.value.exit_code == 2 and "nothing was changed" in str(refused.value)
    named = [f for f in refused.value.findings if f.column == column and reason in str(f)]
    assert named, refused.value
    if kind != "two inventories":
        assert all(f.row is not None for f in named), refused.value
    assert table_counts(db) == before


def test_empty_sheet_and_unknown_inventory_are_refused(db: Database, tmp_path: Path) -> None:
    folder = opened(db, tmp_path / "sheets")
    before = table_counts(db)
    with pytest.raises(InputError, match="no row of the sheet is counted yet"):
        record_counts(db, sheet_of(folder, HONGQI), ACTOR)
    with pytest.raises(InputError) as other:
        record_counts(db, sheet_of(folder, HONGQI), ACTOR, inventory_id=2)
    assert {f.reason for f in other.value.findings} == {"本表属于清查 1，不是 2 (this sheet is for inventory 1, not 2)"}
    csv = write_csv(
        tmp_path / "c.csv", [["清查编号", "资产编号", "结果", "清查日期"], ["9", "A-1", "在用", "2025-12-10"]]
    )
    with pytest.raises(NotFoundError, match="inventory '9' not found") as missing:
        record_counts(db, csv, ACTOR)
    assert (missing.value.exit_code, missing.value.kind, missing.value.key) == (3, "inventory", "9")
    assert table_counts(db) == before


def test_roles_and_scopes(db: Database, tmp_path: Path) -> None:
    folder = opened(db, tmp_path / "sheets")
    zhang = user(db, "zhang", "finance", "360921", actor="setup")
    zhao = user(db, "zhao", "inventory", DONGFENG, actor=zhang)
    done = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("在用", "2025-12-10")}
    assert record_counts(db, fill(sheet_of(folder, HONGQI), tmp_path / "h.xlsx", done, []), zhao).counted == 3
    before = table_counts(db)
    elsewhere = fill(sheet_of(folder, QINGSHAN), tmp_path / "q.xlsx", {"A-5": ("在用", "2025-12-10")}, [])
    with pytest.raises(PermissionDenied) as refused:
        record_counts(db, elsewhere, zhao)
    assert refused.value.exit_code == 6
    with pytest.raises(PermissionDenied):
        close_inventory(db, 1, "x", zhao, allow_uncounted=True)
    with pytest.raises(PermissionDenied):
        open_inventory(db, 2026, parse_scope("county:360921"), zhao)
    assert table_counts(db) == before
    closed = close_inventory(db, 1, "x", zhang, dt.date(2026, 1, 5), allow_uncounted=True)
    assert closed.uncounted == 3 and not closed.already_closed
    assert reconcile(db, zhang) == []


def test_inventory_tables_are_append_only(db: Database, tmp_path: Path) -> None:
    folder = opened(db, tmp_path / "sheets")
    counts(db, fill(sheet_of(folder, HONGQI), tmp_path / "f.xlsx", {"A-1": ("在用", "2025-12-10")}, []))
    for statement in ("UPDATE inventory_counts SET result = 'missing'", "DELETE FROM inventory_items",
                      "UPDATE inventories SET year = 2020"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_count_csv_without_region_codes_takes_each_assets_place(db: Database, tmp_path: Path) -> None:
    """Issue #17 item 8: such a sheet crashed with IntegrityError (exit 1); an asset's place is its inventory item's."""
    opened(db, tmp_path / "sheets")
    rows = [
        ["清查编号", "资产编号", "结果", "清查日期"],
        ["1", "A-1", "在用", "2025-12-10"],
        ["1", "A-4", "毁损", "2025-12-10"],
    ]
    assert record_counts(db, write_csv(tmp_path / "no-codes.csv", rows), ACTOR).counted == 2
    with db.reading() as session:
        places = {a: p for a, p in session.execute(select(InventoryCount.asset_id, InventoryCount.place_code))}
    assert places == {"A-1": HONGQI, "A-4": XIANGYANG}
    before = table_counts(db)
    wrong = [["清查编号", "区划代码", "资产编号", "结果", "清查日期"], ["1", XIANGYANG, "A-1", "在用", "2025-12-11"],
             ["1", "999999999999", "A-2", "在用", "2025-12-11"]]  # fmt: skip
    with pytest.raises(InputError) as refused:
        record_counts(db, write_csv(tmp_path / "wrong-codes.csv", wrong), ACTOR)
    assert refused.value.exit_code == 2
    found = {(f.row, f.column, f.value): f.reason for f in refused.value.findings}
    elsewhere = found[(2, "区划代码", XIANGYANG)]
    assert elsewhere.startswith("该资产应在红旗村盘点") and f"(the asset is counted at {HONGQI}" in elsewhere
    assert (3, "区划代码", "999999999999") in found  # was a foreign key error on PostgreSQL
    assert table_counts(db) == before
