"""`assetledger db backup` and `assetledger db restore`: a consistent copy of a SQLite database, and its return."""

from __future__ import annotations

from pathlib import Path

import click

from assetledger.cli.common import App, pass_app, say
from assetledger.services import backup as svc


def _show(info: svc.BackupInfo) -> str:
    return (
        f"{info.path}: {info.size:,} bytes, sha256 {info.sha256}, revision {info.revision}, "
        f"{info.tables} tables, chain head {info.chain_seq} {info.chain_head or '-'}"
    )


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_app
def backup_cmd(app: App, file: Path, force: bool) -> None:
    """Copy the SQLite database into FILE while others may go on writing (SQLite's online backup API).

    The copy is one consistent snapshot, checked with PRAGMA integrity_check before it takes FILE's name.
    PostgreSQL: refused, with the pg_dump / pg_restore commands for the database.
    """
    info = svc.backup(app.db_url, file, app.actor, force=force)
    say(f"已备份到 {_show(info)}", f"backed up to {_show(info)}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the whole content of a database that is not empty.")
@pass_app
def restore_cmd(app: App, file: Path, force: bool) -> None:
    """Restore the SQLite database (--db) from a backup FILE.

    FILE must pass PRAGMA integrity_check and be at the schema revision of this assetledger. A target that holds
    any table is refused unless --force. Run `assetledger audit verify` afterwards.
    """
    info = svc.restore(app.db_url, file, app.actor, force=force)
    say(f"已从 {file} 恢复到 {_show(info)}", f"restored from {file} into {_show(info)}")
    say("下一步：assetledger audit verify", "next: assetledger audit verify")
