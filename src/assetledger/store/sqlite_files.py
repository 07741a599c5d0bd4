"""SQLite database files as whole files, for backup and restore: the online backup API, integrity_check, and what a
file says of itself (tables, Alembic revision, newest seal). Plain sqlite3, not the application's engine: a backup
file is not the database in use, and the copy must go through SQLite's own locking and journal."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

BUSY_MS = 30_000  # as the application's own connections: wait for a writer rather than fail

Error = sqlite3.Error  # what the file operations below raise
DatabaseError = sqlite3.DatabaseError


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_MS / 1000)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        yield conn
    finally:
        conn.close()


def copy(source: Path, target: Path, *, read_only_source: bool = False, self_contained: bool = False) -> None:
    """Copy the database `source` into `target` with the online backup API: the whole database in one step, one
    read transaction on the source (a consistent snapshot while others write) and one write transaction on the
    target. `self_contained`: the target ends as one file, with no -wal/-shm beside it (journal_mode=DELETE)."""
    with connect(source, read_only=read_only_source) as src, connect(target) as dst:
        src.backup(dst)
        if self_contained:
            dst.execute("PRAGMA journal_mode=DELETE")


def tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    return [str(r[0]) for r in rows]


def user_tables(path: Path) -> list[str]:
    """The tables of the file at `path` (none if it is missing or empty)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    try:
        with connect(path) as conn:
            return [t for t in tables(conn) if not t.startswith("sqlite_")]
    except sqlite3.DatabaseError:
        return ["(not a SQLite database)"]


def table_count(path: Path) -> int:
    with connect(path, read_only=True) as conn:
        return len(tables(conn))


def integrity(path: Path, *, read_only: bool = False) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong (nothing: an empty list)."""
    with connect(path, read_only=read_only) as conn:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def revision(path: Path) -> str | None:
    """The file's Alembic revision (None: not an assetledger database)."""
    with connect(path, read_only=True) as conn:
        if "alembic_version" not in tables(conn):
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def newest_seal(path: Path) -> tuple[int, str | None]:
    """The sequence number and chain hash of the file's newest seal ((0, None): none)."""
    with connect(path, read_only=True) as conn:
        if "chain_seals" not in tables(conn):
            return 0, None
        row = conn.execute("SELECT seq, chain FROM chain_seals ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, None)


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(path: Path) -> None:
    """The file and whatever SQLite keeps beside it."""
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
