"""Entry point: `assetledger [--db URL] [--user NAME] COMMAND ...`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

import click

from assetledger import __version__
from assetledger.cli.common import App
from assetledger.cli.lazy import Lazy, LazyGroup, load_all
from assetledger.cli.usage_errors import in_chinese
from assetledger.domain.text import visible
from assetledger.errors import AssetLedgerError, Finding
from assetledger.io.tabular import reporting_notes

# Every command, imported only when it is run (or its own --help is asked for): see cli/lazy.py.
COMMANDS = {
    "asset": Lazy(
        "assetledger.cli.asset:command",
        "The three registers (三本台账): public-benefit 公益性, operating 经营性, household-level 到户类.",
    ),
    "audit": Lazy(
        "assetledger.cli.audit:audit",
        "For auditors: an asset's trail, BQL and read-only SQL, verification of the record, an export package.",
    ),
    "awards": Lazy(
        "assetledger.cli.awards:command",
        "Performance evaluations and performance-based awards (绩效评价与奖励, DOMAIN rules 12, 18).",
    ),
    "beneficiary": Lazy(
        "assetledger.cli.beneficiary:command",
        "Beneficiary households of each village: import, add, remove (exit/death), correct an exit, list.",
    ),
    "vocabulary": Lazy(
        "assetledger.cli.vocabulary:command",
        "The names accepted for fund sources, levels, registers, statuses and operating modes (词表), shipped and "
        "the county's own.",
    ),
    "contract": Lazy(
        "assetledger.cli.contracts:command",
        "Operating contracts (经营合同台账): lease, contract-out, joint, shares, cooperative; schedules and alerts.",
    ),
    "db": Lazy(
        "assetledger.cli.db:command",
        "Create, upgrade and inspect the database (Alembic migrations shipped with the package).",
    ),
    "demo": Lazy(
        "assetledger.cli.demo:command",
        "Build a demo county and print its summary.",
    ),
    "distribute": Lazy(
        "assetledger.cli.distribute:command",
        "Distribute a village's asset revenue for a period by its approved rule, or manage rules and payouts.",
    ),
    "inventory": Lazy(
        "assetledger.cli.inventory:command",
        "Annual inventory (清查): village-collective assets every year, state-owned every three years.",
    ),
    "ledger": Lazy(
        "assetledger.cli.ledger:command",
        "Books of every entity (village collective 村集体, township, county): post, reverse, close, "
        "export, check, BQL.",
    ),
    "maintenance": Lazy(
        "assetledger.cli.governance:maintenance",
        "The maintenance fund for public-benefit assets (运维基金): contribute, apply, decide, spend.",
    ),
    "notice": Lazy(
        "assetledger.cli.notice:command",
        "Notices villagers can read without an account (村务公开): a village's published notices, its assets and what "
        "they earned.",
    ),
    "region": Lazy(
        "assetledger.cli.region:command",
        "Administrative hierarchy (行政区划): city (市/州/盟) → county → township → village, with codes.",
    ),
    "reinvest": Lazy(
        "assetledger.cli.governance:reinvest_cmd",
        "Reinvest revenue (扩大再生产) into an existing asset, or into a new one registered with fund source 再投入.",
    ),
    "report": Lazy(
        "assetledger.cli.report:command",
        "Reports: register summaries (and, as the books grow, books, households, governance).",
    ),
    "serve": Lazy(  # assetledger serve
        "assetledger.cli.web:command",
        "Serve the web interface (Chinese; ?lang=en for English) on the same database and services as the CLI.",
    ),
    "supervise": Lazy(
        "assetledger.cli.supervise:command",
        "Supervision (监管): warnings raised by rules, and rectification cases (整改) that close only when fixed.",
    ),
    "user": Lazy(
        "assetledger.cli.audit:user",
        "Users and roles: finance 县财政局, village-accountant 村会计, inventory 清查组, auditor 审计.",
    ),
}


class AppGroup(LazyGroup):
    """Turns assetledger's own errors into a clear message and a specific exit code, for every entry point, and
    click's usage errors (of this group's options, and of every command below it) into Chinese with English beside
    (cli/usage_errors.py)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise in_chinese(exc) from exc

    def invoke(self, ctx: click.Context) -> object:
        try:
            with reporting_notes(_show_note):  # every import's skipped rows (合计), named as its file is read
                return super().invoke(ctx)
        except click.UsageError as exc:
            raise in_chinese(exc) from exc
        except AssetLedgerError as exc:
            raise CommandError(str(exc), exc.exit_code) from exc
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            text = str(getattr(exc, "orig", exc))
            if "database is locked" in text or "database is busy" in text:
                raise CommandError(
                    "数据库正忙，未做任何更改，请重试 (the database is busy: another writer held it longer than the "
                    "wait allows. Nothing was changed; try again — every command here can be repeated safely). "
                    f"({text})",
                    10,
                ) from exc
            missing = "no such table" in text or "does not exist" in text
            hint = "；请先运行 `assetledger db upgrade`？(run `assetledger db upgrade` first?)" if missing else ""
            raise CommandError(f"数据库错误 (database error): {text}{hint}", 10) from exc


def _show_note(note: Finding) -> None:
    """A row an import leaves out (a totals row: 合计/总计/小计/共计), with its file and row, on stderr (a command's
    own output, a table or CSV, stays whole on stdout); the cell quoted is shown, never obeyed."""
    click.echo(visible(str(note)), err=True)


def _is_database_error(exc: Exception) -> bool:
    """SQLAlchemy's OperationalError or ProgrammingError, without importing SQLAlchemy when no command did."""
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import OperationalError, ProgrammingError

    return isinstance(exc, (OperationalError, ProgrammingError))


class CommandError(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it per class; ours varies

    def show(self, file: IO[Any] | None = None) -> None:
        # Messages quote what was given and what is stored: a control character in them is shown, not obeyed.
        click.echo(f"错误 error: {visible(self.format_message(), keep_lines=True)}", err=True)


@click.group(
    cls=AppGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
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
@click.option(
    "--documents",
    envvar="ASSETLEDGER_DOCUMENTS",
    type=click.Path(file_okay=False),
    help="Folder of the documents of record (资产档案). Default: next to a SQLite file (assetledger-documents/), "
    "in the database for PostgreSQL. Env ASSETLEDGER_DOCUMENTS.",
)
@click.option(
    "--vocabulary",
    envvar="ASSETLEDGER_VOCABULARY",
    type=click.Path(dir_okay=False, exists=True),
    help="The county's own names (词表) for fund sources, levels, registers, statuses and operating modes, on top "
    "of the shipped table: a TOML file like ledgers/vocabulary.toml. Env ASSETLEDGER_VOCABULARY.",
)
@click.pass_context
def cli(
    ctx: click.Context, db_url: str | None, user: str | None, documents: str | None, vocabulary: str | None
) -> None:
    """assetledger — 扶贫项目资产台账与账簿: registers, books, distribution, inventory, awards and audit.

    \b
    Start with:  assetledger demo
    Then:        assetledger db upgrade; assetledger region import FILE; assetledger asset import FILE
    """
    ctx.obj = App(db_url, user, documents)
    if vocabulary is not None or _vocabulary_in_use():
        from assetledger.rules.vocabulary import use

        use(Path(vocabulary) if vocabulary else None)


def _vocabulary_in_use() -> bool:
    """Has an earlier command in this process (a test, a pre-forked worker) put a county's names in use?"""
    return "assetledger.rules.vocabulary" in sys.modules


def main() -> None:
    cli(prog_name="assetledger")


_preloaded = False


def preload() -> None:
    """Import every command now. For a parent that forks children to run commands (a pre-forking worker, the test
    harness's zygote): it imports once instead of in every child, and its children start at once. Called
    explicitly: a fork hook would put the import inside the first child's start-up time instead."""
    global _preloaded
    if not _preloaded:
        _preloaded = True
        load_all(cli)


if __name__ == "__main__":  # python -m assetledger.cli.main
    main()
