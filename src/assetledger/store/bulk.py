"""Fast inserts for bulk paths: Core executemany, never the ORM unit of work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, insert, select
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
