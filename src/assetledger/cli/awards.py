"""`assetledger awards`: yearly performance evaluations (绩效评价), awards (奖励) and per-asset performance."""

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
    LIMIT,
    YEAR,
    App,
    emit,
    format_option,
    out_option,
    pass_app,
    say,
    sheet_option,
)
from assetledger.domain.award_lines import side_by_side
from assetledger.domain.award_reasons import explanation
from assetledger.domain.awards import AwardPolicy
from assetledger.io.output import records, render_csv, render_json, render_table, write_xlsx
from assetledger.reports.award_charts import draw_awards
from assetledger.rules.award_policy import parse_policy
from assetledger.services.asset_performance import asset_performance
from assetledger.services.awards import (
    Evaluation,
    Scored,
    evaluate_policies,
    indicator_rows,
    post_awards,
    result_columns,
    result_rows,
)

NOT_COMPUTED = "不能计算"
policy_option = click.option(
    "--policy",
    "policy_files",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    required=True,
    help="Evaluation and award policy (TOML), e.g. ledgers/policy/awards-city-example.toml; repeat it for several "
    "evaluations of the year.",
)
year_option = click.option("--year", type=YEAR, required=True, help="Year evaluated.")
results_option = click.option(
    "--results",
    "--grades",
    "result_specs",
    multiple=True,
    metavar="[CODE=]FILE",
    help="Given results of an evaluation (CSV/XLSX: 区划代码 and 等次, 名次, 得分 as the province sends them), for "
    "the policy whose code is CODE; FILE alone when one policy takes given results. Repeat per policy.",
)
RESULT_HEADERS = {
    "rank": "名次", "region_code": "区划代码", "region_name": "名称", "weight_share": "计分权重(%)", "score": "得分",
    "grade": "等次", "external_grade": "给定等次", "given_rank": "给定名次", "given_score": "给定得分",
    "grade_award": "等次奖励", "rank_award": "名次奖励", "award": "奖励合计", "explanation": "说明",
}  # fmt: skip
SCORED = {Scored.SCORED: "scored", Scored.ZERO: "zero (cannot be computed)", Scored.EXCLUDED: "excluded"}
INDICATOR_HEADERS = {
    "region_code": "区划代码", "region_name": "名称", "indicator": "指标", "label": "指标名称", "compute": "计算方法",
    "weight": "权重", "value": "指标值(%)", "numerator": "分子", "denominator": "分母", "points": "得分(0-100)",
    "scored": "计分方式", "points_lost": "扣分", "reason": "不能计算原因",
}  # fmt: skip


def _evaluate(
    app: App, year: int, policy_files: tuple[Path, ...], specs: tuple[str, ...], sheet: str | None
) -> list[Evaluation]:
    if sheet is not None and not specs:
        raise click.UsageError("--sheet 须与 --results 一起用 (--sheet goes with --results)")
    policies = [parse_policy(p) for p in policy_files]
    evaluations = evaluate_policies(app.db, year, policies, app.actor, specs, sheet=sheet, source="--results")
    for e in evaluations:
        for note in e.notes:
            click.echo(f"注意 note: {note}", err=True)
    return evaluations


def _headers(policy: AwardPolicy) -> dict[str, str]:
    return RESULT_HEADERS | {i.code: f"{i.label}(%)" for i in policy.indicators}


def _results(e: Evaluation) -> list[dict[str, Any]]:
    """The evaluation's results as rows to render: its columns, the reasons as one line (说明) in Chinese with
    English beside it."""
    columns = result_columns(e)
    return [
        {("explanation" if c == "reasons" else c): (explanation(r.reasons) if c == "reasons" else r.cell(c))
         for c in columns}
        for r in result_rows(e)
    ]  # fmt: skip


def _indicators(e: Evaluation) -> list[dict[str, Any]]:
    return [asdict(r) | {"scored": SCORED[r.scored]} for r in indicator_rows(e)]


def _shown(rows: list[dict[str, Any]], policy: AwardPolicy) -> list[dict[str, Any]]:
    """Indicator cells that cannot be computed say so (the reason is in the explanation), never blank or zero."""
    codes = {i.code for i in policy.indicators}
    return [{k: (NOT_COMPUTED if k in codes and v is None else v) for k, v in r.items()} for r in rows]


def _side_by_side(evaluations: list[Evaluation]) -> list[dict[str, Any]]:
    """The side-by-side table as rows: per evaluation (by its code) its grade, rank and award, then the total."""
    rows = []
    for unit in side_by_side(evaluations):
        row: dict[str, Any] = {"region_code": unit.code, "region_name": unit.name}
        for e, line in zip(evaluations, unit.lines, strict=True):
            code = e.policy.code
            row[f"{code}:grade"] = line.grade if line else None
            if e.policy.rank_award is not None:
                row[f"{code}:rank"] = line.rank if line else None
            row[f"{code}:award"] = line.award if line else None
        row["total"] = unit.total
        rows.append(row)
    return rows


def _side_by_side_headers(evaluations: list[Evaluation]) -> dict[str, str]:
    """Each evaluation's columns headed by the policy's name and edition (its code keys the JSON only)."""
    headers = {"region_code": "区划代码", "region_name": "名称", "total": "奖励合计"}
    for e in evaluations:
        code, name = e.policy.code, e.policy.name
        headers |= {f"{code}:grade": f"{name} 等次", f"{code}:rank": f"{name} 名次", f"{code}:award": f"{name} 奖励"}
        # (a rank column only for an evaluation with rank awards: _side_by_side leaves the others out)
    return headers


@click.group("awards")
def command() -> None:
    """Performance evaluations and performance-based awards (绩效评价与奖励, DOMAIN rules 12, 18).

    \b
    assetledger awards compute --year 2025 --policy ledgers/policy/awards-city-example.toml --out awards.xlsx
    assetledger awards compute --year 2025 --policy ledgers/policy/awards-fund-performance-example.toml \\
        --policy ledgers/policy/awards-consolidation-example.toml \\
        --results YC-FUND=资金绩效评价结果.csv --results YC-CONSOL=巩固衔接考核结果.csv
    assetledger awards post --year 2025 --policy ... --results ... --paying-entity S360900 --date 2026-03-01
    assetledger awards assets --year 2025 --well-performing
    """


@command.command("compute")
@year_option
@policy_option
@results_option
@sheet_option
@format_option
@out_option
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw a PNG here: the scores "
              "of one evaluation that scores its units, else every unit's awards by evaluation.")  # fmt: skip
@pass_app
def compute_cmd(
    app: App,
    year: int,
    policy_files: tuple[Path, ...],
    result_specs: tuple[str, ...],
    sheet: str | None,
    fmt: str,
    out: Path | None,
    chart: Path | None,
) -> None:
    """Score every unit of each policy's level on its indicators, grade, rank and award it, and say why.

    Indicators are computed inside the database (SQL GROUP BY). An indicator that cannot be computed for a unit is
    shown as 不能计算 with its reason and scored as the policy says (excluded with weights renormalised, or zero).
    Where a policy takes a higher level's results (source = "external", ranking = "given_rank" / "given_score"),
    its --results file decides: its 等次, 名次 or 得分, ties and gaps as the policy says. A column of that file
    the reader does not know is noted on standard error; one the policy would not read is refused. A workbook is
    read from its one visible sheet with data; with several, name one with --sheet (read in each --results file).
    With several policies the units' awards are also shown side by side with their total. An --out file ending
    in .xlsx gets the results and every indicator with numerator and denominator, per policy, and the summary.
    """
    evaluations = _evaluate(app, year, policy_files, result_specs, sheet)
    if len(evaluations) == 1:
        _one(evaluations[0], fmt, out)
    else:
        _several(evaluations, year, fmt, out)
    if chart:
        draw_awards(chart, evaluations, year)
        say(f"已写入 {chart}", f"wrote {chart}")
    if fmt == "table" or out is not None:
        for e in evaluations:
            graded = sum(1 for r in e.results if r.score is not None)
            scored = f", {graded} graded" if e.policy.indicators else ""
            graded_zh = f"，评分 {graded} 个" if e.policy.indicators else ""
            say(f"{e.policy.name}：{len(e.results)} 个单位{graded_zh}；奖励合计 {e.total_award:,.2f} 元",
                f"{e.policy.name}: {len(e.results)} {e.policy.level} unit(s){scored}; awards total "
                f"{e.total_award:,.2f}")  # fmt: skip
        if len(evaluations) > 1:
            total = sum((e.total_award for e in evaluations), Decimal("0.00"))
            say(
                f"评价 {len(evaluations)} 项；奖励合计 {total:,.2f} 元",
                f"{len(evaluations)} evaluations; awards total {total:,.2f}",
            )


def _one(e: Evaluation, fmt: str, out: Path | None) -> None:
    policy = e.policy
    rows = _results(e)
    title = f"{e.year}年度{policy.name}"
    if fmt == "xlsx" or (out is not None and out.suffix.lower() == ".xlsx"):
        target = out or Path(f"awards-{e.year}.xlsx")
        sheets = {"评价结果": _shown(rows, policy)}
        if policy.indicators:
            sheets["指标明细"] = _indicators(e)
        write_xlsx(target, sheets, INDICATOR_HEADERS | _headers(policy), title)
        say(f"已写入 {target}（{len(rows)} 个单位）", f"wrote {target} ({len(rows)} units)")
    elif fmt == "table":
        brief = [{k: v for k, v in r.items() if k != "explanation"} for r in _shown(rows, policy)]
        text = render_table(brief, _headers(policy))
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n", encoding="utf-8")
            say(f"已写入 {out}（{len(rows)} 个单位）", f"wrote {out} ({len(rows)} units)")
        else:
            click.echo(text)
            for r in rows:
                click.echo(f"{r['region_code']} {r['region_name']}: {r['explanation']}")
    else:
        emit(rows, fmt, out)


def _several(evaluations: list[Evaluation], year: int, fmt: str, out: Path | None) -> None:
    summary = _side_by_side(evaluations)
    headers = _side_by_side_headers(evaluations)
    if fmt == "xlsx" or (out is not None and out.suffix.lower() == ".xlsx"):
        target = out or Path(f"awards-{year}.xlsx")
        sheets: dict[str, list[dict[str, Any]]] = {"奖励汇总": summary}
        for e in evaluations:
            # Named by the policy's title, as users know it (write_xlsx makes each a name Excel accepts, unique).
            sheets[f"评价结果-{e.policy.title}"] = _shown(_results(e), e.policy)
            if e.policy.indicators:
                sheets[f"指标明细-{e.policy.title}"] = _indicators(e)
        merged = INDICATOR_HEADERS | headers
        for e in evaluations:
            merged |= _headers(e.policy)
        write_xlsx(target, sheets, merged, f"{year}年度绩效奖励")
        say(
            f"已写入 {target}（{len(summary)} 个单位，评价 {len(evaluations)} 项）",
            f"wrote {target} ({len(summary)} units, {len(evaluations)} evaluations)",
        )
        return
    if fmt == "json":
        data = {"year": year, "evaluations": [{"policy": e.policy.code, "title": e.policy.title,
                                               "results": _results(e)} for e in evaluations],
                "side_by_side": summary}  # fmt: skip
        text = render_json(data)
    elif fmt == "csv":
        text = render_csv(summary, headers)
    else:
        parts = []
        for e in evaluations:
            brief = [{k: v for k, v in r.items() if k != "explanation"} for r in _shown(_results(e), e.policy)]
            parts += [f"== {e.year}年度{e.policy.name}", render_table(brief, _headers(e.policy))]
            parts += [f"{r.code} {r.name}: {r.explanation}" for r in e.results]
        parts += [f"== 奖励汇总 awards side by side {year}", render_table(summary, headers)]
        text = "\n".join(parts)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        say(
            f"已写入 {out}（{len(summary)} 个单位，评价 {len(evaluations)} 项）",
            f"wrote {out} ({len(summary)} units, {len(evaluations)} evaluations)",
        )
    else:
        click.echo(text)


@command.command("post")
@year_option
@policy_option
@results_option
@sheet_option
@click.option("--paying-entity", type=CODE, required=True, help="Books that pay: an entity code, e.g. S360900 (the "
              "city's books: S + the code of a region of level 市).")  # fmt: skip
@click.option("--date", "on", type=DATE, help="Date of the award entries (default today).")
@pass_app
def post_cmd(
    app: App,
    year: int,
    policy_files: tuple[Path, ...],
    result_specs: tuple[str, ...],
    sheet: str | None,
    paying_entity: str,
    on: dt.date | None,
) -> None:
    """Book the awards: the payer's expense and each receiver's subsidy income, once per evaluation (refs make it a
    no-op twice). Several --policy are posted together in one transaction: all of them or none.

    The paying entity is S + the code of a city (市/州/盟, loaded with `region import`, e.g. 360900): the city's own
    books, whose region holds every unit paid and whose bank holds the awards from --date on (bring the books in
    with `ledger import --entity S360900`). Refused: an award already paid for the unit, year and kind on the same
    evaluation under another policy code; the city's own scoring where the province's results of the year give that
    kind; results whose title, file name or 年度 column state another year; a year after this one.
    """
    evaluations = _evaluate(app, year, policy_files, result_specs, sheet)
    outcomes = post_awards(app.db, evaluations, paying_entity, on or dt.date.today(), app.actor)
    names = {r.code: r.name for e in evaluations for r in e.results}
    policies = {e.policy.code: e.policy.name for e in evaluations}
    for outcome in outcomes:
        policy = policies[outcome.policy]
        if outcome.already:
            say(
                f"{policy}：此前已记账 {len(outcome.already)} 笔奖励，{outcome.total:,.2f} 元由 {outcome.payer} 支付；"
                "本次未记账",
                f"{policy}: already posted: {len(outcome.already)} award(s), {outcome.total:,.2f} from "
                f"{outcome.payer}; nothing posted",
            )
        elif not outcome.posted:
            say(f"{policy}：没有要记账的奖励", f"{policy}: no awards to post")
        else:
            for unit, kind, amount in outcome.posted:
                say(
                    f"{policy}：已记账奖励 {amount:,.2f} 元给 {unit} {names[unit]}",
                    f"{policy}: posted {kind} award {amount:,.2f} to {unit} {names[unit]}",
                )
            say(f"{policy}：奖励 {len(outcome.posted)} 笔，{outcome.total:,.2f} 元由 {outcome.payer} 支付",
                f"{policy}: {len(outcome.posted)} award(s), {outcome.total:,.2f} paid from "
                f"{outcome.payer}")  # fmt: skip


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
@click.option("--within", type=CODE, help="Only this county, township or village (code).")
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
    found = asset_performance(app.db, year, app.actor, min_yield=threshold, within=within)
    if only_well:
        found = [r for r in found if r.well_performing]
    if limit is not None:
        found = found[:limit]
    rows = records(found)
    emit(rows, fmt, out, headers=ASSET_HEADERS if fmt in ("table", "xlsx") else None, sheet="asset performance",
         title=f"{year}年度经营性资产绩效")  # fmt: skip
    if fmt == "table":
        well = sum(1 for r in found if r.well_performing)
        say(
            f"经营性资产 {len(rows)} 项；绩效突出 {well} 项（收益率 ≥ {threshold}%，不下降，不亏损）",
            f"{len(rows)} operating assets; {well} well-performing (yield ≥ {threshold}%, not falling, not losing)",
        )
