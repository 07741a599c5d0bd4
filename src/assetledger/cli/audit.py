"""`assetledger user` and `assetledger audit`: who may do what, and what auditors need."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import signal
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import NoReturn

import click

from assetledger.cli.common import CODE, ID, App, emit, format_option, out_option, pass_app, say
from assetledger.domain.access import LABELS, Role
from assetledger.io.output import records
from assetledger.services import audit as svc
from assetledger.services import audit_sql, users
from assetledger.services.ledger_files import export_entity, query_entity, readable_entity


@click.group("user")
def user() -> None:
    """Users and roles: finance 县财政局, village-accountant 村会计, inventory 清查组, auditor 审计.

    Until the first user is added the database is in set-up mode (anyone may act). After that every change is
    checked against the acting user (--user / ASSETLEDGER_USER), its role and its scope.
    """


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="Role.")
@click.option(
    "--scope", type=CODE, required=True, help="Region code the user works in (county, township, village), or '*'."
)
@pass_app
def add(app: App, name: str, role: str, scope: str) -> None:
    """Add a user, or change a user's role or scope (the change is recorded; nothing is overwritten)."""
    users.grant(app.db, name, Role(role), scope, app.actor)
    where = "全部地区" if scope == "*" else scope
    say(f"用户 {name}：{LABELS[Role(role)]}，范围 {where}", f"user {name}: {role} in {scope}")


@user.command("revoke")
@click.argument("name")
@pass_app
def revoke(app: App, name: str) -> None:
    """Revoke a user: from now on the name may not act."""
    users.revoke(app.db, name, app.actor)
    say(f"用户 {name} 已停用", f"user {name} revoked")


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_app
def password(app: App, name: str, password_stdin: bool) -> None:
    """Set a user's password for the web interface (`assetledger serve`); stored as an Argon2 hash only.

    A user may set its own password; setting another's needs the right to manage users in its scope.
    """
    if password_stdin:
        text = sys.stdin.readline().rstrip("\r\n")
    else:
        text = click.prompt(
            "密码 (password)", hide_input=True, confirmation_prompt="再输一遍密码 (repeat the password)"
        )
    users.set_password(app.db, name, text, app.actor)
    say(f"已设置 {name} 的密码", f"password of {name} set")


@user.command("list")
@format_option
@out_option
@pass_app
def list_users(app: App, fmt: str, out: Path | None) -> None:
    """Users with their current role and scope (those within your own scope)."""
    emit(records(users.list_users(app.db, app.actor)), fmt, out, sheet="users")


@click.group("audit")
def audit() -> None:
    """For auditors: an asset's trail, BQL and read-only SQL, verification of the record, an export package."""


@audit.command("trail")
@click.argument("asset_id", type=ID)
@format_option
@out_option
@pass_app
def trail(app: App, asset_id: str, fmt: str, out: Path | None) -> None:
    """Everything that ever happened to an asset, in order, across register and books: on screen each line's facts
    as "字段：值" lines; --format csv/json/xlsx keep the record's own columns."""
    if fmt != "table":
        emit(records(svc.trail(app.db, asset_id, app.actor)), fmt, out, sheet="trail")
        return
    from assetledger.cli.story import story_text  # the web's words: imported only here
    from assetledger.services.regions import region_names

    items = [asdict(i) for i in svc.asset_story(app.db, asset_id, app.actor)]
    text = story_text(items, region_names(app.db))
    if out is None:
        click.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    click.echo(f"已写入 {out}（{len(items)} 条）(wrote {len(items)} lines)")


@audit.command("query")
@click.option("--entity", type=CODE, required=True, help="Entity whose books to query (within your scope).")
@click.argument("bql")
@format_option
@out_option
@pass_app
def query(app: App, entity: str, bql: str, fmt: str, out: Path | None) -> None:
    """BQL over the live books of an entity (beanquery)."""
    columns, rows = query_entity(app.db, entity, bql, app.actor)
    emit([dict(zip(columns, r, strict=True)) for r in rows], fmt, out, sheet="query")


@audit.command("sql")
@click.argument("sql")
@click.option("--max-rows", type=click.IntRange(1, audit_sql.MAX_ROWS_CEILING), default=100_000, show_default=True,
              help="Rows to return at most; the rest are counted and the count is stated.")  # fmt: skip
@click.option("--time-limit", type=click.FloatRange(0, audit_sql.TIME_LIMIT_CEILING, min_open=True),
              default=audit_sql.DEFAULT_TIME_LIMIT, show_default=True,
              help="Seconds before the query is stopped.")  # fmt: skip
@format_option
@out_option
@pass_app
def sql(app: App, sql: str, max_rows: int, time_limit: float, fmt: str, out: Path | None) -> None:  # not money: seconds
    """One read-only SELECT over the audit views of your scope: v_assets, v_postings, v_events, v_distributions,
    v_payouts, v_households, v_asset_households (households attached to 到户类 assets), v_notice_publications
    (notices published, 公示上网), v_notice_objections and v_notice_objection_decisions (异议), v_asset_acceptances
    (竣工验收), v_contracts (经营合同), v_disposals (处置), v_inventories, v_inventory_counts, v_inventory_write_offs
    (清查, 盘亏核销), v_maintenance_applications (维修), v_custodian_assignments (管护), v_user_grants (roles granted
    within your region), v_entities, v_accounts, v_regions.

    \b
    assetledger audit sql "SELECT register, count(*), sum(original_value_fen) FROM v_assets GROUP BY register"
    Money in the views is integer fen (exact); divide by 100 for yuan. The query runs in a sandbox (README,
    Security model): base tables, other regions, files and locks are refused, and it is stopped at the time
    limit. When there are more rows than --max-rows, a line on standard error says how many there were.
    """
    result = audit_sql.read_only_sql(app.db, sql, app.actor, max_rows=max_rows, time_limit=time_limit)
    emit([dict(zip(result.columns, r, strict=True)) for r in result.rows], fmt, out, sheet="sql")
    if result.truncated:
        shown, total = f"{len(result.rows):,}", f"{result.total:,}"
        if result.total_known:
            click.echo(f"前 {shown} 行，共 {total} 行 (first {shown} of {total} rows)", err=True)
        else:
            click.echo(f"前 {shown} 行，共超过 {total} 行 (first {shown} of more than {total} rows; counting stopped "
                       "at the time limit)", err=True)  # fmt: skip


@audit.command("verify")
@click.option("--skip-bean-check", is_flag=True, help="Skip running Beancount over every entity (faster).")
@click.option("--expect-head", help="Chain head hash published earlier (e.g. from an export manifest).")
@pass_app
def verify(app: App, skip_bean_check: bool, expect_head: str | None) -> None:
    """Verify the record: hash chain (edits, deletions, insertions, re-ordering), balances, open accounts,
    register vs events, books vs registers, Beancount's check of every entity, every document's file against its
    sealed sha256 (--documents names their folder), and the append-only guards (triggers) of every table of record.
    Prints the chain head (链头) to keep for --expect-head next time. Exit 1 on any finding."""
    count = 0
    for check, detail in svc.verify(app.db, app.actor, bean_check=not skip_bean_check, documents=app.place):
        count += 1
        click.echo(f"[{check}] {detail}")
    if expect_head and not svc.chain_contains(app.db, expect_head, app.actor):
        count += 1
        click.echo(
            f"[integrity] 保存的链头 {expect_head} 不在链中：记录被截断或改写 (the published chain head {expect_head} "
            "is not in the chain: history was cut off or rewritten)"
        )
    head = svc.chain_head_of(app.db, app.actor)
    at = head.sealed_at
    at = at.astimezone(dt.UTC) if at is not None and at.tzinfo is not None else at  # stored in UTC
    when = f"，封于 sealed {at:%Y-%m-%d %H:%M:%S} UTC" if at is not None else ""
    click.echo(f"链头 chain head: 第 {head.seq} 号封印 seal {head.seq}, {head.hash}{when}")
    click.echo(
        f"请保存此链头，下次核验时加 --expect-head {head.hash}，可查出此后被删去的记录 (keep this head; run "
        f"`audit verify --expect-head {head.hash}` next time to show that nothing before it was cut off or rewritten)"
    )
    if count:
        say(f"发现问题 {count} 处", f"{count} finding(s)")
    else:
        say("核验无误", "the record verifies clean")
    if count:
        raise SystemExit(1)


@audit.command("export")
@click.option("--scope", "within", type=CODE, help="Region code (default: everything you may see).")
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("audit-package"),
              show_default=True, help="Folder to write.")  # fmt: skip
@pass_app
def export(app: App, within: str | None, folder: Path) -> None:
    """A package for an external auditor: Beancount ledgers, registers (XLSX), event log, households attached to
    household-level assets, published notices, acceptances, contracts, disposals, inventories with their counts and
    write-offs, maintenance-fund records, custodians and user grants (JSON lines, as their audit views show them), the
    documents of record (documents/ with documents.csv), manifest with checksums and column labels."""
    package = svc.export_package(app.db, folder, app.actor, within, app.place)
    manifest = package.manifest.name
    say(f"已写入 {package.folder}（清单 {manifest}）", f"wrote {package.folder} (manifest {manifest})")


@click.command("fava")
@click.option("--entity", type=CODE, required=True, help="Entity to browse.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True, help="Port on 127.0.0.1.")
@pass_app
def fava(app: App, entity: str, port: int) -> None:
    """Serve an entity's ledger read-only with Fava on this computer only (127.0.0.1; others use the web app's
    /fava/ behind login).

    \b
    No login: it listens on 127.0.0.1 only (never another address), answers only requests addressed to
    127.0.0.1 or localhost, and is read-only (no editor, import or documents). Anyone else reads the books in
    the web app (assetledger serve) at /fava/<entity>/, behind its login, role and scope. Needs Fava:
    pip install 'assetledger[fava]'.
    """
    readable_entity(app.db, entity, app.actor)  # refused outside your scope before anything is written
    if importlib.util.find_spec("fava") is None:
        raise click.ClickException("未安装 Fava：pip install 'assetledger[fava]' (Fava is not installed)")
    from werkzeug.serving import run_simple

    from assetledger.ledger.fava_local import HOST, local_fava

    with tempfile.TemporaryDirectory(prefix="assetledger-fava-") as folder:
        name = re.sub(r"[^A-Za-z0-9]", "_", entity)
        path, count = export_entity(app.db, entity, Path(folder) / f"{name}.beancount", app.actor)
        served = local_fava(path, port)
        say(f"只读查看 {entity}（{count} 笔分录）：http://{HOST}:{port}/（仅本机），按 Ctrl-C 停止",
            f"serving {entity} ({count} entries) read-only on http://{HOST}:{port}/ (this computer only) "
            "— Ctrl-C to stop")  # fmt: skip
        # Stopped by a signal (a service manager, `kill`) as by Ctrl-C: unwound, so the exported books are removed.
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            run_simple(HOST, port, served, threaded=True, use_reloader=False, use_debugger=False)
        finally:
            signal.signal(signal.SIGTERM, previous)


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)
