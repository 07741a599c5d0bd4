"""Web sessions that the server can end.

The signed cookie holds a random token; the server keeps only its sha256 (`web_sessions`), with the user and the
password row that let it in. A request acts for a user only while that row exists, its password row is still the
user's latest, the user's grant is not revoked, and it began less than SESSION_HOURS ago. So logout ends the
session (a cookie captured before it no longer works), a password change ends every session of the user, whether
the user or finance set it and whichever process serves the next request, and so does revoking the user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from assetledger.errors import PermissionDenied
from assetledger.services.access import User, current_user
from assetledger.services.context import now
from assetledger.services.password_gate import DEFAULT_GATE, PasswordGate
from assetledger.services.users import check_password
from assetledger.store.access_models import UserPassword, WebSession
from assetledger.store.db import Database

SESSION_HOURS = 12  # a working day: a session left open on a shared computer does not last into the next


@dataclass(frozen=True)
class WebLogin:
    user: User
    token: str  # for the cookie only: the database never sees it


def log_in(db: Database, name: str, password: str, gate: PasswordGate = DEFAULT_GATE) -> WebLogin:
    """Check the password (PermissionDenied, ServiceBusy) and open a session bound to the password row checked: if
    the password changed meanwhile, the session is already over."""
    user, password_id = check_password(db, name, password, gate)
    token = secrets.token_urlsafe(32)
    at = now()
    with db.bookkeeping() as session:
        session.execute(delete(WebSession).where(WebSession.started_at < _oldest(at)))  # housekeeping
        session.add(WebSession(id=_key(token), name=user.name, password_id=password_id, started_at=at))
    return WebLogin(user, token)


def session_user(db: Database, token: str) -> User | None:
    """The user a session token acts for, or None when the session has ended (or never was)."""
    with db.reading() as session:
        row = session.scalar(
            select(WebSession).where(WebSession.id == _key(token), WebSession.started_at >= _oldest(now()))
        )
        if row is None:
            return None
        latest = session.scalar(select(func.max(UserPassword.id)).where(UserPassword.name == row.name))
        if latest != row.password_id:
            return None
        try:
            return current_user(session, row.name)
        except PermissionDenied:  # a stored role that is none: the session is over; logging in again says why
            return None


def log_out(db: Database, token: str) -> None:
    """End the session: its token opens nothing any more, in any process."""
    with db.bookkeeping() as session:
        session.execute(delete(WebSession).where(WebSession.id == _key(token)))


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _oldest(at: dt.datetime) -> dt.datetime:
    return at - dt.timedelta(hours=SESSION_HOURS)
