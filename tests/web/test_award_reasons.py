"""The awards page says why in the reader's language (issue 19 item 2): each typed reason rendered from the
`why_*` words, in Chinese or English, with no English on the Chinese page and no Chinese words of ours on the
English one (region and indicator names are names)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from assetledger.domain.award_reasons import Reason, ReasonKind
from assetledger.domain.indicator_causes import Cause
from assetledger.web.awards import reason_text

CJK = re.compile(r"[\u4e00-\u9fff]")
REASONS = [
    Reason(ReasonKind.NOT_GRADED, {"share": Decimal("45.00"), "needed": Decimal("60")}),
    Reason(ReasonKind.SCORED, {"score": Decimal("83.42"), "grade": "B", "rank": 1}),
    Reason(
        ReasonKind.POINTS_LOST,
        {"indicator": "收益分配率", "value": Decimal("0.00"), "points": Decimal(30), "lost": Decimal("12.35")},
    ),
    Reason(
        ReasonKind.SCORED_ZERO,
        {
            "indicator": "收益分配率",
            "points": Decimal(0),
            "lost": Decimal("10.00"),
            "cause": Cause.NO_ASSET_INCOME,
        },
    ),
    Reason(ReasonKind.EXCLUDED, {"indicator": "资产清查完成率", "cause": Cause.NO_INVENTORY}),
    Reason(ReasonKind.GIVEN, {"grade": "A", "rank": 2, "score": None}),
    Reason(ReasonKind.NOT_GIVEN, {"fields": ("grade", "rank")}),
    Reason(ReasonKind.GRADE_AWARD, {"amount": Decimal("300000.00")}),
    Reason(
        ReasonKind.RANK_AWARD,
        {"first": 2, "last": 3, "amount": Decimal("1250000.00")},
        Reason(ReasonKind.TIED_SHARE, {"others": "东山县", "rank": 2, "first": 2, "last": 3}),
    ),
    Reason(
        ReasonKind.NOT_ELIGIBLE,
        {"first": 1, "last": 1, "grade": None},
        Reason(ReasonKind.IN_ORDER, {"rank": 4, "place": 1}),
    ),
    Reason(
        ReasonKind.RANK_AWARD,
        {"first": 1, "last": 1, "amount": Decimal("2000000.00")},
        Reason(ReasonKind.TIED_EACH, {"others": "东山县", "rank": 1, "place": 1}),
    ),
]
NAMES = re.compile("收益分配率|资产清查完成率|东山县")


@pytest.mark.parametrize("reason", REASONS, ids=[r.kind.value for r in REASONS])
def test_every_reason_in_chinese_and_in_english(reason: Reason) -> None:
    zh, en = reason_text(reason, "zh"), reason_text(reason, "en")
    assert zh and not re.search(r"[A-Za-z]{2,}", zh), zh  # grades (A, B) are letters, words are not
    assert en and not CJK.search(NAMES.sub("", en)), en
    assert "{" not in zh + en  # every value filled in


def test_values_read_as_people_write_them() -> None:
    award = reason_text(REASONS[8], "zh")
    assert award == "名次奖励 第2-3名（与东山县并列第2名，平分第2至3名奖励） 1,250,000.00 元"
    assert reason_text(REASONS[8], "en") == (
        "Rank award, places 2-3 (tied at 2 with 东山县, sharing places 2-3): 1,250,000.00 yuan"
    )
    assert reason_text(REASONS[1], "zh") == "得分 83.42（B 良好），第1名"
    assert reason_text(REASONS[4], "zh") == "资产清查完成率 不能计算（本年清查未覆盖该单位），不计入，权重重新分配"
    assert reason_text(REASONS[6], "en") == "No given grade, rank"
    assert reason_text(REASONS[9], "zh") == "第1名（名次第4，按顺序为第1名），等次 无 不符合名次奖励条件"
