"""Rank awards by given ranks: ties and gaps as the policy says, never paid by a guess; properties over any ranks."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assetledger.domain.award_ranking import Gaps, Ranked, Ties, dense_ranks, place

D = Decimal
TOP3 = (D("2000000.00"), D("1500000.00"), D("1000000.00"))


def ranked(*units: tuple[str, int, bool]) -> list[Ranked]:
    return [Ranked(code, f"县{code}", rank, eligible) for code, rank, eligible in units]


def paid(units: list[Ranked], **policy: object) -> dict[str, Decimal]:
    placements, problems = place(units, TOP3, **policy)  # type: ignore[arg-type]
    assert problems == []
    return {code: p.amount for code, p in placements.items()}


def test_plain_ranks_pay_their_places_and_the_ineligible_none() -> None:
    units = ranked(("a", 1, True), ("b", 2, False), ("c", 3, True), ("d", 4, True))
    assert paid(units) == {"a": TOP3[0], "b": 0, "c": TOP3[2], "d": 0}
    assert paid(units, among_eligible=True) == {"a": TOP3[0], "c": TOP3[1], "d": TOP3[2]}


def test_a_shared_tie_takes_its_places_and_splits_them_to_the_fen() -> None:
    units = ranked(("b", 1, True), ("a", 1, True), ("c", 1, True), ("d", 4, True))
    got = paid(units, ties=Ties.SHARE)
    assert got["a"] == D("1500000.00") and got["d"] == 0
    odd = place(ranked(("b", 3, True), ("a", 3, True), ("c", 3, True)), (D(0), D(0), D("100.00")),
                ties=Ties.SHARE, gaps=Gaps.KEEP)[0]  # fmt: skip
    assert [odd[c].amount for c in "abc"] == [D("33.34"), D("33.33"), D("33.33")]  # the smaller code: the odd fen
    dense = paid(ranked(("a", 1, True), ("b", 1, True), ("c", 2, True)), ties=Ties.SHARE)
    assert dense["c"] == TOP3[2]  # a place is never taken twice: after a tie of two, "2" is the 3rd place
    ineligible = paid(ranked(("a", 2, True), ("b", 2, False), ("z", 1, True)), ties=Ties.SHARE)
    assert ineligible == {"z": TOP3[0], "a": D("1250000.00"), "b": 0}  # b's share stays unpaid


def test_both_pays_each_tied_unit_its_place() -> None:
    got = paid(ranked(("a", 1, True), ("b", 1, True), ("c", 2, True)), ties=Ties.BOTH)
    assert got == {"a": TOP3[0], "b": TOP3[0], "c": TOP3[1]}
    competition = ranked(("a", 1, True), ("b", 1, True), ("c", 3, True))
    assert paid(competition, ties=Ties.BOTH, gaps=Gaps.KEEP)["c"] == TOP3[2]
    assert paid(competition, ties=Ties.BOTH, gaps=Gaps.CLOSE)["c"] == TOP3[1]


def test_undecided_ties_and_gaps_are_refused_only_where_money_is_at_stake() -> None:
    _, problems = place(ranked(("a", 1, True), ("b", 2, True), ("c", 2, True)), TOP3)
    assert len(problems) == 1 and "ties" in problems[0] and "b, c are tied at rank 2" in problems[0]
    _, problems = place(ranked(("a", 1, True), ("b", 4, True)), TOP3)
    assert len(problems) == 1 and "skip place 2-3 before b ranked 4" in problems[0]
    _, problems = place(ranked(("a", 1, True), ("b", 2, True), ("c", 3, True), ("d", 5, True), ("e", 5, True)), TOP3)
    assert problems == []  # a gap and a tie after the paid places change nothing


def test_dense_ranks_by_score() -> None:
    assert dense_ranks([("a", D("90")), ("b", D("95.5")), ("c", D("90")), ("d", D("80"))]) == {
        "b": 1, "a": 2, "c": 2, "d": 3,
    }  # fmt: skip


units_strategy = st.lists(st.tuples(st.integers(1, 8), st.booleans()), min_size=1, max_size=10).map(
    lambda xs: [Ranked(f"u{i:02d}", f"u{i}", rank, ok) for i, (rank, ok) in enumerate(xs)]
)


@given(units_strategy, st.sampled_from(list(Gaps)), st.booleans())
def test_shared_ties_never_pay_more_than_the_places(units: list[Ranked], gaps: Gaps, among: bool) -> None:
    placements, problems = place(units, TOP3, among_eligible=among, ties=Ties.SHARE, gaps=gaps)
    assert problems == []
    assert sum((p.amount for p in placements.values()), D(0)) <= sum(TOP3)
    assert all(p.amount == 0 for code, p in placements.items() if not next(u for u in units if u.code == code).eligible)
    taken = [place_ for group in {p.places for p in placements.values()} for place_ in group]  # a tie shares its places
    assert len(taken) == len(set(taken))  # no place is taken by two groups
    if among and any(u.eligible for u in units):  # every paid place goes to someone eligible, in full
        count = min(len(TOP3), sum(1 for u in units if u.eligible))
        assert sum((p.amount for p in placements.values()), D(0)) == sum(TOP3[:count])
