"""`assetledger region`: the administrative hierarchy (city →) county → township → village."""

from __future__ import annotations

from pathlib import Path

import click

from assetledger.cli.common import App, emit, format_option, out_option, pass_app, say, sheet_option
from assetledger.domain.enums import RegionLevel
from assetledger.io.output import records
from assetledger.io.tabular import read_table
from assetledger.services.regions import import_regions, list_regions


@click.group("region")
def command() -> None:
    """Administrative hierarchy (行政区划): city (市/州/盟) → county → township → village, with codes."""


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; change nothing.")
@sheet_option
@pass_app
def import_(app: App, file: Path, dry_run: bool, sheet: str | None) -> None:
    """Load regions from CSV/XLSX.

    \b
    Either one row per region:      区划代码, 名称, 级别(市/县/乡镇/村), 上级代码
    or one row per village:         (市, 市代码,) 县, 县代码, 乡镇, 乡镇代码, 村, 村代码
    A city (市/州/盟, e.g. 360900) is above its counties: a county's 上级代码 may name it. Regions already present
    with the same name and parent are skipped; a county loaded without a parent is placed under the city a later
    file names; other conflicts are refused.
    Codes: digits only; a city 4 digits or those and 00, a county 6, a township 9, a village 12, each starting with
    its parent's; 360921000000 and 360921101000 are read as 360921 and 360921101. Two regions of one name under one
    parent are refused.
    """
    result = import_regions(app.db, read_table(file, sheet=sheet), app.actor, dry_run=dry_run)
    shown = [lv for lv in RegionLevel if lv is not RegionLevel.CITY or result.added[lv]]
    added = ", ".join(f"{result.added[level]} {level.label}" for level in shown)
    verb = "would add" if dry_run else "added"
    placed = f"; {len(result.placed)} 县 placed under their 市" if result.placed else ""
    said = "试运行：将新增" if dry_run else "已新增"
    zh_placed = f"；{len(result.placed)} 个县已归到所属的市" if result.placed else ""
    say(
        f"{said} {added}{zh_placed}；{result.unchanged} 个此前已有",
        f"{verb} {added}{placed}; {result.unchanged} already present",
    )


@command.command("list")
@click.option("--level", type=click.Choice([lv.value for lv in RegionLevel]), help="Only this level.")
@format_option
@out_option
@pass_app
def list_(app: App, level: str | None, fmt: str, out: Path | None) -> None:
    """List the regions of your scope."""
    emit(records(list_regions(app.db, app.actor, RegionLevel(level) if level else None)), fmt, out, sheet="regions")
