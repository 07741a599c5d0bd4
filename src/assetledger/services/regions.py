"""Load and read the administrative hierarchy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.enums import RegionLevel
from assetledger.domain.regions import RegionIndex, RegionNode
from assetledger.domain.text import text_findings
from assetledger.errors import Finding, InputError
from assetledger.io import values
from assetledger.io.headers import build_index, map_header
from assetledger.io.tabular import Table
from assetledger.services.access import require
from assetledger.services.context import now
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


def load_index(session: Session) -> RegionIndex:
    rows = session.execute(select(Region.code, Region.name, Region.level, Region.parent_code)).all()
    return RegionIndex(RegionNode(r.code, r.name, RegionLevel(r.level), r.parent_code) for r in rows)


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

            code, name, level_text = cell("code"), cell("name"), cell("level")
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
                nodes.append(RegionNode(code, name, level, cell("parent_code")))
        return nodes, findings
    if {"county", "county_code"} <= nested.keys():
        levels = (
            ("county", RegionLevel.COUNTY),
            ("township", RegionLevel.TOWNSHIP),
            ("village", RegionLevel.VILLAGE),
        )
        for number, cells in table.rows:
            parent = None
            for field, level in levels:
                name_col, code_col = nested.get(field), nested.get(f"{field}_code")
                if name_col is None or code_col is None:
                    break
                name = values.text(cells[name_col.position]) if name_col.position < len(cells) else None
                code = values.text(cells[code_col.position]) if code_col.position < len(cells) else None
                if not name and not code:
                    break
                if not name or not code:
                    col = name_col if not name else code_col
                    findings.append(
                        Finding(table.source, number, col.header, None, f"{level.label} needs name and code")
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
            "columns not recognised: give 区划代码/名称/级别/上级代码, or 县/县代码/乡镇/乡镇代码/村/村代码",
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
        for node in nodes:
            known = existing.get(node.code) or wanted.get(node.code)
            if known and (known.name, known.level, known.parent_code) != (
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
                        f"conflicts with {known.name} ({known.level.label})",
                    )
                )
            elif node.code not in existing:
                wanted[node.code] = node
        merged = RegionIndex([*existing.values(), *wanted.values()])
        expected_parent = {
            RegionLevel.COUNTY: None,
            RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
            RegionLevel.VILLAGE: RegionLevel.TOWNSHIP,
        }
        for node in wanted.values():
            parent_level = expected_parent[node.level]
            parent = merged.by_code.get(node.parent_code) if node.parent_code else None
            if parent_level is None and node.parent_code:
                findings.append(Finding(table.source, None, "parent_code", node.parent_code, "a county has no parent"))
            elif parent_level is not None and (parent is None or parent.level is not parent_level):
                findings.append(
                    Finding(
                        table.source,
                        None,
                        "parent_code",
                        node.parent_code,
                        f"{node.level.label} {node.code} needs a {parent_level.label} as parent",
                    )
                )
        if findings:
            raise InputError(findings)
        require(session, actor, Action.REGISTER, {merged.place_of(code).county_code for code in wanted})
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
                        "county_code": merged.place_of(node.code).county_code,
                        "created_at": at,
                        "created_by": actor,
                    }
                )
            session.execute(insert(Region), rows)
        return RegionImportResult(added, len({n.code for n in nodes} - wanted.keys()))


def _parents_first(nodes: Iterable[RegionNode]) -> list[RegionNode]:
    order = {RegionLevel.COUNTY: 0, RegionLevel.TOWNSHIP: 1, RegionLevel.VILLAGE: 2}
    return sorted(nodes, key=lambda n: (order[n.level], n.code))
