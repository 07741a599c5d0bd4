"""ORM models of rectification cases (整改): the case as opened on a warning, and what followed. Append-only.

A case row is never changed: its steps and its close are rows of `rectification_events`, and its state is derived
from them (domain/supervision.py `case_state`). Both tables are sealed in the hash chain.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assetledger.domain.supervision import CaseEventKind, RuleKind
from assetledger.store.models import Base, BigId
from assetledger.store.types import EnumText


class RectificationCase(Base):
    """A warning made a case: the responsible unit, the deadline, and the warning as it stood when opened."""

    __tablename__ = "rectification_cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    warning_key: Mapped[str] = mapped_column(String(300))
    rule: Mapped[RuleKind] = mapped_column(EnumText(RuleKind, 32))
    subject: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    township_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    village_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    since: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(200), info={"one_line": True})  # 责任单位
    deadline: Mapped[dt.date] = mapped_column(Date)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_rectification_cases_key", "warning_key"),
        Index("ix_rectification_cases_county", "county_code"),
    )


class RectificationEvent(Base):
    """A step taken on a case (with an optional document of record), or its close after the rule was re-run."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rectification_cases.id"))
    kind: Mapped[CaseEventKind] = mapped_column(EnumText(CaseEventKind, 16))
    event_date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_rectification_events_case", "case_id", "id"),)
