"""A totals row (合计/总计/小计/共计) in any imported file is skipped and said, with its file and row, by every importer
(roster, count sheet, entry file, contracts, acceptance list, regions, registers): the shared reader hands its notes
to the CLI's entry point, which shows them on stderr, once, whatever the command prints on stdout."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from assetledger.io.tabular import TOTAL_ROW
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv, write_xlsx
from tests.services.test_acceptance import ACCEPTED, LIST_HEADER
from tests.services.test_contracts import HEADER as CONTRACT_HEADER
from tests.services.test_contracts import OP
from tests.services.test_inventory import HONGQI, _fill, _opened, _sheet
from tests.services.test_journal import ENTRY_HEADER

VILLAGE = "360921101201"
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期"]


def _write(path: Path, rows: list[list[object]]) -> Path:
    """A real file of the kind its name says: XLSX (openpyxl) or CSV as Excel saves it in China (GBK)."""
    return write_xlsx(path, rows) if path.suffix == ".xlsx" else write_csv(path, rows, encoding="gbk")


def _said(out: object, path: Path, row: int, column: str, label: str) -> None:
    where = f"{path} [工作表 sheet {sheet}]" if (sheet := _only_sheet(path)) else str(path)
    note = f"{where}，第{row}行 (row {row})，列「{column}」 (column)，值「{label}」 (value)：{TOTAL_ROW}"
    stderr, stdout = getattr(out, "stderr"), getattr(out, "stdout")  # noqa: B009  (click's Result, untyped here)
    assert stderr.count(note) == 1, stderr
    assert note not in stdout


def _only_sheet(path: Path) -> str | None:
    """A workbook's findings name its sheet (io/tabular.py); a CSV's name the file only."""
    if path.suffix != ".xlsx":
        return None
    [sheet] = load_workbook(path, read_only=True).sheetnames
    return sheet


def _regions(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))


@pytest.mark.parametrize("name", ["名册.xlsx", "名册.csv"])
def test_the_roster_says_its_totals_row(run: Cli, db: Database, name: str) -> None:
    _regions(run)
    rows: list[list[object]] = [
        ROSTER_HEADER,
        ["H1", VILLAGE, "王一", 3, "脱贫户", "", "2024-01-01"],
        ["H2", VILLAGE, "王二", 2, "监测户", "", "2024-03-01"],
        ["合 计", None, None, 5, None, None, None],
    ]
    path = _write(run.cwd / name, rows)
    dry = run("beneficiary", "import", str(path), "--dry-run")
    _said(dry, path, 4, "户编号", "合 计")
    out = run("beneficiary", "import", str(path))
    _said(out, path, 4, "户编号", "合 计")
    assert "recorded 2 joined, 0 changed, 0 left" in out.stdout
    assert table_counts(db)["households"] == 2


@pytest.mark.parametrize("name", ["凭证.xlsx", "凭证.csv"])
def test_the_entry_file_says_its_subtotal_row(run: Cli, name: str) -> None:
    _regions(run)
    rows = [ASSET_HEADER, asset_row("A-1"), asset_row("A-2", 资产名称="冷库", **OP)]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    entries: list[list[object]] = [
        ENTRY_HEADER,
        ["2025-01-31", "A-2", "收入", "租金", "2500.00", "一月租金", ""],
        ["小计：", None, None, None, "2500.00", None, None],
        ["2025-02-28", "A-2", "收入", "租金", "2500.00", "二月租金", ""],
        ["总计", None, None, None, "5000.00", None, None],
    ]
    path = _write(run.cwd / name, entries)
    out = run("ledger", "import-entries", str(path))
    _said(out, path, 3, "日期", "小计：")
    _said(out, path, 5, "日期", "总计")
    assert "posted 2 entries; 0 already posted" in out.stdout


def test_the_contract_file_says_its_totals_row(run: Cli) -> None:
    _regions(run)
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("OP-1", **OP)])))
    rows: list[list[object]] = [
        CONTRACT_HEADER,
        ["HT-1", "OP-1", "绿源公司", "出租", "2023-01-01", "2027-12-31", 40000, "按季", "后付", 5000, "", ""],
        ["合计", None, None, None, None, None, 40000, None, None, 5000, None, None],
    ]
    path = write_xlsx(run.cwd / "合同台账.xlsx", rows)
    out = run("contract", "import", str(path))
    _said(out, path, 3, "合同编号", "合计")
    assert "imported 1 contracts on 1 assets" in out.stdout


def test_the_acceptance_list_says_its_totals_row(run: Cli) -> None:
    _regions(run)
    day = ACCEPTED.isoformat()
    rows: list[list[object]] = [
        LIST_HEADER,
        ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, "县验〔2026〕5号"],
        ["共计", "1 项", None, None, None, None, None],
    ]
    path = write_csv(run.cwd / "验收清单.csv", rows, encoding="gbk")
    out = run("asset", "accept", "--file", str(path))
    _said(out, path, 3, "资产编号", "共计")
    assert "1 row(s); recorded 1 acceptance(s)" in out.stdout


def test_the_count_sheet_says_its_totals_row(run: Cli) -> None:
    folder = _opened(run)
    totals = {"清查编号": "合计", "资产原值（元）": 123456}
    path = _fill(_sheet(folder, HONGQI), run.cwd / "红旗村.xlsx", {"A-1": ("在用", "2025-12-10")}, [totals])
    out = run("inventory", "record", str(path))
    [row] = [n for n in range(3, 40) if f"第{n}行 (row {n})，列「清查编号」 (column)，值「合计」 (value)" in out.stderr]
    _said(out, path, row, "清查编号", "合计")
    assert "recorded 1 counts" in out.stdout


def test_the_register_and_the_regions_say_theirs_once(run: Cli) -> None:
    regions = _write(run.cwd / "区划.xlsx", [*REGIONS, ["合计", None, None, None, "3 个村", None]])
    _said(run("region", "import", str(regions)), regions, 5, "县", "合计")
    register = _write(run.cwd / "台账.csv", [ASSET_HEADER, asset_row("A-1"), ["合计", *[None] * 7, "100000.00"]])
    out = run("asset", "import", str(register))
    _said(out, register, 3, "资产编号", "合计")  # once: the command no longer prints it itself
    assert "imported 1 assets" in out.stdout
