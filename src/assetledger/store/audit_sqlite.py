"""Audit SQL on SQLite: a read-only connection of its own where only the audit views of the reader's regions exist.

- The file is opened with `mode=ro`, outside the writers' pool, and closed after the one query.
- Each audit view is two TEMP views: a hidden one with a random name per connection that reads the base tables
  through the reader's regions (`LIMIT -1 OFFSET 0` keeps SQLite from flattening it or pushing the user's WHERE
  into it, so the user's expressions never see a row outside the scope, not even to raise an error), and the
  documented name over it.
- The authorizer (sqlite3 `set_authorizer`) denies everything but SELECT, the allowed functions and reads of the
  views. Its fifth argument names the view responsible for a read — but a CTE of the same name is reported alike,
  which is why base tables may be read only from inside a hidden view, whose name the user cannot know.
- A progress handler is the clock; string and blob sizes, SQL length and ATTACH are limited.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from pathlib import Path

from assetledger.store.audit_reader import AuditQueryRefused, Fetched, Limits, Refusal
from assetledger.store.audit_views import VIEWS, select_sql

# Plain SQL functions: no file, extension, connection-state or memory-bomb functions (load_extension, zeroblob,
# randomblob, sqlite_*, changes, last_insert_rowid…). Aggregates and window functions are named here too.
_SCALAR = """abs char coalesce concat concat_ws format glob hex ifnull iif instr length like likelihood likely lower
ltrim max min nullif octet_length printf quote replace round rtrim sign soundex substr substring trim typeof unhex
unicode unlikely upper"""
_DATES = "current_date current_time current_timestamp date datetime julianday strftime time timediff unixepoch"
_AGGREGATES = """avg count group_concat string_agg sum total cume_dist dense_rank first_value lag last_value lead
nth_value ntile percent_rank rank row_number"""
_MATH = """acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi pow
power radians sin sinh sqrt tan tanh trunc"""
FUNCTIONS = frozenset(f"{_SCALAR} {_DATES} {_AGGREGATES} {_MATH}".split())
MAX_VALUE_BYTES = 10_000_000  # any one string or blob (printf('%.*c', …) cannot fill the memory)
MAX_SQL_CHARS = 100_000
PROGRESS_STEPS = 10_000  # virtual-machine steps between looks at the clock
COUNT_BATCH = 10_000
ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE})


class Authorizer:
    """Allows SELECT, the plain functions above, and reads of the audit views; remembers what it denied."""

    def __init__(self, shown: set[str], hidden: set[str], objects: set[str]) -> None:
        self.shown, self.hidden, self.objects = shown, hidden, objects
        self.denied: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, _db: str | None, source: str | None) -> int:
        if action in ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in FUNCTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and self._may_read((arg1 or "").lower(), arg2, (source or "").lower()):
            return sqlite3.SQLITE_OK
        self.denied = self.denied or self._describe(action, arg1, arg2)
        return sqlite3.SQLITE_DENY

    def _may_read(self, table: str, column: str | None, source: str) -> bool:
        if source in self.hidden:  # a hidden view reading its base tables (or the scope table)
            return True
        if table in self.shown or table in self.hidden:  # the views themselves
            return True
        # count(*) or EXISTS reads no column and comes without a source: allowed only for a name that is no table
        # or view of the database (so a CTE or subquery of the user's own).
        return column == "" and table not in self.objects and not table.startswith(("sqlite_", "pragma_"))

    @staticmethod
    def _describe(action: int, arg1: str | None, arg2: str | None) -> str:
        if action == sqlite3.SQLITE_FUNCTION:
            return f"function {arg2}()"
        if action == sqlite3.SQLITE_READ:
            return f"table {arg1}"
        if action == sqlite3.SQLITE_PRAGMA:
            return f"PRAGMA {arg1}"
        return "a statement other than SELECT"


def run(path: str, sql: str, regions: frozenset[str] | None, limits: Limits) -> Fetched:
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=5)
    except sqlite3.Error as exc:
        raise AuditQueryRefused(
            Refusal.UNAVAILABLE, f"无法以只读方式打开数据库 (cannot open the database read-only: {exc})"
        ) from exc
    try:
        try:
            authorizer = _prepare(conn, regions)
        except sqlite3.Error as exc:
            raise AuditQueryRefused(
                Refusal.UNAVAILABLE, f"无法建立审计视图 (the audit views cannot be made: {exc})"
            ) from exc
        deadline = time.monotonic() + limits.seconds
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
        try:
            cursor = conn.execute(sql)
            columns = tuple(str(d[0]) for d in cursor.description or ())
            rows = tuple(tuple(row) for row in cursor.fetchmany(limits.max_rows))
        except sqlite3.ProgrammingError as exc:  # more than one statement, or none
            raise AuditQueryRefused(Refusal.STATEMENT, str(exc)) from exc
        except sqlite3.Error as exc:
            raise _refusal(exc, authorizer, time.monotonic() > deadline, limits) from exc
        total, known = len(rows), True
        if len(rows) == limits.max_rows:
            try:
                while batch := cursor.fetchmany(COUNT_BATCH):
                    total += len(batch)
            except sqlite3.Error as exc:
                if time.monotonic() <= deadline:
                    raise _refusal(exc, authorizer, False, limits) from exc
                known = False
        return Fetched(columns, rows, total, known)
    finally:
        conn.close()


def _prepare(conn: sqlite3.Connection, regions: frozenset[str] | None) -> Authorizer:
    """The scope table and views (before the authorizer is on, so that only they can create them), the limits."""
    tag = f"_audit_{secrets.token_hex(12)}"
    scope_table = f"{tag}_scope"
    conn.execute(f"CREATE TEMP TABLE {scope_table} (code TEXT PRIMARY KEY)")
    conn.executemany(f"INSERT INTO temp.{scope_table} (code) VALUES (?)", [(code,) for code in sorted(regions or ())])

    def within(columns: tuple[str, ...]) -> str:
        return " OR ".join(f"{c} IN (SELECT code FROM temp.{scope_table})" for c in columns)

    hidden = {scope_table}
    for view in VIEWS:
        inner = f"{tag}_{view.name}"
        body = select_sql(view, lambda name: f"main.{name}", None if regions is None else within)
        conn.execute(f"CREATE TEMP VIEW {inner} AS {body} LIMIT -1 OFFSET 0")
        conn.execute(f"CREATE TEMP VIEW {view.name} AS SELECT * FROM temp.{inner}")
        hidden.add(inner)
    objects = {
        str(name).lower()
        for (name,) in conn.execute("SELECT name FROM main.sqlite_master UNION SELECT name FROM temp.sqlite_master")
    }
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_CHARS)
    authorizer = Authorizer({view.name for view in VIEWS}, hidden, objects)
    conn.set_authorizer(authorizer)
    return authorizer


def _refusal(exc: sqlite3.Error, authorizer: Authorizer, late: bool, limits: Limits) -> AuditQueryRefused:
    if late and "interrupted" in str(exc):
        return AuditQueryRefused(Refusal.TIME, f"{limits.seconds:g} 秒后已停止 (stopped after {limits.seconds:g} s)")
    if authorizer.denied is not None:
        return AuditQueryRefused(Refusal.REFUSED, f"{authorizer.denied} ({exc})")
    return AuditQueryRefused(Refusal.REFUSED, str(exc))
