"""`assetledger awards`: yearly performance evaluation (绩效评价), awards (奖励) and per-asset performance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from assetledger.cli.common import DATE, LIMIT, YEAR, App, emit, format_option, out_option, pass_app
from assetledger.domain.awards import AwardPolicy, Grade
from assetledger.io.output import render_table, write_xlsx
from assetledger.reports.charts import bar_chart, label
from assetledger.rules.award_policy import parse_policy
from assetledger.services.asset_performance import asset_performance
from assetledger.services.awards import Evaluation, evaluate_year, indicator_rows, post_awards, read_grades, result_rows

NOT_COMPUTED = "不能计算"
policy_option = click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Evaluation and award policy (TOML), e.g. ledgers/policy/awards-city-example.toml.",
)
year_option = click.option("--year", type=YEAR, required=True, help="Year evaluated.")
grades_option = click.option(
    "--grades",
    "grades_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="External grades (CSV/XLSX: 区划代码,等次), used where the policy's awards take source = external.",
)
RESULT_HEADERS = {
    "rank": "名次", "region_code": "区划代码", "region_name": "名称", "weight_share": "计分权重(%)", "score": "得分",
    "grade": "等次", "external_grade": "外部等次", "grade_award": "等次奖励", "rank_award": "名次奖励",
    "award": "奖励合计", "explanation": "说明",
}  # fmt: skip
INDICATOR_HEADERS = {
    "region_code": "区划代码", "region_name": "名称", "indicator": "指标", "label": "指标名称", "compute": "计算方法",
    "weight": "权重", "value": "指标值(%)", "numerator": "分子", "denominator": "分母", "points": "得分(0-100)",
    "scored": "计分方式", "points_lost": "扣分", "reason": "不能计算原因",
}  # fmt: skip


def _evaluate(app: App, year: int, policy_file: Path, grades_file: Path | None) -> Evaluation:
    policy = parse_policy(policy_file)
    grades: dict[str, Grade] | None = read_grades(grades_file) if grades_file else None
    return evaluate_year(app.db, year, policy, grades, str(grades_file) if grades_file else "--grades")


def _headers(policy: AwardPolicy) -> dict[str, str]:
    return RESULT_HEADERS | {i.code: f"{i.label}(%)" for i in policy.indicators}


def _shown(rows: list[dict[str, Any]], policy: AwardPolicy) -> list[dict[str, Any]]:
    """Indicator cells that cannot be computed say so (the reason is in the explanation), never blank or zero."""
    codes = {i.code for i in policy.indicators}
    return [{k: (NOT_COMPUTED if k in codes and v is None else v) for k, v in r.items()} for r in rows]


@click.group("awards")
def command() -> None:
    """Performance evaluation and performance-based awards (绩效评价与奖励, DOMAIN rule 12).

    \b
    assetledger awards compute --year 2025 --policy ledgers/policy/awards-city-example.toml --out awards.xlsx
    assetledger awards post --year 2025 --policy ledgers/policy/awards-city-example.toml --paying-entity C360900
    assetledger awards assets --year 2025 --well-performing
    """


@command.command("compute")
@year_option
@policy_option
@grades_option
@format_option
@out_option
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the scores as a PNG here.")
@pass_app
def compute_cmd(
    app: App, year: int, policy_file: Path, grades_file: Path | None, fmt: str, out: Path | None, chart: Path | None
) -> None:
    """Score every unit of the policy's level on its indicators, grade, rank and award it, and say why.

    Indicators are computed inside the database (SQL GROUP BY). An indicator that cannot be computed for a unit is
    shown as 不能计算 with its reason and scored as the policy says (excluded with weights renormalised, or zero).
    An --out file ending in .xlsx gets two sheets: the results and every indicator with numerator and denominator.
    """
    evaluation = _evaluate(app, year, policy_file, grades_file)
    policy = evaluation.policy
    rows = result_rows(evaluation)
    title = f"{year}年度{policy.title}"
    if fmt == "xlsx" or (out is not None and out.suffix.lower() == ".xlsx"):
        target = out or Path(f"awards-{year}.xlsx")
        sheets = {"评价结果": _shown(rows, policy), "指标明细": indicator_rows(evaluation)}
        write_xlsx(target, sheets, INDICATOR_HEADERS | _headers(policy), title)
        click.echo(f"wrote {target} ({len(rows)} units)")
    elif fmt == "table":
        brief = [{k: v for k, v in r.items() if k != "explanation"} for r in _shown(rows, policy)]
        text = render_table(brief, _headers(policy))
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n", encoding="utf-8")
            click.echo(f"wrote {out} ({len(rows)} units)")
        else:
            click.echo(text)
            for r in rows:
                click.echo(f"{r['region_code']} {r['region_name']}: {r['explanation']}")
    else:
        emit(rows, fmt, out)
    if chart:
        graded = [r for r in evaluation.results if r.score is not None]
        bar_chart(
            chart,
            [label(f"{r.name}({r.grade})", f"{r.code} ({r.grade})") for r in graded],
            {label("得分", "score"): [float(r.score or 0) for r in graded]},  # not money: points, for the chart
            label(title, f"Performance evaluation {year}"),
            label("得分", "score"),
        )
        click.echo(f"wrote {chart}")
    if fmt == "table" or out is not None:
        graded_count = sum(1 for r in evaluation.results if r.score is not None)
        click.echo(
            f"{len(rows)} {policy.level} unit(s), {graded_count} graded; awards total {evaluation.total_award:,.2f}"
        )


@command.command("post")
@year_option
@policy_option
@grades_option
@click.option("--paying-entity", required=True, help="Books that pay: an entity code (e.g. C360900, a city fund).")
@click.option("--date", "on", type=DATE, help="Date of the award entries (default today).")
@pass_app
def post_cmd(
    app: App, year: int, policy_file: Path, grades_file: Path | None, paying_entity: str, on: dt.date | None
) -> None:
    """Book the awards: the payer's expense and each receiver's subsidy income, once (refs make it a no-op twice).

    The paying entity is an existing entity code, or C + a region code for county-kind books (create a region for
    the city fund, e.g. 360900, with `region import`: entity kinds stop at the county).
    """
    evaluation = _evaluate(app, year, policy_file, grades_file)
    outcome = post_awards(app.db, evaluation, paying_entity, on or dt.date.today(), app.actor)
    if outcome.already:
        total = sum((a for _, _, a in outcome.already), Decimal("0.00"))
        click.echo(
            f"already posted: {len(outcome.already)} award(s), {total:,.2f} from {outcome.payer}; nothing posted"
        )
        return
    if not outcome.posted:
        click.echo("no awards to post")
        return
    names = {r.code: r.name for r in evaluation.results}
    for unit, kind, amount in outcome.posted:
        click.echo(f"posted {kind} award {amount:,.2f} to {unit} {names[unit]}")
    click.echo(f"{len(outcome.posted)} award(s), {outcome.total:,.2f} paid from {outcome.payer}")


ASSET_HEADERS = {
    "asset_id": "资产编号", "name": "资产名称", "category": "资产分类", "place": "所在地", "county_code": "县代码",
    "operator": "经营主体", "operating_mode": "经营方式", "status": "状态", "value": "账面价值", "revenue": "本年收益",
    "costs": "本年支出", "net": "本年净收益", "yield_pct": "收益率(%)", "prev_revenue": "上年收益",
    "prev_costs": "上年支出", "prev_yield_pct": "上年收益率(%)", "change_pct": "收益增减(%)", "trend": "趋势",
    "well_performing": "绩效突出",
}  # fmt: skip


@command.command("assets")
@year_option
@click.option("--policy", "policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Take the minimum yield from the policy's [asset_support].")  # fmt: skip
@click.option("--min-yield", type=Decimal, help="Minimum yield in percent a year (default 6, or the policy's).")
@click.option("--within", help="Only this county, township or village (code).")
@click.option("--well-performing", "only_well", is_flag=True, help="Only the assets singled out for support.")
@click.option("--limit", type=LIMIT, help="At most this many rows (best first).")
@format_option
@out_option
@pass_app
def assets_cmd(
    app: App,
    year: int,
    policy_file: Path | None,
    min_yield: Decimal | None,
    within: str | None,
    only_well: bool,
    limit: int | None,
    fmt: str,
    out: Path | None,
) -> None:
    """Per-asset performance: each operating asset's yield in the year and the year before, and its trend.

    Well-performing (绩效突出): yield at least the minimum and revenue not below the year before — candidates for
    more support (彭水).
    """
    threshold = min_yield if min_yield is not None else (
        parse_policy(policy_file).asset_min_yield if policy_file else Decimal(6)
    )  # fmt: skip
    rows = asset_performance(app.db, year, min_yield=threshold, within=within)
    if only_well:
        rows = [r for r in rows if r["well_performing"]]
    if limit is not None:
        rows = rows[:limit]
    emit(rows, fmt, out, headers=ASSET_HEADERS if fmt in ("table", "xlsx") else None, sheet="asset performance",
         title=f"{year}年度经营性资产绩效")  # fmt: skip
    if fmt == "table":
        well = sum(1 for r in rows if r["well_performing"])
        click.echo(
            f"{len(rows)} operating assets; {well} well-performing (yield ≥ {threshold}%, not falling, not losing)"
        )
