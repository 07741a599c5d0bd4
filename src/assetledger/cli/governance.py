"""Idle and loss-making assets (闲置/亏损资产治理), disposal, reinvestment and the maintenance fund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import click

from assetledger.cli.common import (
    CODE,
    DATE,
    ID,
    MONEY,
    ROW_ID,
    YEAR,
    App,
    EnumType,
    emit,
    format_option,
    out_option,
    pass_app,
    say,
)
from assetledger.cli.contracts import ALERT_HEADERS, alert_row
from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.assets import AssetDraft
from assetledger.domain.enums import LabelledEnum, OperatingMode, Register
from assetledger.domain.governance import (
    APPROVAL_ORDER,
    DisposalMethod,
    FlaggedAsset,
    GovernanceAction,
    MaintenanceDecision,
)
from assetledger.domain.register_fields import by_column
from assetledger.io.output import records, render_table, write_xlsx
from assetledger.reports.charts import bar_chart, label
from assetledger.services import maintenance as fund
from assetledger.services.contract_alerts import contract_alerts
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.governance import Revitalisation, decide_disposal, governance_report, revitalise, scan
from assetledger.services.governance_policies import PolicyInForce, policy_history, policy_in_force, store_policy
from assetledger.services.reinvest import reinvest_existing, reinvest_new

_REGISTER_COLUMNS = ("asset_id", "name", "register", "category", "county_code", "township_code", "village_code",
                     "status", "operator")  # fmt: skip
SCAN_HEADERS = {
    **{c: str(getattr(by_column(c), "zh", c)) for c in _REGISTER_COLUMNS},  # the catalogue's labels
    "book_value": "账面价值", "last_revenue": "最近收益日期", "trailing_revenue": "期间收益",
    "trailing_costs": "期间支出", "net": "净收益",
    "finding": "问题", "decision": "治理决定", "contract": "合同编号", "expected_revenue": "合同应得收益",
    "policy": "判定依据（治理政策）", "idle_months": "闲置判定月数", "loss_months": "亏损判定月数",
}  # fmt: skip
JUDGED_BY = ("policy", "idle_months", "loss_months")
FINDING_WORDS = {"marked_idle": "登记为闲置", "no_revenue": "长期无收益", "loss_making": "亏损"}  # FlaggedAsset.finding


def _scan_row(row: dict[str, object], asset: FlaggedAsset) -> dict[str, object]:
    """A row of the governance list as a person reads it (table, XLSX): the register, status and decision by their
    labels, the finding in words; a stored text that is none of its vocabulary as it is (`audit verify` names it)."""
    finding = "、".join(FINDING_WORDS.get(word, word) for word in asset.finding.split("+"))
    return row | {"register": _named(asset.register), "status": _named(asset.status), "finding": finding,
                  "decision": _named(asset.decision) if asset.decision else None}  # fmt: skip


def _named(value: object) -> object:
    return value.label if isinstance(value, (LabelledEnum, GovernanceAction)) else value


@click.command("scan")
@click.option("--as-of", "as_of", type=DATE, default=dt.date.today(), help="Scan date (default today).")
@click.option("--within", type=CODE, help="Only this county, township or village (code).")
@format_option
@out_option
@pass_app
def scan_cmd(app: App, as_of: dt.date, within: str | None, fmt: str, out: Path | None) -> None:
    """List idle (闲置) and loss-making (亏损) assets as of a date, with their evidence.

    Idle: marked idle, or an operating asset without revenue for N months (unless its contract made nothing due
    then). Loss-making: costs above revenue over the trailing period (revenue at least the rent its contract earned
    over it). The scan runs as one SQL aggregation inside the database. The table and the XLSX also list the
    contract alerts (no contract, expired, expiring, over the legal term, arrears, rent far below).

    The months and the contract thresholds are those of the governance policy stored for each asset's county
    (`asset policy show`; none stored: ledgers/policy/governance.toml): each row names the policy that judged it.
    """
    found = scan(app.db, as_of, app.actor, within)
    rows = records(found)
    if fmt in ("table", "xlsx"):  # a person reads it: codes by their labels; csv/json keep the codes for programs
        rows = [_scan_row(row, asset) for row, asset in zip(rows, found, strict=True)]
    if fmt == "xlsx":  # one workbook: the governance list and the contract findings
        alerts = [alert_row(a) for a in contract_alerts(app.db, as_of, app.actor, within)]
        target = out or Path("governance list.xlsx")
        write_xlsx(target, {"governance list": rows, "contract alerts": alerts}, SCAN_HEADERS | ALERT_HEADERS,
                   f"闲置低效亏损资产及经营合同预警清单（截至{as_of}）")  # fmt: skip
        say(
            f"已写入 {target}（资产 {len(rows)} 项，合同预警 {len(alerts)} 条）",
            f"wrote {target} ({len(rows)} assets, {len(alerts)} contract alerts)",
        )
        return
    shown = [{k: v for k, v in r.items() if k not in JUDGED_BY} for r in rows] if fmt == "table" else rows
    emit(shown, fmt, out, headers=SCAN_HEADERS if fmt == "table" else None, sheet="governance list",
         title=f"闲置低效亏损资产清单（截至{as_of}）")  # fmt: off
    if fmt == "table":
        for name, idle, loss in dict.fromkeys((r.policy, r.idle_months, r.loss_months) for r in found):
            click.echo(f"判定依据 judged by：{name}；闲置 {idle} 个月、亏损 {loss} 个月 (idle {idle} months, "
                       f"loss-making {loss} months)")  # fmt: skip
        decided = sum(1 for r in found if r.decision)
        say(
            f"需治理资产 {len(rows)} 项；已有决定 {decided} 项",
            f"{len(rows)} assets need governance; {decided} have a decision",
        )
        alerts = [alert_row(a) for a in contract_alerts(app.db, as_of, app.actor, within)]
        click.echo("\n经营合同预警 contract alerts (DOMAIN rule 20; `contract alerts` for CSV/JSON)")
        click.echo(render_table(alerts, ALERT_HEADERS))
        say(f"合同预警 {len(alerts)} 条", f"{len(alerts)} contract alert(s)")


@click.command("revitalise")
@click.argument("asset_id", type=ID)
@click.option("--date", "on", type=DATE, required=True, help="Date of the decision.")
@click.option("--operator", help="New operator (经营主体).")
@click.option("--mode", type=EnumType(OperatingMode), help="New operating mode.")
@click.option("--note", help="Note.")
@pass_app
def revitalise_cmd(
    app: App, asset_id: str, on: dt.date, operator: str | None, mode: OperatingMode | None, note: str | None
) -> None:
    """Revitalise (盘活) an idle or loss-making asset: new operator or mode; it returns to use."""
    revitalise(app.db, asset_id, Revitalisation(operator, mode, on, note), app.actor)
    say(f"{asset_id}：已于 {on} 盘活", f"{asset_id}: revitalised on {on}")


@click.command("decide-dispose")
@click.argument("asset_id", type=ID)
@click.option("--date", "on", type=DATE, required=True, help="Date of the decision.")
@click.option("--note", help="Why it cannot be revitalised.")
@pass_app
def decide_dispose_cmd(app: App, asset_id: str, on: dt.date, note: str | None) -> None:
    """Record the governance decision to dispose of an asset (the disposal itself follows with approval)."""
    decide_disposal(app.db, asset_id, on, note, app.actor)
    say(f"{asset_id}：已于 {on} 决定处置", f"{asset_id}: decided to dispose on {on}")


@click.command("dispose")
@click.argument("asset_id", type=ID)
@click.option(
    "--method",
    type=click.Choice([m.value for m in DisposalMethod]),
    required=True,
    help="How: auction, transfer or scrap. A write-off (核销) is not a disposal: `inventory close`.",
)
@click.option("--date", "on", type=DATE, required=True, help="Disposal date.")
@click.option("--proceeds", type=MONEY, default="0", show_default=True, help="Money received (yuan).")
@click.option("--approval", required=True, help="Approval document (批复文号).")
@click.option("--approved-by", type=click.Choice(APPROVAL_ORDER), required=True, help="Level that approved it.")
@pass_app
def dispose_cmd(
    app: App, asset_id: str, method: str, on: dt.date, proceeds: Decimal, approval: str, approved_by: str
) -> None:
    """Dispose of an asset (处置): it leaves the register and the books; gain or loss is booked; proceeds of
    collective assets go to the restricted account for consolidation and revitalisation.

    The approval level needed for the book value is set by the governance policy stored for the asset's county
    (`asset policy store`; none stored: ledgers/policy/governance.toml), and the disposal records that policy's
    version and sha256. An asset under a contract in force on the date is refused: `contract terminate` it first."""
    request = DisposalRequest(asset_id, DisposalMethod(method), on, proceeds, approval, ApprovalLevel(approved_by))
    r = dispose(app.db, request, app.actor)
    outcome = f"gain {r.gain}" if r.gain >= 0 else f"loss {-r.gain}"
    result = f"收益 {r.gain}" if r.gain >= 0 else f"损失 {-r.gain}"
    say(
        f"{asset_id}：已于 {on} 处置；账面价值 {r.book_value}，处置收入 {r.proceeds}，{result}；"
        f"审批层级依据 {r.policy}（sha256 {r.policy_sha256[:12]}）",
        f"{asset_id}: disposed on {on}; book value {r.book_value}, proceeds {r.proceeds}, {outcome}; "
        f"approval level set by {r.policy} (sha256 {r.policy_sha256[:12]})",
    )


@click.group("policy")
def policy_group() -> None:
    """The county's governance policy (治理政策), stored and versioned: disposal approval levels, scan and contract
    thresholds.

    Also the inventory cycle. Disposals, scans, the county report, contract alerts, supervision warnings and
    inventories of the county are judged by it; no command takes a policy file instead."""


@policy_group.command("store")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", help="Why the policy changes (e.g. the county's document number).")
@pass_app
def policy_store_cmd(app: App, path: Path, note: str | None) -> None:
    """Store a governance policy (TOML, like ledgers/policy/governance.toml) as the next version for your scope
    (finance). Each version is kept, with who stored it and when; disposals, `asset scan`, `report governance`,
    `contract alerts`, `supervise` and `inventory open` are judged by the latest."""
    stored, new = store_policy(app.db, path.read_bytes(), str(path), app.actor, note)
    if not new:
        say(f"与现行 {stored.name} 相同，未保存", f"the same as {stored.name} in force: nothing stored")
        return
    say(f"已保存治理政策 {stored.name}（sha256 {stored.sha256[:12]}）",
        f"stored governance policy {stored.name} (sha256 {stored.sha256[:12]})")  # fmt: skip


POLICY_HEADERS = {"policy": "版本", "sha256": "sha256", "actor": "保存人", "recorded_at": "保存时间", "note": "说明",
                  "approval": "处置审批层级", "scan": "闲置/亏损判定", "contracts": "合同预警阈值",
                  "inventory": "清查周期"}  # fmt: skip


@policy_group.command("show")
@format_option
@out_option
@pass_app
def policy_show_cmd(app: App, fmt: str, out: Path | None) -> None:
    """The governance policy in force for your scope, then every version stored for it and the regions above."""
    current = policy_in_force(app.db, app.actor)
    others = [p for p in policy_history(app.db, app.actor) if p.version_id != current.version_id]
    rows = [_policy_row(p) for p in [current, *others]]
    emit(rows, fmt, out, headers=POLICY_HEADERS if fmt in ("table", "xlsx") else None, sheet="governance policy")
    if fmt == "table":
        say(f"现行：{rows[0]['policy']}", f"in force: {rows[0]['policy']}")


def _policy_row(p: PolicyInForce) -> dict[str, object]:
    bands = "；".join(
        f"{'≤' + str(b.max_value) if b.max_value is not None else '其余 otherwise'} {b.level.label}"
        for b in p.policy.bands
    )
    c, i = p.policy.contracts, p.policy.inventory
    return {"policy": p.name, "sha256": p.sha256, "actor": p.actor or "", "recorded_at": p.recorded_at or "",
            "note": p.note or "", "approval": bands,
            "scan": f"闲置 {p.policy.idle_months} 个月；亏损 {p.policy.loss_months} 个月",
            "contracts": f"宽限 {c.grace_days} 天；欠缴容差 {c.arrears_tolerance} 元；到期提示 {c.expiring_days} 天；"
                         f"租金下限 {c.min_yield_pct}%，续约 {c.renewal_floor_pct}%",
            "inventory": f"村集体 每 {i.collective_every_years} 年；国有 每 {i.state_every_years} 年；"
                         f"到户类 {'清查' if i.count_household else '不清查'}"}  # fmt: skip


@click.command("reinvest")
@click.option(
    "--asset", "asset_id", type=ID, required=True, help="Existing asset to invest in, or the id of a new one."
)
@click.option("--amount", type=MONEY, help="Amount for an existing asset.")
@click.option("--date", "on", type=DATE, required=True, help="Date.")
@click.option("--from", "source", type=click.Choice(["reserve", "restricted"]), default="reserve", show_default=True,
              help="Reinvestment reserve, or restricted disposal proceeds.")  # fmt: skip
@click.option("--new", "new_asset", is_flag=True, help="Build a new asset instead (give --name, --register, ...).")
@click.option("--name", help="New asset: name.")
@click.option("--register", "register", type=EnumType(Register), help="New asset: register.")
@click.option("--village", type=CODE, help="New asset: village code (its collective pays and owns it).")
@click.option("--value", type=MONEY, help="New asset: value.")
@click.option("--category", help="New asset: kind (资产分类).")
@pass_app
def reinvest_cmd(
    app: App,
    asset_id: str,
    amount: Decimal | None,
    on: dt.date,
    source: str,
    new_asset: bool,
    name: str | None,
    register: Register | None,
    village: str | None,
    value: Decimal | None,
    category: str | None,
) -> None:
    """Reinvest revenue (扩大再生产) into an existing asset, or into a new one registered with fund source 再投入."""
    if new_asset:
        if not (name and register and village and value):
            raise click.UsageError(
                "新资产需要 --name、--register、--village 和 --value"
                " (a new asset needs --name, --register, --village and --value)"
            )
        draft = AssetDraft(asset_id, name, register, village, value, category=category, build_year=on.year)
        reinvest_new(app.db, draft, on, source, app.actor)
        say(
            f"已登记 {asset_id} {name}（{register.label}），{value} 元，来自{_SOURCES[source]}",
            f"registered {asset_id} {name} ({register.label}), {value} from {source}",
        )
        return
    if amount is None:
        raise click.UsageError("请给出 --amount（新资产用 --new） (give --amount (or --new for a new asset))")
    reinvest_existing(app.db, asset_id, amount, on, source, app.actor)
    say(f"{asset_id}：已从{_SOURCES[source]}再投入 {amount} 元", f"{asset_id}: reinvested {amount} from {source}")


_SOURCES = {"reserve": "再投入储备", "restricted": "限定用途的处置收入"}


@click.group("maintenance")
def maintenance() -> None:
    """The maintenance fund for public-benefit assets (运维基金): contribute, apply, decide, spend."""


@maintenance.command("contribute")
@click.option("--county", type=CODE, required=True, help="County code (the fund is in the county's books).")
@click.option("--amount", type=MONEY, required=True, help="Amount.")
@click.option("--date", "on", type=DATE, required=True, help="Date.")
@pass_app
def contribute_cmd(app: App, county: str, amount: Decimal, on: dt.date) -> None:
    """Put money into the county's maintenance fund."""
    fund.contribute(app.db, county, amount, on, app.actor)
    say(f"{county} 运维基金：+{amount} 元", f"maintenance fund of {county}: +{amount}")


@maintenance.command("apply")
@click.argument("asset_id", type=ID)
@click.option("--amount", type=MONEY, required=True, help="Amount asked for.")
@click.option("--reason", required=True, help="The serious damage.")
@click.option("--date", "on", type=DATE, required=True, help="Date of the application.")
@pass_app
def apply_cmd(app: App, asset_id: str, amount: Decimal, reason: str, on: dt.date) -> None:
    """Apply to the fund for serious damage to a public-benefit asset."""
    app_id = fund.apply(app.db, asset_id, amount, reason, on, app.actor)
    say(f"申请 {app_id} 已登记", f"application {app_id} recorded")


@maintenance.command("decide")
@click.argument("application_id", type=ROW_ID)
@click.option("--approve/--refuse", required=True, help="The decision.")
@click.option("--date", "on", type=DATE, required=True, help="Date of the decision.")
@pass_app
def decide_cmd(app: App, application_id: int, approve: bool, on: dt.date) -> None:
    """Approve or refuse an application."""
    fund.decide(app.db, application_id, approve, on, app.actor)
    say(
        f"申请 {application_id} {'已批准' if approve else '不予批准'}",
        f"application {application_id} {'approved' if approve else 'refused'}",
    )


@maintenance.command("spend")
@click.argument("application_id", type=ROW_ID)
@click.option("--amount", type=MONEY, required=True, help="Amount spent.")
@click.option("--date", "on", type=DATE, required=True, help="Date.")
@pass_app
def spend_cmd(app: App, application_id: int, amount: Decimal, on: dt.date) -> None:
    """Spend approved money against the damaged asset."""
    entry = fund.spend(app.db, application_id, amount, on, app.actor)
    say(f"已支出 {amount} 元（分录 {entry}）", f"spent {amount} (entry {entry})")


@maintenance.command("list")
@format_option
@out_option
@pass_app
def list_cmd(app: App, fmt: str, out: Path | None) -> None:
    """Applications with their decisions and spending (for assets within your scope)."""
    read = fmt in ("table", "xlsx")  # a person reads it: the decision by name, Chinese headers; csv/json keep codes
    rows = [r | {"decision": _decision(r["decision"], read)} for r in records(fund.applications(app.db, app.actor))]
    emit(rows, fmt, out, headers=APPLICATION_HEADERS if read else None, sheet="applications")


def _decision(decision: MaintenanceDecision | None, read: bool) -> str:
    """An application's decision: its name for a person (待审批 while pending), else its code (pending)."""
    if decision is None:
        return "待审批" if read else "pending"
    return decision.label if read else decision.value


APPLICATION_HEADERS = {"id": "申请号", "asset_id": "资产编号", "applied_on": "申请日期", "amount": "申请金额",
                       "reason": "事由", "decision": "审批结果", "spent": "已支出"}  # fmt: skip


GOV_HEADERS = {
    "county_code": "县代码", "county": "县", "idle_open": "闲置(未治理)", "idle_value": "闲置账面价值",
    "loss_open": "亏损(未治理)", "loss_value": "亏损账面价值", "revitalised": "已盘活", "revitalised_value": "盘活价值",
    "disposed": "已处置", "disposed_value": "处置账面价值", "proceeds": "处置收入", "gains": "处置收益",
    "losses": "处置损失", "restricted_in": "限定用途资金收入", "restricted_spent": "限定用途资金支出",
    "no_contract": "无合同经营", "expired": "合同过期仍经营", "expiring": "合同即将到期", "over_legal_term": "租期超限",
    "arrears": "欠缴合同数", "arrears_amount": "欠缴金额", "low_rent": "租金偏低",
    "no_household": "到户类未落实到户", "no_household_value": "未落实到户原值",
}  # fmt: skip


@click.command("governance")
@click.option("--year", type=YEAR, required=True, help="Campaign year.")
@format_option
@out_option
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw a PNG chart here.")
@pass_app
def governance_report_cmd(app: App, year: int, fmt: str, out: Path | None, chart: Path | None) -> None:
    """The year's governance by county: still idle / loss-making, revitalised, disposed, gains and losses,
    restricted money received and spent.

    Also the contract alerts at year end, by kind, and the arrears in yuan (DOMAIN rule 20), and the household-level
    assets (到户类) whose households are not attached yet (`asset list --without-household` lists them).

    Each county's assets are judged by the governance policy stored for it (`asset policy show`; none stored:
    ledgers/policy/governance.toml), never by a file given here."""
    counties = governance_report(app.db, year, app.actor)
    rows = records(counties)
    emit(rows, fmt, out, headers=GOV_HEADERS if fmt in ("table", "xlsx") else None, sheet="governance",
         title=f"{year}年闲置低效资产治理情况")  # fmt: off
    if chart:
        bar_chart(
            chart,
            [label(c.county, c.county_code) for c in counties],
            {
                label("闲置", "idle"): [c.idle_open for c in counties],
                label("亏损", "loss-making"): [c.loss_open for c in counties],
                label("已盘活", "revitalised"): [c.revitalised for c in counties],
                label("已处置", "disposed"): [c.disposed for c in counties],
            },
            label(f"{year}年资产治理", f"Asset governance {year}"),
            label("资产数", "assets"),
        )
        say(f"已写入 {chart}", f"wrote {chart}")
