"""The login throttle's window, on a clock the test moves."""

from __future__ import annotations

from assetledger.web.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_inside_the_window_pause_the_name_until_the_oldest_leaves_it() -> None:
    clock = Clock()
    throttle = LoginThrottle(failures=3, window=600, clock=clock)
    for _ in range(3):
        assert throttle.wait("zhang") == 0
        throttle.failed("zhang")
        clock.now += 100  # failures at 1000, 1100, 1200
    assert throttle.wait("ZHANG") == 1000 + 600 - 1300 and throttle.wait_minutes("zhang") == 5
    assert throttle.wait("li") == 0
    clock.now = 1600  # the first failure has left the window: one more try
    assert throttle.wait("zhang") == 0
    throttle.failed("zhang")  # ... which fails: paused until the second (1100) leaves
    assert throttle.wait("zhang") == 100


def test_a_success_clears_the_count() -> None:
    clock = Clock()
    throttle = LoginThrottle(failures=2, window=600, clock=clock)
    throttle.failed("wang")
    throttle.succeeded("Wang")
    throttle.failed("wang")
    assert throttle.wait("wang") == 0
