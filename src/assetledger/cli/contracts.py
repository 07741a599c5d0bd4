"""`assetledger contract`: the operating contracts register (经营合同台账): import, add, list, terminate, alerts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from assetledger.cli.common import (
    CODE,
    DATE,
    ID,
    MONEY,
    App,
    EnumType,
    emit,
    format_option,
    out_option,
    pass_app,
    say,
    sheet_option,
)
from assetledger.domain.contracts import Frequency, Terms, Timing, term_problems
from assetledger.domain.enums import OperatingMode
from assetledger.errors import Finding, InputError
from assetledger.io.contract_rows import ContractRow
from assetledger.services.contract_alerts import ContractAlert, contract_alerts
from assetledger.services.contracts import (
    ContractView,
    add_contract,
    adopt_register,
    import_contracts,
    list_contracts,
    terminate_contract,
)

CONTRACT_HEADERS = {
    "code": "合同编号", "assets": "资产编号", "operator": "经营主体", "mode": "经营方式", "start": "起始日期",
    "end": "截止日期", "effective_end": "有效至", "amount": "每期金额", "frequency": "支付周期", "timing": "先付/后付",
    "annual": "年租金/收益", "deposit": "保证金", "paid_through": "已缴至", "renews": "续签自", "terminated": "解除",
}  # fmt: skip
ALERT_HEADERS = {
    "finding": "预警", "asset_id": "资产编号", "name": "资产名称", "county_code": "县", "township_code": "乡镇",
    "village_code": "村", "contract": "合同编号", "operator": "经营主体", "mode": "经营方式", "start": "起始日期",
    "end": "有效至", "amount": "金额", "expected": "应收", "posted": "已入账", "detail": "说明",
}  # fmt: skip


def contract_row(c: ContractView, *, human: bool = True) -> dict[str, Any]:
    return {
        "code": c.code, "assets": "、".join(c.asset_ids), "operator": c.operator,
        "mode": c.mode.label if human else c.mode.value, "start": c.start, "end": c.end,
        "effective_end": c.effective_end, "amount": c.amount,
        "frequency": c.frequency.label if human else c.frequency.value,
        "timing": c.timing.label if human else c.timing.value, "annual": c.annual, "deposit": c.deposit,
        "paid_through": c.paid_through, "renews": c.renews,
        "terminated": f"{c.terminated_on} {c.termination_reason}" if c.terminated_on else None,
    }  # fmt: skip


def alert_row(a: ContractAlert, *, human: bool = True) -> dict[str, Any]:
    return {
        "finding": a.kind.label if human else a.kind.value, "asset_id": "、".join(a.asset_ids), "name": a.name,
        "county_code": a.county_code, "township_code": a.township_code, "village_code": a.village_code,
        "contract": a.contract, "operator": a.operator, "mode": (a.mode.label if human else a.mode.value) if a.mode
        else None, "start": a.start, "end": a.end, "amount": a.amount, "expected": a.expected, "posted": a.posted,
        "detail": a.detail,
    }  # fmt: skip


@click.group("contract")
def command() -> None:
    """Operating contracts (经营合同台账): lease, contract-out, joint, shares, cooperative; schedules and alerts."""


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate every row; change nothing.")
@sheet_option
@pass_app
def import_cmd(app: App, file: Path, dry_run: bool, sheet: str | None) -> None:
    """Import a contracts file (合同台账, .xlsx or .csv), all or nothing.

    \b
    Headers in Chinese or English: 合同编号/code, 资产编号/assets (several: A-1、A-2), 经营主体/operator,
    经营方式/mode (出租 lease, 发包 contract_out, 委托 entrusted, 联营 joint, 入股 shares, 合作社 cooperative),
    合同起始日期/start, 合同截止日期/end; optional 签订日期, 每期金额 or 年租金, 支付周期 (按年/按季/按月),
    支付方式 (先付/后付, default 后付), 已缴至 (settled before it is recorded), 保证金, 续签合同编号, 备注.
    Any bad row: every problem is listed (exit 2), nothing is written. The same file twice is a no-op. A workbook
    is read from its one visible sheet with data; hidden sheets are skipped; with several, name one with --sheet.
    """
    result = import_contracts(app.db, file, app.actor, dry_run=dry_run, sheet=sheet)
    if result.already_imported:
        say(
            f"{file} 已作为第 {result.batch_id} 批导入过，无需再导入",
            f"{file} was already imported as batch {result.batch_id}; nothing to do",
        )
    elif dry_run:
        say(
            f"试运行：{result.assets} 项资产的 {result.contracts} 份合同均有效，未写入任何内容",
            f"dry run: {result.contracts} contracts on {result.assets} assets are valid; nothing was written",
        )
    else:
        say(
            f"已导入 {result.assets} 项资产的 {result.contracts} 份合同，第 {result.batch_id} 批",
            f"imported {result.contracts} contracts on {result.assets} assets as batch {result.batch_id}",
        )


@command.command("add")
@click.option("--code", type=ID, required=True, help="Contract number (合同编号), unique.")
@click.option(
    "--asset", "assets", type=ID, multiple=True, required=True, help="Operating asset it covers; repeat for several."
)
@click.option("--operator", required=True, help="Operator (经营主体): the lessee, contractor or partner.")
@click.option("--mode", type=EnumType(OperatingMode), required=True, help="Operating mode (经营方式).")
@click.option("--start", type=DATE, required=True, help="First day of the term.")
@click.option("--end", type=DATE, required=True, help="Last day of the term.")
@click.option("--amount", type=MONEY, help="Each payment (yuan); leave out when nothing fixed is due (dividends).")
@click.option("--frequency", type=click.Choice([f.value for f in Frequency]), default="annual", show_default=True,
              help="Payments per year: one, four or twelve.")  # fmt: skip
@click.option("--timing", type=click.Choice([t.value for t in Timing]), default="arrears", show_default=True,
              help="advance 先付 (due on a period's first day) or arrears 后付 (on its last day).")  # fmt: skip
@click.option("--signed-on", type=DATE, help="Date signed.")
@click.option("--paid-through", type=DATE, help="Rent settled through this date before the contract is recorded.")
@click.option("--deposit", type=MONEY, help="Deposit (保证金).")
@click.option("--renews", type=ID, help="Code of the contract this one renews (续签).")
@click.option("--note", help="Note.")
@pass_app
def add_cmd(app: App, /, **o: Any) -> None:
    """Record one operating contract."""
    terms = Terms(o["mode"], o["start"], o["end"], o["amount"], Frequency(o["frequency"]), Timing(o["timing"]),
                  o["paid_through"])  # fmt: skip
    problems = term_problems(terms, deposit=o["deposit"])
    if problems:
        raise InputError([Finding("contract add", None, field, None, reason) for field, reason in problems])
    row = ContractRow(0, o["code"], tuple(o["assets"]), o["operator"], o["signed_on"], terms, o["deposit"],
                      o["renews"], o["note"])  # fmt: skip
    add_contract(app.db, row, app.actor)
    annual = "" if terms.annual is None else f", {terms.annual:,.2f} 元 a year"
    yearly = "" if terms.annual is None else f"，每年 {terms.annual:,.2f} 元"
    assets = "、".join(row.asset_ids)
    say(
        f"已登记合同 {row.code}：{assets}，{terms.start} 至 {terms.end}{yearly}",
        f"contract {row.code}: {assets} {terms.start} – {terms.end}{annual}",
    )


@command.command("list")
@click.option("--within", type=CODE, help="Only assets in this county, township or village (default: your scope).")
@click.option("--as-of", type=DATE, help="Only contracts in force on this date.")
@format_option
@out_option
@pass_app
def list_cmd(app: App, within: str | None, as_of: dt.date | None, fmt: str, out: Path | None) -> None:
    """List contracts with their terms and schedules; as a table, CSV, JSON or XLSX."""
    human = fmt in ("table", "xlsx")
    rows = [contract_row(c, human=human) for c in list_contracts(app.db, app.actor, within=within, as_of=as_of)]
    emit(rows, fmt, out, headers=CONTRACT_HEADERS if human else None, sheet="contracts", title="经营合同台账")
    if fmt == "table":
        total = sum((r["annual"] or Decimal(0) for r in rows), Decimal("0.00"))
        click.echo(f"{len(rows)} contracts, {total:,.2f} 元 a year")


@command.command("adopt")
@click.option("--within", type=CODE, help="Only assets in this county, township or village.")
@click.option("--paid-through", type=DATE, help="Rent settled through this date before (e.g. the day before the "
              "books start); without it every year of the term is expected.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Check and count; record nothing.")
@pass_app
def adopt_cmd(app: App, within: str | None, paid_through: dt.date | None, dry_run: bool) -> None:
    """Record the register's contract facts (经营主体, 经营方式, 合同起始/截止日期, 年收益) as contracts, for
    operating assets registered before the contracts register existed. Codes TZ-<asset id>; yearly, in arrears."""
    result = adopt_register(app.db, app.actor, within=within, paid_through=paid_through, dry_run=dry_run)
    verb = "would record" if dry_run else "recorded"
    say(
        f"{'试运行：将按台账登记' if dry_run else '已按台账登记'} {result.contracts} 份合同",
        f"{verb} {result.contracts} contracts from the register",
    )


@command.command("terminate")
@click.argument("code", type=ID)
@click.option("--date", "on", type=DATE, required=True, help="Last day the contract binds.")
@click.option("--reason", required=True, help="Why (e.g. 承租方违约, 协商解除).")
@pass_app
def terminate_cmd(app: App, code: str, on: dt.date, reason: str) -> None:
    """End a contract before its term (解除/终止); the asset then needs a new contract."""
    view = terminate_contract(app.db, code, on, reason, app.actor)
    assets = "、".join(view.asset_ids)
    say(f"合同 {code}（{assets}）于 {on} 终止", f"contract {code} ({assets}) ends on {on}")


@command.command("alerts")
@click.option("--as-of", "as_of", type=DATE, default=dt.date.today(), help="Date of the check (default today).")
@click.option("--within", type=CODE, help="Only this county, township or village (default: your scope).")
@format_option
@out_option
@pass_app
def alerts_cmd(app: App, as_of: dt.date, within: str | None, fmt: str, out: Path | None) -> None:
    """Contract alerts (DOMAIN rule 20): no contract, expired, expiring, over the legal term, arrears, low rent.

    The days of grace, the arrears tolerance, the legal limits and the rent floors are the [contracts] of the
    governance policy stored for each asset's county (`asset policy show`; none stored:
    ledgers/policy/governance.toml), never a file given here."""
    human = fmt in ("table", "xlsx")
    rows = [alert_row(a, human=human) for a in contract_alerts(app.db, as_of, app.actor, within)]
    emit(rows, fmt, out, headers=ALERT_HEADERS if human else None, sheet="contract alerts",
         title=f"经营合同预警（截至{as_of}）")  # fmt: skip
    if fmt == "table":
        say(f"截至 {as_of} 合同预警 {len(rows)} 条", f"{len(rows)} contract alert(s) as of {as_of}")
