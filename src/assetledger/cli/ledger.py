"""`assetledger ledger`: the books of each accounting entity, in the Beancount model."""

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
    App,
    collector_held,
    emit,
    format_option,
    out_option,
    pass_app,
    say,
    sheet_option,
)
from assetledger.cli.lazy import Lazy, LazyGroup
from assetledger.domain.booking import EXPENSE_ACCOUNTS, REVENUE_ACCOUNTS, AssetPosting
from assetledger.domain.enums import RegionLevel
from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.domain.money import MoneyFormatError, parse_money
from assetledger.io.output import records
from assetledger.services import journal as svc
from assetledger.services.book_reports import entities
from assetledger.services.ledger_files import check_entities, export_entity, import_ledger, query_entity
from assetledger.services.reconcile import reconcile

FAVA = Lazy(
    "assetledger.cli.audit:fava",
    "Serve an entity's ledger read-only with Fava on this computer only (127.0.0.1; others use the web app's "
    "/fava/ behind login).",
)


@click.group("ledger", cls=LazyGroup, lazy={"fava": FAVA})
def command() -> None:
    """Books of every entity (village collective 村集体, township, county): post, reverse, close, export, check, BQL.

    \b
    Entities are named by kind and region code: V<village code>, T<township code>, C<county code>.
    Accounts follow the village collective accounting system (2023); see ledgers/chart-of-accounts.beancount.
    """


def _posting(text: str) -> Posting:
    if "=" not in text:
        raise click.BadParameter(
            f"{text!r}：应写作 科目=金额，借方为正 (write ACCOUNT=AMOUNT, debit positive)", param_hint="--posting"
        )
    account, amount = text.rsplit("=", 1)
    try:
        return Posting(account.strip(), parse_money(amount, allow_negative=True))
    except MoneyFormatError as exc:
        raise click.BadParameter(f"{text!r}: {exc}", param_hint="--posting") from exc


@command.command("post")
@click.option(
    "--asset", "asset_id", type=ID, help="Asset the revenue or expense belongs to (its owner's books are used)."
)
@click.option("--revenue", "revenue_type", type=click.Choice(sorted(REVENUE_ACCOUNTS)), help="Revenue of this type.")
@click.option("--expense", "expense_type", type=click.Choice(sorted(EXPENSE_ACCOUNTS)), help="Expense of this type.")
@click.option("--amount", type=MONEY, help="Amount in yuan (with --revenue/--expense).")
@click.option("--date", "on", type=DATE, required=True, help="Entry date.")
@click.option("--account", "counter", default="Assets:Bank", show_default=True, help="Where the money went/came.")
@click.option("--entity", type=CODE, help="For a general entry: the entity whose books take it.")
@click.option("--posting", "postings", multiple=True, help="For a general entry: ACCOUNT=AMOUNT, repeat; must balance.")
@click.option("--narration", help="Narration (摘要).")
@click.option(
    "--ref",
    help="Voucher number (凭证号), unique per entity and month: the same voucher again is a no-op; the same number "
    "in the same month with other content is refused (exit 4) until the booked entry is reversed.",
)
@pass_app
def post(
    app: App,
    asset_id: str | None,
    revenue_type: str | None,
    expense_type: str | None,
    amount: Decimal | None,
    on: dt.date,
    counter: str,
    entity: str | None,
    postings: tuple[str, ...],
    narration: str | None,
    ref: str | None,
) -> None:
    """Post one entry: revenue or an expense against an asset, or a general balanced entry.

    \b
    assetledger ledger post --asset A-1 --revenue rent --amount 30000 --date 2025-06-30
    assetledger ledger post --asset A-1 --expense maintenance --amount 1200.50 --date 2025-07-02
    assetledger ledger post --entity V360921101201 --date 2025-07-03 --narration 提取现金 \\
        --posting Assets:Cash=500 --posting Assets:Bank=-500
    """
    if postings:
        if not entity or not narration:
            raise click.UsageError(
                "一般分录需要 --entity 和 --narration (a general entry needs --entity and --narration)"
            )
        entry = JournalEntry(
            entity, on, narration, tuple(_posting(p) for p in postings), EntryKind.GENERAL, asset_id, ref
        )
        result = svc.post_entry(app.db, entry, app.actor)
    else:
        if not asset_id or amount is None or bool(revenue_type) == bool(expense_type):
            raise click.UsageError(
                "请给出 --asset、--amount，以及 --revenue 类型 或 --expense 类型 之一（或用 --posting）"
                " (give --asset, --amount and one of --revenue TYPE / --expense TYPE (or --posting))"
            )
        direction, kind = ("revenue", revenue_type) if revenue_type else ("expense", expense_type)
        assert kind is not None
        posting = AssetPosting(asset_id, on, direction, kind, amount, counter, narration, ref)
        result = svc.post_for_asset(app.db, posting, app.actor)
    if result.skipped:
        say(
            f"凭证号 {result.skipped[0]} 已记过账，无需再记",
            f"ref {result.skipped[0]} was already posted; nothing to do",
        )
    else:
        say(f"已记账，分录 {result.posted[0]}", f"posted entry {result.posted[0]}")


@command.command("import-entries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate every row; post nothing.")
@sheet_option
@pass_app
def import_entries(app: App, file: Path, dry_run: bool, sheet: str | None) -> None:
    """Post revenue and expenses in bulk from CSV/XLSX, all or nothing.

    \b
    Columns: 日期/date, 资产编号/asset_id, 收支/direction (收入|支出), 类型/type (租金 rent, 发包 contract,
    经营 operating, 分红 dividend, 补助 subsidy, 其他 other | 维修 maintenance, 经营成本 operating, 公益 public),
    金额/amount, and optionally 对方科目/counter (default Assets:Bank), 摘要/narration, 凭证号/ref.
    Each row's ref (凭证号, or file checksum + row) makes running the same file again post nothing new; a 凭证号
    already posted in the same month with other content is a conflict (exit 4, both entries named), and a file
    with only a header is refused (exit 2).
    """
    with collector_held():
        result = svc.import_entries(app.db, file, app.actor, dry_run=dry_run, sheet=sheet)
    verb = "would post" if dry_run else "posted"
    say(
        f"{'试运行：将记账' if dry_run else '已记账'} {len(result.posted)} 笔分录；{len(result.skipped)} 笔此前已记",
        f"{verb} {len(result.posted)} entries; {len(result.skipped)} already posted",
    )


@command.command("reverse")
@click.argument("entry_id", type=ROW_ID)
@click.option("--reason", required=True, help="Why the entry is reversed.")
@click.option("--date", "on", type=DATE, help="Date of the reversal (default: today, or the entry's date if later).")
@pass_app
def reverse(app: App, entry_id: int, reason: str, on: dt.date | None) -> None:
    """Correct an entry by posting its reversal; the original stays in the books.

    The reversal is dated the day it is made (or --date): the original's month keeps its totals, and a note says
    when the correction falls in a later month."""
    done = svc.reverse(app.db, entry_id, reason, app.actor, on)
    say(
        f"分录 {entry_id} 已于 {done.date} 由分录 {done.entry_id} 冲销",
        f"entry {entry_id} reversed by entry {done.entry_id} on {done.date}",
    )
    if done.note:
        click.echo(done.note)


@command.command("close")
@click.option("--entity", type=CODE, required=True, help="Entity code, e.g. V360921101201.")
@click.option("--through", type=DATE, required=True, help="Last day of the closed period.")
@pass_app
def close(app: App, entity: str, through: dt.date) -> None:
    """Close a period: nothing may be posted in the entity's books on or before --through."""
    previous = svc.close_period(app.db, entity, through, app.actor)
    say(
        f"{entity} 已结账至 {through}" + (f"（原为 {previous}）" if previous else ""),
        f"{entity} closed through {through}" + (f" (was {previous})" if previous else ""),
    )


@command.command("entities")
@format_option
@out_option
@pass_app
def list_entities(app: App, fmt: str, out: Path | None) -> None:
    """List the accounting entities and how many entries each has."""
    rows = records(entities(app.db, app.actor))
    read = fmt in ("table", "xlsx")  # a person reads it: the kind by name, Chinese headers; csv/json keep codes
    if read:
        named = {level.value: level.label for level in RegionLevel}  # a stored text that is none: as it is
        rows = [r | {"kind": named.get(str(r["kind"]), r["kind"])} for r in rows]
    emit(rows, fmt, out, headers=ENTITY_HEADERS if read else None, sheet="entities")


ENTITY_HEADERS = {"code": "核算主体代码", "name": "名称", "kind": "级次", "entries": "分录数"}


@command.command("export")
@click.option("--entity", type=CODE, required=True, help="Entity code.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default ledgers/export/ENTITY.beancount.")
@pass_app
def export(app: App, entity: str, out: Path | None) -> None:
    """Export an entity's books to a .beancount file that bean-check accepts."""
    path, count = export_entity(app.db, entity, out or Path("ledgers/export") / f"{entity}.beancount", app.actor)
    say(f"已写入 {path}（{count} 笔分录）", f"wrote {path} ({count} entries)")


@command.command("check")
@click.option("--within", type=CODE, help="Only entities in this region (code); default: your scope.")
@pass_app
def check(app: App, within: str | None) -> None:
    """Run Beancount's own validation over every entity's books. Non-zero exit on any error."""
    failed = total = entries = 0
    for result in check_entities(app.db, app.actor, within):
        total += 1
        entries += result.entries
        if result.errors:
            failed += 1
            say(f"{result.entity}：{len(result.errors)} 处错误", f"{result.entity}: {len(result.errors)} error(s)")
            for error in result.errors[:20]:
                click.echo(f"  {error}")
        elif total % 20 == 0:
            say(f"  …… 已检查 {total} 个核算主体", f"{total} entities checked", err=True)
    say(
        f"Beancount 已检查 {total} 个核算主体（{entries} 笔分录），{failed} 个有错误",
        f"{total} entities ({entries} entries) checked by Beancount, {failed} with errors",
    )
    if failed:
        raise SystemExit(1)


@command.command("query")
@click.option("--entity", type=CODE, required=True, help="Entity code.")
@click.argument("bql")
@format_option
@out_option
@pass_app
def query(app: App, entity: str, bql: str, fmt: str, out: Path | None) -> None:
    """Run BQL (beanquery) over the live books of an entity, without writing a file.

    \b
    assetledger ledger query --entity V360921101201 \\
      "SELECT entry_meta('asset') AS asset, sum(position) WHERE account ~ '^Income' GROUP BY asset"
    """
    columns, rows = query_entity(app.db, entity, bql, app.actor)
    emit([dict(zip(columns, r, strict=True)) for r in rows], fmt, out, sheet="query")


@command.command("reconcile")
@click.option("--within", type=CODE, help="Only assets in this region (code); default: your scope.")
@pass_app
def reconcile_cmd(app: App, within: str | None) -> None:
    """List assets whose book value differs from their register value. Non-zero exit if any."""
    mismatches = reconcile(app.db, app.actor, within)
    for m in mismatches:
        click.echo(str(m))
    say(f"台账与账簿不一致 {len(mismatches)} 处", f"{len(mismatches)} mismatch(es) between registers and books")
    if mismatches:
        raise SystemExit(1)


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--entity", type=CODE, required=True, help="Entity whose books take the ledger.")
@pass_app
def import_(app: App, file: Path, entity: str) -> None:
    """Import an existing Beancount ledger (CNY, simple transactions); refuses what it cannot represent."""
    count = import_ledger(app.db, file, entity, app.actor)
    say(f"已导入 {count} 笔分录到 {entity}", f"imported {count} entries into {entity}")
