"""Fast inserts for bulk paths: Core executemany, never the ORM unit of work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from assetledger.store.integrity import keep_inserted
from assetledger.store.state_seals import bulk_insert
from assetledger.store.text_rules import check_columns, refuse_nul

T = TypeVar("T")
CHUNK = 900  # stays under SQLite's default limit of host parameters in one IN (...)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), list(rows))


def insert_values(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows given as value sequences in `columns` order, with one DB-API executemany.

    For large bulk inserts, where Core's per-row parameter handling costs more than the database. What is stored
    is what Core stores: the statement is Core's INSERT compiled for the session's dialect (PostgreSQL's casts
    included), and every value goes through its column's own bind processor (Money to integer fen, dates as
    SQLite keeps them, JSON as the JSON type serialises it), applied column by column. Python-side column defaults
    are not applied, so a table with any must be given all its columns.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
    if set(compiled.binds) != set(columns):
        raise ValueError(f"insert into {table.name} needs values for {sorted(compiled.binds)}, got {list(columns)}")
    _check_width(rows, len(columns), table)
    check_columns(table, columns, rows)
    values: list[Sequence[Any]] = list(_transposed(rows, len(columns)))
    for i, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            values[i] = list(map(process, values[i]))
    _execute_rows(session, table, compiled, columns, list(zip(*values, strict=True)))


def insert_stored(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """As `insert_values`, for rows already in their stored form (integer fen, ids): no bind processing at all.
    Only for columns whose stored value is the Python value itself (integers, text)."""
    if not rows:
        return
    conn = session.connection()
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns), for_executemany=True)
    _check_width(rows, len(columns), table)
    check_columns(table, columns, rows)
    tuples = rows if set(map(type, rows)) == {tuple} else list(map(tuple, rows))
    _execute_rows(session, table, compiled, columns, tuples)  # type: ignore[arg-type]


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


def next_ids(session: Session, table: Table, count: int) -> range:
    """Ids for `count` new rows of `table`, assigned here in order (see `insert_with_ids`); on PostgreSQL the
    table's sequence is moved past them first, so default inserts by others continue after them."""
    conn = session.connection()
    start = conn.execute(select(func.max(table.c.id))).scalar() or 0
    ids = range(start + 1, start + 1 + count)
    if count and conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {ids[-1]})")
    return ids


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_keys(session: Session, column: Any, keys: Sequence[str]) -> set[str]:
    """Which of `keys` are already in `column`, asked in chunks."""
    found: set[str] = set()
    for part in chunks(keys):
        found.update(session.scalars(select(column).where(column.in_(part))))
    return found


def insert_with_ids(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows with ids assigned here, in order, and return the ids.

    Writers hold the database's writer lock (see store/db.py), so max(id) + 1 ... is safe; on PostgreSQL the
    table's sequence is moved past the new ids so later default inserts continue after them. This avoids
    INSERT ... RETURNING for large batches, which SQLAlchemy splices back together in quadratic time on SQLite.
    """
    if not rows:
        return []
    conn = session.connection()
    start = conn.execute(select(func.max(table.c.id))).scalar() or 0
    ids = list(range(start + 1, start + 1 + len(rows)))
    conn.execute(insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {ids[-1]})")
    return ids


def fetch_raw(session: Session, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a plain SQL query as the DB-API driver returns them (tuples; dates as text on SQLite), inside the
    session's transaction. For bulk reads: iterating a SQLAlchemy result costs several times the query itself."""
    refuse_nul(params)
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def marker(session: Session) -> str:
    """The DB-API parameter marker of the session's database: ? (sqlite3) or %s (psycopg)."""
    return "?" if session.connection().dialect.name == "sqlite" else "%s"
