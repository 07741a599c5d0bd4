"""Failed logins held back: after a number of wrong passwords for one user name within a window, that name may not
try again until the oldest of them has left the window. Guessing a password then takes years instead of hours,
and the user it was aimed at is locked out for minutes, not for good.

Counted per web process and per user name (lower-cased, so case does not buy more tries), in memory: a restart
forgets the count, which an attacker cannot cause from outside. Names whose failures have all left the window are
dropped once more than KEPT_NAMES are held, so guessing with ever new names cannot grow the memory without bound
(each guess also waits for the password gate: services/password_gate.py).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

FAILURES = 5  # wrong passwords per name ...
WINDOW = 15 * 60.0  # ... within this many seconds
KEPT_NAMES = 10_000  # names held before stale ones are swept
KEY_CHARS = 64  # a user name holds at most 64 characters: a longer "name" is kept by its first 64 only


class LoginThrottle:
    def __init__(
        self,
        failures: int = FAILURES,
        window: float = WINDOW,  # not money: seconds
        clock: Callable[[], float] = time.monotonic,
        kept: int = KEPT_NAMES,
    ) -> None:
        self.failures, self.window, self.clock, self.kept = failures, window, clock, kept
        self._failed: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, name: str) -> float:  # not money: seconds
        """Seconds until `name` may try a password again; 0 when it may now."""
        with self._lock:
            recent = self._recent(_key(name))
            if len(recent) < self.failures:
                return 0.0
            return max(0.0, recent[0] + self.window - self.clock())

    def wait_minutes(self, name: str) -> int:
        return math.ceil(self.wait(name) / 60)

    def failed(self, name: str) -> None:
        with self._lock:
            self._recent(_key(name)).append(self.clock())
            if len(self._failed) > self.kept:
                horizon = self.clock() - self.window
                for key in [k for k, times in self._failed.items() if not times or times[-1] <= horizon]:
                    del self._failed[key]

    def names(self) -> int:
        """How many names are held (for tests and monitoring)."""
        with self._lock:
            return len(self._failed)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failed.pop(_key(name), None)

    def _recent(self, key: str) -> deque[float]:
        """The name's failures still inside the window (older ones dropped), at most `failures` of them."""
        recent = self._failed.setdefault(key, deque(maxlen=self.failures))
        horizon = self.clock() - self.window
        while recent and recent[0] <= horizon:
            recent.popleft()
        return recent


def _key(name: str) -> str:
    """The name as counted: lower-cased (case buys no tries), and never more than KEY_CHARS characters (a form may
    send half a megabyte as a name; no such name is a user)."""
    return name[:KEY_CHARS].lower()
