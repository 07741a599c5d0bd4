"""The administrative hierarchy (county → township → village) and finding a place in it by code or by names."""

from __future__ import annotations

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
        (LookupError naming both), never overruled by the code in silence."""
        if code is None:
            return self.find(county, township, village)
        place = self.place_of(code)
        problem = self.names_problem(code, place, (county, township, village))
        if problem is not None:
            raise NamesDisagree(problem)
        return place

    def names_problem(self, code: str, place: Place, names: tuple[str | None, str | None, str | None]) -> str | None:
        """Why the names of a row (县, 乡镇, 村: each a name or a code, None when not given) are not the place its
        region code names, or None when every name given is the code's at that level."""
        levels = (place.county_code, place.township_code, place.village_code)
        pairs = zip(names, levels, strict=True)
        if all(n is None or (c is not None and n in (c, self.by_code[c].name)) for n, c in pairs):
            return None
        theirs = "".join(self.by_code[c].name for c in levels if c is not None)
        given = "".join(n for n in names if n is not None)
        return (
            f"行政区划代码 {code} 是{theirs}，与本行所填的{given}不符，请改正其一 "
            f"the region code {code} is {theirs}, but the row names {given}: correct one of them"
        )

    def _one(self, parent: str | None, key: str, level: RegionLevel) -> RegionNode:
        node = self.by_code.get(key)
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
