"""The administrative hierarchy (county → township → village) and finding a place in it by code or by names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assetledger.domain.enums import RegionLevel


@dataclass(frozen=True)
class RegionNode:
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


@dataclass(frozen=True)
class Place:
    """Where an asset sits: the county always, the township and village when it belongs to one."""

    county_code: str
    township_code: str | None
    village_code: str | None

    @property
    def code(self) -> str:
        return self.village_code or self.township_code or self.county_code


# --- region codes (GB/T 2260 for city and county, the statistical 统计用区划代码 below them) ---------------------

# The digits of each level's code: a city 4 (3609) or those 4 and 00 (360900), the GB/T 2260 form; a county 6
# (360921); a township 9 (360921101) and a village 12 (360921101201), the statistical codes.
CODE_DIGITS = {
    RegionLevel.CITY: (4, 6),
    RegionLevel.COUNTY: (6,),
    RegionLevel.TOWNSHIP: (9,),
    RegionLevel.VILLAGE: (12,),
}
_DIGITS = re.compile(r"[0-9]+")
# A level's own digits (after its parent's) are never all zeros: those codes are the level above's.
_OWN_DIGITS = {
    RegionLevel.CITY: (
        "市代码为 4 位（如 3609），或其后加 00 的 6 位（360900）",
        "a city code is 4 digits (3609), or those and 00 (360900)",
    ),
    RegionLevel.COUNTY: (
        "县代码末两位不能是 00（那是市或省的代码）",
        "a county code does not end in 00 (that is a city's or a province's)",
    ),
    RegionLevel.TOWNSHIP: (
        "乡镇代码末三位不能是 000（那是县的代码）",
        "a township code does not end in 000 (that is a county's)",
    ),
    RegionLevel.VILLAGE: (
        "村代码末三位不能是 000（那是乡镇的代码）",
        "a village code does not end in 000 (that is a township's)",
    ),
}


def short_code(code: str) -> str:
    """A region code read from a file as the hierarchy keeps it: the 12-digit statistical form of a county's code
    (360921000000) is the county 360921, of a township's (360921101000) the township 360921101, of a city's
    (360900000000) the city 360900. Any other code is returned as written (a village's code is 12 digits already).

    The one rule for every reader of region codes (region import, registers, acceptance lists, count sheets, the
    province's results files), so that one place is never two regions."""
    if len(code) == 12 and code.endswith("000") and _DIGITS.fullmatch(code):
        return code[:6] if code.endswith("000000") else code[:9]
    return code


def code_problem(written: str, level: RegionLevel) -> str | None:
    """Why `written` (a code as a file gives it, before `short_code`) cannot be the code of a region of `level`,
    or None when it can: digits only, the level's length (CODE_DIGITS), and no zeros where the level's own digits
    are (360900 is a city, never a county; 360921101000 a township, never a village)."""
    if not _DIGITS.fullmatch(written):
        return "区划代码只能由数字组成 (a region code is digits only)"
    code = short_code(written)
    lengths = CODE_DIGITS[level]
    shown = "或".join(str(n) for n in lengths)
    english = " or ".join(str(n) for n in lengths)
    if code != written and len(code) not in lengths:
        above = RegionLevel.COUNTY if len(code) == 6 else RegionLevel.TOWNSHIP
        return (
            f"{written} 是{above.label}代码 {code} 的 12 位统计用写法，不是{level.label}代码 "
            f"({written} is the 12-digit form of the {above.value} code {code}, not a {level.value} code)"
        )
    if len(code) not in lengths:
        return (
            f"{level.label}代码须为 {shown} 位数字（此为 {len(code)} 位） "
            f"(a {level.value} code has {english} digits; this has {len(code)})"
        )
    own = {RegionLevel.CITY: code[2:4], RegionLevel.COUNTY: code[4:6]}.get(level, code[-3:])
    if set(own) == {"0"} or (level is RegionLevel.CITY and len(code) == 6 and code[4:] != "00"):
        chinese, english = _OWN_DIGITS[level]
        return f"{chinese} ({english})"
    return None


def code_prefix(code: str, level: RegionLevel) -> str:
    """What the codes of the regions under a region start with: a city's first 4 digits (3609 for 3609 and for
    360900), any other region's whole code."""
    return code[:4] if level is RegionLevel.CITY else code


def parent_problem(code: str, level: RegionLevel, parent: RegionNode) -> str | None:
    """Why a region's code cannot be under `parent` (a region of the level above), or None: a child's code starts
    with its parent's (360921101 under 360921, 360921 under the city 3609 or 360900)."""
    prefix = code_prefix(parent.code, parent.level)
    if code.startswith(prefix):
        return None
    return (
        f"{level.label}代码 {code} 不以上级{parent.level.label}{parent.name}的代码 {prefix} 开头 "
        f"(the {level.value} code {code} does not start with the code {prefix} of its {parent.level.value} "
        f"{parent.name})"
    )


class NamesDisagree(LookupError):
    """A row's region code and its place names name two different places."""


class RegionIndex:
    """Look regions up by code, or by the names a 台账 writes in its 县 / 乡镇 / 村 columns."""

    def __init__(self, nodes: Iterable[RegionNode]) -> None:
        self.by_code = {n.code: n for n in nodes}
        self._children: dict[tuple[str | None, str], list[RegionNode]] = {}
        for node in self.by_code.values():
            self._children.setdefault((node.parent_code, node.name), []).append(node)
        self.counties = [n for n in self.by_code.values() if n.level is RegionLevel.COUNTY]
        self._by_level_name: dict[tuple[RegionLevel, str], list[RegionNode]] = {}
        for node in self.by_code.values():
            self._by_level_name.setdefault((node.level, node.name), []).append(node)
        self._places: dict[str, Place] = {}

    def place_of(self, code: str) -> Place:
        cached = self._places.get(code)
        if cached is not None:
            return cached
        place = self._place_of(code)
        self._places[code] = place
        return place

    def _place_of(self, code: str) -> Place:
        node = self.by_code.get(code)
        if node is None:
            raise LookupError(
                f"行政区划代码 {code} 不在区划表中，请用 `region import` 导入 "
                f"(region code {code} is not in the hierarchy; import it with `region import`)"
            )
        chain: dict[RegionLevel, str] = {}
        while node is not None:
            chain[node.level] = node.code
            node = self.by_code.get(node.parent_code) if node.parent_code else None
        county = chain.get(RegionLevel.COUNTY)
        if county is None:
            raise LookupError(f"区划 {code} 不属于任何县 (region {code} does not lead up to a county)")
        return Place(county, chain.get(RegionLevel.TOWNSHIP), chain.get(RegionLevel.VILLAGE))

    def find(self, county: str | None, township: str | None, village: str | None) -> Place:
        """Resolve names (or codes) level by level. The county may be omitted when there is only one."""
        if county is None:
            if len(self.counties) != 1:
                raise LookupError("name the county (县): the database holds several")
            county_node = self.counties[0]
        else:
            county_node = self._one(None, county, RegionLevel.COUNTY)
        if township is None:
            if village is not None:
                raise LookupError(f"village {village!r} needs its township (乡镇)")
            return Place(county_node.code, None, None)
        township_node = self._one(county_node.code, township, RegionLevel.TOWNSHIP)
        if village is None:
            return Place(county_node.code, township_node.code, None)
        village_node = self._one(township_node.code, village, RegionLevel.VILLAGE)
        return Place(county_node.code, township_node.code, village_node.code)

    def locate(self, code: str | None, county: str | None, township: str | None, village: str | None) -> Place:
        """The place a row names by its region code, or by its names when it has no code. A row that gives both
        must mean one place: names that are not the code's (城青镇/大万村 with the code of 中庆镇梅田村) are refused
        (LookupError naming both), never overruled by the code in silence. A code in its 12-digit statistical form
        (360921101000) is the region's short one (`short_code`), in the code column and in the name columns."""
        if code is None:
            return self.find(county, township, village)
        place = self.place_of(short_code(code))
        problem = self.names_problem(code, place, (county, township, village))
        if problem is not None:
            raise NamesDisagree(problem)
        return place

    def names_problem(self, code: str, place: Place, names: tuple[str | None, str | None, str | None]) -> str | None:
        """Why the names of a row (县, 乡镇, 村: each a name or a code, None when not given) are not the place its
        region code names, or None when every name given is the code's at that level."""
        levels = (place.county_code, place.township_code, place.village_code)
        pairs = zip(names, levels, strict=True)
        if all(n is None or (c is not None and short_code(n) in (c, self.by_code[c].name)) for n, c in pairs):
            return None
        theirs = "".join(self.by_code[c].name for c in levels if c is not None)
        given = "".join(n for n in names if n is not None)
        return (
            f"行政区划代码 {code} 是{theirs}，与本行所填的{given}不符，请改正其一 "
            f"the region code {code} is {theirs}, but the row names {given}: correct one of them"
        )

    def _one(self, parent: str | None, key: str, level: RegionLevel) -> RegionNode:
        node = self.by_code.get(short_code(key))
        if node is not None and node.level is level and (parent is None or node.parent_code == parent):
            return node
        if parent is None:
            matches = self._by_level_name.get((level, key), [])
        else:
            matches = [n for n in self._children.get((parent, key), []) if n.level is level]
        if len(matches) == 1:
            return matches[0]
        where = f" under {self.by_code[parent].name}" if parent in self.by_code else ""
        within = f"{self.by_code[parent].name}下" if parent in self.by_code else ""
        if not matches:
            raise LookupError(f"{within}没有名为“{key}”的{level.label} (no {level.label} named {key!r}{where})")
        raise LookupError(
            f"{within}有 {len(matches)} 个名为“{key}”的{level.label}，请填写区划代码 "
            f"({len(matches)} {level.label} named {key!r}{where}; use the region code)"
        )
