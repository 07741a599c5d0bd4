"""Entry point: `assetledger [--db URL] [--user NAME] COMMAND ...`."""

from __future__ import annotations

from typing import IO, Any

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from assetledger import __version__
from assetledger.cli.common import App
from assetledger.errors import AssetLedgerError


class AppGroup(click.Group):
    """Turns assetledger's own errors into a clear message and a specific exit code, for every entry point."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AssetLedgerError as exc:
            raise CommandError(str(exc), exc.exit_code) from exc
        except (OperationalError, ProgrammingError) as exc:
            text = str(exc.orig)
            if "database is locked" in text or "database is busy" in text:
                raise CommandError(
                    "the database is busy: another writer held it longer than the wait allows. Nothing was changed; "
                    f"try again (every command here can be repeated safely). ({text})",
                    10,
                ) from exc
            missing = "no such table" in text or "does not exist" in text
            hint = "; run `assetledger db upgrade` first?" if missing else ""
            raise CommandError(f"database error: {text}{hint}", 10) from exc


class CommandError(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it per class; ours varies

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误 error: {self.format_message()}", err=True)


@click.group(cls=AppGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="assetledger")
@click.option(
    "--db",
    "db_url",
    envvar="ASSETLEDGER_DATABASE_URL",
    help="Database URL (SQLAlchemy form or a SQLite file path). Default: sqlite:///assetledger.db; "
    "env ASSETLEDGER_DATABASE_URL.",
)
@click.option(
    "--user",
    envvar="ASSETLEDGER_USER",
    help="Who is acting (recorded on every change). Env ASSETLEDGER_USER.",
)
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, user: str | None) -> None:
    """assetledger — 扶贫项目资产台账与账簿: registers, books, distribution, inventory, awards and audit.

    \b
    Start with:  assetledger demo
    Then:        assetledger db upgrade; assetledger region import FILE; assetledger asset import FILE
    """
    ctx.obj = App(db_url, user)


def _register_commands() -> None:
    from assetledger.cli import asset, beneficiary, db, demo, distribute, inventory, ledger, region, report

    for module in (db, region, asset, ledger, beneficiary, distribute, report, demo):
        cli.add_command(module.command)
    from assetledger.cli import governance

    for sub in (governance.scan_cmd, governance.revitalise_cmd, governance.decide_dispose_cmd, governance.dispose_cmd):
        asset.command.add_command(sub)
    report.command.add_command(governance.governance_report_cmd)
    cli.add_command(governance.reinvest_cmd)
    cli.add_command(governance.maintenance)
    from assetledger.cli import audit

    cli.add_command(audit.user)
    cli.add_command(audit.audit)
    ledger.command.add_command(audit.fava)
    cli.add_command(inventory.command)
    from assetledger.cli import awards, web

    cli.add_command(awards.command)
    cli.add_command(web.command)  # assetledger serve
    from assetledger.cli import backup  # noqa: F401  (adds `db backup` and `db restore` to the db group)


_register_commands()


def main() -> None:
    cli(prog_name="assetledger")
