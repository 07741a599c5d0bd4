"""What the signed-in user may read: its scope by default, a region inside it when asked."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from assetledger.domain.enums import LabelledEnum
from assetledger.errors import Finding, InputError
from assetledger.services.access import require_read
from assetledger.store.models import Region
from assetledger.web.auth import database, scope_region, user

E = TypeVar("E", bound=LabelledEnum)


def read_region(asked: str | None) -> str | None:
    """The region to show: the one asked for (refused outside the reader's scope), else the reader's scope."""
    who = user()
    region = (asked or "").strip() or scope_region(who)
    with database().reading() as session:
        require_read(session, who.name, region)
    return region


def region_names() -> dict[str, str]:
    with database().reading() as session:
        return dict(session.execute(select(Region.code, Region.name)).all())


def choice(enum: type[E], text: str, field: str) -> E:
    try:
        return enum.parse(text)
    except ValueError as exc:
        raise InputError([Finding("form", None, field, text, str(exc))]) from exc
