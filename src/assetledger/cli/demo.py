"""`assetledger demo`: build a realistic demo county and show what to try next."""

from __future__ import annotations

import time
from pathlib import Path

import click

from assetledger.cli.common import App, pass_app
from assetledger.demo.run import build
from assetledger.domain.enums import RegionLevel
from assetledger.io.output import render_table
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
    """Build a demo county (1 county, 10 townships, 100 villages, ~3,000 assets) and print its summary."""
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
    rows = register_summary(db, RegionLevel.TOWNSHIP)
    shown = [{k: r[k] for k in SUMMARY_KEYS} for r in rows]
    click.echo("\n三本台账汇总（乡镇） register summary by township")
    click.echo(render_table(shown, HEADERS_CN))
    click.echo(f"\ndemo built in {time.perf_counter() - started:.1f} s; database: {db.url}")
    flag = f"--db {db.url}"
    click.echo(
        "\nTry next:\n"
        f"  assetledger {flag} report registers --level village --format xlsx --out {folder}/registers.xlsx\n"
        f"  assetledger {flag} asset list --register operating --limit 20\n"
        f"  assetledger {flag} asset list --status idle\n"
        f"  assetledger {flag} asset list --unconfirmed --format csv\n"
        f"  assetledger {flag} asset show $(assetledger {flag} asset list --status damaged --format csv --limit 1"
        " | tail -1 | cut -d, -f1)\n"
        f"  assetledger {flag} asset import {folder}/assets.xlsx --dry-run   # recognised as already imported\n"
    )
    db.dispose()
