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
