"""Independent read-only queries run side by side on several connections that share one snapshot.

The database does the work (SQLite releases the GIL while it steps a statement; psycopg while it waits), so on a
machine with more than one core a report made of several heavy aggregations finishes in about the time of its
largest part instead of their sum, and still adds up as if it had been read in one transaction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from assetledger.store.db import Database

K = TypeVar("K", bound=Hashable)
Task = tuple[K, Callable[[Session], Any]]
MAX_WORKERS = 4  # beyond this the connections mostly wait on each other's pages


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def run_side_by_side(db: Database, tasks: Sequence[Task[K]], workers: int | None = None) -> dict[K, Any]:
    """Each task's result by its key. Tasks are taken in the order given (put the heaviest first); with one worker
    they run one after another in one read-only transaction. The first task to raise stops the others from
    starting and its exception is raised here."""
    count = min(len(tasks), workers or default_workers())
    results: dict[K, Any] = {}
    if count <= 1:
        with db.reading() as session:
            for key, task in tasks:
                results[key] = task(session)
        return results
    pending = list(reversed(tasks))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work(session: Session) -> None:
        while True:
            with lock:
                if not pending or failures:
                    return
                key, task = pending.pop()
            try:
                result = task(session)
            except BaseException as exc:  # handed to the caller's thread below
                with lock:
                    failures.append(exc)
                return
            with lock:
                results[key] = result

    with db.shared_snapshot(count) as sessions:
        threads = [threading.Thread(target=work, args=(s,), name=f"side-by-side-{i}") for i, s in enumerate(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return results
