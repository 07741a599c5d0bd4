"""The text rule of each column (domain/text.py), read from the models, and the guard that applies it to every
INSERT and UPDATE, so that no path stores what the rules refuse.

A String(n) column holds one line of at most n characters; a Text column holds at most TEXT_MAX characters on
several lines, unless its `info` says `one_line` (a narration) or `max_chars` (a document kept as text). Parsers
and services check their fields against these rules first, naming the file, row and column (in dry runs too); the
guard is the floor under them: whatever path reaches the database, SQLite and PostgreSQL refuse the same text with
the same finding, instead of SQLite storing it and PostgreSQL failing with StringDataRightTruncation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from operator import itemgetter, methodcaller
from typing import Any

from sqlalchemy import Engine, String, Table, Text, event
from sqlalchemy.sql.dml import Insert, Update

from assetledger.domain.text import TextRule, any_refused, require_texts, shown, text_findings, text_problem
from assetledger.errors import Finding, InputError

TEXT_MAX = 2000  # characters of free text (notes, duties, reasons, narrations): a page, never a file


def column_rule(column: Any) -> TextRule | None:
    """The rule of a model column (`Entry.narration` or `Entry.__table__.c.narration`); None if it is not text."""
    column = getattr(column, "expression", column)
    kind = column.type
    if isinstance(kind, String) and kind.length:
        return TextRule(kind.length, lines=False)
    if isinstance(kind, Text | String):
        return TextRule(column.info.get("max_chars", TEXT_MAX), lines=not column.info.get("one_line", False))
    return None


def rules(**columns: Any) -> dict[str, TextRule]:
    """Rules by field name, from the columns that store each field: rules(name=Asset.name, head=Household.head)."""
    found = {field: column_rule(column) for field, column in columns.items()}
    return {field: rule for field, rule in found.items() if rule is not None}


# Free text kept only inside an event's JSON (the reason of a status change): one line, as long as a note.
EVENT_TEXT = TextRule(TEXT_MAX, lines=False)


def require_fits(source: str, *items: tuple[str, str | None, Any]) -> None:
    """Refuse single values (options, form fields) that their columns would refuse, naming each as the user gave
    it: require_fits("asset dispose", ("--approval", doc, Disposal.approval_doc)). A TextRule may stand for the
    column of text that has none of its own."""
    checked = []
    for name, value, column in items:
        rule = column if isinstance(column, TextRule) else column_rule(column)
        if rule is not None:
            checked.append((name, value, rule))
    require_texts(source, checked)


@cache
def table_rules(table: Table) -> dict[str, TextRule]:
    return rules(**{c.key: c for c in table.c})


# --- the guard ------------------------------------------------------------------------------------------------


@cache
def _guarded(table: Table) -> dict[str, TextRule]:
    """The rules the guard applies: a foreign key holds a value its own column already took in, so it is left out
    (asset ids down the events, funding and books of a bulk import were most of the guard's cost)."""
    return {key: rule for key, rule in table_rules(table).items() if not table.c[key].foreign_keys}


def check_rows(table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Refuse rows (as bound to an INSERT or UPDATE: column key -> value) whose text breaks its column's rule."""
    wanted = _guarded(table)
    if not wanted or not rows:
        return
    for key in set().union(*rows) & wanted.keys():
        _check_column(table, key, wanted[key], map(methodcaller("get", key), rows))


def check_columns(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """As check_rows, for bulk rows of values in `columns` order."""
    wanted = _guarded(table)
    for i, name in enumerate(columns):
        if name in wanted:
            _check_column(table, name, wanted[name], map(itemgetter(i), rows))


def _check_column(table: Table, name: str, rule: TextRule, values: Iterable[Any]) -> None:
    """One pattern search and one length pass over every distinct value of a column at once (codes, kinds, actors
    and statuses repeat down a column), C-level throughout: cheap next to the insert. Value by value only when
    something is wrong, to name it."""
    present = list(filter(None, values))  # text columns hold str or None
    try:
        texts = list(set(present))
        refused = any_refused(texts, rule)
    except TypeError:  # something else bound to a text column: the driver decides about it
        texts = [v for v in present if v.__class__ is str]
        refused = any_refused(texts, rule)
    if refused:
        _refuse(table, text_findings(table.name, None, ((name, v, rule) for v in texts)))


def _refuse(table: Table, findings: list[Any]) -> None:
    if findings:
        raise InputError(findings)


def _before_execute(
    conn: Any, statement: Any, multiparams: Any, params: Any, execution_options: Any
) -> None:  # the engine's event signature
    if not isinstance(statement, Insert | Update) or not isinstance(statement.table, Table):
        return
    rows = [p for p in (*multiparams, params) if isinstance(p, Mapping)]
    check_rows(statement.table, rows)


def refuse_nul(params: Any) -> None:
    """Refuse a NUL in any text bound to one statement (a value looked up, not only one stored): PostgreSQL cannot
    take it at all (psycopg raises DataError), SQLite would look for it; both now answer with the same finding."""
    values = params.values() if isinstance(params, Mapping) else params
    for value in values or ():
        if value.__class__ is str and "\x00" in value:
            raise InputError([Finding("input", None, None, shown(value), text_problem("\x00") or "NUL")])


def _before_cursor_execute(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:  # the engine's event signature
    if not executemany:  # bulk rows are checked column by column before they get here
        refuse_nul(parameters)


def guard(engine: Engine) -> None:
    """Check the text of every INSERT and UPDATE built by SQLAlchemy (ORM flushes and Core statements) on this
    engine, and refuse NUL in any single statement's values. Bulk inserts by driver SQL (store/bulk.py) call
    check_columns themselves."""
    event.listen(engine, "before_execute", _before_execute)
    event.listen(engine, "before_cursor_execute", _before_cursor_execute)
