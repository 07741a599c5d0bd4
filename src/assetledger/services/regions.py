"""Load and read the administrative hierarchy: city (市/州/盟) → county → township → village.

A city is above its counties: it keeps books of its own (e.g. the city fund that pays awards) and holds no assets;
a county's parent is its city, or nothing when the city is not loaded. A county loaded before its city is placed
under it when a later file names the city as its parent (the one change an import makes to a region already
present); any other difference from a region already present is a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.enums import RegionLevel
from assetledger.domain.regions import RegionIndex, RegionNode, code_problem, parent_problem, short_code
from assetledger.domain.text import fold, text_findings
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.io import values
from assetledger.io.headers import build_index, map_header
from assetledger.io.tabular import Table
from assetledger.services.access import read_scope, require
from assetledger.services.context import now
from assetledger.services.stored import unknown_stored
from assetledger.store import register_repo
from assetledger.store.db import Database
from assetledger.store.models import Region
from assetledger.store.text_rules import rules

FLAT = build_index(
    {
        "code": ("区划代码", "代码", "编码"),
        "name": ("名称", "区划名称"),
        "level": ("级别", "层级"),
        "parent_code": ("上级代码", "上级区划代码", "parent"),
    }
)
NESTED = build_index(
    {
        "city": ("市", "市(州)", "地级市", "市名称", "州", "盟"),
        "city_code": ("市代码", "市区划代码", "市(州)代码"),
        "county": ("县", "县(区)", "县名称"),
        "county_code": ("县代码", "县区划代码"),
        "township": ("乡镇", "乡(镇)", "乡镇名称"),
        "township_code": ("乡镇代码", "乡镇区划代码"),
        "village": ("村", "行政村", "村名称"),
        "village_code": ("村代码", "村区划代码"),
    }
)


@dataclass(frozen=True)
class RegionImportResult:
    added: dict[RegionLevel, int]
    unchanged: int
    placed: tuple[tuple[str, str], ...] = ()  # (county, city): counties loaded before their city, now under it


# The level a region's parent has; a county's parent is optional (its city, when the city is loaded).
PARENT_LEVEL = {
    RegionLevel.CITY: None,
    RegionLevel.COUNTY: RegionLevel.CITY,
    RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
    RegionLevel.VILLAGE: RegionLevel.TOWNSHIP,
}


def region_names(db: Database) -> dict[str, str]:
    """Code -> name of every region: the names of places, printed on every notice and register, for any reader."""
    with db.reading() as session:
        return register_repo.region_names(session)


def region_name_of(db: Database, code: str) -> str:
    """A region's name as its people know it ("全部地区" for the scope "*"), for any reader; the code where no region
    has it. A user's own scope is named so on every page."""
    from assetledger.services.access import region_name

    with db.reading() as session:
        return region_name(session, code)


def load_index(session: Session) -> RegionIndex:
    """The hierarchy that places names and codes level by level: refused (exit 5), naming the region and the text,
    while a region's stored level is none of the levels (no place is decided from it)."""
    rows = session.execute(select(Region.code, Region.name, Region.level, Region.parent_code)).all()
    for r in rows:
        if not isinstance(r.level, RegionLevel):
            raise unknown_region_level(r.code, r.level)
    return RegionIndex(RegionNode(r.code, r.name, r.level, r.parent_code) for r in rows)


def unknown_region_level(code: str, level: str) -> RuleViolation:
    return unknown_stored((f"区划 {code}", f"region {code}"), "region level", level, where="在区划表中")


def _code(text: str | None) -> str | None:
    """A region code as the register reads it (full-width digits folded, domain/text.fold): one code, one region."""
    return None if text is None else fold(text) or None


@dataclass(frozen=True)
class RegionRow:
    """A region as a file gives it: the region (its code and its parent's in their short form, domain/regions
    `short_code`), the row it was read from, and the file's own headers, which every finding about it names."""

    node: RegionNode
    row: int
    written: str  # the code as the file wrote it (360921101000 for the township 360921101)
    code_header: str
    name_header: str
    parent_header: str | None  # the column of the parent's code (上级代码, or 县代码 for a township); None: none


def parse_regions(table: Table) -> tuple[list[RegionRow], list[Finding]]:
    """Either one row per region (代码, 名称, 级别, 上级代码) or one row per village with all three levels.

    A code must be one its level can have (digits only, 4 or 6 for a city, 6 for a county, 9 for a township, 12 for a
    village: domain/regions `code_problem`); the 12-digit statistical forms of a county's or a township's code are
    read as the short form, in the code columns and in 上级代码 alike."""
    flat = {c.field: c for c in map_header(table.header, FLAT)}
    nested = {c.field: c for c in map_header(table.header, NESTED)}
    regions: list[RegionRow] = []
    findings: list[Finding] = []
    if {"code", "name", "level"} <= flat.keys():
        parent_col = flat.get("parent_code")
        for number, cells in table.rows:

            def cell(field: str, cells: list[object] = cells) -> str | None:
                col = flat.get(field)
                return values.text(cells[col.position]) if col and col.position < len(cells) else None

            code, name, level_text = _code(cell("code")), cell("name"), cell("level")
            problems = [(f, "empty") for f, v in (("code", code), ("name", name), ("level", level_text)) if not v]
            level = None
            if level_text:
                try:
                    level = RegionLevel.parse(level_text)
                except ValueError as exc:
                    problems.append(("level", str(exc)))
            for field, reason in problems:
                findings.append(Finding(table.source, number, flat[field].header, cell(field), reason))
            bad = _bad_texts(
                table.source, number, ((flat["code"].header, code, "code"), (flat["name"].header, name, "name"))
            )
            if code and level and not bad:
                bad += _bad_code(table.source, number, flat["code"].header, code, level)
            findings += bad
            if code and name and level and not bad:
                parent = _code(cell("parent_code"))
                node = RegionNode(short_code(code), name, level, None if parent is None else short_code(parent))
                header = None if parent_col is None else parent_col.header
                regions.append(RegionRow(node, number, code, flat["code"].header, flat["name"].header, header))
        return regions, findings
    if {"county", "county_code"} <= nested.keys():
        levels = (
            ("city", RegionLevel.CITY),
            ("county", RegionLevel.COUNTY),
            ("township", RegionLevel.TOWNSHIP),
            ("village", RegionLevel.VILLAGE),
        )
        for number, cells in table.rows:
            upper: RegionRow | None = None  # the region of the level above, in this row
            for field, level in levels:
                name_col, code_col = nested.get(field), nested.get(f"{field}_code")
                if name_col is None or code_col is None:
                    if level is RegionLevel.CITY:
                        continue  # no city columns: the counties are the top
                    break
                name = values.text(cells[name_col.position]) if name_col.position < len(cells) else None
                code = _code(values.text(cells[code_col.position]) if code_col.position < len(cells) else None)
                if not name and not code:
                    if level is RegionLevel.CITY:
                        continue
                    break
                if not name or not code:
                    col = name_col if not name else code_col
                    findings.append(
                        Finding(
                            table.source,
                            number,
                            col.header,
                            None,
                            f"{level.label}须有名称和代码 ({level.label} needs name and code)",
                        )
                    )
                    break
                bad = _bad_texts(
                    table.source, number, ((code_col.header, code, "code"), (name_col.header, name, "name"))
                )
                bad = bad or _bad_code(table.source, number, code_col.header, code, level)
                if bad:
                    findings += bad
                    break
                node = RegionNode(short_code(code), name, level, None if upper is None else upper.node.code)
                above = None if upper is None else upper.code_header
                upper = RegionRow(node, number, code, code_col.header, name_col.header, above)
                regions.append(upper)
        return regions, findings
    findings.append(
        Finding(
            table.source,
            None,
            None,
            None,
            "columns not recognised: give 区划代码/名称/级别/上级代码, "
            "or (市/市代码/)县/县代码/乡镇/乡镇代码/村/村代码",
        )
    )
    return regions, findings


REGION_TEXT = rules(code=Region.code, name=Region.name)


def _bad_texts(source: str, row: int, texts: Iterable[tuple[str, str | None, str]]) -> list[Finding]:
    """Findings for region codes and names their columns refuse, under the file's own headers."""
    return text_findings(source, row, ((header, value, REGION_TEXT[field]) for header, value, field in texts))


def _bad_code(source: str, row: int, header: str, code: str, level: RegionLevel) -> list[Finding]:
    """A finding when `code` cannot be the code of a region of `level` (domain/regions `code_problem`)."""
    problem = code_problem(code, level)
    return [] if problem is None else [Finding(source, row, header, code, problem)]


def import_regions(db: Database, table: Table, actor: str, *, dry_run: bool = False) -> RegionImportResult:
    """Add the regions of the file; regions already present with the same name and parent are left alone.

    All or nothing: every problem is a finding naming the row and the file's own header — a code its level cannot
    have, a code the file or the database already gives another region, a parent missing or of the wrong level, a
    code that does not start with its parent's, a second region of one name under one parent."""
    read, findings = parse_regions(table)
    with db.transaction() as session:
        existing = load_index(session).by_code
        wanted: dict[str, RegionNode] = {}
        placed: dict[str, str] = {}
        first: dict[str, RegionRow] = {}  # code -> the row that first gave it
        for region in read:
            node = region.node
            seen = first.setdefault(node.code, region)
            if seen is not region and seen.node == node:
                continue  # the same region again (one row per village repeats its township and county)
            known = existing.get(node.code) or wanted.get(node.code)
            if (
                known is not None
                and known.code in existing
                and known.level is RegionLevel.COUNTY
                and known.parent_code is None
                and node.parent_code is not None
                and (known.name, known.level) == (node.name, node.level)
                and placed.get(node.code, node.parent_code) == node.parent_code
            ):
                placed[node.code] = node.parent_code  # a county loaded before its city: placed under it
            elif known and (known.name, known.level, known.parent_code) != (node.name, node.level, node.parent_code):
                findings.append(_conflict(table.source, region, known, None if node.code in existing else seen))
            elif node.code not in existing:
                wanted[node.code] = node
        moved = [RegionNode(c, existing[c].name, existing[c].level, p) for c, p in placed.items()]
        merged = RegionIndex([*existing.values(), *wanted.values(), *moved])
        for node in [*wanted.values(), *moved]:
            findings += _placement(table.source, first[node.code], node, merged)
        findings += _namesakes(table.source, first, [*wanted.values(), *moved], existing)
        if findings:
            raise InputError(sorted(findings, key=lambda f: f.row or 0))
        touched = {_authority(merged, existing, code) for code in wanted} | set(placed) | set(placed.values())
        require(session, actor, Action.REGISTER, touched)
        added = {level: sum(1 for n in wanted.values() if n.level is level) for level in RegionLevel}
        if wanted and not dry_run:
            at = now()
            rows = []
            for node in _parents_first(wanted.values()):
                rows.append(
                    {
                        "code": node.code,
                        "name": node.name,
                        "level": node.level.value,
                        "parent_code": node.parent_code,
                        "county_code": _home(merged, node.code),
                        "created_at": at,
                        "created_by": actor,
                    }
                )
            session.execute(insert(Region), rows)
        if placed and not dry_run:
            for county, city in sorted(placed.items()):
                session.execute(update(Region).where(Region.code == county).values(parent_code=city))
        unchanged = len(first.keys() - wanted.keys() - placed.keys())
        return RegionImportResult(added, unchanged, tuple(sorted(placed.items())))


def _conflict(source: str, region: RegionRow, known: RegionNode, earlier: RegionRow | None) -> Finding:
    """A region whose code the database (`earlier` None) or an earlier row of the file gives another region."""
    where, english = (
        ("已有的", "already present") if earlier is None else (f"第 {earlier.row} 行的", f"row {earlier.row}")
    )
    theirs, mine = _described(known), _described(region.node)
    reason = (
        f"与{where}{known.level.label}{known.name}冲突 (conflicts with {known.name} ({known.level.label}), {english})："
        f"那是{theirs[0]}，本行是{mine[0]}，一个代码只能是一个区划 "
        f"(that is {theirs[1]}, this row {mine[1]}: one code, one region)"
    )
    return Finding(source, region.row, region.code_header, region.written, reason)


def _described(node: RegionNode) -> tuple[str, str]:
    """A region's name, level and parent, in Chinese and in English, to show how two regions of one code differ."""
    if node.parent_code is None:
        return f"{node.level.label}{node.name}，无上级", f"{node.level.value} {node.name} with no parent"
    return (
        f"{node.level.label}{node.name}，上级 {node.parent_code}",
        f"{node.level.value} {node.name} under {node.parent_code}",
    )


def _placement(source: str, region: RegionRow, node: RegionNode, merged: RegionIndex) -> list[Finding]:
    """Findings for a region's place under its parent: a parent of the level above that is loaded or in the file
    (a county's may be missing: its city is not loaded), and a code that starts with the parent's."""
    parent_level = PARENT_LEVEL[node.level]
    parent = merged.by_code.get(node.parent_code) if node.parent_code else None
    parent_header = region.parent_header or "上级代码"
    if parent_level is None and node.parent_code:
        return [Finding(source, region.row, parent_header, node.parent_code, "市没有上级区划 (a city has no parent)")]
    if node.level is RegionLevel.COUNTY and node.parent_code is None:
        return []  # a county without its city
    if parent_level is not None and parent is None:
        reason = (
            f"上级{parent_level.label}不在区划表中，也不在本文件中 "
            f"(the {parent_level.value} above {node.level.value} {node.code} is neither loaded nor in this file)"
            if node.parent_code
            else f"{node.level.label}{node.name}须有上级{parent_level.label} "
            f"({node.level.label} {node.code} needs a {parent_level.label} as parent)"
        )
        return [Finding(source, region.row, parent_header, node.parent_code, reason)]
    if parent_level is not None and parent is not None and parent.level is not parent_level:
        reason = (
            f"{node.level.label}{node.name}的上级须是{parent_level.label} "
            f"({node.level.label} {node.code} needs a {parent_level.label} as parent)"
        )
        return [Finding(source, region.row, parent_header, node.parent_code, reason)]
    problem = None if parent is None else parent_problem(node.code, node.level, parent)
    return [] if problem is None else [Finding(source, region.row, region.code_header, region.written, problem)]


def _namesakes(
    source: str, first: dict[str, RegionRow], added: list[RegionNode], existing: dict[str, RegionNode]
) -> list[Finding]:
    """A region added (or a county placed) under a parent that already has, in the database or earlier in the file,
    another region of its name: the register finds places by name (丰和县/城青镇/大万村), and two 城青镇 under 丰和县
    would leave every row naming it unplaced."""
    findings = []
    present = {(n.parent_code, n.name): n for n in existing.values() if n.parent_code is not None}
    named: dict[tuple[str, str], RegionNode] = {}
    for node in sorted(added, key=lambda n: first[n.code].row):
        if node.parent_code is None:
            continue  # counties of one name under no city: different provinces' counties may share a name
        key = (node.parent_code, node.name)
        region = first[node.code]
        other = present.get(key)
        if other is not None and other.code != node.code:
            reason = (
                f"上级 {node.parent_code} 下已有名为“{node.name}”的{other.level.label}（{other.code}），"
                f"同一上级下不能有两个同名区划 (a {other.level.value} named {node.name} is already present under "
                f"{node.parent_code}: {other.code}; one parent has one region of a name)"
            )
            findings.append(Finding(source, region.row, region.name_header, node.name, reason))
            continue
        earlier = named.setdefault(key, node)
        if earlier is not node:
            row = first[earlier.code].row
            reason = (
                f"与第 {row} 行的{earlier.level.label}{node.name}（{earlier.code}）同名且同属 {node.parent_code}，"
                f"同一上级下不能有两个同名区划 (same name and parent as row {row}'s {earlier.code}; "
                f"one parent has one region of a name)"
            )
            findings.append(Finding(source, region.row, region.name_header, node.name, reason))
    return findings


def _authority(index: RegionIndex, existing: dict[str, RegionNode], code: str) -> str:
    """The region whose scope must cover a new one: its nearest ancestor already loaded (a new county under a
    city: the city), or the new region itself when it has none (a user of scope * adds those)."""
    node = index.by_code[code]
    while node.code not in existing and node.parent_code in index.by_code:
        node = index.by_code[node.parent_code]
    return node.code


def _home(index: RegionIndex, code: str) -> str:
    """The county a region belongs to (its `county_code`); a city, above every county, is its own."""
    node = index.by_code[code]
    return node.code if node.level is RegionLevel.CITY else index.place_of(code).county_code


def _parents_first(nodes: Iterable[RegionNode]) -> list[RegionNode]:
    order = {RegionLevel.CITY: 0, RegionLevel.COUNTY: 1, RegionLevel.TOWNSHIP: 2, RegionLevel.VILLAGE: 3}
    return sorted(nodes, key=lambda n: (order[n.level], n.code))


@dataclass(frozen=True)
class RegionListing:
    """A region of the reader's scope: code, name, level (a RegionLevel value) and the code of the region above it
    (None at the top)."""

    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class PathStep:
    """One region on the way down to a region: code, name and level (a RegionLevel value)."""

    code: str
    name: str
    level: str


def list_regions(db: Database, actor: str, level: RegionLevel | None = None) -> list[RegionListing]:
    """The regions of the reader's scope (its region and every region below it), of one level if given."""
    query = select(Region.code, Region.name, Region.level, Region.parent_code).order_by(Region.code)
    if level is not None:
        query = query.where(Region.level == level.value)
    with db.reading() as session:
        visible = read_scope(session, actor)
        if visible is not None:
            query = query.where(Region.code.in_(sorted(visible)))
        return [RegionListing(r.code, r.name, r.level, r.parent_code) for r in session.execute(query)]


def region_path(db: Database, code: str, actor: str) -> list[PathStep]:
    """The region and the regions above it, top first (county → township → village), for a reader whose scope
    covers it; the regions above the reader's scope are left out (they are not the reader's to open)."""
    with db.reading() as session:
        visible = read_scope(session, actor, code)
        path: list[PathStep] = []
        current: str | None = code
        while current is not None and all(p.code != current for p in path):
            found = session.execute(
                select(Region.code, Region.name, Region.level, Region.parent_code).where(Region.code == current)
            ).first()
            if found is None:
                if current == code:
                    raise NotFoundError("region", code)
                break
            if visible is None or found.code in visible:
                path.append(PathStep(found.code, found.name, found.level))
            current = found.parent_code
    return path[::-1]
