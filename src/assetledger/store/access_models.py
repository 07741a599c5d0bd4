"""Users and their roles: append-only grants; a user's latest grant is in force. Web passwords and sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.access import Role
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText


class UserGrant(Base):
    __tablename__ = "user_grants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[Role] = mapped_column(EnumText(Role, 32))
    scope: Mapped[str] = mapped_column(String(32))  # a region code, or "*" for everything
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class UserPassword(Base):
    """A web password, stored as an Argon2 hash only; append-only, the latest row of a name is in force."""

    __tablename__ = "user_passwords"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A web login that may act until it ends: logout deletes its row; a new password (the user's own, or one set by
    finance) leaves its password row behind, which ends it; so does revoking the user, and SESSION_HOURS after
    it began (services/web_sessions.py). Not a table of record: rows come and go and are not sealed."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token, never the token
    name: Mapped[str] = mapped_column(String(64), index=True)
    password_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_passwords.id"))  # in force at login
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
