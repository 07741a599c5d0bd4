"""Who is acting and when: every change of record carries both."""

from __future__ import annotations

import datetime as dt
import getpass
import os

USER_ENV = "ASSETLEDGER_USER"


def resolve_actor(user: str | None) -> str:
    """--user wins, then ASSETLEDGER_USER, then the login name (so a change is never anonymous).

    The name is recorded on every change and shown in every trail: it is refused (InputError) when its column
    would refuse it (control characters, longer than a user name holds)."""
    chosen = user or os.environ.get(USER_ENV)
    if not chosen:
        try:
            chosen = getpass.getuser()
        except Exception:  # no login name in some containers
            chosen = "unknown"
    from assetledger.domain.text import require_texts
    from assetledger.store.access_models import UserGrant  # imported here: only commands that act need the models
    from assetledger.store.text_rules import column_rule

    rule = column_rule(UserGrant.name)
    if rule is not None:
        require_texts("--user", [("user", chosen, rule)])
    return chosen


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def today() -> dt.date:
    """Today's date, for refusing what is dated in the future; never the date of a business event."""
    return dt.date.today()
