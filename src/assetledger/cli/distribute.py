"""`assetledger distribute`: revenue distribution (收益分配) by approved rules, payouts and public notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from assetledger.cli.common import DATE, ID, App, distribution_options, format_option, out_option, pass_app, say
from assetledger.cli.objections import objection
from assetledger.domain.distribution import plain
from assetledger.io.output import render_csv, render_json, render_table, write_xlsx
from assetledger.reports.notice import write_notice
from assetledger.rules.distribution_file import load_purposes
from assetledger.services import distribution as svc
from assetledger.services import distribution_settlement as settlement
from assetledger.services.distribution_reports import notice_data


@click.group("distribute", invoke_without_command=True)
@distribution_options("2025 (year), 2025Q2 (quarter) or 2025-05 (month).", required=False)
@click.option(
    "--date", "on", type=DATE, help="Date of the distribution and its notice (default: today, the day it is recorded)."
)
@click.option("--dry-run", is_flag=True, help="Compute and show; post nothing.")
@format_option
@out_option
@click.pass_context
def command(
    ctx: click.Context,
    village: str | None,
    period: str | None,
    on: dt.date | None,
    dry_run: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """Distribute a village's asset revenue for a period by its approved rule, or manage rules and payouts.

    Shows what each purpose and each household gets (its weight, the months counted and, for a partial share, why:
    joined, exited or died in the period), for a dry run as for the real one; --format csv gives one row per line
    (purposes, then households), json the whole result, xlsx two sheets (分配方案, 农户分配明细).

    \b
    assetledger distribute rule add ledgers/rules/example-village-rule.toml
    assetledger distribute --village 360921101201 --period 2025Q2 --dry-run
    assetledger distribute --village 360921101201 --period 2025Q2
    assetledger distribute publish --village 360921101201 --period 2025Q2 --date 2025-07-02
    assetledger distribute pay --village 360921101201 --period 2025Q2 --date 2025-07-15
    assetledger distribute reverse --village 360921101201 --period 2025Q2 --reason 收入录错
    assetledger distribute notice --village 360921101201 --period 2025Q2 --out notices/
    """
    if ctx.invoked_subcommand is not None:
        return
    if not village or not period:
        raise click.UsageError(
            "请给出 --village 和 --period（或一个子命令） (give --village and --period (or a subcommand))"
        )
    app = ctx.find_object(App)
    assert app is not None
    r = svc.distribute(app.db, village, period, app.actor, on=on, dry_run=dry_run)
    labels = {code: p.label for code, p in load_purposes()[0].items()}
    purposes = [{"purpose": labels.get(c, c), "amount": a} for c, a in r.split.by_purpose]
    households = [
        {"household_id": s.household_id, "head": s.head, "weight": plain(s.household_weight), "months": s.months,
         "amount": s.amount, "note": s.note}
        for s in r.split.households
    ]  # fmt: skip
    if r.already_done:
        state = (
            f"已分配过（分配 {r.distribution_id}），未记账 "
            f"(already distributed (distribution {r.distribution_id}); nothing posted)"
        )
    elif r.dry_run:
        state = "试运行：未记账 (dry run: nothing posted)"
    else:
        state = f"已记账，分配 {r.distribution_id} (posted distribution {r.distribution_id})"
    head = (
        f"{village} {r.period.label}：收入 {r.revenue:,.2f}，成本 {r.costs:,.2f}，分配 {r.split.total:,.2f}，"
        f"方案 {r.rule.code} 第{r.rule.version}版 "
        f"({village} {r.period.label}: revenue {r.revenue:,.2f}, costs {r.costs:,.2f}, "
        f"distributed {r.split.total:,.2f} by rule {r.rule.code} v{r.rule.version})"
    )
    share = f"{sum(s.amount for s in r.split.households):,.2f}"
    shared = f"{len(households)} 户分得 {share} ({len(households)} households share {share})"
    if fmt == "table":
        text = "\n".join([head, render_table(purposes, SHARE_HEADERS), shared, render_table(households, SHARE_HEADERS)])
        if out is None:
            click.echo(text)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n", encoding="utf-8")
            say(f"已写入 {out}", f"wrote {out}")
    elif fmt == "json":
        data = {"village": village, "period": r.period.label, "rule": r.rule.code, "rule_version": r.rule.version,
                "revenue": r.revenue, "costs": r.costs, "distributed": r.split.total, "dry_run": r.dry_run,
                "already_done": r.already_done, "distribution_id": r.distribution_id, "purposes": purposes,
                "households": households, "books_total": r.books_total,
                "undistributed": r.undistributed}  # fmt: skip
        _write(render_json(data), out)
    elif fmt == "csv":
        lines = [{"purpose": p["purpose"], "household_id": None, "head": None, "weight": None, "months": None,
                  "amount": p["amount"], "note": None} for p in purposes]  # fmt: skip
        lines += [{"purpose": labels.get("household_shares", "household_shares"), **h} for h in households]
        _write(render_csv(lines, SHARE_HEADERS), out)
    else:
        target = out or Path(f"分配-{village}-{r.period.label}.xlsx")
        write_xlsx(target, {"分配方案": purposes, "农户分配明细": households}, SHARE_HEADERS, head)
        say(f"已写入 {target}", f"wrote {target}")
    late = r.late_note()
    if fmt == "table" or out is not None:
        click.echo(state)
    else:
        click.echo(state, err=True)  # standard output stays one CSV / JSON document
    if late:
        click.echo(late, err=fmt != "table" and out is None)


SHARE_HEADERS = {"purpose": "用途", "household_id": "户编号", "head": "户主", "weight": "权重", "months": "享受月数",
                 "amount": "金额(元)", "note": "说明"}  # fmt: skip


def _write(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text.rstrip("\n"))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    say(f"已写入 {out}", f"wrote {out}")


@command.group("rule")
def rule() -> None:
    """Distribution rules (收益分配方案): TOML/YAML files, versioned."""


@rule.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def rule_add(app: App, file: Path) -> None:
    """Record a rule version from its file (the same file again is a no-op)."""
    parsed, added = svc.register_rule(app.db, file, app.actor)
    state = "recorded" if added else "already recorded"
    say(
        f"{parsed.village} 的分配方案 {parsed.code} 第{parsed.version}版{'已登记' if added else '此前已登记'}；"
        f"自 {parsed.in_force_from} 起施行",
        f"rule {parsed.code} v{parsed.version} for {parsed.village} {state}; in force from {parsed.in_force_from}",
    )


@command.command("pay")
@distribution_options()
@click.option("--date", "on", type=DATE, required=True, help="Payout date.")
@click.option("--household", type=ID, help="Only this household (default: every unpaid one).")
@pass_app
def pay(app: App, village: str, period: str, on: dt.date, household: str | None) -> None:
    """Pay households their shares from the bank account (settles 应付收益).

    Only once the distribution's notice was published (`distribute publish`), its objection period (公示期, counted
    from the day of publication) has passed, and no objection to it is undecided or upheld (`distribute objection`).
    """
    done = settlement.pay(app.db, village, period, on, app.actor, household)
    say(f"已支付 {done.paid} 户 {done.cash:,.2f} 元", f"paid {done.paid} household(s) {done.cash:,.2f} yuan")
    if done.offset:
        say(
            f"其中 {done.offset:,.2f} 元以此前多发抵减（{done.offset_only} 户本次无须再付）",
            f"{done.offset:,.2f} yuan of the shares was set against what households had been paid beyond a corrected "
            f"distribution ({done.offset_only} household(s) had nothing left to pay)",
        )


@command.command("reverse")
@distribution_options("Period of the distribution to take back.")
@click.option("--reason", required=True, help="Why it is taken back (冲销原因), recorded with the reversal.")
@click.option("--date", "on", type=DATE, help="Date of the reversal (default today).")
@click.option("--rule", "rule_code", help="Only the distribution made by this rule (when several rules share out).")
@pass_app
def reverse(app: App, village: str, period: str, reason: str, on: dt.date | None, rule_code: str | None) -> None:
    """Take back (冲销) a distribution that was wrong: its entry is reversed and its months may be shared again.

    A month is never distributed twice on top of itself. Households already paid keep what they were paid; what the
    corrected distribution does not give them again is set against their next shares (抵减).
    """
    done = settlement.reverse_distribution(app.db, village, period, reason, app.actor, on=on, rule_code=rule_code)
    shown = ", ".join(str(r.distribution_id) for r in done)
    say(
        f"已冲销分配 {shown}；{period} 可重新分配",
        f"reversed distribution(s) {shown}; {period} may be distributed again",
    )
    for r in done:
        if r.paid_households:
            say(
                f"第 {r.distribution_id} 号分配已向 {r.paid_households} 户发放 {r.paid:,.2f} 元；重新分配后，多发部分"
                "在各户以后应得中抵减",
                f"distribution {r.distribution_id} had paid {r.paid:,.2f} yuan to {r.paid_households} household(s); "
                "what the new distribution does not give them again is set against their next shares",
            )


@command.command("notice")
@distribution_options()
@click.option(
    "--out",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("notices"),
    show_default=True,
    help="Folder for the HTML and XLSX notices.",
)
@pass_app
def notice(app: App, village: str, period: str, folder: Path) -> None:
    """Write the public notice (公示) of the plan and the payout list, as HTML and XLSX."""
    for data in notice_data(app.db, village, period, app.actor):
        html_path, xlsx_path = write_notice(data, folder)
        say(f"已写入 {html_path} 和 {xlsx_path}", f"wrote {html_path} and {xlsx_path}")


@command.command("publish")
@distribution_options("Period of the distribution whose notice is published.")
@click.option("--date", "on", type=DATE,
              help="Date of publication (default: the distribution's date, which its notice bears). A day before "
                   "today is recorded after the fact (补录), by finance only.")  # fmt: skip
@pass_app
def publish(app: App, village: str, period: str, on: dt.date | None) -> None:
    """Publish the notice (公示) of a village's distribution for anyone to read: the public page /public/VILLAGE and
    `assetledger notice export` show published notices only.

    Recorded with actor and date, sealed, never undone; a notice published already is left as it was. A notice
    reversed later stays published, marked 冲销 with the reason.
    """
    from assetledger.services.public_notices import publish as publish_notices

    for p in publish_notices(app.db, village, period, app.actor, on):
        said = "already published" if p.already else "published"
        say(
            f"{p.period} {p.rule_code}：{'此前已' if p.already else '已'}于 {p.published_on} 由 {p.published_by} 公示",
            f"{p.period} {p.rule_code}: {said} on {p.published_on} by {p.published_by}",
        )


command.add_command(objection)
