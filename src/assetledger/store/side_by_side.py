"""Independent read-only queries run side by side on several connections that share one snapshot.

The database does the work (SQLite releases the GIL while it steps a statement; psycopg while it waits), so on a
machine with more than one core a report made of several heavy aggregations finishes in about the time of its
largest part instead of their sum, and still adds up as if it had been read in one transaction.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from assetledger.store.db import Database

K = TypeVar("K", bound=Hashable)
Task = tuple[K, Callable[[Session], Any]]
MAX_WORKERS = 4  # beyond this the connections mostly wait on each other's pages


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class _Skipped(Exception):
    """A task not started because another had failed."""


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
    failed = threading.Event()
    with db.shared_snapshot(count) as sessions:
        free: queue.SimpleQueue[Session] = queue.SimpleQueue()  # a session is used by one thread at a time
        for session in sessions:
            free.put(session)

        def run(task: Callable[[Session], Any]) -> Any:
            if failed.is_set():
                raise _Skipped
            session = free.get()
            try:
                return task(session)
            except BaseException:
                failed.set()
                raise
            finally:
                free.put(session)

        with ThreadPoolExecutor(count, thread_name_prefix="side-by-side") as pool:
            futures = {pool.submit(run, task): key for key, task in tasks}
            for future in as_completed(futures):
                error = future.exception()
                if error is not None and not isinstance(error, _Skipped):
                    for waiting in futures:
                        waiting.cancel()
                    raise error
                if error is None:
                    results[futures[future]] = future.result()
    return results
