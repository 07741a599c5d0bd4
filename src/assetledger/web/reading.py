"""Helpers of the reading pages: region names and form choices (the services check what the reader may see)."""

from __future__ import annotations

from typing import TypeVar

from assetledger.domain.enums import LabelledEnum
from assetledger.services import regions
from assetledger.web.auth import database
from assetledger.web.i18n import mark
from assetledger.web.listing import bad

E = TypeVar("E", bound=LabelledEnum)


def region_names() -> dict[str, str]:
    return regions.region_names(database())


def choice(enum: type[E], text: str, field: str) -> E:
    try:
        return enum.parse(text)
    except ValueError as exc:
        raise bad(field, text, mark("bad_choice")) from exc
