"""Fast inserts for bulk paths: Core executemany, never the ORM unit of work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

T = TypeVar("T")
CHUNK = 900  # stays under SQLite's default limit of host parameters in one IN (...)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), list(rows))


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
