"""A year's awards side by side: each unit's grade, rank and awards by evaluation, with the total (the CLI's and the
web's summary table, the awards chart, the demo). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from assetledger.domain.awards import AwardPolicy, UnitResult, award_grade
from assetledger.domain.money import ZERO


class Evaluated(Protocol):
    """An evaluation of a year, as the table and the chart read it (services/awards.Evaluation)."""

    @property
    def policy(self) -> AwardPolicy: ...

    @property
    def results(self) -> Sequence[UnitResult]: ...


@dataclass(frozen=True)
class AwardLine:
    """One evaluation's part of a unit's awards."""

    policy: str
    grade: str | None  # the grade the awards read (given or computed)
    rank: int | None  # the rank the rank awards read
    grade_award: Decimal
    rank_award: Decimal

    @property
    def award(self) -> Decimal:
        return self.grade_award + self.rank_award


@dataclass(frozen=True)
class UnitAwards:
    """A unit's awards of the year, side by side by evaluation, with their total."""

    code: str
    name: str
    lines: tuple[AwardLine | None, ...]  # in the order of the evaluations; None: not evaluated by that one

    @property
    def total(self) -> Decimal:
        return sum((line.award for line in self.lines if line is not None), ZERO)


def side_by_side(evaluations: Sequence[Evaluated]) -> list[UnitAwards]:
    """Every unit of the evaluations, by region code, with each evaluation's grade, rank and awards and the total."""
    names: dict[str, str] = {}
    found: dict[tuple[str, int], AwardLine] = {}
    for i, e in enumerate(evaluations):
        source = e.policy.grade_award.source if e.policy.grade_award else (
            e.policy.rank_award.source if e.policy.rank_award else None
        )  # fmt: skip
        for r in e.results:
            names.setdefault(r.code, r.name)
            grade = award_grade(r, source) if source is not None else r.grade
            found[(r.code, i)] = AwardLine(e.policy.code, grade.value if grade else None, r.award_rank,
                                           r.grade_award, r.rank_award)  # fmt: skip
    return [
        UnitAwards(code, names[code], tuple(found.get((code, i)) for i in range(len(evaluations))))
        for code in sorted(names)
    ]
