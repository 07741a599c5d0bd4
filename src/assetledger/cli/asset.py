"""`assetledger asset`: register, import, confirm, hand over, assign custody, change status, list, show."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from assetledger.cli.common import (
    CODE,
    DATE,
    ID,
    LIMIT,
    MONEY,
    QUANTITY,
    YEAR,
    App,
    EnumType,
    collector_held,
    emit,
    format_option,
    out_option,
    pass_app,
    say,
    sheet_option,
)
from assetledger.cli.lazy import Lazy, LazyGroup
from assetledger.domain.assets import AssetDraft, Custody, Handover, Ownership
from assetledger.domain.enums import AssetStatus, FundSource, LabelledEnum, OperatingMode, OwnerKind, Register
from assetledger.domain.money import MoneyFormatError, parse_money
from assetledger.domain.register_fields import LIST_FIELDS, column_label
from assetledger.io.output import records, render_json, render_table
from assetledger.services import assets as svc
from assetledger.services.asset_changes import apply_file
from assetledger.services.asset_queries import AssetFilter, list_assets, show_asset

GOVERNANCE = {
    "scan": Lazy(
        "assetledger.cli.governance:scan_cmd",
        "List idle (闲置) and loss-making (亏损) assets as of a date, with their evidence.",
    ),
    "revitalise": Lazy(
        "assetledger.cli.governance:revitalise_cmd",
        "Revitalise (盘活) an idle or loss-making asset: new operator or mode; it returns to use.",
    ),
    "decide-dispose": Lazy(
        "assetledger.cli.governance:decide_dispose_cmd",
        "Record the governance decision to dispose of an asset (the disposal itself follows with approval).",
    ),
    "dispose": Lazy(
        "assetledger.cli.governance:dispose_cmd",
        "Dispose of an asset (处置): it leaves the register and the books; gain or loss is booked; "
        "proceeds of collective assets go to the restricted account for consolidation and "
        "revitalisation.",
    ),
    "policy": Lazy(
        "assetledger.cli.governance:policy_group",
        "The county's governance policy (治理政策), stored and versioned: disposal approval levels, scan and "
        "contract thresholds.",
    ),
}


PAPERS = {
    "accept": Lazy(
        "assetledger.cli.acceptance:accept_cmd",
        "Record that an asset built by a project was accepted (竣工验收) on a date, before or after it is registered.",
    ),
    "attach": Lazy(
        "assetledger.cli.documents:attach_cmd",
        "Attach documents of record (资产档案) to assets: approval, acceptance, handover, ownership, photos, "
        "contracts, disposal, inventory evidence.",
    ),
    "certificate": Lazy(
        "assetledger.cli.certificates:certificate_cmd",
        "Print ownership certificates (确权证书) of confirmed assets: one asset or a village, HTML or PDF.",
    ),
    "label": Lazy(
        "assetledger.cli.certificates:label_cmd",
        "Print asset labels with a QR code that opens the asset's page: one asset or a village, HTML or PDF.",
    ),
}


@click.group("asset", cls=LazyGroup, lazy=GOVERNANCE | PAPERS)
def command() -> None:
    """The three registers (三本台账): public-benefit 公益性, operating 经营性, household-level 到户类."""


def _funding(values: tuple[str, ...]) -> tuple[tuple[FundSource, Decimal], ...]:
    parts = []
    for item in values:
        if "=" not in item:
            raise click.BadParameter(
                f"{item!r}：应写作 来源=金额，如 central=500000 (write SOURCE=AMOUNT, e.g. central=500000)",
                param_hint="--fund",
            )
        source_text, amount_text = item.split("=", 1)
        try:
            parts.append((FundSource.parse(source_text), parse_money(amount_text)))
        except (ValueError, MoneyFormatError) as exc:
            raise click.BadParameter(f"{item!r}: {exc}", param_hint="--fund") from exc
    return tuple(parts)


@command.command("register")
@click.option("--id", "asset_id", type=ID, required=True, help="Asset id (资产编号), unique.")
@click.option("--name", required=True, help="Asset name (资产名称).")
@click.option("--register", "register", type=EnumType(Register), required=True, help="公益性/经营性/到户类.")
@click.option(
    "--region", type=CODE, required=True, help="Region code of the village (or township/county) where it sits."
)
@click.option("--value", type=MONEY, required=True, help="Original value in yuan (资产原值).")
@click.option("--fund", multiple=True, help="Fund source and amount, SOURCE=AMOUNT; repeat. Must add up to --value.")
@click.option("--category", help="Kind of asset (资产分类), e.g. 光伏电站, 道路, 冷库.")
@click.option("--project", help="Project name (项目名称).")
@click.option("--year", type=YEAR, help="Construction year (建设年度).")
@click.option(
    "--acquired-on",
    type=DATE,
    help="Acquisition date (取得日期). The asset enters the books on it; without it on 31 December of --year "
    "(today, when --year is this year); with neither, as part of the opening balance (期初) on the day the books "
    "start.",
)
@click.option("--implementer", help="Implementing unit (实施单位).")
@click.option("--quantity", type=QUANTITY, help="Quantity (数量).")
@click.option("--unit", help="Unit (单位).")
@click.option("--location", help="Location (坐落位置).")
@click.option("--operating-mode", type=EnumType(OperatingMode), help="Operating assets: 经营方式.")
@click.option("--operator", help="Operating assets: operator (经营主体).")
@click.option("--contract-start", type=DATE, help="Operating assets: contract start.")
@click.option("--contract-end", type=DATE, help="Operating assets: contract end.")
@click.option("--annual-income", type=MONEY, help="Operating assets: contracted yearly income (yuan).")
@click.option("--household-id", type=ID, help="Household-level assets: household id (户编号).")
@click.option("--household-head", help="Household-level assets: head of household (户主).")
@pass_app
def register(app: App, /, **opts: Any) -> None:
    """Register one asset."""
    draft = AssetDraft(
        asset_id=opts["asset_id"],
        name=opts["name"],
        register=opts["register"],
        region_code=opts["region"],
        original_value=opts["value"],
        funding=_funding(opts["fund"]),
        category=opts["category"],
        project_name=opts["project"],
        build_year=opts["year"],
        acquired_on=opts["acquired_on"],
        implementer=opts["implementer"],
        quantity=opts["quantity"],
        unit=opts["unit"],
        location=opts["location"],
        operating_mode=opts["operating_mode"],
        operator=opts["operator"],
        contract_start=opts["contract_start"],
        contract_end=opts["contract_end"],
        contract_annual_income=opts["annual_income"],
        household_id=opts["household_id"],
        household_head=opts["household_head"],
    )
    svc.register_asset(app.db, draft, app.actor)
    say(
        f"已登记 {draft.asset_id} {draft.name}，{draft.register.label}台账，{draft.original_value} 元",
        f"registered {draft.asset_id} {draft.name} in the {draft.register.label} register, {draft.original_value} 元",
    )


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate every row; change nothing.")
@sheet_option
@pass_app
def import_(app: App, file: Path, dry_run: bool, sheet: str | None) -> None:
    """Import a register (台账) from .xlsx or .csv, all or nothing.

    \b
    Headers in Chinese or English, e.g. 资产编号/asset_id, 资产名称/name, 资产类别/register (公益性/经营性/到户类),
    县/乡镇/村 or 行政区划代码, 项目名称, 建设年度, 资产原值, 数量, 单位, 资金来源 or one column per source
    (中央衔接资金, 省级衔接资金, ...), 确权主体, 确权级别, 确权日期, 移交日期, 管护主体, 管护起始日期, 经营方式,
    经营主体, 合同起始日期, 合同截止日期, 年收益, 户编号, 户主姓名, 受益户数. Amounts in yuan, or 万元 when the header
    says so (or when a line above the header says 单位：万元, for amount columns that name no unit: the import
    says so). A workbook is read from its one visible sheet with data; hidden sheets are skipped; with several,
    name one with --sheet. Hidden rows or columns that hold data (by hand or by a filter) are refused, named.
    A 确权层级 column alone (县/区/旗, 乡/镇/街道, 村/社区, 户) confirms each asset to the standard owner of
    that level at its place (村 → XX村股份经济合作社, 乡镇/县 → 人民政府; 户 → its household, or households still
    to be attached), dated by 确权日期, else 移交日期, 取得日期 or 31 December of 建设年度. Household-level (到户类)
    rows may come without their household. Columns not used are listed (列 X 未使用). Names of fund sources,
    levels, registers, statuses and modes: `assetledger vocabulary`.
    Any bad row: every problem is listed (file, row, column, value, reason), exit code 2, nothing is written.
    The same file imported twice is recognised and skipped.
    """
    with collector_held():
        result = svc.import_assets(app.db, file, app.actor, dry_run=dry_run, sheet=sheet)
    if result.already_imported:
        say(
            f"{file} 已作为第 {result.batch_id} 批导入过，无需再导入",
            f"{file} was already imported as batch {result.batch_id}; nothing to do",
        )
        return
    for header in result.ignored:
        click.echo(f"列 {header} 未使用 column {header} not used")
    parts = ", ".join(f"{n} {r.label}" for r, n in result.by_register.items())
    if dry_run:
        say(
            f"试运行：{result.rows} 行均有效，未写入任何内容",
            f"dry run: {result.rows} rows are valid ({parts}); nothing was written",
        )
    else:
        say(
            f"已导入 {result.rows} 项资产，第 {result.batch_id} 批",
            f"imported {result.rows} assets ({parts}) as batch {result.batch_id}",
        )


_ALREADY_ZH = "；已登记，无变更"
_ALREADY_EN = "; already recorded, nothing changed"


@command.command("confirm")
@click.argument("asset_id", type=ID)
@click.option("--owner", required=True, help="Owner (确权主体), e.g. XX村股份经济合作社.")
@click.option("--owner-kind", type=EnumType(OwnerKind), required=True, help="Confirmation level.")
@click.option("--date", "on", type=DATE, required=True, help="Date of confirmation.")
@click.option("--doc", help="Confirmation document (确权文件/文号).")
@click.option("--handover-date", type=DATE, help="Also record the handover (移交) on this date.")
@click.option("--handover-from", help="Handing-over unit (usually the implementer).")
@click.option("--handover-doc", help="Handover document.")
@pass_app
def confirm(
    app: App,
    asset_id: str,
    owner: str,
    owner_kind: OwnerKind,
    on: dt.date,
    doc: str | None,
    handover_date: dt.date | None,
    handover_from: str | None,
    handover_doc: str | None,
) -> None:
    """Confirm the ownership of an asset (确权登记), optionally with its handover (移交)."""
    done = svc.confirm_ownership(app.db, asset_id, Ownership(owner, owner_kind, on, doc), app.actor)
    say(
        f"{asset_id}：确权给 {owner}（{owner_kind.label}），自 {on} 起" + ("" if done else _ALREADY_ZH),
        f"{asset_id}: owner {owner} ({owner_kind.label}) from {on}" + ("" if done else _ALREADY_EN),
    )
    if handover_date:
        done = svc.record_handover(app.db, asset_id, Handover(handover_date, handover_from, handover_doc), app.actor)
        say(
            f"{asset_id}：{handover_date} 已移交" + ("" if done else _ALREADY_ZH),
            f"{asset_id}: handed over on {handover_date}" + ("" if done else _ALREADY_EN),
        )


@command.command("handover")
@click.argument("asset_id", type=ID)
@click.option("--date", "on", type=DATE, required=True, help="Handover date.")
@click.option("--from", "from_unit", help="Handing-over unit.")
@click.option("--doc", help="Handover document.")
@pass_app
def handover(app: App, asset_id: str, on: dt.date, from_unit: str | None, doc: str | None) -> None:
    """Record the handover (移交) of an asset to its owner."""
    done = svc.record_handover(app.db, asset_id, Handover(on, from_unit, doc), app.actor)
    say(
        f"{asset_id}：{on} 已移交" + ("" if done else _ALREADY_ZH),
        f"{asset_id}: handed over on {on}" + ("" if done else _ALREADY_EN),
    )


@command.command("custodian")
@click.argument("asset_id", type=ID)
@click.option("--name", required=True, help="Custodian (管护主体/责任人).")
@click.option("--from", "start", type=DATE, required=True, help="Responsible from this date.")
@click.option("--duties", help="Duties (管护责任).")
@pass_app
def custodian(app: App, asset_id: str, name: str, start: dt.date, duties: str | None) -> None:
    """Assign or change the custodian (管护) of an asset; the previous assignment stays in the history."""
    done = svc.assign_custodian(app.db, asset_id, Custody(name, start, duties), app.actor)
    say(
        f"{asset_id}：管护主体 {name}，自 {start} 起" + ("" if done else _ALREADY_ZH),
        f"{asset_id}: custodian {name} from {start}" + ("" if done else _ALREADY_EN),
    )


@command.command("status")
@click.argument("asset_id", type=ID)
@click.argument("status", type=EnumType(AssetStatus))
@click.option("--date", "on", type=DATE, default=dt.date.today(), help="Effective date (default today).")
@click.option("--reason", help="Why (e.g. 设备损坏, 停产).")
@pass_app
def status(app: App, asset_id: str, status: AssetStatus, on: dt.date, reason: str | None) -> None:
    """Change the status of an asset: in_use 在用, idle 闲置, damaged 毁损 (disposal has its own command)."""
    done = svc.change_status(app.db, asset_id, status, on, app.actor, reason=reason)
    say(
        f"{asset_id}：状态 {status.label}" + (f"，自 {on} 起" if done else _ALREADY_ZH),
        f"{asset_id}: status {status.label}" + (f" from {on}" if done else _ALREADY_EN),
    )


@command.group("bulk")
def bulk() -> None:
    """Changes from a file to assets already registered: confirm, handover, custodian, status (all or nothing)."""


BULK_COLUMNS = {
    "confirm": (
        "Confirm ownership (确权) of registered assets from a file.",
        "资产编号, 确权层级 (县/区, 乡镇, 村, 户, 部门, 企业); optional 确权主体, 确权日期, 确权文件. A level alone "
        "confirms to the standard owner of that level at the asset's place (村 → XX村股份经济合作社, 乡镇/县 → "
        "人民政府); without 确权日期 the asset's own 移交日期, 取得日期 or 31 December of 建设年度 dates it. An asset "
        "that moves to other books is transferred there on that date.",
    ),
    "handover": (
        "Record the handover (移交) of registered assets from a file.",
        "资产编号, 移交日期; optional 移交单位, 移交文件.",
    ),
    "custodian": (
        "Assign custodians (管护) of registered assets from a file; earlier assignments stay in the history.",
        "资产编号, 管护主体, 管护起始日期; optional 管护责任.",
    ),
    "status": (
        "Change the status of registered assets from a file: 在用, 闲置, 毁损.",
        "资产编号, 资产状态, 变更日期; optional 变更原因. Disposal and write-off have their own procedures.",
    ),
}


def _bulk_command(kind: str) -> click.Command:
    summary, columns = BULK_COLUMNS[kind]

    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check every row (and the books); change nothing.")
    @sheet_option
    @pass_app
    def run(app: App, file: Path, dry_run: bool, sheet: str | None) -> None:
        result = apply_file(app.db, kind, file, app.actor, dry_run=dry_run, sheet=sheet)
        for header in result.ignored:
            click.echo(f"列 {header} 未使用 column {header} not used")
        done = "dry run: would apply" if dry_run else "applied"
        say(
            ("试运行：将应用" if dry_run else "已应用")
            + f" {result.rows} 行中的 {result.applied} 行；{result.already} 行已登记，无变更"
            + ("；未写入任何内容" if dry_run else ""),
            f"{done} {result.applied} of {result.rows} rows; {result.already} already applied"
            + ("; nothing was written" if dry_run else ""),
        )

    run.__doc__ = (
        f"{summary}\n\nColumns (.xlsx or .csv, Chinese or English headers, as `asset import`): {columns}\n"
        "\nAll or nothing: every problem is listed (file, row, column, value, reason) and nothing is written; exit 2 "
        "for bad input, 5 when a rule refuses a change, 6 outside your region. A row the register already says is "
        "counted as already applied: the same file twice changes nothing."
    )
    return bulk.command(kind)(run)


for _kind in BULK_COLUMNS:
    _bulk_command(_kind)


def _named(value: LabelledEnum | str) -> str:
    """A code by its label; a stored text that is none of its vocabulary (written around the product) as it is."""
    return value.label if isinstance(value, LabelledEnum) else value


LIST_HEADERS = {str(f.column): f.zh for f in LIST_FIELDS}  # the catalogue's labels (domain/register_fields.py)


@command.command("list")
@click.option("--register", "register", type=EnumType(Register), help="Only this register.")
@click.option("--region", type=CODE, help="Only assets in this county, township or village (code).")
@click.option("--owner-kind", type=EnumType(OwnerKind), help="Only this confirmation level.")
@click.option("--unconfirmed", is_flag=True, help="Only assets without confirmed ownership.")
@click.option(
    "--without-household",
    is_flag=True,
    help="Only household-level assets (到户类) whose households are not attached yet (未落实到户).",
)
@click.option("--status", type=EnumType(AssetStatus), help="Only this status.")
@click.option("--fund-source", type=EnumType(FundSource), help="Only assets funded (partly) by this source.")
@click.option("--year", type=YEAR, help="Only assets built in this year.")
@click.option("--limit", type=LIMIT, help="At most this many rows.")
@format_option
@out_option
@pass_app
def list_(app: App, /, fmt: str, out: Path | None, **filters: Any) -> None:
    """List assets with filters; as a table, CSV, JSON or XLSX."""
    found = list_assets(app.db, AssetFilter(**filters), app.actor)
    rows = records(found)
    human = fmt in ("table", "xlsx")
    for row, asset in zip(rows, found, strict=True) if human else ():
        row["register"] = _named(asset.register)
        row["status"] = _named(asset.status)
        if asset.owner_kind:
            row["owner_kind"] = _named(asset.owner_kind)
    headers = LIST_HEADERS if human else None
    emit(rows, fmt, out, headers=headers, sheet="assets", title="扶贫项目资产台账" if fmt == "xlsx" else None)
    if fmt == "table":
        total = sum((r["original_value"] for r in rows), Decimal("0.00"))
        count, value = len(rows), f"{total:,.2f}"
        click.echo(f"共 {count} 项资产，原值合计 {value} 元 ({count} assets, original value {value} yuan)")


@command.command("show")
@click.argument("asset_id", type=ID)
@format_option
@out_option
@pass_app
def show(app: App, asset_id: str, fmt: str, out: Path | None) -> None:
    """Show one asset with its funding, custodians, documents, contracts and whole history."""
    from assetledger.cli.contracts import CONTRACT_HEADERS, contract_row  # only `asset show` needs them
    from assetledger.cli.story import story_text
    from assetledger.services.contracts import contracts_of
    from assetledger.services.documents import documents_of
    from assetledger.services.regions import region_names

    history = show_asset(app.db, asset_id, app.actor)
    papers = documents_of(app.db, asset_id, app.actor)
    contracts = contracts_of(app.db, asset_id, app.actor)
    if fmt == "json":
        custodians = [{"custodian": c.custodian, "duties": c.duties, "from": c.since, "by": c.by}
                      for c in history.custodians]  # fmt: skip
        text = render_json({"asset": history.asset, "funding": [asdict(f) for f in history.funding],
                            "custodians": custodians, "events": [asdict(e) for e in history.events],
                            "documents": [asdict(d) for d in papers],
                            "contracts": [asdict(c) for c in contracts]})  # fmt: skip
        if out:
            out.write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
        return
    if fmt in ("csv", "xlsx"):  # times in UTC without their zone: Excel holds none (PostgreSQL gives one)
        events = [{k: _utc(v) for k, v in asdict(e).items()} for e in history.events]
        emit(events, fmt, out, sheet=f"{asset_id} history")
        return
    facts = [{"字段 field": column_label(k), "值 value": v} for k, v in history.asset.items() if v is not None]
    click.echo(render_table(facts))
    click.echo("\n资金来源 funding")
    click.echo(render_table([{"资金来源 fund source": f.label, "金额 amount": f.amount} for f in history.funding]))
    click.echo("\n管护 custodians")
    click.echo(render_table([{column_label("custodian"): c.custodian, column_label("custodian_duties"): c.duties,
                              column_label("custodian_since"): c.since, "记录人 by": c.by}
                             for c in history.custodians]))  # fmt: skip
    click.echo("\n档案 documents")
    click.echo(render_table([{"类别": d.kind_label, "文件": d.name, "标题": d.title, "文件日期": d.document_date,
                              "大小": d.size, "sha256": d.sha256[:16] + "…", "上传人": d.actor,
                              "上传时间": d.recorded_at} for d in papers]))  # fmt: skip
    click.echo("\n经营合同 contracts")
    click.echo(render_table([contract_row(c) for c in contracts], CONTRACT_HEADERS))
    click.echo("\n事件 history")
    events = [{"area": "register", "kind": e.kind, "facts": e.details, "date": e.date, "actor": e.actor,
               "recorded_at": e.recorded_at} for e in history.events]  # fmt: skip
    click.echo(story_text(events, region_names(app.db), areas=False))


def _utc(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
