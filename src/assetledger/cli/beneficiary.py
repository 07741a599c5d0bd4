"""`assetledger beneficiary`: the roster of households entitled to a share (受益对象)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from assetledger.cli.common import (
    DATE,
    ID,
    App,
    collector_held,
    emit,
    format_option,
    out_option,
    pass_app,
    say,
    sheet_option,
    village_option,
)
from assetledger.io.household_rows import CATEGORIES, FACTORS, HEADERS, HouseholdRow, shown_facts
from assetledger.io.output import records
from assetledger.services import beneficiaries as svc


@click.group("beneficiary")
def command() -> None:
    """Beneficiary households of each village: import, add, remove (exit/death), correct an exit, list.

    Nothing is deleted."""


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only.")
@click.option("--date", "on", type=DATE,
              help="Date the file's changes took effect (变更日期), for rows that do not give their own.")  # fmt: skip
@sheet_option
@pass_app
def import_(app: App, file: Path, dry_run: bool, on: dt.date | None, sheet: str | None) -> None:
    """Import a roster from CSV/XLSX: new households join, known ones change or leave.

    \b
    Columns: 户编号, 村 (name or code), 户主, 人口, 类别 (脱贫户/监测户/其他困难户),
    因素 (无劳动能力、老年、患病、残疾), 纳入日期, and for departures 退出日期 + 退出原因 (退出/死亡).
    Optional 资产编号 (受益资产编号): the household-level assets (到户类) the household benefits from, several
    separated by 、 or commas; the household is attached to each (an asset may benefit several households), and the
    asset leaves `asset list --without-household`. The asset must be 到户类 and in the household's village.
    A change of a known household (户主, 人口, 类别, 因素) is recorded as of the date it took effect: the row's
    变更日期 (变更日期/变动日期/调整日期), else --date; a change with neither is refused, never dated by the clock.
    """
    with collector_held():
        r = svc.import_roster(app.db, file, app.actor, dry_run=dry_run, on=on, sheet=sheet)
    prefix = "dry run: would record" if dry_run else "recorded"
    say(
        f"{'试运行：将登记' if dry_run else '已登记'} 新纳入 {r.joined} 户，变更 {r.changed} 户，退出 {r.left} 户；"
        f"{r.unchanged} 户无变化",
        f"{prefix} {r.joined} joined, {r.changed} changed, {r.left} left; {r.unchanged} unchanged",
    )
    if r.attached or r.already_attached:
        say(
            f"{'试运行：将关联' if dry_run else '已关联'} {r.attached} 户到到户类资产；"
            f"{r.already_attached} 户此前已关联",
            f"{'would attach' if dry_run else 'attached'} {r.attached} household(s) to household-level assets "
            f"(到户类); {r.already_attached} already attached",
        )


@command.command("add")
@click.option("--id", "household_id", type=ID, required=True, help="Household id (户编号).")
@village_option
@click.option("--head", required=True, help="Head of household (户主).")
@click.option("--persons", type=int, required=True, help="Persons in the household.")
@click.option("--category", type=click.Choice(sorted(CATEGORIES)), required=True, help="Category.")
@click.option("--factor", "factors", multiple=True, type=click.Choice(sorted(FACTORS)), help="Weight factor; repeat.")
@click.option("--joined", "joined_on", type=DATE, required=True, help="Joined the roster on.")
@click.option(
    "--asset",
    "assets",
    type=ID,
    multiple=True,
    help="A household-level asset (到户类) it benefits from (资产编号); repeat.",
)
@pass_app
def add(
    app: App,
    household_id: str,
    village: str,
    head: str,
    persons: int,
    category: str,
    factors: tuple[str, ...],
    joined_on: dt.date,
    assets: tuple[str, ...],
) -> None:
    """Add one household to a village's roster, attached to the household-level assets it benefits from."""
    row = HouseholdRow(
        household_id,
        village,
        head,
        persons,
        CATEGORIES[category],
        tuple(FACTORS[f] for f in factors),
        joined_on,
        None,
        None,
        asset_ids=tuple(dict.fromkeys(assets)),
    )
    svc.add_household(app.db, row, village, app.actor)
    say(
        f"农户 {household_id}（{head}）已于 {joined_on} 纳入 {village} 的受益名册",
        f"household {household_id} ({head}) joined the roster of {village} on {joined_on}",
    )
    for asset_id in row.asset_ids:
        say(f"农户 {household_id} 已关联到户类资产 {asset_id}", f"household {household_id} attached to {asset_id}")


@command.command("remove")
@click.argument("household_id", type=ID)
@click.option("--date", "on", type=DATE, required=True, help="Date of exit or death.")
@click.option("--reason", type=click.Choice(["exit", "death"]), required=True, help="Why the household leaves.")
@pass_app
def remove(app: App, household_id: str, on: dt.date, reason: str) -> None:
    """Record that a household left (exit or death); it receives nothing for months after that month."""
    svc.remove_household(app.db, household_id, on, reason, app.actor)
    said = "死亡" if reason == "death" else "退出"
    say(f"农户 {household_id} 于 {on} {said}", f"household {household_id} left on {on} ({reason})")


@command.command("correct-exit")
@click.argument("household_id", type=ID)
@click.option("--reason", required=True, help="Why the recorded exit is wrong (更正原因).")
@click.option("--date", "on", type=DATE, help="The right date of exit; without it the household never left.")
@click.option("--cause", type=click.Choice(["exit", "death"]), help="The right reason of exit, with --date.")
@pass_app
def correct_exit(app: App, household_id: str, reason: str, on: dt.date | None, cause: str | None) -> None:
    """Correct an exit recorded by mistake or with a wrong date (更正退出); the first record stays beside it."""
    was, now_left = svc.correct_exit(app.db, household_id, reason, app.actor, left_on=on, left_reason=cause)
    if now_left is None:
        say(
            f"农户 {household_id}：{was} 的退出已撤销，恢复受益",
            f"household {household_id}: exit of {was} withdrawn; back on the roster",
        )
    else:
        say(
            f"农户 {household_id}：退出日期已由 {was} 更正为 {now_left}",
            f"household {household_id}: exit of {was} corrected to {now_left}",
        )


@command.command("list")
@village_option
@format_option
@out_option
@pass_app
def list_(app: App, village: str, fmt: str, out: Path | None) -> None:
    """List a village's roster, including households that left."""
    read = fmt in ("table", "xlsx")  # a person reads it: names and Chinese headers; csv and json keep the codes
    rows = [
        shown_facts(facts) if read else facts | {"factors": ",".join(facts["factors"])}
        for facts in ({k: v for k, v in row.items() if k != "village"}  # the one asked for
                      for row in records(svc.roster(app.db, village, app.actor)))
    ]  # fmt: skip
    emit(rows, fmt, out, headers=HEADERS if read else None, sheet="roster")
