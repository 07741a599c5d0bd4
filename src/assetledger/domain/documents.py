"""Documents of record (资产档案): what kinds there are, and which asset and kind a file's name points to. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import StrEnum


class DocumentKind(StrEnum):
    APPROVAL = "approval"  # 立项 / 批复
    ACCEPTANCE = "acceptance"  # 验收
    HANDOVER = "handover"  # 移交书
    OWNERSHIP = "ownership"  # 确权书
    PHOTO = "photo"  # 照片
    CONTRACT = "contract"  # 经营合同
    DISPOSAL = "disposal"  # 处置批复
    INVENTORY = "inventory"  # 清查佐证
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        return LABELS[self]

    @classmethod
    def parse(cls, text: str) -> DocumentKind:
        key = text.strip().lower()
        for kind in cls:
            if key == kind.value or text.strip() == kind.label:
                return kind
        for kind, words in KEYWORDS:
            if text.strip() in words:
                return kind
        accepted = ", ".join(f"{k.value}/{k.label}" for k in cls)
        raise ValueError(
            f"档案类型“{text}”不认识，可用的类型：{accepted} (unknown document kind {text!r}; accepted: {accepted})"
        )


LABELS = {
    DocumentKind.APPROVAL: "立项批复",
    DocumentKind.ACCEPTANCE: "验收材料",
    DocumentKind.HANDOVER: "移交书",
    DocumentKind.OWNERSHIP: "确权书",
    DocumentKind.PHOTO: "照片",
    DocumentKind.CONTRACT: "经营合同",
    DocumentKind.DISPOSAL: "处置批复",
    DocumentKind.INVENTORY: "清查佐证",
    DocumentKind.OTHER: "其他",
}
# Words in a file's name that say what it is, the more specific first (处置批复 before 批复).
KEYWORDS: tuple[tuple[DocumentKind, tuple[str, ...]], ...] = (
    (DocumentKind.DISPOSAL, ("处置", "拍卖", "报废", "核销")),
    (DocumentKind.INVENTORY, ("清查", "盘点", "清产核资")),
    (DocumentKind.OWNERSHIP, ("确权",)),
    (DocumentKind.HANDOVER, ("移交", "交接")),
    (DocumentKind.ACCEPTANCE, ("验收", "竣工")),
    (DocumentKind.CONTRACT, ("合同", "协议", "租赁", "承包")),
    (DocumentKind.APPROVAL, ("立项", "批复", "审批", "可研", "实施方案")),
    (DocumentKind.PHOTO, ("照片", "相片", "图片")),
)
IMAGE_TYPES = ("image/jpeg", "image/png")


def guess_kind(name: str, media_type: str) -> DocumentKind:
    """The kind a file's name says it is (验收报告.pdf: acceptance); an image that says nothing is a photo."""
    for kind, words in KEYWORDS:
        if any(word in name for word in words):
            return kind
    return DocumentKind.PHOTO if media_type in IMAGE_TYPES else DocumentKind.OTHER


# Where an asset id may end inside a file or folder name: the name's end, or one of these before the rest.
_SEPARATORS = re.compile(r"[\s_\-.、，,（(【\[]")


def id_prefixes(name: str) -> list[str]:
    """Every leading part of `name` that ends at a separator (or is the whole name): the asset ids it may start
    with. `A-1_验收报告` gives `A`, `A-1`, `A-1_验收报告`."""
    found = [name[: m.start()] for m in _SEPARATORS.finditer(name) if m.start() > 0]
    return [*found, name]


def match_asset(parts: Iterable[str], known: Callable[[str], bool]) -> str | None:
    """The asset a file belongs to: the longest registered id that starts its name (without extension), else the
    longest one that names one of its folders, nearest first. `known` says whether an id is registered."""
    names = list(parts)
    if not names:
        return None
    stem = names[-1].rsplit(".", 1)[0] if "." in names[-1] else names[-1]
    for name in [stem, *reversed(names[:-1])]:
        hits = [candidate for candidate in id_prefixes(name) if known(candidate)]
        if hits:
            return max(hits, key=len)
    return None
