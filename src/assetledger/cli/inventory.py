"""`assetledger inventory`: the annual inventory (清查) — open, sheets, record, status, close, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from assetledger.cli.common import (
    CODE,
    DATE,
    LIMIT,
    ROW_ID,
    YEAR,
    App,
    emit,
    format_option,
    out_option,
    pass_app,
    say,
    sheet_option,
)
from assetledger.domain.enums import PLACE_LEVELS, AssetStatus, RegionLevel
from assetledger.domain.inventory import parse_scope
from assetledger.errors import NotFoundError
from assetledger.io.output import records, render_json, render_table
from assetledger.services.inventory import list_inventories, open_inventory, write_sheets
from assetledger.services.inventory_close import close_inventory
from assetledger.services.inventory_counts import record_counts
from assetledger.services.inventory_reports import HEADERS_CN, inventory_status, level_records, write_report

FINDING_TITLES = {
    "missing": "盘亏 shortages",
    "surplus": "盘盈 surpluses",
    "damaged": "毁损 damaged",
    "idle": "闲置 idle",
}


@click.group("inventory")
def command() -> None:
    """Annual inventory (清查): village-collective assets every year, state-owned every three years.

    \b
    assetledger inventory open --year 2025 --scope county:360921
    assetledger inventory sheets 1 --out sheets/          # one XLSX + HTML count sheet per village
    assetledger inventory record sheets/360921101201-红旗村.xlsx   # filled sheets, as often as needed
    assetledger inventory status 1
    assetledger inventory close 1 --approval "示政〔2026〕3号" --date 2026-01-15
    assetledger inventory report 1 --out inventory-2025.xlsx
    """


@command.command("open")
@click.option("--year", type=YEAR, required=True, help="Inventory year (清查年度).")
@click.option("--scope", type=CODE, required=True, help="county:CODE, township:CODE or village:CODE.")
@click.option("--date", "on", type=DATE, help="Opening date (default today).")
@pass_app
def open_(app: App, year: int, scope: str, on: dt.date | None) -> None:
    """Open an inventory: select the assets due and say how many and why.

    Which assets are due is the [inventory] table of the governance policy stored for each asset's place, as the
    scan judges it (`asset policy store`, finance; none stored: ledgers/policy/governance.toml: collective yearly,
    state-owned every 3 years, household-level not counted), never a file given here; the inventory records every
    version that selected its assets."""
    try:
        parsed = parse_scope(scope)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scope") from exc
    result = open_inventory(app.db, year, parsed, app.actor, on)
    say(
        f"已开始清查 {result.inventory_id}：{year} 年，{result.scope}；应清查资产 {result.selected} 项",
        f"opened inventory {result.inventory_id}: {year}, {result.scope}; {result.selected} assets due",
    )
    rows = [
        {"reason": r.value, "说明": r.label, "assets": n}
        for r, n in sorted(result.reasons.items(), key=lambda item: item[0].value)
    ]
    click.echo(render_table(rows))


@command.command("list")
@click.option("--year", type=YEAR, help="Only this year.")
@format_option
@out_option
@pass_app
def list_(app: App, year: int | None, fmt: str, out: Path | None) -> None:
    """List inventories with their scope, size and close."""
    emit(records(list_inventories(app.db, app.actor, year)), fmt, out, sheet="inventories")


@command.command("sheets")
@click.argument("inventory_id", type=ROW_ID)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the sheets.")
@click.option("--no-html", is_flag=True, help="XLSX only.")
@click.option("--place", metavar="CODE", help="Only the sheet of this village (or township/county) code.")
@pass_app
def sheets(app: App, inventory_id: int, out: Path, no_html: bool, place: str | None) -> None:
    """Write the count sheets (清查表): one XLSX and one printable HTML per village (or township/county level); a
    reader whose scope lies inside the inventory's gets the sheets of its own places only."""
    written = write_sheets(app.db, inventory_id, out, app.actor, html=not no_html, only=place)
    if place is not None and not written:
        raise NotFoundError("count sheet", place)
    places = sum(1 for p in written if p.suffix == ".xlsx")
    say(
        f"已在 {out} 写入 {len(written)} 个文件，共 {places} 个地方",
        f"wrote {len(written)} files for {places} places in {out}",
    )


@command.command("record")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--inventory", "inventory_id", type=ROW_ID, help="Inventory id, when the sheet has no 清查编号 column.")
@sheet_option
@pass_app
def record(app: App, file: Path, inventory_id: int | None, sheet: str | None) -> None:
    """Record a filled count sheet (.xlsx or .csv), all or nothing.

    \b
    结果 (result): 在用 in use / 盘亏 missing / 毁损 damaged / 闲置 idle; 清查日期 (date) required.
    Rows not filled in yet are skipped; a later sheet with the same asset supersedes the earlier count.
    A row with an empty 资产编号 and a name and value is a surplus (盘盈): give 资产类别 (公益性/经营性).
    Any bad row: every problem is listed (file, row, column, value), exit code 2, nothing is written.
    A workbook is read from its one visible sheet with data; with several, name one with --sheet.
    """
    result = record_counts(app.db, file, app.actor, inventory_id, sheet=sheet)
    if result.already_recorded:
        say(
            f"{file} 已登记到清查 {result.inventory_id}，无需再登记",
            f"{file} was already recorded for inventory {result.inventory_id}; nothing to do",
        )
        return
    parts = ", ".join(f"{n} {r.label}" for r, n in sorted(result.by_result.items()))
    say(
        f"清查 {result.inventory_id}：已登记清查结果 {result.counted} 项，盘盈 {result.surpluses} 项；"
        f"其中 {result.superseded} 项取代此前的结果",
        f"inventory {result.inventory_id}: recorded {result.counted} counts ({parts or 'none'}), "
        f"{result.surpluses} surpluses; {result.superseded} supersede earlier counts",
    )


@command.command("status")
@click.argument("inventory_id", type=ROW_ID)
@click.option(
    "--level",
    type=click.Choice([level.value for level in PLACE_LEVELS]),
    default="township",
    show_default=True,
    help="Completion by this level.",
)
@click.option("--limit", type=LIMIT, default=20, show_default=True, help="Rows shown per finding list (table format).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_app
def status(app: App, inventory_id: int, level: str, limit: int, fmt: str) -> None:
    """Progress and reconciliation: completion, register vs count vs books, shortages, surpluses, damaged, idle."""
    s = inventory_status(app.db, inventory_id, app.actor)
    if fmt == "json":
        data: dict[str, Any] = {
            "summary": {r.item: r.value for r in s.summary_rows()},
            "levels": {lv.value: records(rows) for lv, rows in s.levels.items()},
            "findings": {key: records(s.findings.of(key)) for key in ("missing", "surplus", "damaged", "idle")},
        }
        click.echo(render_json(data))
        return
    click.echo(render_table(records(s.summary_rows()), {"item": "项目", "value": "数值"}))
    click.echo(f"\n完成情况 completion by {level}")
    rows = level_records(s.levels[RegionLevel(level)])
    click.echo(render_table(rows, HEADERS_CN))
    for key, title in FINDING_TITLES.items():
        found = records(s.findings.of(key))
        if not found:
            continue
        click.echo(f"\n{title}: {len(found)}")
        click.echo(render_table(found[:limit], HEADERS_CN))
        if len(found) > limit:
            say(
                f"…… 另有 {len(found) - limit} 项（清查报告中全部列出）",
                f"... and {len(found) - limit} more (inventory report has them all)",
            )


@command.command("close")
@click.argument("inventory_id", type=ROW_ID)
@click.option("--approval", required=True, help="Approval document for the write-offs and surpluses (批复文号).")
@click.option("--date", "on", type=DATE, help="Close date (default today): the date of the entries and events.")
@click.option("--allow-uncounted", is_flag=True, help="Close although some assets were not counted (left as they are).")
@pass_app
def close(app: App, inventory_id: int, approval: str, on: dt.date | None, allow_uncounted: bool) -> None:
    """Close: write off approved shortages, register surpluses, update statuses. A second close does nothing."""
    r = close_inventory(app.db, inventory_id, approval, app.actor, on, allow_uncounted=allow_uncounted)
    if r.already_closed:
        say(
            f"清查 {inventory_id} 已于 {r.closed_on} 结束（{r.approval}），无需再结束",
            f"inventory {inventory_id} was already closed on {r.closed_on} ({r.approval}); nothing to do",
        )
        return
    changes = ", ".join(f"{n} → {s} ({AssetStatus(s).label})" for s, n in r.status_changes.items()) or "none"
    say(
        f"清查 {inventory_id} 已于 {r.closed_on} 结束（{r.approval}）：核销盘亏 {len(r.written_off)} 项"
        f"（{r.written_off_value} 元），登记盘盈 {len(r.surplus_assets)} 项（{r.surplus_value} 元），"
        f"状态变更 {sum(r.status_changes.values())} 项；分录 {r.entries} 笔"
        + (f"；{r.uncounted} 项资产未清查" if r.uncounted else ""),
        f"closed inventory {inventory_id} on {r.closed_on} ({r.approval}): {len(r.written_off)} shortages written off "
        f"({r.written_off_value} 元), {len(r.surplus_assets)} surpluses registered ({r.surplus_value} 元), "
        f"status changes: {changes}; {r.entries} entries"
        + (f"; {r.uncounted} assets left uncounted" if r.uncounted else ""),
    )


@command.command("report")
@click.argument("inventory_id", type=ROW_ID)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .xlsx to write.")
@pass_app
def report(app: App, inventory_id: int, out: Path) -> None:
    """Inventory report (XLSX): summary, completion and findings by county/township/village, the finding lists."""
    path, s = write_report(app.db, inventory_id, out, app.actor)
    t = s.total
    counted, items, missing, surplus = (t.counted, t.items, t.missing, t.surplus) if t else (0, 0, 0, 0)
    say(
        f"已写入 {path}：应清查 {items} 项，已清查 {counted} 项，盘亏 {missing} 项，盘盈 {surplus} 项",
        f"wrote {path}: {counted} of {items} counted ({t.completion if t else None}%), {missing} shortages, "
        f"{surplus} surpluses",
    )
