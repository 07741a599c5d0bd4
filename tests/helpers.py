"""Small builders of real input files for tests."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from assetledger.store.db import Database

REGIONS = [
    ["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
    ["示范县", "360921", "东风镇", "360921101", "红旗村", "360921101201"],
    ["示范县", "360921", "东风镇", "360921101", "向阳村", "360921101202"],
    ["示范县", "360921", "青山乡", "360921102", "红旗村", "360921102201"],
]

ASSET_HEADER = [
    "资产编号",
    "资产名称",
    "资产类别",
    "县",
    "乡镇",
    "村",
    "项目名称",
    "建设年度",
    "资产原值（元）",
    "中央衔接资金",
    "县级衔接资金",
    "数量",
    "单位",
    "确权主体",
    "确权级别",
    "确权日期",
    "移交日期",
    "管护主体",
    "经营方式",
    "经营主体",
    "户编号",
    "户主姓名",
]


def asset_row(asset_id: str, **over: object) -> list[object]:
    base: dict[str, object] = {
        "资产编号": asset_id,
        "资产名称": "村组道路",
        "资产类别": "公益性",
        "县": "示范县",
        "乡镇": "东风镇",
        "村": "红旗村",
        "项目名称": "2021年道路硬化项目",
        "建设年度": "2021",
        "资产原值（元）": "100000.00",
        "中央衔接资金": "60000.00",
        "县级衔接资金": "40000.00",
        "数量": "2",
        "单位": "公里",
        "确权主体": "红旗村股份经济合作社",
        "确权级别": "村集体",
        "确权日期": "2021-12-01",
        "移交日期": "2021-12-01",
        "管护主体": "红旗村村民委员会",
    }
    base.update(over)
    return [base.get(h) for h in ASSET_HEADER]


def posted_entry(output: str) -> str:
    """The id of the entry `ledger post` says it posted ("已记账，分录 N (posted entry N)")."""
    found = re.search(r"posted entry (\d+)", output)
    assert found, output
    return found[1]


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def store_numbers(path: Path, cells: Mapping[str, tuple[str, str | None]]) -> Path:
    """Rewrite cells of a workbook's first sheet as Excel saves numbers: {"I2": ("300.29999999999995", "100.1*3")}
    stores <f>100.1*3</f><v>300.29999999999995</v> (the formula and the float it left), and a None formula the
    number alone. openpyxl cannot: it writes a float at 15 significant digits (300.3). Each cell must hold a value
    already (any placeholder), so that the cell is in the sheet to rewrite."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    for ref, (stored, formula) in cells.items():
        formula_xml = "" if formula is None else f"<f>{formula}</f>"
        xml, found = re.subn(
            rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', f'<c r="{ref}">{formula_xml}<v>{stored}</v></c>', xml
        )
        assert found == 1, f"no cell {ref} in {path}"
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for part, data in parts.items():
            book.writestr(part, data)
    return path


def table_counts(url_db: object) -> Mapping[str, int]:
    """Row count of every table: the database-unchanged check for refused input. One statement of plain SQL: a
    statement per table, compiled anew for each test's engine, cost tens of milliseconds a call."""
    from sqlalchemy import text

    from assetledger.store.schema import NOT_OF_RECORD, Base

    assert isinstance(url_db, Database)
    # logging in opens a session, a wrong password counts: not of record
    names = [name for name in Base.metadata.tables if name not in NOT_OF_RECORD]
    with url_db.reading() as session:
        quote = session.get_bind().dialect.identifier_preparer.quote
        counts = session.execute(text("SELECT " + ", ".join(f"(SELECT count(*) FROM {quote(n)})" for n in names)))
        return dict(zip(names, (int(count) for count in counts.one()), strict=True))


def drop_append_only_guards(db: Database, table: str) -> None:
    """Remove a table's append-only triggers, as a tamperer with direct database access could."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
            conn.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER {table}_append_only ON {table}")
