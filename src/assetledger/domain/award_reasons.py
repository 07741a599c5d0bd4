"""Why a unit got its score, grade and award: typed reasons (a kind and its values), never ready-made text. Pure.

The evaluation (domain/awards.py) and the rank places (award_ranking.py) produce them; each reader renders them in
its own words: `text` in Chinese with English beside it (the CLI, the exports, the books' metadata), the web page
in the reader's language (web/i18n.py, the `why_*` words).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from assetledger.domain.indicator_causes import Cause

Value = str | int | Decimal | tuple[str, ...] | Cause | None


class ReasonKind(StrEnum):
    NOT_GRADED = "not_graded"  # share, needed: too little of the weight could be computed
    SCORED = "scored"  # score, grade, rank
    POINTS_LOST = "points_lost"  # indicator, value, points, lost
    SCORED_ZERO = "scored_zero"  # indicator, points, lost, cause: cannot be computed, scored 0 as the policy says
    EXCLUDED = "excluded"  # indicator, cause: cannot be computed, left out, weights renormalised
    GIVEN = "given"  # grade, rank, score: what the given results (the province's) hold for the unit
    NOT_GIVEN = "not_given"  # fields: what the policy needs and the given results lack for the unit
    GRADE_AWARD = "grade_award"  # amount
    RANK_AWARD = "rank_award"  # first, last, amount; detail: how the place was found
    NOT_ELIGIBLE = "not_eligible"  # first, last, grade; detail: how the place was found
    # how a rank award place was found (award_ranking.place)
    IN_ORDER = "in_order"  # rank, place: a given rank read as the next place in order (a gap closed)
    TIED_EACH = "tied_each"  # others, rank, place: tied, each gets the place's full amount
    TIED_SHARE = "tied_share"  # others, rank, first, last: tied, sharing the amounts of the places taken


TIES = (ReasonKind.TIED_EACH, ReasonKind.TIED_SHARE)


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    values: Mapping[str, Value] = field(default_factory=dict)
    detail: Reason | None = None  # how a rank award place was found (IN_ORDER, TIED_*), when not plain

    def __getitem__(self, key: str) -> Value:
        return self.values[key]


FIELD_ZH = {"grade": "等次", "rank": "名次", "score": "得分"}
GRADE_ZH = {"A": "优秀", "B": "良好", "C": "合格", "D": "不合格"}


def cause(value: Value) -> Cause | None:
    """The cause of a SCORED_ZERO or EXCLUDED reason: why its indicator cannot be computed."""
    assert value is None or isinstance(value, Cause), value
    return value


def places(first: Value, last: Value) -> str:
    return f"第{first}名" if first == last else f"第{first}-{last}名"


def _money(value: Value) -> str:
    return f"{value:,.2f}" if isinstance(value, Decimal) else str(value)


def text(reason: Reason) -> str:
    """The reason in Chinese with English beside it, as the CLI, the exports and the books' metadata show it."""
    v, k = reason.values, reason.kind
    how = f" ({text(reason.detail)})" if reason.detail is not None else ""
    if k is ReasonKind.NOT_GRADED:
        return (f"未评定：仅 {v['share']:.2f}% 的权重可计算，办法要求 {v['needed']:.2f}% (not graded: only "
                f"{v['share']:.2f}% of the weight could be computed, the policy needs {v['needed']:.2f}%)")  # fmt: skip
    if k is ReasonKind.SCORED:
        grade = v["grade"]
        return f"得分 {v['score']} ({grade}{GRADE_ZH.get(str(grade), '')}), 第{v['rank']}名"
    if k is ReasonKind.POINTS_LOST:
        return f"{v['indicator']} {v['value']}→{v['points']}分, 扣{v['lost']}"
    if k in (ReasonKind.SCORED_ZERO, ReasonKind.EXCLUDED):
        why = cause(v["cause"])
        zh, en = (why.zh, why.en) if why else ("", "")
        if k is ReasonKind.SCORED_ZERO:
            return (f"{v['indicator']} —→{v['points']}分, 扣{v['lost']} [不能计算：{zh}，按0分 (cannot be computed: "
                    f"{en}; scored 0)]")  # fmt: skip
        return (f"{v['indicator']} 不能计算：{zh}，不计入，权重重新分配 (cannot be computed: {en}; excluded, weights "
                "renormalised)")  # fmt: skip
    if k is ReasonKind.GIVEN:
        held = [f"{FIELD_ZH[f]} {v[f]}" for f in ("grade", "rank", "score") if v.get(f) is not None]
        return f"给定 {'，'.join(held)} (given by the higher level)"
    if k is ReasonKind.NOT_GIVEN:
        fields = v["fields"]
        assert isinstance(fields, tuple)
        return f"无给定{'、'.join(FIELD_ZH[f] for f in fields)} (no given {', '.join(fields)})"
    if k is ReasonKind.GRADE_AWARD:
        return f"等次奖励 {_money(v['amount'])}"
    if k is ReasonKind.RANK_AWARD:
        return f"名次奖励 {places(v['first'], v['last'])}{how} {_money(v['amount'])}"
    if k is ReasonKind.NOT_ELIGIBLE:
        grade = v["grade"] or "无"
        return (f"{places(v['first'], v['last'])}{how}，等次 {grade} 不符合名次奖励条件 (grade not eligible for the "
                "rank award)")  # fmt: skip
    if k is ReasonKind.IN_ORDER:
        return f"名次第{v['rank']}，按顺序为第{v['place']}名 (ranked {v['rank']}, place {v['place']} in order)"
    if k is ReasonKind.TIED_EACH:
        return (f"与{v['others']}并列第{v['rank']}名，各得第{v['place']}名奖励 (tied at {v['rank']}, each gets "
                f"place {v['place']})")  # fmt: skip
    return (f"与{v['others']}并列第{v['rank']}名，平分第{v['first']}至{v['last']}名奖励 (tied at {v['rank']}, "
            f"shares places {v['first']}-{v['last']})")  # fmt: skip


def explanation(reasons: tuple[Reason, ...]) -> str:
    """All of a unit's reasons as one line (the CLI's 说明 column)."""
    return "; ".join(text(r) for r in reasons)
