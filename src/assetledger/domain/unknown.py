"""The words for a stored text that is none of its vocabulary (see services/stored.py): pure, so that the store's
readers can refuse such a row by name too."""

from __future__ import annotations

from assetledger.domain.text import visible

# what a stored value is called, by its English name
WHAT = {
    "status": "状态", "register": "资产类别", "role": "角色", "region level": "区划级别", "entry kind": "分录类别",
    "owner kind": "所有权人类别", "operating mode": "经营方式", "document kind": "档案类别", "fund source": "资金来源",
    "objection outcome": "处理结果",
}  # fmt: skip


def unknown_words(record: tuple[str, str], what: str, text: object, *, where: str = "在台账中") -> str:
    """ "资产 A-1 在台账中的状态「stolen」不是本版本认识的状态，…；请先运行 audit verify (asset A-1: its stored status
    'stolen' is no status this version knows, …)": `record` in Chinese and in English, `what` a key of WHAT."""
    zh, en = record
    said, shown = WHAT[what], str(text)
    return (
        f"{zh} {where}的{said}「{visible(shown)}」不是本版本认识的{said}，不能据此办理；请先运行 audit verify "
        f"({en}: its stored {what} {shown!r} is no {what} this version knows, so nothing is decided from it; "
        "run `audit verify`)"
    )
