"""Helpers of the reading pages: region names and form choices (the services check what the reader may see)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from assetledger.domain.enums import LabelledEnum
from assetledger.errors import Finding, InputError
from assetledger.store.models import Region
from assetledger.web.auth import database

E = TypeVar("E", bound=LabelledEnum)


def region_names() -> dict[str, str]:
    with database().reading() as session:
        return dict(session.execute(select(Region.code, Region.name)).all())


def choice(enum: type[E], text: str, field: str) -> E:
    try:
        return enum.parse(text)
    except ValueError as exc:
        raise InputError([Finding("form", None, field, text, str(exc))]) from exc
