"""Who is acting and when: every change of record carries both."""

from __future__ import annotations

import datetime as dt
import getpass
import os

USER_ENV = "ASSETLEDGER_USER"


def resolve_actor(user: str | None) -> str:
    """--user wins, then ASSETLEDGER_USER, then the login name (so a change is never anonymous)."""
    chosen = user or os.environ.get(USER_ENV)
    if chosen:
        return chosen
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def today() -> dt.date:
    """Today's date, for refusing what is dated in the future; never the date of a business event."""
    return dt.date.today()
