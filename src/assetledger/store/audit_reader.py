"""Audit SQL in a sandbox: one SELECT that can read the audit views of the reader's regions and nothing else.

The query never runs on a writer's connection. SQLite: a read-only connection of its own whose authorizer lets it
read the audit views only, with a progress handler as its clock. PostgreSQL: a connection that logs in as the
auditor role `assetledger db upgrade` keeps (SELECT on the views of one schema, nothing else), read-only, with
statement and lock timeouts; a sentinel cancels it when it takes an advisory lock, and it is closed afterwards,
so nothing it did outlives it. Both fetch at most `max_rows` rows and then count the rest within the same time
limit, so a caller can say "first 2,000 of 22,389 rows" truthfully.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine

from assetledger.errors import AssetLedgerError


class Refusal(StrEnum):
    STATEMENT = "statement"  # not one SELECT statement
    REFUSED = "refused"  # reached for something outside the audit views
    TIME = "time"  # stopped at the time limit
    LOCK = "lock"  # took or waited for a lock
    UNAVAILABLE = "unavailable"  # the sandbox itself cannot be set up


class AuditQueryRefused(AssetLedgerError):
    """The sandbox refused or stopped the query; `detail` says what the database said."""

    exit_code = 2

    def __init__(self, kind: Refusal, detail: str) -> None:
        self.kind, self.detail = kind, detail
        super().__init__(f"{kind.value}: {detail}")


@dataclass(frozen=True)
class Limits:
    max_rows: int
    seconds: float  # not money: a time limit


@dataclass(frozen=True)
class Fetched:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: int  # rows counted, those fetched included
    total_known: bool  # False: counting stopped at the time limit, there are more than `total`


def run(engine: Engine, sql: str, regions: frozenset[str] | None, limits: Limits) -> Fetched:
    """Run `sql` in the sandbox of the engine's database, seeing `regions` only (None: every region)."""
    if engine.dialect.name == "sqlite":
        from assetledger.store import audit_sqlite

        path = engine.url.database
        if not path or path == ":memory:":
            raise AuditQueryRefused(
                Refusal.UNAVAILABLE,
                "审计查询需要数据库文件，不能用内存数据库 (audit SQL needs a database file, not an in-memory database)",
            )
        return audit_sqlite.run(path, sql, regions, limits)
    from assetledger.store import audit_postgres

    return audit_postgres.run(engine, sql, regions, limits)
