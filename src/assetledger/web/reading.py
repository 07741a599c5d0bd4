"""Helpers of the reading pages: region names and form choices (the services check what the reader may see)."""

from __future__ import annotations

from typing import TypeVar

from flask import g
from sqlalchemy.exc import SQLAlchemyError

from assetledger.domain.enums import LabelledEnum
from assetledger.services import regions
from assetledger.web.auth import database
from assetledger.web.i18n import DEFAULT_LANG, mark, translate
from assetledger.web.listing import bad

E = TypeVar("E", bound=LabelledEnum)


def region_names() -> dict[str, str]:
    return regions.region_names(database())


def place(code: str | None) -> str:
    """A scope or region as the reader knows it: its name ("all regions" for "*", in the page's language), never its
    code where a region has a name. Asked once per page; the code itself when the database cannot be read (an error
    page about the database names the scope still)."""
    if not code:
        return ""
    if code == "*":
        return translate("all_regions", str(getattr(g, "lang", DEFAULT_LANG)))
    names: dict[str, str] = g.setdefault("place_names", {})
    if code not in names:
        try:
            names[code] = regions.region_name_of(database(), code)
        except SQLAlchemyError:
            return code
    return names[code]


def choice(enum: type[E], text: str, field: str) -> E:
    try:
        return enum.parse(text)
    except ValueError as exc:
        raise bad(field, text, mark("bad_choice")) from exc
