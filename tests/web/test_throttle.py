"""The login throttle (Flask-Limiter, web/throttle.py) on the app's own database (store/rate_limits.py) and on
Redis: only failures count, two server processes on one database share the count, a restart keeps it, the window
ends on the store's clock (moved by the test, never slept through), and ever-new names cannot grow the store."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import RateLimitItemPerMinute
from limits.strategies import MovingWindowRateLimiter

from assetledger.store.db import Database
from assetledger.store.rate_limits import DatabaseStorage
from assetledger.web import create_app
from assetledger.web.throttle import FAILURES, WINDOW_MINUTES, name_key
from tests.web.conftest import PASSWORD, csrf_of, login

WINDOW = WINDOW_MINUTES * 60
REDIS = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _server(db: Database, store: str | None = None) -> Flask:
    """Another server process on the same database (as `serve` makes it)."""
    web = create_app(db, secret_key=b"t" * 32, throttle_store=store)
    web.config["TESTING"] = True
    return web


def _try(app: Flask, name: str, password: str = "not the password", lang: str = "") -> tuple[int, str]:
    client: FlaskClient = app.test_client()
    token = csrf_of(client.get(f"/login{lang}").get_data(as_text=True))
    answer = client.post(f"/login{lang}", data={"user": name, "password": password, "csrf_token": token})
    return answer.status_code, answer.get_data(as_text=True)


def test_failures_inside_the_window_pause_the_name_until_the_oldest_leaves_it(db: Database) -> None:
    clock = Clock()
    storage = DatabaseStorage(database=db, clock=clock)
    limiter, item = MovingWindowRateLimiter(storage), RateLimitItemPerMinute(3, 10)
    start = clock.now
    for _ in range(3):
        assert limiter.test(item, "zhang")
        assert limiter.hit(item, "zhang")
        clock.now += 100  # hits at start, +100, +200
    assert not limiter.test(item, "zhang") and limiter.test(item, "li")
    reset, remaining = limiter.get_window_stats(item, "zhang")
    assert remaining == 0 and reset == pytest.approx(start + 600)  # when the oldest leaves the window
    clock.now = start + 600.5  # the first has left: one more try ...
    assert limiter.test(item, "zhang") and limiter.hit(item, "zhang")
    assert not limiter.test(item, "zhang")  # ... which fails: paused until the second (start + 100) leaves
    assert limiter.get_window_stats(item, "zhang")[0] == pytest.approx(start + 700)
    limiter.clear(item, "zhang")  # a success clears the count
    assert limiter.test(item, "zhang")


def test_only_wrong_passwords_count_and_a_success_clears_them(app: Flask, db: Database) -> None:
    for _ in range(FAILURES - 1):
        assert _try(app, "Zhang")[0] == 401
    login(app, "zhang")  # a success: the four failures are forgotten
    for _ in range(FAILURES - 1):
        assert _try(app, "zhang")[0] == 401
    login(app, "zhang")  # still allowed: the count started again
    client = app.test_client()
    assert client.post("/login", data={"user": "zhang", "password": "x"}).status_code == 400  # a forged form
    assert app.extensions["assetledger_login_throttle"].storage.held() == 0  # ... is no failure either


def test_processes_on_one_database_share_the_count_and_a_restart_keeps_it(app: Flask, db: Database) -> None:
    other = _server(db)  # a second server process
    for server in (app, other, app, other):
        assert _try(server, "zhang")[0] == 401
    assert _try(other, "zhang")[0] == 401  # the fifth, wherever it is tried
    for server in (app, other):
        status, page = _try(server, "zhang", PASSWORD)  # even the right password: not checked
        assert status == 429 and "密码错误次数过多" in page and "15 分钟后可再试" in page
    restarted = _server(db)  # after a restart
    status, page = _try(restarted, "ZHANG", PASSWORD, lang="?lang=en")
    assert status == 429 and "Too many wrong passwords" in page and "15 minutes until the next try" in page
    assert _try(restarted, "li", PASSWORD)[0] == 302  # another user is not held back
    storage = restarted.extensions["assetledger_login_throttle"].storage
    clock = Clock()
    storage.clock = clock
    clock.now += 5 * 60  # five minutes on: ten to wait
    assert "10 分钟后可再试" in _try(restarted, "zhang", PASSWORD)[1]
    clock.now += WINDOW  # the window has passed
    assert _try(restarted, "zhang", PASSWORD)[0] == 302


def test_ever_new_names_cannot_grow_the_store(db: Database) -> None:
    clock = Clock()
    storage = DatabaseStorage(database=db, clock=clock)
    limiter, item = MovingWindowRateLimiter(storage), RateLimitItemPerMinute(FAILURES, WINDOW_MINUTES)
    for i in range(50):
        limiter.hit(item, name_key(f"guess-{i}"))
    assert storage.held() == 50  # one row per failure of the window, nothing more
    clock.now += WINDOW + 1  # all of them have left the window
    limiter.hit(item, name_key("guess-new"))
    assert storage.held() == 1  # the next write dropped every expired row
    assert limiter.test(item, name_key("guess-0"))


def test_a_name_is_counted_by_its_first_64_characters_lower_cased(app: Flask) -> None:
    assert name_key("x" * 500_000) == name_key("X" * 64) != name_key("x" * 63)
    assert len(name_key("x" * 500_000)) == 64  # a digest: the store never holds the typed name
    for _ in range(FAILURES):
        assert _try(app, "x" * 100)[0] == 401  # a name no user has: counted all the same
    assert _try(app, "X" * 64 + "different tail")[0] == 429


@pytest.fixture
def redis_store(backend: str) -> Iterator[str]:
    if backend != "sqlite":
        pytest.skip("the Redis store does not depend on the app's database: tested once")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server answers at {REDIS}")
    yield REDIS


def test_the_count_can_live_in_redis(app: Flask, db: Database, redis_store: str) -> None:
    name = f"guess-{uuid.uuid4().hex}"  # a name of this test only: the Redis server may be shared
    first, second = _server(db, redis_store), _server(db, redis_store)
    storage = first.extensions["assetledger_login_throttle"].storage
    assert type(storage).__name__ == "RedisStorage"
    try:
        for server in (first, second, first, second, first):
            assert _try(server, name)[0] == 401
        assert _try(second, name)[0] == 429
        assert _try(_server(db, redis_store), name)[0] == 429  # a restarted process: still held
        assert _try(app, name)[0] == 401  # the database store does not see Redis's count
    finally:
        storage.clear(f"LIMITER/login/{name_key(name)}/auth.login/{FAILURES}/{WINDOW_MINUTES}/minute")
