"""Shared CLI plumbing: the app context, output formats and option types."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from assetledger.domain.assets import FIRST_YEAR, LAST_YEAR, quantity_problem
from assetledger.domain.enums import LabelledEnum
from assetledger.domain.money import MoneyFormatError, parse_money, parse_number
from assetledger.io.output import FORMATS, render_csv, render_json, render_table, write_xlsx
from assetledger.io.values import identifier
from assetledger.services.context import resolve_actor

if TYPE_CHECKING:
    from assetledger.store.db import Database
    from assetledger.store.document_files import DocumentPlace


@dataclass
class App:
    db_url: str | None
    user: str | None
    documents: str | None = None  # --documents DIR: where the documents of record are kept
    _db: Database | None = field(default=None, repr=False)

    @property
    def db(self) -> Database:
        if self._db is None:
            from assetledger.store.db import Database  # SQLAlchemy: imported by the commands that use a database

            self._db = Database(self.db_url)
        return self._db

    @property
    def place(self) -> DocumentPlace:
        """Where documents are kept: --documents, else next to the database (store/document_files.py)."""
        from assetledger.store.document_files import documents_place

        return documents_place(self.db.url, self.documents)

    @property
    def actor(self) -> str:
        return resolve_actor(self.user)


pass_app = click.make_pass_decorator(App)


class DateType(click.ParamType[dt.date]):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} 不是日期，应写如 2025-06-30 (not a date: YYYY-MM-DD)", param, ctx)


class MoneyType(click.ParamType[Decimal]):
    name = "YUAN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            return parse_money(value)
        except MoneyFormatError as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)


class QuantityType(click.ParamType[Decimal]):
    name = "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            number = parse_number(value)
        except MoneyFormatError as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)
        problem = quantity_problem(number)
        if problem:
            self.fail(f"{value!r}: {problem}", param, ctx)
        return number


class YearType(click.ParamType[int]):
    """A year the registers can hold (FIRST_YEAR to LAST_YEAR), said in Chinese with English beside when it is not."""

    name = "YEAR"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            year = value
        else:
            text = str(value).strip().removesuffix("年")
            if not text.isascii() or not text.isdigit():
                self.fail(f"{value!r} 不是年份，应写如 2025 (not a year; write e.g. 2025)", param, ctx)
            year = int(text)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.fail(
                f"{value!r} 不在 {FIRST_YEAR} 到 {LAST_YEAR} 年之间 (not a year from {FIRST_YEAR} to {LAST_YEAR})",
                param,
                ctx,
            )
        return year


class IdType(click.ParamType[str]):
    """An id or code typed on the command line (asset id, 户编号, region, entity or contract code, a scope): read as
    the importers read one from a file (io/values.identifier: NFKC-folded and stripped), so that ３６０９２１ or
    360921－0000001 typed with a Chinese input method is the id 360921 / 360921-0000001 the records keep."""

    def __init__(self, name: str) -> None:
        self.name = name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return identifier(value) or ""


class EnumType(click.ParamType[LabelledEnum]):
    """Accepts the English code or the Chinese label of a LabelledEnum."""

    def __init__(self, enum: type[LabelledEnum]) -> None:
        self.enum = enum
        self.name = "|".join(m.value for m in enum)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> LabelledEnum:
        if isinstance(value, self.enum):
            return value
        try:
            return self.enum.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


F = TypeVar("F", bound=Callable[..., Any])
DATE = DateType()
MONEY = MoneyType()
QUANTITY = QuantityType()
# Whole numbers that reach the database: bounded here, or a huge one fails in the driver with a traceback.
ROW_ID = click.IntRange(1, 2**63 - 1)  # an id: the databases hold signed 64-bit integers
YEAR = YearType()
ID = IdType("ID")  # asset id, 户编号, contract code
CODE = IdType("CODE")  # region or entity code, a scope
LIMIT = click.IntRange(1, 10_000_000)

VILLAGE_HELP = "Village code."
village_option = click.option("--village", type=CODE, required=True, help=VILLAGE_HELP)


# The workbook's sheet an import reads (io/tabular.py): needed when more than one visible sheet holds data. Every
# command that reads a user's file takes it from here.
sheet_option = click.option(
    "--sheet",
    metavar="NAME",
    help="The workbook's sheet to read (工作表); needed when more than one visible sheet holds data.",
)


def distribution_options(period_help: str = "Period of the distribution.", required: bool = True) -> Callable[[F], F]:
    """--village and --period: the village's distribution a command works on (distribute, pay, reverse, notice,
    publish); a period is 2025 (year), 2025Q2 (quarter) or 2025-05 (month)."""

    def apply(fn: F) -> F:
        with_period = click.option("--period", required=required, help=period_help)(fn)
        return click.option("--village", type=CODE, required=required, help=VILLAGE_HELP)(with_period)

    return apply


format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)
out_option = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (required for xlsx)."
)


@contextmanager
def collector_held() -> Iterator[None]:
    """Hold back Python's cyclic garbage collector while one command reads, checks and writes a whole file.

    An import keeps every row of its file alive until it commits (all or nothing), and the collector's full passes
    walk all of them, more often as they grow: at 100,000 register rows 18 full passes took 7 s of a 48 s import
    (benchmarks/README.md, "Register import"). A command is a process of its own that ends with the file, so the
    collector waits until the file is done. Only the CLI's file commands do this: the library
    and the web server, whose process lives on and serves others, keep Python's defaults.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def say(chinese: str, english: str, *, err: bool = False) -> None:
    """A line for the user in Chinese with the English beside it: "中文 (English)" (STYLE.md)."""
    click.echo(f"{chinese} ({english})", err=err)


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    out: Path | None,
    *,
    headers: Mapping[str, str] | None = None,
    sheet: str = "data",
    title: str | None = None,
) -> None:
    """Print or save rows in the chosen format."""
    if fmt == "xlsx":
        target = out or Path(f"{sheet}.xlsx")
        write_xlsx(target, {sheet: rows}, headers, title)
        click.echo(f"已写入 {target}（{len(rows)} 行）(wrote {len(rows)} rows)")
        return
    if fmt == "csv":
        text = render_csv(rows, headers)
    elif fmt == "json":
        text = render_json(list(rows))
    else:
        text = render_table(rows, headers)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        # a CSV file is for a spreadsheet: with the BOM, Excel on Chinese Windows reads it as UTF-8, not as GBK
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        out.write_text(text if text.endswith("\n") else text + "\n", encoding=encoding)
        click.echo(f"已写入 {out}（{len(rows)} 行）(wrote {len(rows)} rows)")
    else:
        click.echo(text.rstrip("\n"))
