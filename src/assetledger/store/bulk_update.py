"""Fast updates of many rows by key: one DB-API executemany, never a statement (or a flush) per row.

The counterpart of `bulk.insert_values` for the register's bulk changes (a district's 10,000 confirmations): each row
gets its own values, so neither one UPDATE ... WHERE key IN (...) nor the ORM's unit of work fits; an executemany
through SQLAlchemy Core would run the state seals' key capture once per row. Here the statement is Core's UPDATE
compiled for the session's dialect, every value goes through its column's own bind processor (as Core would bind
it), and the rows of a current-state table are noted for their seal at commit, with their digests before, in one
read (state_seals.bulk_update).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from assetledger.store.state_seals import STATE_TABLES, bulk_update
from assetledger.store.text_rules import check_columns

KEY = "k_key"


def update_values(
    session: Session, table: Table, key: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Set `columns` of the row whose `key` column is each row's first value to the row's other values (in
    `columns` order), by one executemany. A key that matches no row changes nothing."""
    if not rows:
        return
    if STATE_TABLES.get(table.name, (key,)) != (key,):
        raise ValueError(f"{table.name} rows are sealed by {STATE_TABLES[table.name]}, not by {key}")
    if set(map(len, rows)) != {len(columns) + 1}:
        raise ValueError(f"rows of other than a key and {len(columns)} values for {table.name}")
    conn = session.connection()
    dialect = conn.dialect
    names = [f"v_{c}" for c in columns]
    statement = (
        update(table)
        .where(table.c[key] == bindparam(KEY))
        .values({c: bindparam(n) for c, n in zip(columns, names, strict=True)})
    )
    compiled = statement.compile(dialect=dialect)
    check_columns(table, columns, [row[1:] for row in rows])
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in (key, *columns)]
    converted = [list(column) for column in zip(*rows, strict=True)]
    for i, process in enumerate(processors):
        if process is not None:
            converted[i] = list(map(process, converted[i]))
    order = [KEY, *names]
    if compiled.positiontup is None:  # named / pyformat paramstyles (psycopg)
        params: list[Any] = [dict(zip(order, values, strict=True)) for values in zip(*converted, strict=True)]
    else:
        at = [order.index(name) for name in compiled.positiontup]
        params = [tuple(values[i] for i in at) for values in zip(*converted, strict=True)]
    with bulk_update(conn, table, [(str(k),) for k in converted[0]]):
        conn.exec_driver_sql(compiled.string, params)
