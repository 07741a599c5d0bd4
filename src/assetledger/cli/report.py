"""`assetledger report`: summaries people read."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import click

from assetledger.cli.common import CODE, DATE, ID, App, EnumType, emit, format_option, out_option, pass_app
from assetledger.cli.lazy import Lazy, LazyGroup
from assetledger.domain.enums import RegionLevel
from assetledger.io.household_rows import HEADERS as FACT_HEADERS
from assetledger.io.household_rows import shown_facts
from assetledger.io.output import records, render_table
from assetledger.services.book_reports import balances, income_by_account, income_by_asset
from assetledger.services.distribution_reports import household_history
from assetledger.services.register_summary import HEADERS_CN, OWNER_HEADERS_CN, register_by_owner, register_summary

GOVERNANCE = Lazy(
    "assetledger.cli.governance:governance_report_cmd",
    "The year's governance by county: still idle / loss-making, revitalised, disposed, gains and losses, restricted "
    "money received and spent.",
)


@click.group("report", cls=LazyGroup, lazy={"governance": GOVERNANCE})
def command() -> None:
    """Reports: register summaries (and, as the books grow, books, households, governance)."""


@command.command("registers")
@click.option("--level", type=EnumType(RegionLevel), default="county", show_default=True, help="Group by this level.")
@click.option("--within", type=CODE, help="Only inside this region (code).")
@click.option(
    "--by-owner",
    is_flag=True,
    help="The published table 确权到县(区)/乡镇/村/户: per register, count and original value by confirmation level.",
)
@format_option
@out_option
@pass_app
def registers(app: App, level: RegionLevel, within: str | None, by_owner: bool, fmt: str, out: Path | None) -> None:
    """Register summary (三本台账汇总): counts and value by register and confirmation level, and the gaps.

    Gaps: assets without confirmed ownership (未确权), public-benefit or operating assets handed over but without a
    custodian (已移交未落实管护), and household-level assets whose households are not attached (到户类未落实到户).
    With --by-owner: one row per register (公益性, 经营性, 到户类, 合计) with the count (项数) and original value (金额)
    confirmed to each level (县级 incl. 区/旗, 乡镇, 村集体, 部门, 农户, 企业) and not confirmed yet.
    """
    if by_owner:
        table = records(register_by_owner(app.db, app.actor, within))
        if fmt in ("table", "xlsx"):  # people read the register's name; files for programs keep its code
            table = [{k: v for k, v in r.items() if k != "register"} for r in table]
        headers = OWNER_HEADERS_CN if fmt in ("table", "xlsx") else None
        emit(table, fmt, out, headers=headers, sheet="by owner level", title="三本台账确权情况（项数、金额）")
        return
    rows = register_summary(app.db, level, app.actor, within)
    headers = HEADERS_CN if fmt in ("table", "xlsx") else None
    emit(
        records(rows),
        fmt,
        out,
        headers=headers,
        sheet=f"{level.value} summary",
        title=f"三本台账汇总（{level.label}）",
    )


@command.command("books")
@click.option("--entity", type=CODE, help="Entity code (all entities when omitted, for the income statement).")
@click.option("--balances", "show_balances", is_flag=True, help="Trial balance of --entity instead.")
@click.option("--by-asset", is_flag=True, help="Income, expenses and net per asset.")
@click.option("--from", "start", type=DATE, help="Period start (inclusive).")
@click.option("--to", "end", type=DATE, help="Period end (inclusive); for --balances, the as-of date.")
@format_option
@out_option
@pass_app
def books(
    app: App,
    entity: str | None,
    show_balances: bool,
    by_asset: bool,
    start: dt.date | None,
    end: dt.date | None,
    fmt: str,
    out: Path | None,
) -> None:
    """Balances and income statements per entity and per asset (科目余额表 / 收支明细)."""
    if show_balances:
        if not entity:
            raise click.UsageError("--balances 需要 --entity (--balances needs --entity)")
        rows = balances(app.db, entity, end, actor=app.actor)
        emit(records(rows), fmt, out, headers=BOOK_HEADERS, sheet="balances", title=f"{entity} 科目余额表")
        return
    if by_asset:
        by_asset_rows = income_by_asset(app.db, entity, start, end, actor=app.actor)
        emit(records(by_asset_rows), fmt, out, headers=BOOK_HEADERS, sheet="by asset", title="资产收支明细")
    else:
        account_rows = income_by_account(app.db, entity, start, end, actor=app.actor)
        emit(records(account_rows), fmt, out, headers=BOOK_HEADERS, sheet="income statement", title="收支表")


BOOK_HEADERS = {
    "entity_code": "核算主体",
    "name": "科目",
    "cn_name": "科目名称",
    "asset_id": "资产编号",
    "asset_name": "资产名称",
    "balance": "余额",
    "amount": "金额",
    "income": "收入",
    "expenses": "支出",
    "net": "净收益",
}


@command.command("household")
@click.argument("household_id", type=ID)
@format_option
@out_option
@pass_app
def household(app: App, household_id: str, fmt: str, out: Path | None) -> None:
    """What a household received across years: every share, when and how much of it was paid, and the shares of
    distributions taken back (冲销), which do not count (what was paid from them is set against later shares)."""
    facts, rows = household_history(app.db, household_id, app.actor)
    if fmt == "table":
        shown = shown_facts(asdict(facts))
        facts_rows = [{"field": FACT_HEADERS.get(k, k), "value": v} for k, v in shown.items()]
        click.echo(render_table(facts_rows, {"field": "项目", "value": "内容"}))
        click.echo("")
    emit(records(rows), fmt, out, headers=HOUSEHOLD_HEADERS if fmt in ("table", "xlsx") else None, sheet="shares")
    if fmt == "table":
        standing = [r for r in rows if r.reversed_on is None]
        total = sum((r.amount for r in standing), Decimal("0.00"))
        paid = sum((r.paid for r in rows if r.paid is not None), Decimal("0.00"))
        click.echo(
            f"共分得 {total:,.2f} 元（{len(standing)} 次分配），已发放 {paid:,.2f} 元 "
            f"received {total:,.2f} yuan in {len(standing)} distributions; paid out {paid:,.2f} yuan"
        )


HOUSEHOLD_HEADERS = {
    "period": "期间",
    "rule_code": "分配方案",
    "months": "享受月数",
    "amount": "金额",
    "paid_on": "发放日期",
    "paid": "发放金额",
    "reversed_on": "冲销日期",
}
