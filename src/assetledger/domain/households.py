"""A household on a village's beneficiary roster (受益对象), as one type for every layer. Pure.

The roster import reads it from a file (io/household_rows.HouseholdRow adds the file's row and the household-level
assets named with it), the roster lists it, a household's history shows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class HouseholdFacts:
    """A household: its village, head, persons, category, the factors it has, when it joined and, if it left, when
    and why."""

    household_id: str
    village: str
    head: str
    persons: int
    category: str  # as stored (the roster, a file); a household's history shows its label
    factors: tuple[str, ...]
    joined_on: dt.date
    left_on: dt.date | None
    left_reason: str | None


def roster_date_problem(on: dt.date, today: dt.date) -> str | None:
    """Why a roster date (joined, left, changed, an exit's correction) cannot stand: the roster records what has
    happened, so a date after today is a typo (a 2027 for 2026) — accepted, it would keep a household that has left
    on every distribution until then and block every correction (DOMAIN rule 16)."""
    if on > today:
        return f"日期晚于今天 the date is after today ({today})"
    return None
