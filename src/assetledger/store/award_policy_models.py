"""ORM model of the award policies (绩效奖励办法) a finance bureau stores: each change a new version, sealed in the hash
chain, never updated in place. A bureau's policies are those stored under its scope; the latest version of each
code is in force unless that version withdraws it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.store.models import Base, BigId

POLICY_CHARS = 256 * 1024  # a policy is a page or two of TOML; its whole text is kept


class AwardPolicyVersion(Base):
    """One version of a stored award policy: its TOML text as given (and its sha256), or its withdrawal."""

    __tablename__ = "award_policy_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(32))  # the bureau's scope: "*" or a region code
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, info={"max_chars": POLICY_CHARS})  # the TOML (empty: a withdrawal)
    sha256: Mapped[str] = mapped_column(String(64))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_award_policy_versions_scope_code", "scope", "code", "version", unique=True),)
