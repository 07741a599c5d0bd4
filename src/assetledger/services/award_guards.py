"""What an award posting must not do (DOMAIN rules 12, 18), checked in one place for the CLI, the web and the
library before anything is written:

- pay a unit twice for one year, award kind and evaluation: an award rests on its basis — the province's results
  (their content, and the file's checksum) or this system's own scoring — whatever the policy's code;
- pay the city's own scoring where the province's evaluation of that year and kind is given: the province decides;
- pay from books that are not a city's (S…) covering every unit paid;
- take the payer's bank below zero on any day from the award's date on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.awards import AwardPolicy, GradeSource, Ranking, UnitResult
from assetledger.domain.journal import EntityKind, EntryKind
from assetledger.errors import RuleViolation
from assetledger.services.access import region_chain
from assetledger.store.journal_models import Account, Entity, Entry, PostingRow

KIND_WORDS = {"grade": ("等次奖励", "grade award"), "rank": ("名次奖励", "rank award")}
OWN = "computed"  # the basis of an award this system's own scoring decides
BANK = "Assets:Bank"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Award:
    """One award, planned or booked: whom it pays, for what, on what basis, how much."""

    code: str  # the policy's code (names the award in the books)
    title: str
    year: int
    unit: str
    unit_name: str
    kind: str  # grade | rank
    bases: frozenset[str]  # "computed", or the given results' content and file checksums
    amount: Decimal
    on: dt.date | None = None  # booked on (None: planned now)

    @property
    def given(self) -> bool:
        return OWN not in self.bases


def bases(policy: AwardPolicy, kind: str, results: Sequence[UnitResult], digest: str | None) -> frozenset[str]:
    """What awards of this kind rest on: the given results' content as this kind reads it (so that a re-saved file
    is the same evaluation) and the file's checksum; or this system's own scoring."""
    if kind not in policy.given_kinds() or digest is None:
        return frozenset({OWN})
    fields = {"grade"} if kind == "grade" else set()
    rank = policy.rank_award
    if kind == "rank" and rank is not None:
        fields |= {"grade"} if rank.source is GradeSource.EXTERNAL else set()
        fields |= {"rank"} if rank.ranking is Ranking.GIVEN_RANK else {"score"}
    read = sorted(
        [r.code, *(str(v) if v is not None else "" for f, v in (("grade", r.external_grade), ("rank", r.given_rank),
                                                                  ("score", r.given_score)) if f in fields)]
        for r in results
    )  # fmt: skip
    content = hashlib.sha256(json.dumps(read, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return frozenset({f"results:{kind}:{content}", f"file:{digest.rsplit('sha256:', 1)[-1]}"})


def decided_elsewhere(policy: AwardPolicy, others: Sequence[AwardPolicy]) -> frozenset[str]:
    """The award kinds of the policy's own scoring that another policy takes from the province's results: where
    those results are given, the own scoring of these kinds is not paid (check_province_decides refuses it)."""
    return policy.own_kinds() & frozenset(k for other in others if other is not policy for k in other.given_kinds())


def booked_awards(session: Session, years: Iterable[int]) -> list[Award]:
    """The awards of the years already in the receivers' books (one entry each), whatever their policy."""
    found: list[Award] = []
    for year in sorted(set(years)):
        entries = session.execute(
            select(Entry.id, Entry.entity_code, Entry.ref, Entry.date, Entry.narration, Entry.meta).where(
                Entry.kind == EntryKind.AWARD.value, Entry.ref.like(f"award:%:{year}:%")
            )
        ).all()
        ids = [e.id for e in entries]
        amounts = dict(
            session.execute(
                select(PostingRow.entry_id, func.sum(PostingRow.amount))
                .where(PostingRow.entry_id.in_(ids), PostingRow.amount > 0)
                .group_by(PostingRow.entry_id)
            ).all()
        ) if ids else {}  # fmt: skip
        for e in entries:
            code, ref_year, unit, kind = str(e.ref).removeprefix("award:").rsplit(":", 3)
            if ref_year != str(year) or e.entity_code[1:] != unit:  # the payer's copy of the entry: counted once
                continue
            meta = e.meta or {}
            # narration: {year}年度{title}：{name}（{unit}）{kind label}…
            head = e.narration.partition(f"（{unit}）")[0].removeprefix(f"{year}年度")
            title, _, name = head.rpartition("：")
            if meta.get("basis"):
                basis = frozenset(meta["basis"].split(" "))
            elif meta.get("given"):  # booked before the basis was recorded: the file's checksum
                basis = frozenset({f"file:{meta['given'].rsplit('sha256:', 1)[-1]}"})
            else:
                basis = frozenset({OWN})
            found.append(Award(code, title or code, year, unit, name or unit, kind, basis, amounts.get(e.id, ZERO),
                               e.date))  # fmt: skip
    return found


def _kind(kind: str) -> tuple[str, str]:
    return KIND_WORDS.get(kind, (kind, kind))


def check_once(planned: Sequence[Award], booked: Sequence[Award]) -> None:
    """One award per unit, year, kind and basis, whatever the policy code: refuse a second, naming the first."""
    first: dict[tuple[str, int, str, str], Award] = {}
    for b in sorted(booked, key=lambda b: (b.on or dt.date.min, b.code)):
        for basis in b.bases:
            first.setdefault((b.unit, b.year, b.kind, basis), b)  # what the books hold stays as it is
    for a in planned:
        for basis in a.bases:
            earlier = first.setdefault((a.unit, a.year, a.kind, basis), a)
            if earlier.code == a.code:
                continue  # the same policy: posted once by its refs (a changed result is refused there)
            zh, en = _kind(a.kind)
            when = f"于 {earlier.on} 入账" if earlier.on else "在本次一并入账"
            when_en = f"posted on {earlier.on}" if earlier.on else "posted in this same request"
            raise RuleViolation(
                f"{a.unit_name}（{a.unit}）{a.year} 年度的{zh}已由“{earlier.title}”{when} {earlier.amount:,.2f} 元，"
                f"依据同一评价结果，不再按“{a.title}”（{a.code}）重复支付 ({a.unit}: the {en} of {a.year} resting "
                f"on the same evaluation was {when_en} under {earlier.code} ({earlier.title}), "
                f"{earlier.amount:,.2f} yuan; {a.code} does not pay it again)"
            )


def check_province_decides(
    planned: Sequence[Award],
    booked: Sequence[Award],
    given_now: Sequence[tuple[AwardPolicy, int]],
    units: set[str],
) -> None:
    """Where the province's evaluation of a year and award kind is given, only it is paid (DOMAIN rule 18): the
    city's own scoring of that kind is refused, and so are the province's awards while the city's own are booked.
    `units`: every unit the evaluations posted score (a province's award to any of them shows its evaluation)."""
    given: dict[tuple[int, str], str] = {}
    for policy, year in given_now:  # evaluated from the province's results in this request, paying or not
        for kind in policy.given_kinds():
            given.setdefault((year, kind), policy.title)
    for a in [*booked, *planned]:
        if a.given and a.unit in units:
            given.setdefault((a.year, a.kind), a.title)
    for a in planned:
        if not a.given and (a.year, a.kind) in given:
            zh, en = _kind(a.kind)
            province = given[(a.year, a.kind)]
            raise RuleViolation(
                f"“{a.title}”是本市自行评分的{zh}，不能入账：{a.year} 年度的{zh}已有省级评价结果“{province}”，"
                f"按其等次和名次支付 ({a.code} pays a {en} by the city's own scoring; the province's evaluation "
                f"{province} gives the {en}s of {a.year}, and only it is paid)"
            )
    own = [b for b in booked if not b.given and b.unit in units]
    for a in planned:
        clash = next((b for b in own if a.given and (b.year, b.kind) == (a.year, a.kind)), None)
        if clash is not None:
            zh, en = _kind(a.kind)
            raise RuleViolation(
                f"{a.year} 年度的{zh}已按本市自行评分“{clash.title}”于 {clash.on} 入账（如 {clash.unit_name} "
                f"{clash.amount:,.2f} 元）；省级评价“{a.title}”应为依据，请先冲销已入账的奖励 (the {en}s of {a.year} "
                f"were posted by the city's own scoring {clash.code} on {clash.on} ({clash.unit} {clash.amount:,.2f}); "
                f"the province's evaluation {a.code} decides: reverse the posted awards first)"
            )


def check_payer(session: Session, payer: str, units: Iterable[tuple[str, str]]) -> None:
    """The payer is a city's books (S…) whose region covers every unit it pays: (code, name) of each."""
    row = session.execute(select(Entity.kind, Entity.region_code, Entity.name).where(Entity.code == payer)).first()
    if row is None or row.kind != EntityKind.CITY.value:
        raise RuleViolation(
            f"{payer} 不是市级（市/州/盟）账套，不能支付绩效奖励：奖励由市级财政从本级账套（S + 市代码）支付 "
            f"({payer} is not a city's books: awards are paid from a city's own books (S + the city's code))"
        )
    outside = [(code, name) for code, name in units if row.region_code not in region_chain(session, code)]
    if outside:
        shown = "、".join(f"{name}（{code}）" for code, name in outside[:6])
        raise RuleViolation(
            f"{row.name}（{payer}）不辖 {shown}，不能向其支付奖励 ({payer} pays only units within its own region; "
            f"outside it: {', '.join(code for code, _ in outside[:6])})"
        )


def check_bank(session: Session, payer: str, on: dt.date, total: Decimal) -> None:
    """The payer's bank, from the award's date on, never below zero once the awards are paid."""
    if total <= 0:
        return
    by_day = session.execute(
        select(Entry.date, func.sum(PostingRow.amount))
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(Entry.entity_code == payer, Account.entity_code == payer, Account.name == BANK)
        .group_by(Entry.date)
        .order_by(Entry.date)
    ).all()
    balance = sum((amount for day, amount in by_day if day <= on), ZERO)
    lowest = balance
    for day, amount in by_day:
        if day > on:
            balance += amount
            lowest = min(lowest, balance)
    if lowest < total:
        raise RuleViolation(
            f"{payer} 银行存款余额 {lowest:,.2f} 元（{on} 起的最低余额），不足以支付本次奖励 {total:,.2f} 元 "
            f"(the bank of {payer} holds {lowest:,.2f} yuan at its lowest from {on} on, less than the awards "
            f"{total:,.2f}: fund the city's books first)"
        )
