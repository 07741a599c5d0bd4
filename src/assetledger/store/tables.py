"""The Core table of a model, typed: `Model.__table__` is declared as a FromClause, so passing it where a Table is
wanted needs a cast at every call; `table_of(Model)` does it once, and checks it."""

from __future__ import annotations

from sqlalchemy import Table

from assetledger.store.models import Base


def table_of(model: type[Base]) -> Table:
    """The Table a mapped class is declared on (every model here maps exactly one table)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to one table")
    return table
