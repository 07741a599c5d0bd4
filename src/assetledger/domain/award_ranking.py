"""Rank awards (名次奖励): which award places the ranked units take, and what each is paid. Pure.

The ranking is the policy's own (computed: no ties, no gaps) or given by a higher level (the province's 名次, or
its 得分): given ranks may tie (two counties ranked 2nd) and may skip places (the province ranks every county of
the province, so a city's counties may be ranked 1, 4, 5). Public money is never paid by a guess: a tie or a gap
that touches a paid place is refused unless the policy says how to treat it.

- ties = "share": the tied units take as many places as they are and share the amounts of those places equally
  (to the fen by largest remainder; the smaller region code gets an odd fen). Two counties ranked 2nd take the
  2nd and 3rd places and get (1,500,000 + 1,000,000) / 2 each; the next county takes the 4th place.
- ties = "both": each tied unit gets the full amount of the place its rank names; the group takes one place, so
  after two 1sts the next place is the 2nd (ranks numbered 1, 1, 2) — with ranks numbered 1, 1, 3 the 2nd place
  is skipped, which is a gap (below).
- gaps = "keep": a rank names its place: ranks 1, 4, 5 take the 1st, 4th and 5th places (the 2nd and 3rd amounts
  are not paid). gaps = "close": the units take the next free place in their order: 1st, 2nd, 3rd.
A unit never takes a place already taken: ranks 1, 1, 2 under "share" give the 2 the 3rd place.

Positions "overall": every ranked unit takes its place and only an eligible one is paid (a tie's share of an
ineligible unit stays unpaid); "eligible": only eligible units take places, in rank order (no gaps by definition).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import groupby

from assetledger.domain.award_reasons import Reason, ReasonKind
from assetledger.domain.money import allocate

ZERO_YUAN = Decimal("0.00")


class Ties(StrEnum):
    SHARE = "share"
    BOTH = "both"


class Gaps(StrEnum):
    KEEP = "keep"
    CLOSE = "close"


@dataclass(frozen=True)
class Ranked:
    """A unit in the ranking that pays rank awards: its rank (1 is best) and whether its grade makes it eligible."""

    code: str
    name: str
    rank: int
    eligible: bool


@dataclass(frozen=True)
class Placement:
    code: str
    rank: int
    places: tuple[int, ...]  # the award places its group takes (a shared tie: all of them) — empty: none
    amount: Decimal  # what it is paid (0 when not eligible, or beyond the paid places)
    how: Reason | None  # how the places were found (ties, gaps); None when plain


def place(
    ranked: Sequence[Ranked],
    amounts: Sequence[Decimal],
    *,
    among_eligible: bool = False,
    ties: Ties | None = None,
    gaps: Gaps | None = None,
) -> tuple[dict[str, Placement], list[str]]:
    """Places and amounts of every ranked unit, and the problems the policy leaves undecided (ties or gaps that
    touch a paid place while `ties` / `gaps` is not set). With problems the placements must not be paid."""
    paid = len(amounts)
    placements: dict[str, Placement] = {}
    problems: list[str] = []
    next_free = 1
    ordered = sorted(ranked, key=lambda r: (r.rank, r.code))
    for rank, group in groupby(ordered, key=lambda r: r.rank):
        members = list(group)
        taking = [m for m in members if m.eligible] if among_eligible else members
        if not taking:
            continue
        first, how = next_free, None
        if not among_eligible and rank > next_free:  # the given ranks skip places before this one
            skipped = f"{next_free}" if rank - 1 == next_free else f"{next_free}-{rank - 1}"
            if gaps is Gaps.CLOSE:
                how = Reason(ReasonKind.IN_ORDER, {"rank": rank, "place": first})
            else:
                first = rank
                if gaps is None and next_free <= paid:
                    names = "、".join(m.name for m in members)
                    problems.append(
                        f"名次空缺：第{skipped}名无人，{names}为第{rank}名；请在奖励办法中规定 gaps "
                        f"(the given ranks skip place {skipped} before {', '.join(m.code for m in members)} ranked "
                        f'{rank}: set [awards.rank] gaps = "keep" (ranks as given, place {skipped} not paid) or '
                        f'"close" (the next unit takes the next place))'
                    )
        elif rank != first:
            how = Reason(ReasonKind.IN_ORDER, {"rank": rank, "place": first})
        n = len(taking)
        if n > 1 and ties is None and first <= paid:
            names = "、".join(m.name for m in taking)
            problems.append(
                f"名次并列：{names}并列第{rank}名；请在奖励办法中规定 ties "
                f'({", ".join(m.code for m in taking)} are tied at rank {rank}: set [awards.rank] ties = "share" '
                f'(they share the amounts of the places they take) or "both" (each gets the amount of place {first}))'
            )
        if n == 1 or ties is Ties.BOTH:
            each = amounts[first - 1] if first <= paid else ZERO_YUAN
            for m in taking:
                note = how
                if n > 1:
                    others = "、".join(o.name for o in taking if o is not m)
                    note = Reason(ReasonKind.TIED_EACH, {"others": others, "rank": rank, "place": first})
                placements[m.code] = Placement(m.code, rank, (first,), each if m.eligible else ZERO_YUAN, note)
            next_free = first + 1
        else:  # shared (or undecided: reported above, never paid)
            places = tuple(range(first, first + n))
            pool = sum((amounts[p - 1] for p in places if p <= paid), ZERO_YUAN)
            parts = allocate(pool, [Decimal(1)] * n)
            for m, part in zip(taking, parts, strict=True):
                others = "、".join(o.name for o in taking if o is not m)
                note = Reason(
                    ReasonKind.TIED_SHARE, {"others": others, "rank": rank, "first": places[0], "last": places[-1]}
                )
                placements[m.code] = Placement(m.code, rank, places, part if m.eligible else ZERO_YUAN, note)
            next_free = first + n
    return placements, problems


def dense_ranks(scores: Sequence[tuple[str, Decimal]]) -> dict[str, int]:
    """Ranks by score, higher first; equal scores share a rank and the next score takes the next rank (1, 1, 2)."""
    distinct = sorted({s for _, s in scores}, reverse=True)
    position = {s: i for i, s in enumerate(distinct, start=1)}
    return {code: position[s] for code, s in scores}
