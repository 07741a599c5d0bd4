"""One page of a query and how many rows the whole query has, both in SQL (the list pages of the web)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Sorting:
    """The order of a list page and where it starts: a key of the list's sorts, descending or not, the offset."""

    key: str
    descending: bool = False
    offset: int = 0

    def term(self, sorts: Mapping[str, Any]) -> Any:
        """The ORDER BY term of the key among the list's `sorts` (a ValueError naming them when it is not one)."""
        if self.key not in sorts:
            raise ValueError(f"不能按“{self.key}”排序 (cannot sort by {self.key!r}; one of {', '.join(sorts)})")
        return sorted_by(sorts[self.key], self.descending)


def sorted_by(column: Any, descending: bool) -> Any:
    """An ORDER BY term with empty values last either way (the same on SQLite and PostgreSQL)."""
    return column.desc().nulls_last() if descending else column.asc().nulls_last()


def fetch_page(
    session: Session, query: Select[Any], order: Sequence[Any], offset: int = 0, limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The rows of `query` in `order` from `offset` (at most `limit`), and the count of all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    paged = query.order_by(*order).offset(offset)
    if limit:
        paged = paged.limit(limit)
    return [dict(r._mapping) for r in session.execute(paged)], int(total or 0)
