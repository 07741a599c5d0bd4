"""`assetledger db`: create and upgrade the database."""

from __future__ import annotations

import click

from assetledger.cli.common import App, pass_app, say
from assetledger.cli.lazy import Lazy, LazyGroup
from assetledger.store import migrate

BACKUP = {
    "backup": Lazy(
        "assetledger.cli.backup:backup_cmd",
        "Copy the SQLite database into FILE while others may go on writing (SQLite's online backup API).",
    ),
    "restore": Lazy(
        "assetledger.cli.backup:restore_cmd",
        "Restore the SQLite database (--db) from a backup FILE.",
    ),
}


@click.group("db", cls=LazyGroup, lazy=BACKUP)
def command() -> None:
    """Create, upgrade and inspect the database (Alembic migrations shipped with the package)."""


@command.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_app
def upgrade(app: App, revision: str) -> None:
    """Create the database or bring it to the latest schema. Safe to run again."""
    for note in migrate.upgrade(app.db_url, revision):
        click.echo(f"注意 note: {note}", err=True)
    now = migrate.current_revision(app.db.engine)
    say(f"数据库 {app.db.url} 已是版本 {now}", f"database at {app.db.url} is at revision {now}")


@command.command("current")
@pass_app
def current(app: App) -> None:
    """Show the schema revision of the database and whether it is up to date."""
    rev = migrate.current_revision(app.db.engine)
    latest = rev in migrate.heads(app.db_url)
    state = "up to date" if latest else "needs `assetledger db upgrade`"
    said = "已是最新" if latest else "需运行 `assetledger db upgrade`"
    say(f"{app.db.url}：版本 {rev or '（空）'}，{said}", f"{app.db.url}: revision {rev or '(empty)'} — {state}")
