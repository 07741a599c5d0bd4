"""`assetledger demo`: build a realistic demo county and show what to try next."""

from __future__ import annotations

import time
from pathlib import Path

import click

from assetledger.cli.common import App, pass_app, say
from assetledger.demo.papers import papers_example
from assetledger.demo.run import build
from assetledger.domain.enums import RegionLevel
from assetledger.io.output import render_table
from assetledger.services.ledger_files import check_entities, export_entity
from assetledger.services.reconcile import reconcile
from assetledger.services.register_summary import HEADERS_CN, register_summary
from assetledger.store.db import Database

SUMMARY_KEYS = (
    "region_name",
    "assets",
    "value",
    "public_benefit_count",
    "operating_count",
    "household_count",
    "unconfirmed",
    "no_custodian",
    "idle",
    "damaged",
)


@click.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="Folder for the demo database (unless --db is given), input files and outputs.",
)
@click.option("--fresh/--keep", default=True, show_default=True, help="Delete a previous demo database in --dir first.")
@pass_app
def command(app: App, folder: Path, fresh: bool) -> None:
    """Build a demo county and print its summary.

    1 county, 10 townships, 100 villages, ~2,800 assets in the three registers, two years of revenue and costs,
    six villages with beneficiaries, rules, quarterly distributions and payouts; then checks every entity's books
    with Beancount and reconciles books and registers.
    """
    started = time.perf_counter()
    if app.db_url is None:
        db_file = folder / "assetledger.db"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        app.db_url = f"sqlite:///{db_file}"
    db = Database(app.db_url)
    build(db, folder, say=click.echo)
    rows = register_summary(db, RegionLevel.COUNTY, app.actor)
    shown = [{k: getattr(r, k) for k in SUMMARY_KEYS} for r in rows]
    click.echo("\n三本台账汇总（县） register summary by county")
    click.echo(render_table(shown, HEADERS_CN))
    mismatches = reconcile(db, app.actor)
    checked = list(check_entities(db, app.actor))
    failed = [c for c in checked if c.errors]
    village = next((c.entity for c in sorted(checked, key=lambda c: -c.entries) if c.entity.startswith("V")), None)
    entries = sum(c.entries for c in checked)
    say(
        f"\n账簿：{len(checked)} 个核算主体，{entries} 笔分录；Beancount 检查 {len(failed)} 个有错误；"
        f"台账与账簿不一致 {len(mismatches)} 处",
        f"账簿 books: {len(checked)} entities, {entries} entries; "
        f"Beancount check: {len(failed)} with errors; registers vs books: {len(mismatches)} mismatches",
    )
    if village:
        path, count = export_entity(db, village, folder / "ledgers" / f"{village}.beancount", app.actor)
        say(f"已导出 {village}（{count} 笔分录）到 {path}", f"exported {village} ({count} entries) to {path}")
    took = f"{time.perf_counter() - started:.1f}"
    say(f"\n演示数据已建好，用时 {took} 秒；数据库：{db.url}", f"demo built in {took} s; database: {db.url}")
    flag = f"--db {db.url}"
    papers_village, first_with_documents = papers_example(db)
    click.echo(
        "\n接下来可以试试 (try next):\n"
        f"  assetledger {flag} report registers --level village --format xlsx --out {folder}/registers.xlsx\n"
        f"  assetledger {flag} asset list --register operating --limit 20\n"
        f"  assetledger {flag} asset list --status idle\n"
        f"  assetledger {flag} asset list --unconfirmed --format csv\n"
        f"  assetledger {flag} asset show $(assetledger {flag} asset list --status damaged --format csv --limit 1"
        " | tail -1 | cut -d, -f1)\n"
        f"  assetledger {flag} asset import {folder}/assets.xlsx --dry-run   # recognised as already imported\n"
        f"  assetledger {flag} ledger entities\n"
        f"  assetledger {flag} report books --by-asset --entity {village} --from 2025-01-01 --to 2025-12-31\n"
        f"  assetledger {flag} ledger query --entity {village} "
        "\"SELECT account, sum(position) WHERE account ~ '^Income' GROUP BY account\"\n"
        f"  bean-check {folder}/ledgers/{village}.beancount\n"
        f"  assetledger {flag} distribute --village {village[1:] if village else ''} --period 2025Q4 --dry-run\n"
        f"  assetledger {flag} distribute notice --village {village[1:] if village else ''} --period 2025Q3 "
        f"--out {folder}/notices\n"
        f"  assetledger {flag} asset scan --as-of 2026-10-31          # idle, loss-making and contract alerts\n"
        f"  assetledger {flag} contract list --within 360921 --as-of 2026-10-31\n"
        f"  assetledger {flag} contract alerts --as-of 2026-10-31\n"
        f"  assetledger {flag} asset show {first_with_documents}      # documents, contracts, history\n"
        f"  assetledger {flag} asset certificate {first_with_documents} --out {folder}/certificate.pdf\n"
        f"  assetledger {flag} asset label --village {papers_village} --out {folder}/labels.html\n"
        f"  assetledger {flag} report governance --year 2026 --chart {folder}/governance.png\n"
        f"  assetledger {flag} awards compute --year 2025 --policy {folder}/awards/awards-city-policy.toml "
        f"--out {folder}/awards-city.xlsx --chart {folder}/awards-city.png\n"
        f"  assetledger {flag} awards compute --year 2025 --policy {folder}/awards/awards-fund-performance.toml "
        f"--policy {folder}/awards/awards-consolidation.toml "
        f"--results YC-FUND={folder}/awards/2025年度资金绩效评价结果.csv "
        f"--results YC-CONSOL={folder}/awards/2025年度巩固衔接考核结果.xlsx --out {folder}/awards.xlsx "
        f"--chart {folder}/awards.png\n"
        f"  assetledger {flag} audit verify\n"
    )
    db.dispose()
