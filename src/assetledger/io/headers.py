"""Map the column headers users actually write (Chinese or English) to canonical field names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_NOISE = re.compile(r"[\s*＊:：]|\((万)?元\)")


def normalise(header: str) -> str:
    """Drop spaces, required-markers and unit notes so '资产原值（元）*' and '资产原值(万元)' both read '资产原值'."""
    text = header.strip().replace("（", "(").replace("）", ")")
    return _NOISE.sub("", text).lower()


@dataclass(frozen=True)
class Column:
    position: int
    field: str
    header: str
    scale: int  # 10000 when the header says the amounts are in 万元


def build_index(aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for field, names in aliases.items():
        for name in (field, *names):
            index[normalise(name)] = field
    return index


def map_header(header: list[str], index: Mapping[str, str], unit: int = 1) -> list[Column]:
    """The columns we know, in file order; unknown columns are ignored (a 台账 often carries extra notes).

    `unit`: the scale of a column whose header names no unit (10000 when a line above the header says 单位：万元,
    io/tabular.py); a header's own （万元） or （元） wins."""
    columns = []
    for i, h in enumerate(header):
        key = normalise(h)
        if key in index:
            scale = 10000 if "万元" in h else 1 if "元" in h else unit
            columns.append(Column(i, index[key], h.strip(), scale))
    return columns
