"""Engine, sessions and the unit of work. The URL comes from --db or ASSETLEDGER_DATABASE_URL."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from assetledger.errors import ConfigError
from assetledger.store import state_seals
from assetledger.store.integrity import INSERTED, seal, take_writer_lock
from assetledger.store.text_rules import guard

DEFAULT_URL = "sqlite:///assetledger.db"
URL_ENV = "ASSETLEDGER_DATABASE_URL"
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


def resolve_url(url: str | None = None) -> str:
    """--db wins, then ASSETLEDGER_DATABASE_URL, then assetledger.db in the working directory.

    A bare file path is taken as a SQLite file; postgresql:// URLs use psycopg 3.
    """
    chosen = url or os.environ.get(URL_ENV) or DEFAULT_URL
    if "://" not in chosen:
        chosen = f"sqlite:///{chosen}"
    if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
        chosen = "postgresql+psycopg://" + chosen.split("://", 1)[1]
    try:
        make_url(chosen)
    except ArgumentError as exc:
        raise ConfigError(f"数据库地址无法使用 (unusable database URL {chosen!r}: {exc})") from exc
    return chosen


def _sqlite_autocommit_driver(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers work beside one writer; busy_timeout turns lock contention into waiting;
    # foreign keys are off by default in SQLite. synchronous=NORMAL in WAL survives a process kill intact.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    # A 64 MiB page cache (default 2 MiB): bulk posting inserts into indexes of millions of rows, whose pages
    # would otherwise be read again from the file for every few rows.
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock when they begin, so two writers never both read "the latest state" and then
    # collide at commit; readers begin DEFERRED and never wait for a writer (WAL).
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | None = None) -> Engine:
    resolved = resolve_url(url)
    if resolved.startswith("sqlite"):
        engine = create_engine(resolved)
        event.listen(engine, "connect", _sqlite_pragmas)
        # Take transaction control from the sqlite3 module so BEGIN is ours (SQLAlchemy's documented recipe).
        event.listen(engine, "connect", _sqlite_autocommit_driver)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(resolved, pool_pre_ping=True)
    guard(engine)  # the same text refused on both databases, whatever path writes it
    state_seals.track(engine)
    return engine


class Database:
    """A database and its unit of work: one transaction per service call."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit everything done in the block, or nothing if it raises.

        Writers are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory transaction lock) and every row
        of record written is sealed into the hash chain just before commit: new rows of the append-only tables
        (integrity.seal), and the rows of current-state tables that the transaction changed (state_seals).
        """
        with self._sessions() as session, session.begin():
            conn = session.connection()
            take_writer_lock(conn)
            with state_seals.tracking(conn):
                yield session
                transaction = session.get_transaction()
                if transaction is not None and transaction.is_active:  # a dry run may have rolled back already
                    session.flush()
                    seal(session.connection(), session.info.pop(INSERTED, None))
                    state_seals.seal_state(session.connection())

    @contextmanager
    def bookkeeping(self) -> Iterator[Session]:
        """A short write to a table that is not of record (web sessions): its own transaction, without the writer
        lock and without sealing, so that logging in never waits behind a long import on PostgreSQL. (SQLite has
        one writer whatever is written; there it waits as any writer does.)"""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: never takes the write lock; whatever it did is rolled back."""
        with self._readers() as session:
            yield session
            session.rollback()

    @contextmanager
    def shared_snapshot(self, count: int) -> Iterator[list[Session]]:
        """`count` read-only sessions on connections of their own that all see one and the same committed state, so
        that queries run side by side in threads add up as if they had run in one transaction.

        SQLite (WAL): a reader's snapshot is fixed by its first read; each session makes that read while a
        connection here holds the write lock (BEGIN IMMEDIATE), so no commit can fall between them, and lets go at
        once. PostgreSQL: each session imports the snapshot of one REPEATABLE READ transaction
        (pg_export_snapshot / SET TRANSACTION SNAPSHOT).
        """
        sessions = [self._readers() for _ in range(count)]
        try:
            if self.is_sqlite:
                with self.engine.connect() as lock:
                    lock.begin()
                    for session in sessions:
                        session.execute(text("SELECT count(*) FROM sqlite_master"))
                    lock.rollback()
            else:
                with self._readers() as leader:
                    leader.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                    snapshot = str(leader.execute(text("SELECT pg_export_snapshot()")).scalar_one())
                    if not SNAPSHOT_ID.fullmatch(snapshot):  # it is spliced into the statement below
                        raise RuntimeError(f"unexpected PostgreSQL snapshot id {snapshot!r}")
                    for session in sessions:
                        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                        session.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                    leader.rollback()
            yield sessions
        finally:
            for session in sessions:
                session.rollback()
                session.close()

    def dispose(self) -> None:
        self.engine.dispose()
