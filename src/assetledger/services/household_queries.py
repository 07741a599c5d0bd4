"""Reading the beneficiary rosters across villages: one page of households, filtered, sorted and counted in SQL,
within the reader's scope (services/access.read_scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from assetledger.services.access import listed_within, read_households
from assetledger.services.paging import Sorting
from assetledger.store.db import Database
from assetledger.store.distribution_models import Household
from assetledger.store.models import Region

COLUMNS = ("household_id", "village_code", "head", "persons", "category", "factors", "joined_on", "left_on",
           "left_reason")  # fmt: skip
SORTS: dict[str, Any] = {
    "household_id": Household.household_id,
    "village": Household.village_code,
    "head": Household.head,
    "persons": Household.persons,
    "category": Household.category,
    "joined_on": Household.joined_on,
    "left_on": Household.left_on,
}
BY_ID = Sorting("household_id")  # the list's order unless asked otherwise


@dataclass(frozen=True)
class HouseholdFilter:
    region: str | None = None  # a village, or a township or county: its villages
    words: tuple[str, ...] = ()  # each must be found in the household id, the head's name or the village's name
    current: bool | None = None  # True: still on the roster; False: left it; None: both
    category: str | None = None  # poverty_exited (脱贫户), monitored (监测户), other
    limit: int | None = None


@dataclass(frozen=True)
class HouseholdRow:
    """A household as the roster lists it (personal data: read only within `read_households`' scope)."""

    household_id: str
    village_code: str
    head: str
    persons: int
    category: str
    factors: list[str]
    joined_on: dt.date
    left_on: dt.date | None
    left_reason: str | None


@dataclass(frozen=True)
class HouseholdPage:
    rows: list[HouseholdRow]
    total: int


def _matches(word: str) -> ColumnElement[bool]:
    needle = word.lower()
    named = select(Region.code).where(func.lower(Region.name).contains(needle, autoescape=True))
    return or_(
        func.lower(Household.household_id).contains(needle, autoescape=True),
        func.lower(Household.head).contains(needle, autoescape=True),
        Household.village_code.in_(named),
    )


def _filtered(session: Any, flt: HouseholdFilter, actor: str, query: Select[Any]) -> Select[Any]:
    visible = read_households(session, actor, flt.region)
    query = query.where(*listed_within(session, Household.village_code, flt.region, visible))
    for word in flt.words:
        query = query.where(_matches(word))
    if flt.current is True:
        query = query.where(Household.left_on.is_(None))
    elif flt.current is False:
        query = query.where(Household.left_on.is_not(None))
    if flt.category:
        query = query.where(Household.category == flt.category)
    return query


def household_page(db: Database, flt: HouseholdFilter, actor: str, order: Sorting = BY_ID) -> HouseholdPage:
    """One page of the households that pass the filter (all of them without a limit), and how many pass it."""
    term = order.term(SORTS)
    with db.reading() as session:
        query = _filtered(session, flt, actor, select(*(getattr(Household, c) for c in COLUMNS)))
        query = query.order_by(term, Household.household_id).offset(order.offset)
        if flt.limit:
            query = query.limit(flt.limit)
        rows = [HouseholdRow(*r) for r in session.execute(query)]
        total = session.scalar(_filtered(session, flt, actor, select(func.count()).select_from(Household)))
    return HouseholdPage(rows, int(total or 0))


def household_categories(db: Database, actor: str) -> list[str]:
    """The categories (poverty_exited, monitored, ...) found among the households the reader may see."""
    with db.reading() as session:
        query = _filtered(session, HouseholdFilter(), actor, select(Household.category).distinct())
        return sorted(str(c) for (c,) in session.execute(query) if c)
