"""Fast inserts for bulk paths: Core executemany, never the ORM unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, Connection, Date, Dialect, Select, Table, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from assetledger.store.integrity import keep_inserted
from assetledger.store.state_seals import bulk_insert
from assetledger.store.text_rules import check_columns
from assetledger.store.types import EnumText

T = TypeVar("T")
CHUNK = 900  # stays under SQLite's default limit of host parameters in one IN (...)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), list(rows))


def insert_values(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    same: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows given as value sequences in `columns` order, with one DB-API executemany. `same` gives the
    columns whose value is the same in every row (the actor and time of a batch): each is converted once and
    bound with every row after the row's own values.

    For large bulk inserts, where Core's per-row parameter handling costs more than the database. What is stored
    is what Core stores: the statement is Core's INSERT compiled for the session's dialect (PostgreSQL's casts
    included), and every value goes through its column's own bind processor (Money to integer fen, dates as
    SQLite keeps them, JSON as the JSON type serialises it), applied column by column. Python-side column defaults
    are not applied, so a table with any must be given all its columns.
    """
    if rows:
        columns, bound = _bound(session, table, columns, rows, convert=True, same=same)
        _execute_rows(session, table, _compiled(session, table, columns), columns, bound)


def insert_stored(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """As `insert_values`, for rows already in their stored form (integer fen, ids): no bind processing at all.
    Only for columns whose stored value is the Python value itself (integers, text)."""
    if rows:
        columns, bound = _bound(session, table, columns, rows, convert=False)
        _execute_rows(session, table, _compiled(session, table, columns), columns, bound)


def insert_new(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    stored: bool = False,
    same: Mapping[str, Any] | None = None,
) -> list[int]:
    """Insert rows of a table whose `id` the database assigns, as `insert_values` does (`insert_stored` when
    `stored`; `same` as there), and return their ids in the rows' order.

    PostgreSQL: the ids are drawn from the id column's own sequence (nextval, one per row), then bound with the
    rows, so that COPY can carry them; no other writer can be given the same ids. SQLite: the rows go in without
    an id and SQLite gives each the next rowid (one above the largest, https://sqlite.org/autoinc.html), so they
    are the rows above the largest id before the insert, in id order; the transaction holds SQLite's one write
    lock (BEGIN IMMEDIATE, store/db.py), so no other row can be among them. Checked, not assumed: the new ids
    must be exactly as many as the rows and without a gap (SQLite picks rowids at random only once the largest
    possible one is taken), else the insert raises and the transaction rolls back.
    """
    if not rows:
        return []
    if "id" in columns or (same and "id" in same):
        raise ValueError(f"insert_new gives the ids of {table.name} itself; got an id column")
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        ids = _sequence_ids(conn, table, len(rows))
        with_ids, bound = _bound(session, table, ["id", *columns], [(i, *r) for i, r in zip(ids, rows, strict=True)],
                                 convert=not stored, same=same)  # fmt: skip
        _execute_rows(session, table, _compiled(session, table, with_ids), with_ids, bound)
        return ids
    top, added = _id_queries(table)
    before = conn.execute(top).scalar() or 0
    columns, bound = _bound(session, table, columns, rows, convert=not stored, same=same)
    _execute_rows(session, table, _compiled(session, table, columns), columns, bound)
    count, first, last = conn.execute(added, {"before": before}).one()
    if count != len(rows) or last - first + 1 != count:
        raise RuntimeError(f"{table.name}: {len(rows)} rows inserted, {count} new ids found from {first} to {last}")
    ids = list(range(first, last + 1))
    if ["id", *columns] == list(table.c.keys()):  # the rows as stored: the seal need not read them back
        keep_inserted(session.info, conn, table, [(i, *r) for i, r in zip(ids, bound, strict=True)])
    return ids


def _sequence_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """`count` values of the sequence behind `table.id` (PostgreSQL), ascending."""
    sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, "id"))).scalar_one()
    query = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
    return sorted(conn.execute(query).scalars())


@lru_cache(maxsize=256)
def _compiled_insert(table: Table, columns: tuple[str, ...], dialect: Dialect) -> Any:
    """Core's INSERT of `columns` compiled for executemany on `dialect`, once per table, columns and dialect."""
    return insert(table).compile(dialect=dialect, column_keys=list(columns), for_executemany=True)


@lru_cache(maxsize=256)
def _id_queries(table: Table) -> tuple[Select[Any], Select[int, Any, Any]]:
    """The highest id of `table`, and (count, lowest, highest) of its ids above a given one."""
    ids = table.c.id
    added = select(func.count(), func.min(ids), func.max(ids)).where(ids > bindparam("before"))
    return select(func.max(ids)), added


def _compiled(session: Session, table: Table, columns: Sequence[str]) -> Any:
    """Core's INSERT of `columns` compiled for the session's dialect; refused unless the columns are the ones it
    binds (every column without a server default or a value of its own given)."""
    compiled = _compiled_insert(table, tuple(columns), session.connection().dialect)
    if set(compiled.binds) != set(columns):
        raise ValueError(f"insert into {table.name} needs values for {sorted(compiled.binds)}, got {list(columns)}")
    return compiled


def _bound(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    convert: bool,
    same: Mapping[str, Any] | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every column bound, in order (`columns`, then those of `same`), and the rows as they are bound: through
    each column's bind processor when `convert`, as given otherwise (already in stored form). A value of `same`
    is checked and converted once and bound with every row."""
    dialect = session.connection().dialect
    _check_width(rows, len(columns), table)
    check_columns(table, columns, rows)
    tail: tuple[Any, ...] = ()
    if same:
        check_columns(table, list(same), [tuple(same.values())])
        tail = tuple(_processed(table, name, dialect, value) if convert else value for name, value in same.items())
    every = [*columns, *(same or ())]
    if not convert:
        as_given = rows if set(map(type, rows)) == {tuple} else list(map(tuple, rows))
        bound = cast(list[tuple[Any, ...]], as_given)
        return every, [row + tail for row in bound] if tail else bound
    values: list[Sequence[Any]] = list(_transposed(rows, len(columns)))
    for i, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            repeats = isinstance(table.c[name].type, _REPEATING)
            values[i] = converted(process, values[i]) if repeats else list(map(process, values[i]))
    if tail:
        values += [[value] * len(rows) for value in tail]
    return every, list(zip(*values, strict=True))


# Column types whose values a batch repeats (a month's dates, a closed vocabulary, the same metadata): converted once
# per distinct value. Amounts, times and ids are mostly distinct, and are converted one by one.
_REPEATING = (Date, EnumText, JSON)


def converted(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """`values` as `process` (a column's bind processor) converts them, each distinct value once: a batch's rows
    repeat a few dates, kinds and metadata maps, and converting one (a JSON dump, a date's text) costs more than
    finding it again. Only values whose equals always bind alike share a conversion (`_shared_key`); any other is
    converted on its own."""
    done: dict[Any, Any] = {}
    out = []
    for value in values:
        key = _shared_key(value)
        if key is None:
            out.append(process(value))
            continue
        found = done.get(key, _MISSING)
        if found is _MISSING:
            found = done[key] = process(value)
        out.append(found)
    return out


# Exact classes whose equal values are the same value; not float (0.0 == -0.0), Decimal (1.0 == 1.00) or datetime
# (equal instants in other zones), whose equals may bind differently. Keys carry the class: True == 1 == 1.0.
_SAME_WHEN_EQUAL = frozenset({str, int, dt.date, type(None)})


def _shared_key(value: Any) -> Any:
    """A key under which `value` may share its conversion with equal values, or None: the value itself, with its
    class, for text, integers, dates, None and enum members; for a flat map of text to text, its items in order."""
    kind = value.__class__
    if kind in _SAME_WHEN_EQUAL or isinstance(value, Enum):
        return (kind, value)
    if kind is dict and all(k.__class__ is str and v.__class__ is str for k, v in value.items()):
        return (dict, tuple(value.items()))
    return None


_MISSING = object()


def _processed(table: Table, name: str, dialect: Dialect, value: Any) -> Any:
    """`value` as the bind processor of column `name` converts it (itself when the type has none)."""
    process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def _check_width(rows: Sequence[Sequence[Any]], width: int, table: Table) -> None:
    if set(map(len, rows)) != {width}:
        raise ValueError(f"rows of other than {width} values for the {width} columns given of {table.name}")


def _transposed(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows to columns; one C-level pass per column (zip(*rows) builds an iterator per row)."""
    return [list(map(itemgetter(i), rows)) for i in range(width)]


COPY_FROM = 500  # rows from which PostgreSQL gets COPY instead of executemany


def _execute_rows(
    session: Session, table: Table, compiled: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Rows of values in `columns` order, by one executemany (PostgreSQL: COPY for many rows). Rows of a
    current-state table are noted for their seal at commit (state_seals)."""
    conn = session.connection()
    with bulk_insert(conn, table, columns, rows):
        if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
            _copy(conn, table, columns, rows)
            return
        if compiled.positiontup is None:  # named / pyformat paramstyles
            conn.exec_driver_sql(compiled.string, [dict(zip(columns, row, strict=True)) for row in rows])
            return
        if list(compiled.positiontup) == list(columns):
            params: Sequence[tuple[Any, ...]] = rows
        else:
            pick = itemgetter(*(columns.index(name) for name in compiled.positiontup))
            params = [pick(row) if len(columns) > 1 else (pick(row),) for row in rows]
        conn.exec_driver_sql(compiled.string, params)
    if compiled.positiontup == list(table.c.keys()):  # every column, in the table's order: the rows as stored
        keep_inserted(session.info, conn, table, params)


def _copy(conn: Any, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL's COPY FROM STDIN through psycopg, in the connection's transaction: several times cheaper than
    executemany for bulk rows. The values are the converted ones executemany would bind; psycopg dumps each."""
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    dbapi = conn.connection.driver_connection
    with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_keys(session: Session, column: Any, keys: Sequence[str]) -> set[str]:
    """Which of `keys` are already in `column`, asked in chunks."""
    found: set[str] = set()
    for part in chunks(keys):
        found.update(session.scalars(select(column).where(column.in_(part))))
    return found


def refresh_statistics(session: Session, table: str, inserted: int) -> None:
    """After a bulk insert, let PostgreSQL's planner know the table's size now.

    Autovacuum may not have analysed a table that just grew by thousands of rows; the planner then takes it for
    a few rows and nests loops over an aggregate (the status of a 17,000-asset inventory took 5 s instead of
    0.5 s). ANALYZE samples the table, runs inside the transaction and costs tens of milliseconds.
    """
    if inserted >= 500 and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {session.get_bind().dialect.identifier_preparer.quote(table)}"))
