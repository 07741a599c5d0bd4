"""Helpers of the reading pages: region names and form choices (the services check what the reader may see)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from assetledger.domain.enums import LabelledEnum
from assetledger.store.models import Region
from assetledger.web.auth import database
from assetledger.web.listing import bad

E = TypeVar("E", bound=LabelledEnum)


def region_names() -> dict[str, str]:
    with database().reading() as session:
        return dict(session.execute(select(Region.code, Region.name)).all())


def choice(enum: type[E], text: str, field: str) -> E:
    try:
        return enum.parse(text)
    except ValueError as exc:
        raise bad(field, text, "bad_choice") from exc
