"""`assetledger asset accept`: an asset built by a project and accepted (竣工验收), registered yet or not."""

from __future__ import annotations

import datetime as dt

import click

from assetledger.cli.common import DATE, App, pass_app
from assetledger.services.acceptance import Acceptance, record_acceptance


@click.command("accept")
@click.argument("asset_id")
@click.option("--name", required=True, help="What was built (资产名称).")
@click.option("--region", required=True, help="Where it stands: a village, township or county code.")
@click.option("--date", "on", type=DATE, required=True, help="Acceptance date (验收日期).")
@click.option("--doc", help="Acceptance document (验收文号), e.g. 县验〔2026〕5号.")
@pass_app
def accept_cmd(app: App, asset_id: str, name: str, region: str, on: dt.date, doc: str | None) -> None:
    """Record that an asset built by a project was accepted (竣工验收) on a date, before or after it is registered.

    The supervision rule unregistered_after_acceptance (验收后未登记) warns when the asset is not on the register N
    days after (`supervise warnings`); registering it under ASSET_ID clears the warning. A later acceptance of the
    same id corrects the earlier one; the same one again records nothing.

    \b
    assetledger asset accept A-9 --name 冷库 --region 360921101201 --date 2026-03-01 --doc 县验〔2026〕5号
    """
    number = record_acceptance(app.db, Acceptance(asset_id, name, region, on, doc), app.actor)
    click.echo(f"acceptance {number}: {asset_id} accepted on {on}")
