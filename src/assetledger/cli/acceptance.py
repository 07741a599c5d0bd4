"""`assetledger asset accept`: assets built by projects and accepted (竣工验收), registered yet or not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from assetledger.cli.common import CODE, DATE, ID, App, pass_app, say, sheet_option
from assetledger.services.acceptance import Acceptance, import_acceptances, record_acceptance


@click.command("accept")
@click.argument("asset_id", type=ID, required=False)
@click.option("--name", help="What was built (资产名称).")
@click.option("--region", type=CODE, help="Where it stands: a village, township or county code.")
@click.option("--date", "on", type=DATE, help="Acceptance date (验收日期).")
@click.option("--doc", help="Acceptance document (验收文号), e.g. 县验〔2026〕5号.")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path),
              help="An acceptance list (竣工验收清单, CSV or XLSX) instead of one asset.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="With --file: check every row, write nothing.")
@sheet_option
@pass_app
def accept_cmd(app: App, asset_id: str | None, name: str | None, region: str | None, on: dt.date | None,
               doc: str | None, file: Path | None, dry_run: bool, sheet: str | None) -> None:  # fmt: skip
    """Record that an asset built by a project was accepted (竣工验收) on a date, before or after it is registered.

    The supervision rule unregistered_after_acceptance (验收后未登记) warns when the asset is not on the register N
    days after (`supervise warnings`); registering it under ASSET_ID clears the warning. A later acceptance of the
    same id corrects the earlier one; the same one again records nothing.

    A list: --file with columns 资产编号, 资产名称, 行政区划代码 (or 县/乡镇/村), 验收日期 and optionally 验收文号;
    all or nothing (every bad row listed, exit 2), the same file twice records nothing. A workbook is read from
    its one visible sheet with data; with several, name one with --sheet.

    \b
    assetledger asset accept A-9 --name 冷库 --region 360921101201 --date 2026-03-01 --doc 县验〔2026〕5号
    assetledger asset accept --file 竣工验收清单.xlsx --dry-run
    """
    if file is not None:
        if asset_id or name or region or on or doc:
            raise click.UsageError(
                "请给出 --file，或一项资产（资产编号 --name --region --date），不能两者都给"
                " (give --file, or one asset (ASSET_ID --name --region --date), not both)"
            )
        done = import_acceptances(app.db, file, app.actor, dry_run=dry_run, sheet=sheet)
        for note in done.notes:
            click.echo(note, err=True)
        said = "would record" if done.dry_run else "recorded"
        say(
            f"{done.source}：{done.rows} 行；{'试运行：将登记' if done.dry_run else '已登记'}验收 {done.recorded} 项",
            f"{done.source}: {done.rows} row(s); {said} {done.recorded} acceptance(s)",
        )
        return
    if not (asset_id and name and region and on):
        raise click.UsageError(
            "请给出 资产编号、--name、--region 和 --date（或 --file）"
            " (give ASSET_ID, --name, --region and --date (or --file))"
        )
    if dry_run or sheet is not None:
        flag = "--dry-run" if dry_run else "--sheet"
        raise click.UsageError(f"{flag} 须与 --file 一起用 ({flag} goes with --file)")
    number = record_acceptance(app.db, Acceptance(asset_id, name, region, on, doc), app.actor)
    say(f"验收 {number}：{asset_id} 已于 {on} 验收", f"acceptance {number}: {asset_id} accepted on {on}")
