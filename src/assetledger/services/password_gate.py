"""At most a few Argon2 computations at once per process.

Each Argon2 hash or check of the project's PasswordHasher holds MEMORY_KIB (64 MiB) for its duration; without a
bound, 24 logins at once took a server from 72 MiB to 1.4 GiB, and any number of requests with distinct names
(which the per-name throttle does not hold back) could exhaust memory. The gate admits `size` computations at
once; others wait up to `wait` seconds for a slot and are then refused with ServiceBusy (the web answers 503 with
Retry-After), so the memory password checks can take is `size` x 64 MiB per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher

from assetledger.errors import ServiceBusy

# argon2-cffi's RFC 9106 low-memory profile: t=3, m=64 MiB, p=4. Used as `password_gate.HASHER` (looked up at each
# use), so that the test suite can swap in cheap parameters for its own runs (tests/conftest.py); nothing else does.
HASHER = PasswordHasher()
MEMORY_KIB = HASHER.memory_cost
CHECKS = 2  # Argon2 computations at once per process (default)
WAIT = 10.0  # not money: seconds a check waits for a slot before it is refused


class PasswordGate:
    def __init__(self, size: int = CHECKS, wait: float = WAIT) -> None:  # not money: seconds
        if size < 1:
            raise ValueError("密码校验至少要有一个位置 (a password gate needs at least one slot)")
        self.size, self.wait = size, wait
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot while the block hashes; ServiceBusy when none frees up within `wait` seconds."""
        if not self._slots.acquire(timeout=self.wait):
            raise ServiceBusy(
                "同时校验密码的请求过多，未做任何更改，请稍后再试 "
                "(too many password checks at once; nothing was changed, try again in a moment)"
            )
        try:
            yield
        finally:
            self._slots.release()


DEFAULT_GATE = PasswordGate()
