"""`assetledger supervise`: warnings (监管预警) and rectification cases (整改): open, step, close, list."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assetledger.cli.common import CODE, DATE, ID, ROW_ID, YEAR, App, emit, format_option, out_option, pass_app, say

if TYPE_CHECKING:
    from assetledger.services.indicator_page import IndicatorPage

POLICY_HELP = "Supervision policy (TOML): rules and days of grace. Default: ledgers/policy/supervision.toml values."
WARNING_HEADERS = {
    "key": "预警编号", "rule": "预警规则", "subject": "对象", "name": "名称", "county_code": "县",
    "township_code": "乡镇", "village_code": "村", "since": "起算日期", "due": "应处理日期", "overdue_days": "逾期天数",
    "evidence": "证据", "refs": "依据", "case": "整改案件",
}  # fmt: skip
CASE_HEADERS = {
    "case": "案件号", "key": "预警编号", "rule": "预警规则", "name": "名称", "region": "区划", "unit": "责任单位",
    "opened_on": "立案日期", "deadline": "整改期限", "state": "状态", "steps": "措施数", "documents": "佐证数",
    "last_step": "最近措施", "closed_on": "销号日期", "overdue": "逾期", "evidence": "立案证据",
}  # fmt: skip

policy_option = click.option("--policy", "policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help=POLICY_HELP)  # fmt: skip


def _policy(policy_file: Path | None) -> Any:
    """The supervision policy (which rules, how many days of grace). The thresholds of the idle, loss-making and
    contract rules are not in it: they are the governance policy stored for each asset's county (`asset policy
    show`), the one the scan and the reports follow."""
    from assetledger.rules.supervision_policy import load_policy

    return load_policy(policy_file)


@click.group("supervise")
def command() -> None:
    """Supervision (监管): warnings raised by rules, and rectification cases (整改) that close only when fixed."""


@command.command("warnings")
@click.option("--as-of", "as_of", type=DATE, help="Judge as of this date (default today).")
@click.option("--region", type=CODE, help="Only this county, township or village (code); default: your whole scope.")
@click.option("--rule", "rules", multiple=True, help="Only these rules (repeatable), e.g. --rule unconfirmed.")
@policy_option
@format_option
@out_option
@pass_app
def warnings_cmd(app: App, as_of: dt.date | None, region: str | None, rules: tuple[str, ...],
                 policy_file: Path | None, fmt: str, out: Path | None) -> None:  # fmt: skip
    """List the warnings (预警) as of a date, each with its evidence (assets, events, entries, dates).

    \b
    Rules (ledgers/policy/supervision.toml, days of grace per rule): 已登记未确权 unconfirmed, 已确权未移交
    not_handed_over, 未落实管护 no_custodian, 闲置 idle, 亏损 loss_making, 经营无合同 no_contract, 上月未结账
    books_not_closed, 收益未按期分配 undistributed, 应付农户未兑付 unpaid, 多发收益未抵减 overpaid,
    清查差异未处理 inventory_unsettled.
    The idle, loss-making and contract rules judge each asset by the governance policy stored for its county
    (`asset policy show`; none stored: ledgers/policy/governance.toml), never by a file given here.
    The key of each warning (e.g. unconfirmed:A-1) opens a case: `supervise open KEY --unit … --deadline …`.
    """
    from assetledger.domain.supervision import RuleKind
    from assetledger.errors import Finding, InputError
    from assetledger.services.context import today
    from assetledger.services.rectification import open_cases_by_key
    from assetledger.services.supervision import warnings

    try:
        kinds = [RuleKind.parse(r) for r in rules] or None
    except ValueError as exc:
        raise InputError([Finding("supervise warnings", None, "--rule", ", ".join(rules), str(exc))]) from exc
    policy = _policy(policy_file)
    day = as_of or today()
    found = warnings(app.db, app.actor, day, policy, region, kinds)
    cases = open_cases_by_key(app.db, app.actor, region)
    human = fmt != "json"
    rows = [{
        "key": w.key, "rule": w.rule.label if human else w.rule.value, "subject": w.subject, "name": w.name,
        "county_code": w.county_code, "township_code": w.township_code, "village_code": w.village_code,
        "since": w.since, "due": w.due, "overdue_days": w.overdue_days(day), "evidence": w.evidence,
        "refs": "；".join(w.refs) if human else list(w.refs), "case": cases.get(w.key),
    } for w in found]  # fmt: skip
    emit(rows, fmt, out, headers=WARNING_HEADERS if human else None, sheet="预警清单",
         title=f"监管预警清单（截至{day}，规则版本 {policy.version}）")  # fmt: skip
    if fmt == "table":
        click.echo(f"{len(rows)} 条预警 warning(s) as of {day}; {sum(1 for r in rows if r['case'])} 已立案 with a case")


@command.command("open")
@click.argument("key", type=ID)
@click.option("--unit", required=True, help="The responsible unit (责任单位), e.g. 东风镇人民政府.")
@click.option("--deadline", required=True, type=DATE, help="Rectify by this date (整改期限).")
@click.option("--date", "on", type=DATE, help="The date the case opens (default today); the rule is run as of it.")
@click.option("--note", help="A note kept with the case.")
@policy_option
@pass_app
def open_cmd(app: App, key: str, unit: str, deadline: dt.date, on: dt.date | None, note: str | None,
             policy_file: Path | None) -> None:  # fmt: skip
    """Open a rectification case (整改立案) on a warning that fires: KEY as `supervise warnings` shows it.

    Finance (县财政局) only, in its scope. The warning's evidence is kept with the case; a second open case on
    the same warning is refused (exit 4), a warning that does not fire is not found (exit 3).
    """
    from assetledger.services.rectification import open_case

    case = open_case(app.db, app.actor, key, unit, deadline, policy=_policy(policy_file), on=on, note=note)
    click.echo(f"整改案件 case {case.number} opened on {case.opened_on}: {case.rule_label} {case.name}, "
               f"责任单位 {case.unit}, 期限 deadline {case.deadline}")  # fmt: skip


@command.command("step")
@click.argument("case", type=ROW_ID)
@click.option("--text", required=True, help="What was done (整改措施).")
@click.option("--date", "on", type=DATE, help="When it was done (default today).")
@click.option("--document", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Evidence of record (整改佐证): PDF, JPG, PNG, DOCX or XLSX, kept once and sealed.")  # fmt: skip
@pass_app
def step_cmd(app: App, case: int, text: str, on: dt.date | None, document: Path | None) -> None:
    """Record a step taken on an open case (整改措施), optionally with a document.

    Finance, or the village accountant (村会计) of the case's village. A closed case takes no more steps (exit 5).
    """
    from assetledger.services.rectification import record_step

    view = record_step(app.db, app.place, app.actor, case, text, on=on, document=document)
    click.echo(f"整改案件 case {view.number}: step {view.state.steps} recorded"
               + (f" with {document.name}" if document else ""))  # fmt: skip


@command.command("close")
@click.argument("case", type=ROW_ID)
@click.option("--date", "on", type=DATE, help="The date of the close (default today); the rule is run as of it.")
@click.option("--note", help="A note kept with the close.")
@policy_option
@pass_app
def close_cmd(app: App, case: int, on: dt.date | None, note: str | None, policy_file: Path | None) -> None:
    """Close a case (整改销号) once its warning no longer fires: the rule is run again first.

    Refused (exit 5), naming the evidence, while the warning still fires. Finance only, in its scope. A --policy
    file can make closing stricter, never laxer: the case's rule is always on, with at most the shipped days of grace.
    """
    from assetledger.services.rectification import close_case

    view = close_case(app.db, app.actor, case, policy=_policy(policy_file), on=on, note=note)
    late = (
        "（逾期销号 closed after its deadline）"
        if view.state.closed_on and view.state.closed_on > view.deadline
        else ""
    )
    click.echo(f"整改案件 case {view.number} closed on {view.state.closed_on}: the warning no longer fires{late}")


@command.command("cases")
@click.option("--overdue", is_flag=True, help="Only open cases past their deadline (逾期未整改).")
@click.option("--as-of", "as_of", type=DATE, help="Judge overdue as of this date (default today).")
@click.option("--region", type=CODE, help="Only this county, township or village (code); default: your whole scope.")
@format_option
@out_option
@pass_app
def cases_cmd(app: App, overdue: bool, as_of: dt.date | None, region: str | None, fmt: str, out: Path | None) -> None:
    """List rectification cases (整改台账) with their state, steps and deadlines."""
    from assetledger.services.rectification import list_cases

    views = list_cases(app.db, app.actor, region=region, as_of=as_of, overdue=overdue)
    human = fmt != "json"
    rows = [{
        "case": v.number, "key": v.key, "rule": v.rule_label if human else str(v.rule), "name": v.name,
        "region": v.region_code, "unit": v.unit, "opened_on": v.opened_on, "deadline": v.deadline,
        "state": ("已销号 closed" if v.state.closed else "整改中 open") if human else
        ("closed" if v.state.closed else "open"), "steps": v.state.steps, "documents": v.state.documents,
        "last_step": v.state.last_step, "closed_on": v.state.closed_on,
        "overdue": ("是 yes" if v.overdue else "") if human else v.overdue, "evidence": v.evidence,
    } for v in views]  # fmt: skip
    emit(rows, fmt, out, headers=CASE_HEADERS if human else None, sheet="整改台账",
         title="整改台账 rectification cases")  # fmt: skip
    if fmt == "table":
        click.echo(f"{len(rows)} 件 case(s); {sum(1 for v in views if v.overdue)} 逾期 overdue")


@command.command("show")
@click.argument("case", type=ROW_ID)
@pass_app
def show_cmd(app: App, case: int) -> None:
    """One case: the warning and its evidence, the unit and deadline, and every step with its actor and date."""
    from assetledger.domain.text import visible
    from assetledger.services.rectification import show_case

    v = show_case(app.db, app.actor, case)
    click.echo(f"整改案件 case {v.number}  {visible(v.rule_label)}  {visible(v.name)} ({visible(v.key)})")
    click.echo(f"证据 evidence: {visible(v.evidence)}")
    click.echo(f"责任单位 unit: {visible(v.unit)}  立案 opened {v.opened_on} by {v.opened_by}  "
               f"期限 deadline {v.deadline}"
               f"  规则版本 policy {v.policy_version}" + ("  逾期 overdue" if v.overdue else ""))  # fmt: skip
    for e in v.events:
        doc = f"  佐证 document {e.document[:16]}…" if e.document else ""
        what = EVENT_WORDS.get(e.kind, visible(str(e.kind)))  # a stored kind that is none: as it is
        click.echo(f"  {e.on}  {what}  {e.actor}  {visible(e.text or '')}{doc}")


EVENT_WORDS = {"step": "措施 step", "closed": "销号 closed"}  # CaseEventKind


def bar_heights(page: IndicatorPage, indicator: str) -> dict[str, Sequence[float]]:
    """An indicator's chart as `bar_chart` draws it: per year, a bar per unit of the page (in the page's order), in
    percent (to draw: not money). A cell that cannot be computed has no bar (NaN), never a bar of 0 %: as on the
    web page, an empty cell is not a rate of nought."""
    units = dict.fromkeys(c.unit_code for c in page.cells)
    heights: dict[str, Sequence[float]] = {}
    for year in page.years:
        values = [page.value(unit, year, indicator) for unit in units]  # every unit has each year's cells
        heights[str(year)] = [math.nan if v is None else float(v) for v in values]  # not money: bar heights in %
    return heights


@command.command("indicators")
@click.option("--year", type=YEAR, required=True, help="The (last) year: values at its end.")
@click.option("--from-year", type=YEAR, help="Also every year from this one: the indicators over time.")
@click.option("--level", type=click.Choice(("county", "township", "village")), default="county", show_default=True,
              help="One row per county, township or village.")  # fmt: skip
@click.option("--region", type=CODE, help="Only units within this region (code); default: your whole scope.")
@click.option("--chart", "chart_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one chart per indicator (PNG) into this folder.")  # fmt: skip
@format_option
@out_option
@pass_app
def indicators_cmd(app: App, year: int, from_year: int | None, level: str, region: str | None,
                   chart_dir: Path | None, fmt: str, out: Path | None) -> None:  # fmt: skip
    """The supervision indicators on one page (监管指标): 确权率, 移交率, 管护落实率, 闲置率, 亏损率, 资产收益率,
    收益分配率, 整改完成率, per unit and year, in percent; a unit without data shows no value (json: the reason).

    资产转化率 is not computed: the funds allocated (资金下达数) are not recorded.
    """
    from assetledger.errors import Finding, InputError
    from assetledger.services.indicator_page import indicator_page

    first = from_year or year
    if first > year:
        raise InputError([Finding("supervise indicators", None, "--from-year", str(first), "after --year")])
    page = indicator_page(app.db, app.actor, level, range(first, year + 1), region)
    if fmt == "json":
        rows: list[dict[str, Any]] = [
            {"unit": c.unit_code, "name": c.unit_name, "year": c.year, "indicator": c.indicator, "value": c.value,
             "numerator": c.numerator, "denominator": c.denominator, "reason": c.reason} for c in page.cells
        ]  # fmt: skip
        emit(rows, fmt, out)
    else:
        by_unit: dict[tuple[str, int], dict[str, Any]] = {}
        for c in page.cells:
            row = by_unit.setdefault((c.unit_code, c.year), {"unit": c.unit_code, "name": c.unit_name, "year": c.year})
            row[c.indicator] = c.value
        headers = {"unit": "区划代码", "name": "名称", "year": "年度"} | {
            code: label for code, label in page.indicators
        }
        emit(list(by_unit.values()), fmt, out, headers=headers, sheet="监管指标",
             title=f"监管指标（{first}–{year}，%）")  # fmt: skip
    if fmt == "table":
        for _, why in page.not_computed:
            click.echo(f"未计算 not computed: {why}")
    if chart_dir is not None:
        from assetledger.reports.charts import bar_chart

        chart_dir.mkdir(parents=True, exist_ok=True)
        units = list(dict.fromkeys((c.unit_code, c.unit_name) for c in page.cells))
        for code, label in page.indicators:
            bar_chart(chart_dir / f"{code}.png", [n for _, n in units], bar_heights(page, code), label, "%")
        say(
            f"已在 {chart_dir} 写入 {len(page.indicators)} 张图",
            f"wrote {len(page.indicators)} charts to {chart_dir}",
        )
