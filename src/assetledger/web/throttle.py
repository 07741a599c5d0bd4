"""Failed logins held back (Flask-Limiter): after FAILURES wrong passwords for one user name within WINDOW_MINUTES,
that name may not try again until the oldest of them has left the window (a moving window). Guessing a password
then takes years instead of hours, and the user it was aimed at is locked out for minutes, not for good.

- Counted per user name (lower-cased, so case buys no tries; its first KEY_CHARS characters, as no user name is
  longer), under a sha256 digest of it: the store never holds what was typed as a name (sometimes a password).
- Only failures count (Flask-Limiter's `deduct_when`): a login refused for a wrong password or an unknown name.
  A success clears the name's count; a busy answer (503, the password not checked) is no failure. A name over
  its limit is refused (429) before its password is checked, and the page says in how many minutes to try again.
- Shared and kept: the count lives in the app's own database by default (store/rate_limits.py, a `limits`
  storage on the table rate_limit_entries), so every server process on the database sees it and a restart does
  not clear it; `serve --throttle-store redis://HOST:6379/0` keeps it in Redis instead (any `limits` storage URI
  works). Every entry expires with its window, so guessing with ever-new names cannot grow the store beyond the
  failures of one window (each of which also waits for the password gate: services/password_gate.py).
- Failures checked side by side may pass the check together before any of them is counted (at most the password
  gate's size per process): the count only ever runs late by that many, never forgets.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any, cast

from flask import Flask, current_app, g, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from werkzeug.wrappers import Response

from assetledger.store import rate_limits
from assetledger.store.db import Database

FAILURES = 5  # wrong passwords per name ...
WINDOW_MINUTES = 15  # ... within this many minutes
KEY_CHARS = 64  # a user name holds at most 64 characters: a longer "name" is counted by its first 64 only
DATABASE = "database"  # the default store: the app's own database


def name_key(name: str | None = None) -> str:
    """The name as counted: lower-cased, at most KEY_CHARS characters (a form may send half a megabyte as a name),
    and digested. Without `name`: the login form's."""
    if name is None:
        name = request.form.get("user", "").strip()
    return hashlib.sha256(name[:KEY_CHARS].lower().encode("utf-8", "surrogatepass")).hexdigest()


class LoginThrottle:
    """The app's login limit: Flask-Limiter's extension, the limit on the login view, and the count it keeps."""

    def __init__(self, app: Flask, db: Database, store: str | None = None) -> None:
        if store in (None, "", DATABASE):
            uri, options = rate_limits.URI, {"database": db}
        else:
            uri, options = str(store), {}
        self.limiter = Limiter(
            key_func=name_key,
            app=app,
            strategy="moving-window",
            storage_uri=uri,
            storage_options=cast(dict[str, str | int], options),
            key_prefix="login",
            headers_enabled=False,
        )
        self.item_text = f"{FAILURES} per {WINDOW_MINUTES} minutes"
        view = app.view_functions["auth.login"]
        limited = self.limiter.limit(self.item_text, methods=["POST"], deduct_when=_failed)
        app.view_functions["auth.login"] = cast(Any, limited(view))
        app.register_error_handler(RateLimitExceeded, self._refused)

    @property
    def storage(self) -> Any:
        return self.limiter.storage

    def now(self) -> float:  # not money: seconds since the epoch, on the store's own clock where it has one
        clock = getattr(self.storage, "clock", None)
        return float(clock()) if callable(clock) else time.time()  # not money: seconds

    def failed(self) -> None:
        """Count this request's login as a failure (when the response is sent)."""
        g.login_failed = True

    def succeeded(self) -> None:
        """A right password: the name's failures are forgotten."""
        for limit in self.limiter.current_limits:
            self.limiter.limiter.clear(limit.limit, *limit.request_args)

    def wait_minutes(self) -> int:
        """Whole minutes (rounded up) until the name of this request may try again; 0 when it may now."""
        limit = self.limiter.current_limit
        if limit is None:
            return 0
        reset, remaining = limit.window
        if remaining > 0:
            return 0
        return max(1, math.ceil((reset - self.now()) / 60))

    def _refused(self, exc: RateLimitExceeded) -> tuple[str, int]:
        return render_template("login.html", error="too_many_logins", wait_minutes=self.wait_minutes()), 429


def _failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


def login_throttle() -> LoginThrottle:
    return cast(LoginThrottle, current_app.extensions["assetledger_login_throttle"])
