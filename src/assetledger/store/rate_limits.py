"""Rate-limit counters in the app's own database: a storage for the `limits` library (and so for Flask-Limiter),
used by the web login throttle (web/throttle.py) unless a Redis (or other `limits`) storage URI is given.

Every server process on one database shares the counts, and a restart keeps them; no deployment needs a server
more than it already has (a SQLite file or PostgreSQL). Not a table of record: rows come and go, are not sealed,
and every row expires (`expires_at`); each write first deletes the expired rows of every key, so the table holds
only what the current windows hold. Keys are whatever the caller gives (web/throttle.py gives a digest of the user
name, never the name itself).

Each hit is one row (`at`, `expires_at`, seconds since the epoch): the moving window counts the rows of a key
younger than the window; the fixed window's counter is the number of live rows, all expiring with the first.
Writes use `Database.bookkeeping` (no writer lock, no seal; SQLite: BEGIN IMMEDIATE, one writer) and, on
PostgreSQL, a transaction-level advisory lock on the key, so two processes never both take the last place.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from limits.storage import MovingWindowSupport, Storage
from sqlalchemy import Double, String, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from assetledger.store.models import Base, BigId

if TYPE_CHECKING:  # store.db imports the schema, which imports this module
    from assetledger.store.db import Database

SCHEME = "assetledger-database"
URI = f"{SCHEME}://"
LOCK_CLASS = 0x41_4C_52_4C  # "ALRL": the advisory-lock key space of rate limits (two-int form: apart from the
# writer lock's single bigint key)


class RateLimitEntry(Base):
    """One hit of a rate limit (a failed login). Not a table of record; every row expires."""

    __tablename__ = "rate_limit_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    at: Mapped[float] = mapped_column(Double)  # not money: seconds since the epoch
    expires_at: Mapped[float] = mapped_column(Double, index=True)  # not money: seconds since the epoch


class DatabaseStorage(Storage, MovingWindowSupport):
    """A `limits` storage on the `rate_limit_entries` table (fixed and moving windows).

    Made by `limits.storage.storage_from_string(URI, database=db)` (Flask-Limiter: storage_uri=URI,
    storage_options={"database": db}). `clock` (seconds since the epoch) can be replaced, e.g. by tests."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (limits' own declaration: a list)

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        database: Database | None = None,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        if database is None:
            raise ValueError("DatabaseStorage needs the app's database: storage_options={'database': db}")
        self.database = database
        self.clock = clock
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    # --- fixed window ----------------------------------------------------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self.clock()
        with self._writing(key) as session:
            count, first_expiry = session.execute(
                select(func.count(), func.min(RateLimitEntry.expires_at)).where(_live(key, now))
            ).one()
            ends = first_expiry if count else now + expiry
            session.add_all(RateLimitEntry(key=key, at=now, expires_at=ends) for _ in range(amount))
        return int(count) + amount

    def get(self, key: str) -> int:
        with self.database.reading() as session:
            return int(session.scalar(select(func.count()).where(_live(key, self.clock()))) or 0)

    def get_expiry(self, key: str) -> float:  # not money: seconds since the epoch
        now = self.clock()
        with self.database.reading() as session:
            ends = session.scalar(select(func.min(RateLimitEntry.expires_at)).where(_live(key, now)))
        return float(ends) if ends is not None else now  # not money: seconds

    # --- moving window ---------------------------------------------------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = self.clock()
        with self._writing(key) as session:
            held = session.scalar(select(func.count()).where(_within(key, now, expiry))) or 0
            if held + amount > limit:
                return False
            session.add_all(RateLimitEntry(key=key, at=now, expires_at=now + expiry) for _ in range(amount))
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(the oldest hit still inside the window, the number of hits inside it); (now, 0) when none."""
        now = self.clock()
        with self.database.reading() as session:
            newest = (
                select(RateLimitEntry.at).where(_within(key, now, expiry)).order_by(RateLimitEntry.at.desc())
            ).limit(limit)
            times = list(session.scalars(newest))
        if not times:
            return now, 0
        return float(times[-1]), len(times)  # not money: a time in seconds

    # --- housekeeping ----------------------------------------------------------------------------------------

    def clear(self, key: str) -> None:
        with self._writing(key) as session:
            session.execute(delete(RateLimitEntry).where(RateLimitEntry.key == key))

    def reset(self) -> int | None:
        with self.database.bookkeeping() as session:
            held = int(session.scalar(select(func.count()).select_from(RateLimitEntry)) or 0)
            session.execute(delete(RateLimitEntry))
        return held

    def check(self) -> bool:
        try:
            with self.database.reading() as session:
                session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def held(self) -> int:
        """Rows held now, expired ones included until the next write (for tests and monitoring)."""
        with self.database.reading() as session:
            return int(session.scalar(select(func.count()).select_from(RateLimitEntry)) or 0)

    @contextmanager
    def _writing(self, key: str) -> Iterator[Session]:
        """A bookkeeping transaction that holds the key (PostgreSQL: advisory lock) and first drops expired rows."""
        with self.database.bookkeeping() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"), {"c": LOCK_CLASS, "k": key})
            session.execute(delete(RateLimitEntry).where(RateLimitEntry.expires_at <= self.clock()))
            yield session


def _live(key: str, now: float) -> Any:  # not money: seconds
    return (RateLimitEntry.key == key) & (RateLimitEntry.expires_at > now)


def _within(key: str, now: float, expiry: int) -> Any:  # not money: seconds
    return (RateLimitEntry.key == key) & (RateLimitEntry.at > now - expiry) & (RateLimitEntry.expires_at > now)
