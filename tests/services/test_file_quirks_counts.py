"""Count sheets from real county hands through the services, on SQLite and PostgreSQL (tester's brief): a counted
asset whose 资产原值 or 数量 on the sheet differs from the register's is recorded without changing the register, and the
difference is said to the counter (the result's notes, and whoever listens to the file's notes: the CLI); the sheet's
placeholders (/, 无, —) read as empty; its 合计 row is checked and said, not refused. The sheets are the ones the
service wrote (XLSX), filled in with openpyxl as a team would, or a team's own CSV saved by Excel (GBK)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from assetledger.domain.inventory import CountResult
from assetledger.errors import Finding, InputError
from assetledger.io.tabular import TOTAL_ROW, reporting_notes
from assetledger.io.totals import mismatch
from assetledger.services.inventory_counts import quantity_differs, record_counts, value_differs
from assetledger.store.db import Database
from assetledger.store.inventory_models import InventoryCount
from assetledger.store.models import Asset
from tests.builders import ACTOR, assets, regions
from tests.builders.yearly_work import inventory, sheets
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv

HONGQI = "360921101201"
RESULT = "结果（在用/盘亏/毁损/闲置）"
REGISTER = [
    ASSET_HEADER,
    asset_row("A-1"),
    asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司",
              **{"资产原值（元）": "5000.00"}, 中央衔接资金="5000.00", 县级衔接资金=None),
]  # fmt: skip


def _sheet(db: Database, folder: Path, register: list[list[object]] = REGISTER) -> Path:
    """The 2025 inventory of 示范县 opened on 2025-12-01 with 红旗村's assets (two unless `register` says otherwise);
    its sheet as the service wrote it."""
    regions(db)
    assets(db, register)
    inventory(db, 2025, "county:360921", on=dt.date(2025, 12, 1))
    sheets(db, 1, folder)
    [path] = folder.glob(f"{HONGQI}-*.xlsx")
    return path


def _fill(source: Path, target: Path, cells: dict[str, dict[str, object]], extra: list[dict[str, object]]) -> Path:
    """The sheet as a team returns it: cells by asset id and header, extra rows at the bottom."""
    book = load_workbook(source)
    sheet = book.active
    assert sheet is not None
    col = {c.value: c.column for c in sheet[2]}
    for row in range(3, sheet.max_row + 1):
        for header, value in cells.get(str(sheet.cell(row, col["资产编号"]).value), {}).items():
            sheet.cell(row, col[header], value)
    for fields in extra:
        row = sheet.max_row + 1
        for header, value in fields.items():
            sheet.cell(row, col[header], value)
    book.save(target)
    return target


def _register_values(db: Database) -> dict[str, Decimal]:
    with db.reading() as session:
        return {a: v for a, v in session.execute(select(Asset.asset_id, Asset.original_value))}


COUNTED = {RESULT: "在用", "清查日期": "2025-12-05", "清查人": "李四"}


def test_a_counted_value_that_differs_is_said_and_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = _sheet(db, tmp_path / "sheets")
    cells = {"A-1": {**COUNTED, "资产原值（元）": 120000}, "A-2": {**COUNTED, "资产原值（元）": 5000}}
    filled = _fill(path, tmp_path / "红旗村.xlsx", cells, [])
    told: list[Finding] = []
    with reporting_notes(told.append):  # as the CLI listens (cli/main.py)
        result = record_counts(db, filled, ACTOR)
    assert result.counted == 2
    source = f"{filled} [工作表 sheet 清查表]"
    [note] = result.notes
    assert (note.source, note.row, note.column, note.value) == (source, 3, "资产原值（元）", "120000.00")
    assert note.reason == value_differs(Decimal("120000.00"), Decimal("100000.00"))
    assert "120,000.00" in note.reason and "100,000.00" in note.reason and "以台账为准" in note.reason
    assert told == [note]
    assert _register_values(db) == {"A-1": Decimal("100000.00"), "A-2": Decimal("5000.00")}  # the register stands
    with db.reading() as session:
        assert session.scalar(select(InventoryCount.asset_id).where(InventoryCount.source_row == 3)) == "A-1"


def test_a_csv_count_sheet_with_the_registers_values_says_nothing(db: Database, tmp_path: Path) -> None:
    _sheet(db, tmp_path / "sheets")
    header = ["清查编号", "资产编号", "资产名称", "资产原值（元）", "结果", "清查日期"]
    rows: list[list[object]] = [header, [1, "A-1", "村组道路", "100,000.00", "在用", "2025-12-05"],
                                [1, "A-2", "光伏电站", "—", "闲置", "2025-12-05"]]  # fmt: skip
    result = record_counts(db, write_csv(tmp_path / "清查.csv", rows, encoding="gbk"), ACTOR)
    assert (result.counted, result.notes) == (2, ())


def test_an_unreadable_counted_value_is_a_finding(db: Database, tmp_path: Path) -> None:
    path = _sheet(db, tmp_path / "sheets")
    filled = _fill(path, tmp_path / "红旗村.xlsx", {"A-1": {**COUNTED, "资产原值（元）": "约十万"}}, [])
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        record_counts(db, filled, ACTOR)
    [finding] = refused.value.findings
    assert (finding.row, finding.column, finding.value) == (3, "资产原值（元）", "约十万"), finding
    assert table_counts(db) == before


def test_placeholders_on_a_count_sheet_are_empty(db: Database, tmp_path: Path) -> None:
    """备注 "/" and 状况 "无" are no note and no condition; a row with 资产编号 "—" and a name is a surplus (盘盈); a
    result of "/" beside a date is an empty result, named with what was written."""
    path = _sheet(db, tmp_path / "sheets")
    surplus = {"资产编号": "—", "区划代码": HONGQI, "资产名称": "水泵", "资产类别": "公益性", "资产原值（元）": 800,
               "清查日期": "2025-12-06", "备注": "暂无"}  # fmt: skip
    cells = {"A-1": {**COUNTED, "备注": "/", "状况": "无"}, "A-2": {RESULT: "／", "清查日期": "2025-12-05"}}
    bad = _fill(path, tmp_path / "bad.xlsx", cells, [surplus])
    with pytest.raises(InputError) as refused:
        record_counts(db, bad, ACTOR)
    [finding] = refused.value.findings
    assert (finding.row, finding.column, finding.value) == (4, RESULT, "／") and "empty" in finding.reason
    good = _fill(path, tmp_path / "good.xlsx", {"A-1": cells["A-1"]}, [surplus])
    result = record_counts(db, good, ACTOR)
    assert (result.counted, result.surpluses, result.notes) == (1, 1, ())
    with db.reading() as session:
        stored = session.execute(select(InventoryCount.asset_id, InventoryCount.name, InventoryCount.condition,
                                        InventoryCount.note).order_by(InventoryCount.source_row)).all()  # fmt: skip
    assert [tuple(r) for r in stored] == [("A-1", None, None, None), (None, "水泵", None, None)]


@pytest.mark.parametrize("total", [Decimal("105800"), Decimal("100000")])
def test_a_count_sheets_total_is_checked_and_said_not_refused(db: Database, tmp_path: Path, total: Decimal) -> None:
    """A team's 合计 under the sheet's values (two assets and a surplus): skipped and said; one that does not add up
    is said beside the result, and the counts are recorded (the values are the register's, printed)."""
    path = _sheet(db, tmp_path / "sheets")
    surplus = {"区划代码": HONGQI, "资产名称": "水泵", "资产类别": "公益性", "资产原值（元）": 800,
               "清查日期": "2025-12-06"}  # fmt: skip
    totals = {"清查编号": "合  计", "资产原值（元）": float(total)}
    filled = _fill(path, tmp_path / "红旗村.xlsx", {"A-1": COUNTED}, [surplus, totals])
    told: list[Finding] = []
    with reporting_notes(told.append):
        result = record_counts(db, filled, ACTOR)
    assert (result.counted, result.surpluses) == (1, 1)
    assert [(n.row, n.reason) for n in told if n.reason == TOTAL_ROW] == [(6, TOTAL_ROW)]
    if total == Decimal("105800"):
        assert result.notes == ()
    else:
        [note] = result.notes
        assert (note.row, note.column, note.reason) == (6, "资产原值（元）", mismatch(total, Decimal("105800")))
        assert note in told


def _register_quantities(db: Database) -> dict[str, Decimal | None]:
    with db.reading() as session:
        return {a: q for a, q in session.execute(select(Asset.asset_id, Asset.quantity))}


def test_a_counted_quantity_that_differs_is_said_and_changes_nothing(db: Database, tmp_path: Path) -> None:
    """数量 is the register's, printed on the sheet (2 公里 of road): a team that writes what it measured (1.5) is
    told, beside the result that records what it found, and the register's 2 stands. The same 2 written as 2.0 is
    no difference; a 数量 written where the register has none is said too; an empty one or "—" says nothing."""
    register = [*REGISTER, asset_row("A-3", 资产名称="水泵", 数量=None, 单位=None)]
    path = _sheet(db, tmp_path / "sheets", register)
    cells = {"A-1": {**COUNTED, "数量": 1.5}, "A-2": {**COUNTED, "数量": "2.0"}, "A-3": {**COUNTED, "数量": 3}}
    filled = _fill(path, tmp_path / "红旗村.xlsx", cells, [])
    told: list[Finding] = []
    with reporting_notes(told.append):  # as the CLI listens (cli/main.py)
        result = record_counts(db, filled, ACTOR)
    assert result.counted == 3 and result.by_result == {CountResult.IN_USE: 3}
    source = f"{filled} [工作表 sheet 清查表]"
    rows = {str(r[3].value): r[0].row for r in load_workbook(filled).active.iter_rows(min_row=3)}
    assert [(n.source, n.row, n.column, n.value) for n in result.notes] == [
        (source, rows["A-1"], "数量", "1.5"), (source, rows["A-3"], "数量", "3")]  # fmt: skip
    one, three = result.notes
    assert one.reason == quantity_differs(Decimal("1.5"), Decimal("2"), "公里")
    assert one.reason.startswith("清查表上的数量 1.5 公里与台账 2 公里不同") and "盘亏" in one.reason
    assert "the sheet's quantity, 1.5 公里, differs from the register's, 2 公里" in one.reason
    assert three.reason == quantity_differs(Decimal("3"), None, None) and "台账未登记数量" in three.reason
    assert told == list(result.notes)
    assert _register_quantities(db) == {"A-1": Decimal("2"), "A-2": Decimal("2"), "A-3": None}  # the register stands
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(InventoryCount)) == 3

    blank = {"A-1": {**COUNTED, "数量": "—"}, "A-2": {**COUNTED, "数量": None}}
    again = _fill(path, tmp_path / "红旗村2.xlsx", blank, [])
    assert record_counts(db, again, ACTOR).notes == ()


def test_a_csv_count_sheet_says_a_quantity_and_a_value_that_differ(db: Database, tmp_path: Path) -> None:
    """A team's own CSV (GBK, its value headed 原值): both differences of one row are said, in the sheet's column
    order, under the headers the team wrote; an unreadable 数量 is a finding, and nothing is written."""
    _sheet(db, tmp_path / "sheets")
    header = ["清查编号", "资产编号", "资产名称", "数量", "原值", "结果", "清查日期"]
    rows: list[list[object]] = [header, [1, "A-1", "村组道路", "3", "120,000.00", "在用", "2025-12-05"],
                                [1, "A-2", "光伏电站", "2", "5000", "闲置", "2025-12-05"]]  # fmt: skip
    result = record_counts(db, write_csv(tmp_path / "清查.csv", rows, encoding="gbk"), ACTOR)
    assert [(n.row, n.column, n.value) for n in result.notes] == [(2, "数量", "3"), (2, "原值", "120000.00")]
    assert result.notes[0].reason == quantity_differs(Decimal("3"), Decimal("2"), "公里")
    assert _register_quantities(db) == {"A-1": Decimal("2"), "A-2": Decimal("2")}
    rows[1][3] = "约三"
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        record_counts(db, write_csv(tmp_path / "清查2.csv", rows, encoding="gbk"), ACTOR)
    assert [(f.row, f.column, f.value) for f in refused.value.findings] == [(2, "数量", "约三")]
    assert table_counts(db) == before
