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
from assetledger.domain.regions import RegionIndex, RegionNode
from assetledger.domain.text import fold, text_findings
from assetledger.errors import Finding, InputError, NotFoundError
from assetledger.io import values
from assetledger.io.headers import build_index, map_header
from assetledger.io.tabular import Table
from assetledger.services.access import read_scope, require
from assetledger.services.context import now
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
    rows = session.execute(select(Region.code, Region.name, Region.level, Region.parent_code)).all()
    return RegionIndex(RegionNode(r.code, r.name, RegionLevel(r.level), r.parent_code) for r in rows)


def _code(text: str | None) -> str | None:
    """A region code as the register reads it (full-width digits folded, domain/text.fold): one code, one region."""
    return None if text is None else fold(text) or None


def parse_regions(table: Table) -> tuple[list[RegionNode], list[Finding]]:
    """Either one row per region (代码, 名称, 级别, 上级代码) or one row per village with all three levels."""
    flat = {c.field: c for c in map_header(table.header, FLAT)}
    nested = {c.field: c for c in map_header(table.header, NESTED)}
    nodes: list[RegionNode] = []
    findings: list[Finding] = []
    if {"code", "name", "level"} <= flat.keys():
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
            findings += bad
            if code and name and level and not bad:
                nodes.append(RegionNode(code, name, level, _code(cell("parent_code"))))
        return nodes, findings
    if {"county", "county_code"} <= nested.keys():
        levels = (
            ("city", RegionLevel.CITY),
            ("county", RegionLevel.COUNTY),
            ("township", RegionLevel.TOWNSHIP),
            ("village", RegionLevel.VILLAGE),
        )
        for number, cells in table.rows:
            parent = None
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
                if bad:
                    findings += bad
                    break
                nodes.append(RegionNode(code, name, level, parent))
                parent = code
        return nodes, findings
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
    return nodes, findings


REGION_TEXT = rules(code=Region.code, name=Region.name)


def _bad_texts(source: str, row: int, texts: Iterable[tuple[str, str | None, str]]) -> list[Finding]:
    """Findings for region codes and names their columns refuse, under the file's own headers."""
    return text_findings(source, row, ((header, value, REGION_TEXT[field]) for header, value, field in texts))


def import_regions(db: Database, table: Table, actor: str, *, dry_run: bool = False) -> RegionImportResult:
    """Add the regions of the file; regions already present with the same name and parent are left alone."""
    nodes, findings = parse_regions(table)
    with db.transaction() as session:
        existing = load_index(session).by_code
        wanted: dict[str, RegionNode] = {}
        placed: dict[str, str] = {}
        for node in nodes:
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
            elif known and (known.name, known.level, known.parent_code) != (
                node.name,
                node.level,
                node.parent_code,
            ):
                findings.append(
                    Finding(
                        table.source,
                        None,
                        "code",
                        node.code,
                        f"与已有的{known.level.label}{known.name}冲突 "
                        f"(conflicts with {known.name} ({known.level.label}))",
                    )
                )
            elif node.code not in existing:
                wanted[node.code] = node
        moved = [RegionNode(c, existing[c].name, existing[c].level, p) for c, p in placed.items()]
        merged = RegionIndex([*existing.values(), *wanted.values(), *moved])
        for node in [*wanted.values(), *moved]:
            parent_level = PARENT_LEVEL[node.level]
            parent = merged.by_code.get(node.parent_code) if node.parent_code else None
            if parent_level is None and node.parent_code:
                findings.append(
                    Finding(
                        table.source, None, "parent_code", node.parent_code, "市没有上级区划 (a city has no parent)"
                    )
                )
            elif node.level is RegionLevel.COUNTY and node.parent_code is None:
                continue  # a county without its city
            elif parent_level is not None and (parent is None or parent.level is not parent_level):
                findings.append(
                    Finding(
                        table.source,
                        None,
                        "parent_code",
                        node.parent_code,
                        f"{node.level.label}{node.name}的上级须是{parent_level.label} "
                        f"({node.level.label} {node.code} needs a {parent_level.label} as parent)",
                    )
                )
        if findings:
            raise InputError(findings)
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
        unchanged = len({n.code for n in nodes} - wanted.keys() - placed.keys())
        return RegionImportResult(added, unchanged, tuple(sorted(placed.items())))


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
