"""Audit SQL on PostgreSQL: one statement on a connection that logs in as the auditor role (store/audit_role.py).

Why a login of its own rather than SET ROLE on the application's connection: with a privileged session user, the
query itself could call `set_config('role', …)` or `set_config('session_authorization', …)` and be privileged
again. A session whose session user is the auditor role can become nothing else.

The application's own connection writes the scope rows for the audit connection's backend, watches it while the
query runs (a sentinel: any advisory lock it holds cancels it; past the time limit it is cancelled even if it
reset its own timeouts) and removes the scope rows afterwards. The audit connection is closed after the query, so
no lock or setting of it outlives it, and it is never in a pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from assetledger.store.audit_reader import AuditQueryRefused, Fetched, Limits, Refusal
from assetledger.store.audit_role import ReaderNames

CURSOR = "assetledger_audit"
WATCH_EVERY = 0.05  # seconds between the sentinel's looks
GRACE = 1.0  # seconds past the limit before the sentinel cancels a query that outlived its statement_timeout
LOCK_WAIT_MS = 1000
CONNECT_SECONDS = 10


def run(engine: Engine, sql: str, regions: frozenset[str] | None, limits: Limits) -> Fetched:
    try:
        return _run(engine, sql, regions, limits)
    except (DBAPIError, psycopg.Error) as exc:  # the sandbox's own plumbing failed: a finding, not a traceback
        reason = exc.orig if isinstance(exc, DBAPIError) else _message(exc)
        raise AuditQueryRefused(
            Refusal.UNAVAILABLE, f"审计视图不可用 (the audit views cannot be used: {reason})"
        ) from exc


def _run(engine: Engine, sql: str, regions: frozenset[str] | None, limits: Limits) -> Fetched:
    deadline = time.monotonic() + limits.seconds
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        names = ReaderNames.current(admin)
        with _audit_connection(engine, admin, names) as audit:
            pid, started = _check_session(audit, names)
            _set_scope(admin, names, pid, started, regions)
            try:
                with _Sentinel(admin, audit, pid, deadline + GRACE) as sentinel:
                    fetched = _fetch(audit, sql, limits, deadline, sentinel)
                if sentinel.saw_lock or _holds_advisory_lock(admin, pid):
                    raise AuditQueryRefused(
                        Refusal.LOCK,
                        "查询加了咨询锁（已随查询释放） (the query took an advisory lock (released with it))",
                    )
                return fetched
            finally:
                admin.execute(text(f"DELETE FROM {_q(admin, names.schema)}.reader_scopes WHERE pid = :p"), {"p": pid})


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


@contextmanager
def _audit_connection(engine: Engine, admin: Connection, names: ReaderNames) -> Iterator[psycopg.Connection[Any]]:
    password = _password(admin, names)
    if password is None:
        raise AuditQueryRefused(Refusal.UNAVAILABLE, "审计角色不存在，请用有 CREATEROLE 权限的角色运行 "
                                                     "`assetledger db upgrade` "
                                f"(the auditor role {names.role} is missing: run `assetledger db "
                                "upgrade` as a role with CREATEROLE (README, Security model))")  # fmt: skip
    url = engine.url
    params: dict[str, Any] = {k: v for k, v in url.query.items() if k != "options" and isinstance(v, str)}
    params.update(user=names.role, password=password, dbname=url.database, options=_options(names),
                  application_name="assetledger audit sql", connect_timeout=CONNECT_SECONDS)  # fmt: skip
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = url.port
    try:
        conn = psycopg.connect(**params)
    except psycopg.Error as exc:
        detail = (
            f"审计角色无法登录数据库，pg_hba.conf 须允许其登录 "
            f"(cannot log in as the auditor role {names.role}: {_message(exc)} (pg_hba.conf must let it log in))"
        )
        raise AuditQueryRefused(Refusal.UNAVAILABLE, detail) from exc
    pid = conn.info.backend_pid
    try:
        yield conn
    finally:
        _release(conn)
        conn.close()
        _wait_gone(admin, pid)


def _release(conn: psycopg.Connection[Any]) -> None:
    """End the audit session's transaction and drop any session lock it took, before it closes: closing only asks
    the server to end the backend, which it does a moment later."""
    try:
        conn.rollback()
        conn.execute("SELECT pg_advisory_unlock_all()")
    except psycopg.Error:
        pass  # a broken or cancelled session: its backend ends with the connection


def _wait_gone(admin: Connection, pid: int) -> None:
    """Return once the audit session's backend has ended, so that nothing it held outlives the query for the writers
    that come next (bounded: a server that keeps it longer is the server's to end)."""
    query = text("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = :p)")
    deadline = time.monotonic() + CONNECT_SECONDS
    while admin.scalar(query, {"p": pid}) and time.monotonic() < deadline:
        time.sleep(0.01)


def _password(admin: Connection, names: ReaderNames) -> str | None:
    table = f"{_q(admin, names.schema)}.reader_login"
    if admin.scalar(text("SELECT to_regclass(:t)"), {"t": table}) is None:
        return None
    found = admin.scalar(text(f"SELECT password FROM {table} WHERE role_name = :r"), {"r": names.role})
    return None if found is None else str(found)


def _options(names: ReaderNames) -> str:
    """Session settings given at connection time (the role has the same defaults; these win over a changed role)."""
    schema = ReaderNames.quote(names.schema).replace("\\", "\\\\").replace(" ", "\\ ")
    settings = {
        "search_path": schema,
        "default_transaction_read_only": "on",
        "statement_timeout": "10000",
        "lock_timeout": str(LOCK_WAIT_MS),
        "idle_in_transaction_session_timeout": "60000",
    }
    return " ".join(f"-c {key}={value}" for key, value in settings.items())


def _check_session(audit: psycopg.Connection[Any], names: ReaderNames) -> tuple[int, Any]:
    """Refuse to run on a session that could see more than the views: the role must be exactly as db upgrade left
    it (no superuser, no role membership such as pg_read_server_files)."""
    row = audit.execute(
        "SELECT session_user = current_user AND current_user = %s, r.rolsuper OR r.rolcreaterole OR r.rolcreatedb "
        "OR r.rolbypassrls OR r.rolreplication OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m "
        "WHERE m.member = r.oid), pg_catalog.pg_backend_pid(), a.backend_start FROM pg_catalog.pg_roles r, "
        "pg_catalog.pg_stat_activity a WHERE r.rolname = current_user AND a.pid = pg_catalog.pg_backend_pid()",
        (names.role,),
    ).fetchone()
    audit.rollback()
    if row is None or not row[0] or row[1]:
        raise AuditQueryRefused(Refusal.UNAVAILABLE, "审计角色的权限超出审计视图，请再运行一次 "
                                                     "`assetledger db upgrade` "
                                f"(the auditor role {names.role} has more rights than the audit "
                                "views: run `assetledger db upgrade` again)")  # fmt: skip
    return int(row[2]), row[3]


def _set_scope(admin: Connection, names: ReaderNames, pid: int, started: Any, regions: frozenset[str] | None) -> None:
    table = f"{_q(admin, names.schema)}.reader_scopes"
    # Rows of backends that are gone (an application that died mid-query) go too.
    admin.execute(text(f"DELETE FROM {table} WHERE pid = :p OR pid NOT IN "
                       "(SELECT pid FROM pg_catalog.pg_stat_activity)"), {"p": pid})  # fmt: skip
    codes = ["*"] if regions is None else sorted(regions)
    if codes:
        admin.execute(text(f"INSERT INTO {table} (pid, backend_start, region_code) VALUES (:p, :s, :c)"),
                      [{"p": pid, "s": started, "c": code} for code in codes])  # fmt: skip


# `deadline`: a time.monotonic() reading, not money
def _fetch(
    audit: psycopg.Connection[Any],
    sql: str,
    limits: Limits,
    deadline: float,  # not money: a monotonic time in seconds
    sentinel: _Sentinel,
) -> Fetched:
    audit.read_only = True
    cursor = audit.cursor(name=CURSOR)
    try:
        _time_left(audit, deadline)
        cursor.execute(sql)
        columns = tuple(column.name for column in cursor.description or ())
        _time_left(audit, deadline)
        rows = tuple(tuple(row) for row in cursor.fetchmany(limits.max_rows))
    except psycopg.Error as exc:
        raise _refusal(exc, sentinel, limits) from exc
    total, known = len(rows), True
    if len(rows) == limits.max_rows:
        try:
            _time_left(audit, deadline)
            moved = audit.execute(f'MOVE FORWARD ALL IN "{CURSOR}"')
            total += max(moved.rowcount, 0)
        except pg_errors.QueryCanceled:
            known = False
        except psycopg.Error as exc:
            raise _refusal(exc, sentinel, limits) from exc
    return Fetched(columns, rows, total, known)


def _time_left(audit: psycopg.Connection[Any], deadline: float) -> None:  # not money: seconds
    """Set the statement timeout to what is left, before every statement: the query may have changed it."""
    left = max(1, int((deadline - time.monotonic()) * 1000))
    audit.execute("SELECT pg_catalog.set_config('statement_timeout', %s, true), "
                  "pg_catalog.set_config('lock_timeout', %s, true)", (str(left), str(LOCK_WAIT_MS)))  # fmt: skip


def _refusal(exc: psycopg.Error, sentinel: _Sentinel, limits: Limits) -> AuditQueryRefused:
    if sentinel.saw_lock:
        return AuditQueryRefused(
            Refusal.LOCK, "查询加了咨询锁（已随查询释放） (the query took an advisory lock (released with it))"
        )
    if isinstance(exc, pg_errors.QueryCanceled):
        return AuditQueryRefused(Refusal.TIME, f"{limits.seconds:g} 秒后已停止 (stopped after {limits.seconds:g} s)")
    if isinstance(exc, pg_errors.LockNotAvailable):
        return AuditQueryRefused(Refusal.LOCK, f"查询在等待锁 (the query waited for a lock: {_message(exc)})")
    if isinstance(exc, pg_errors.SyntaxError) and "multiple commands" in str(exc):
        return AuditQueryRefused(Refusal.STATEMENT, "只能有一条语句 (one statement only)")
    return AuditQueryRefused(Refusal.REFUSED, _message(exc))


def _message(exc: psycopg.Error) -> str:
    return (exc.diag.message_primary if exc.diag and exc.diag.message_primary else str(exc)).strip()


def _holds_advisory_lock(admin: Connection, pid: int) -> bool:
    query = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE pid = :p AND locktype = 'advisory')"
    return bool(admin.scalar(text(query), {"p": pid}))


class _Sentinel:
    """Watches the audit backend from the application's connection while the query runs."""

    def __init__(
        self,
        admin: Connection,
        audit: psycopg.Connection[Any],
        pid: int,
        cancel_at: float,  # not money: a monotonic time in seconds
    ) -> None:
        self.admin, self.audit, self.pid, self.cancel_at = admin, audit, pid, cancel_at
        self.saw_lock = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="audit-sql-sentinel", daemon=True)

    def __enter__(self) -> _Sentinel:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_EVERY):
            if _holds_advisory_lock(self.admin, self.pid):
                self.saw_lock = True
            if self.saw_lock or time.monotonic() > self.cancel_at:
                self.audit.cancel()
                return
