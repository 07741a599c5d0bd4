"""`assetledger distribute objection`: objections (异议) to a distribution's public notice, raised during its
objection period (公示期), and their decisions (DOMAIN rule 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from assetledger.cli.common import (
    CODE,
    DATE,
    ID,
    ROW_ID,
    App,
    distribution_options,
    emit,
    format_option,
    out_option,
    pass_app,
)
from assetledger.domain.objections import Outcome
from assetledger.services import notice_objections as svc

HEADERS = {
    "id": "异议编号 (no.)", "period": "分配期间 (period)", "raised_on": "提出日期 (raised on)",
    "household_id": "户编号 (household)", "head": "户主 (head)", "raised_by": "异议人 (raised by)",
    "text": "异议内容 (objection)", "state": "处理结果 (decision)", "decided_on": "处理日期 (decided on)",
    "reason": "处理理由 (reason)",
}  # fmt: skip


@click.group("objection")
def objection() -> None:
    """Objections (异议) to a distribution's public notice: raised within its objection period (公示期), decided
    (upheld 成立 / dismissed 不成立) later. Households are not paid while an objection is undecided, nor when one was
    upheld (the distribution is then reversed and made again).

    \b
    assetledger distribute objection add --village 360921101201 --period 2025Q2 --date 2025-07-03 \\
        --household H001 --text 人口数有误
    assetledger distribute objection decide 1 --date 2025-07-06 --dismiss --reason 经核实人口无误
    assetledger distribute objection list --village 360921101201
    """


@objection.command("add")
@distribution_options("Period of the distribution whose notice is objected to.")
@click.option("--date", "on", type=DATE, required=True, help="The day the objection was raised (within the 公示期).")
@click.option("--text", required=True, help="What the objection says (异议内容).")
@click.option("--household", type=ID, help="The household of the village's roster that raised it (户编号).")
@click.option("--name", "raised_by", help="The name of who raised it, as they gave it (异议人).")
@click.option("--rule", "rule_code", help="The distribution's rule, when several rules share out the period.")
@pass_app
def add(
    app: App, village: str, period: str, on: dt.date, text: str, household: str | None, raised_by: str | None,
    rule_code: str | None,
) -> None:  # fmt: skip
    """Record an objection raised against the notice of a village's distribution, within its objection period."""
    o = svc.raise_objection(app.db, village, period, on, text, app.actor, household=household, raised_by=raised_by,
                            rule_code=rule_code)  # fmt: skip
    click.echo(
        f"已记录第 {o.id} 号异议：{o.period} 分配公示，{o.raised_on} 提出，待处理 (objection {o.id} to the {o.period} "
        f"notice recorded; households are not paid until it is decided)"
    )


@objection.command("decide")
@click.argument("objection_id", type=ROW_ID)
@click.option("--date", "on", type=DATE, required=True, help="The day it was decided.")
@click.option("--uphold/--dismiss", "upheld", required=True,
              help="Upheld (成立: the distribution is reversed and redone) or dismissed (不成立).")  # fmt: skip
@click.option("--reason", required=True, help="Why (处理理由).")
@pass_app
def decide(app: App, objection_id: int, on: dt.date, upheld: bool, reason: str) -> None:
    """Record the decision on an objection (once): upheld or dismissed, with its date and reason."""
    outcome = Outcome.UPHELD if upheld else Outcome.DISMISSED
    o = svc.decide_objection(app.db, objection_id, on, outcome, reason, app.actor)
    click.echo(f"第 {o.id} 号异议于 {o.decided_on} 处理：{outcome.label} (objection {o.id} decided on {o.decided_on})")
    if upheld:
        click.echo(
            f"本次分配须冲销后重新分配 (the distribution is not paid; reverse it and distribute again): "
            f"assetledger distribute reverse --village {o.village} --period {o.period} --reason 原因"
        )


@objection.command("list")
@click.option("--village", type=CODE, required=True, help="Village code.")
@click.option("--period", help="Only the objections to this period's notice.")
@format_option
@out_option
@pass_app
def list_(app: App, village: str, period: str | None, fmt: str, out: Path | None) -> None:
    """The objections to a village's notices, with their decisions (personal data: who raised them and what they
    said)."""
    rows = [
        {"id": o.id, "period": o.period, "raised_on": o.raised_on, "household_id": o.household_id, "head": o.head,
         "raised_by": o.raised_by, "text": o.text, "state": o.state, "decided_on": o.decided_on, "reason": o.reason}
        for o in svc.list_objections(app.db, app.actor, village, period)
    ]  # fmt: skip
    emit(rows, fmt, out, headers=HEADERS, sheet="异议")
