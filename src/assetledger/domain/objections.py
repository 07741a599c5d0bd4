"""Objections (异议) to a distribution's public notice and the objection period (公示期) they are raised in. Pure.

A distribution's notice runs its objection period from the day it is published: `days` days, the day of
publication counted, so that households may be paid from the day after its last day (DOMAIN rule 15). An objection is
raised within the period; it is decided later (upheld 成立 or dismissed 不成立). A distribution is paid only when no
objection to it is undecided on the payout date, and none was upheld.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    UPHELD = "upheld"  # 异议成立: the distribution must be reversed and redone
    DISMISSED = "dismissed"  # 异议不成立: the payout may go ahead

    @property
    def label(self) -> str:
        return "成立 (upheld)" if self is Outcome.UPHELD else "不成立 (dismissed)"


@dataclass(frozen=True)
class ObjectionPeriod:
    """The objection period of a notice published on `published_on` that runs `days` days."""

    published_on: dt.date
    days: int

    @property
    def first_payout_day(self) -> dt.date:
        return self.published_on + dt.timedelta(days=self.days)

    @property
    def last_day(self) -> dt.date:
        """The period's last day (the day before publication when it runs no day at all)."""
        return self.first_payout_day - dt.timedelta(days=1)

    def covers(self, day: dt.date) -> bool:
        return self.published_on <= day <= self.last_day

    def __str__(self) -> str:
        return f"{self.published_on} 至 {self.last_day}"


def pending_on(decided_on: dt.date | None, day: dt.date) -> bool:
    """Was an objection decided on `decided_on` (None: not yet) still undecided on `day`? A decision dated after a
    payout's date does not make the payout of that date possible."""
    return decided_on is None or decided_on > day
