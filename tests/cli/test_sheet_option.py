"""--sheet NAME on every command that reads a user's file: a workbook with a second visible sheet of data (a 填表说明
kept beside the table) is refused naming both sheets, and read from the sheet named. One option, one help text."""

from __future__ import annotations

import json
from pathlib import Path

import click
from openpyxl import Workbook, load_workbook

from assetledger.cli.common import sheet_option
from assetledger.cli.main import cli
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv
from tests.services.test_acceptance import ACCEPTED, LIST_HEADER
from tests.services.test_awards import _setup as _awards_county
from tests.services.test_awards_given import CONSOL, PROVINCE
from tests.services.test_awards_given import HEADER as RESULTS_HEADER
from tests.services.test_contracts import HEADER as CONTRACT_HEADER
from tests.services.test_contracts import OP
from tests.services.test_inventory import HONGQI, _fill, _opened, _sheet

NOTES = "填表说明"


def _with_notes(path: Path, name: str, rows: list[list[object]]) -> Path:
    """A workbook as counties keep one: a visible 填表说明 sheet first, then the table on sheet `name`."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = NOTES
    notes.append(["说明", "请按模板填写，金额以元计"])
    sheet = book.create_sheet(name)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _refused_naming_both(run: Cli, db: Database, *args: str, sheet: str) -> None:
    before = table_counts(db)
    out = run(*args, ok=False)
    assert out.exit_code == 2, out.output
    assert f"{NOTES}、{sheet}" in out.output and "--sheet" in out.output, out.output
    assert table_counts(db) == before


def _regions(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))


def test_contracts_take_a_sheet(run: Cli, db: Database) -> None:
    _regions(run)
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("OP-1", **OP)])))
    row: list[object] = ["HT-1", "OP-1", "绿源公司", "出租", "2023-01-01", "2027-12-31", 40000, "按季", "后付", 5000,
                         "", ""]  # fmt: skip
    path = _with_notes(run.cwd / "合同台账.xlsx", "合同", [CONTRACT_HEADER, row])
    _refused_naming_both(run, db, "contract", "import", str(path), sheet="合同")
    assert "imported 1 contracts" in run("contract", "import", str(path), "--sheet", "合同").output
    assert "already imported" in run("contract", "import", str(path), "--sheet", "合同").output


def test_an_acceptance_list_takes_a_sheet_with_file_only(run: Cli, db: Database) -> None:
    _regions(run)
    row: list[object] = ["A-9", "冷库", "示范县", "东风镇", "红旗村", ACCEPTED.isoformat(), "县验〔2026〕5号"]
    path = _with_notes(run.cwd / "验收清单.xlsx", "验收", [LIST_HEADER, row])
    _refused_naming_both(run, db, "asset", "accept", "--file", str(path), sheet="验收")
    assert "recorded 1 acceptance(s)" in run("asset", "accept", "--file", str(path), "--sheet", "验收").output
    one = ("A-8", "--name", "冷库", "--region", "360921101201", "--date", ACCEPTED.isoformat())
    alone = run("asset", "accept", *one, "--sheet", "验收", ok=False)
    assert alone.exit_code == 2 and "--sheet 须与 --file 一起用 (--sheet goes with --file)" in alone.output


def test_a_count_sheet_takes_a_sheet(run: Cli, db: Database) -> None:
    folder = _opened(run)
    path = _fill(_sheet(folder, HONGQI), run.cwd / "红旗村.xlsx", {"A-1": ("在用", "2025-12-10")}, [])
    book = load_workbook(path)
    counted = book.worksheets[0].title
    book.create_sheet(NOTES, 0).append(["说明", "结果填 在用/盘亏/毁损/闲置"])
    book.save(path)
    _refused_naming_both(run, db, "inventory", "record", str(path), sheet=counted)
    assert "recorded 1 counts" in run("inventory", "record", str(path), "--sheet", counted).output


def test_given_results_take_a_sheet(run: Cli, db: Database) -> None:
    _awards_county(run)
    title: list[object] = ["2025年度巩固拓展脱贫攻坚成果同乡村振兴有效衔接考核结果"]
    path = _with_notes(run.cwd / "考核结果.xlsx", "考核结果", [title, list(RESULTS_HEADER), *map(list, PROVINCE)])
    args = ("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--results", str(path))
    _refused_naming_both(run, db, *args, sheet="考核结果")
    found = {r["region_code"]: r for r in json.loads(run(*args, "--sheet", "考核结果", "--format", "json").stdout)}
    assert found["360923"]["given_rank"] == 1 and found["360923"]["rank_award"] == "2000000.00"
    alone = run("awards", "compute", "--year", "2025", "--policy", str(CONSOL), "--sheet", "考核结果", ok=False)
    assert alone.exit_code == 2 and "--sheet goes with --results" in alone.output


def test_bulk_changes_and_regions_take_a_sheet(run: Cli, db: Database) -> None:
    regions = _with_notes(run.cwd / "区划.xlsx", "区划", [list(r) for r in REGIONS])
    _refused_naming_both(run, db, "region", "import", str(regions), sheet="区划")
    run("region", "import", str(regions), "--sheet", "区划")
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("A-1")])))
    status = [["资产编号", "资产状态", "变更日期"], ["A-1", "闲置", "2024-06-01"]]
    path = _with_notes(run.cwd / "状态.xlsx", "状态", status)
    _refused_naming_both(run, db, "asset", "bulk", "status", str(path), sheet="状态")
    assert "applied 1 of 1" in run("asset", "bulk", "status", str(path), "--sheet", "状态").output


def _commands(group: click.Group, path: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += _commands(command, f"{path} {name}")
        elif command is not None:
            found.append((f"{path} {name}".strip(), command))
    return found


def test_every_sheet_option_is_the_shared_one() -> None:
    """The option is defined once (cli/common.sheet_option): every command that has it says the same."""

    @sheet_option
    def probe(sheet: str | None) -> None: ...

    [shared] = click.command()(probe).params
    having = {
        path: param
        for path, command in _commands(cli)
        for param in command.params
        if "--sheet" in getattr(param, "opts", ())
    }
    assert set(having) >= {
        "asset import", "ledger import-entries", "beneficiary import", "contract import", "asset accept",
        "inventory record", "awards compute", "awards post", "asset bulk status", "region import",
    }  # fmt: skip
    for path, param in having.items():
        assert isinstance(param, click.Option), path
        assert (param.help, param.metavar) == (getattr(shared, "help"), shared.metavar), path  # noqa: B009
