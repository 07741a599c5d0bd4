"""Rows of a bulk change file for assets already registered: confirm (确权), hand over (移交), assign custodians
(管护), change status. Read as `asset import` reads a register: the same header aliases, cell parsers and vocabulary,
and every bad cell a finding naming the file, row, the file's own header (with the English beside it) and the value.

A confirmation row may name only its level (确权层级): the standard owner of that level at the asset's place is found
by `resolve_ownership`, the importer's own rule, once the asset's place is known (services/asset_changes.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from assetledger.domain.asset_changes import Change, StatusChange
from assetledger.domain.assets import Custody, Handover
from assetledger.domain.enums import AssetStatus, OwnerKind
from assetledger.domain.register_fields import BY_CODE
from assetledger.domain.text import TextRule, shown, text_problem
from assetledger.errors import Finding, duplicate_of_row
from assetledger.io import values
from assetledger.io.asset_rows import CellRow, as_typed, column_name
from assetledger.io.headers import Column, build_index, map_header
from assetledger.io.rows import EMPTY_CELL, MISSING_COLUMN
from assetledger.io.tabular import Table

# The columns of each kind of change: (required, optional), fields of the catalogue (domain/register_fields.py).
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "confirm": (("asset_id", "owner_kind"), ("owner_name", "confirmed_on", "confirm_doc")),
    "handover": (("asset_id", "handed_over_on"), ("handed_over_by", "handover_doc")),
    "custodian": (("asset_id", "custodian", "custodian_since"), ("custodian_duties",)),
    "status": (("asset_id", "status", "status_on"), ("status_reason",)),
}
CHANGE_ALIASES = {f: BY_CODE[f].headers for required, optional in KINDS.values() for f in (*required, *optional)}
INDEX = build_index(CHANGE_ALIASES)
TEXT_FIELDS = ("asset_id", "owner_name", "confirm_doc", "handed_over_by", "handover_doc", "custodian",
               "custodian_duties", "status_reason")  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """A confirmation as a row states it, before the asset's place names the standard owner of its level."""

    kind: OwnerKind
    owner: str | None
    confirmed_on: dt.date | None
    document: str | None


@dataclass(frozen=True)
class ChangeRow:
    number: int
    asset_id: str
    change: Change | Claim
    cells: Mapping[str, object] = field(default_factory=dict)  # the row's cells by field, as typed: for findings


@dataclass
class ParsedChanges:
    source: str
    kind: str
    rows: list[ChangeRow]
    findings: list[Finding]
    ignored: tuple[str, ...] = ()  # headers of the columns not used (列 X 未使用)
    headers: dict[str, str] = field(default_factory=dict)  # field -> the file's own header

    def finding(self, row: int | None, field_name: str, value: object, reason: str) -> Finding:
        """A finding on one cell, naming its column as the file does."""
        return Finding(self.source, row, column_name(field_name, self.headers.get(field_name)), as_typed(value), reason)


def parse_changes(table: Table, kind: str, rules: Mapping[str, TextRule]) -> ParsedChanges:
    """Every row that states a change of `kind` well; every bad cell a finding; ids twice in the file too."""
    required, optional = KINDS[kind]
    wanted = {*required, *optional}
    mapped = [c for c in map_header(table.header, INDEX) if c.field in wanted]
    columns: dict[str, Column] = {}
    findings: list[Finding] = []
    for c in mapped:
        if c.field in columns:
            same = columns[c.field].header
            findings.append(Finding(table.source, 1, column_name(c.field, c.header), None, f"same column as {same!r}"))
        columns.setdefault(c.field, c)
    used = {c.position for c in mapped}
    ignored = tuple(h.strip() for i, h in enumerate(table.header) if i not in used and h and h.strip())
    parsed = ParsedChanges(table.source, kind, [], findings, ignored, {f: c.header for f, c in columns.items()})
    for f in required:
        if f not in columns:
            findings.append(Finding(table.source, None, column_name(f), None, MISSING_COLUMN))
    findings += table.empty_findings()
    if findings:
        return parsed
    first: dict[str, int] = {}
    for number, cells in table.rows:
        row = CellRow(table.source, number, cells, columns)
        for f in TEXT_FIELDS:
            written = row.text(f)
            problem = None if written is None else text_problem(written, rules.get(f, TextRule()))
            if written is not None and problem is not None:
                row.fail(f, problem, shown(written))
        asset_id = None if "asset_id" in row.failed else row.text("asset_id")
        if asset_id is None and "asset_id" not in row.failed:
            row.fail("asset_id", EMPTY_CELL, row.written("asset_id"))
        change = _READERS[kind](row)
        if asset_id is not None:
            earlier = first.setdefault(asset_id, number)
            if earlier != number:
                row.fail("asset_id", f"{duplicate_of_row(earlier)}: one change per asset in a file", asset_id)
        findings.extend(row.findings)
        if asset_id is not None and change is not None and not row.findings:
            parsed.rows.append(ChangeRow(number, asset_id, change, {f: row.raw(f) for f in columns}))
    return parsed


def _text(row: CellRow, field_name: str) -> str | None:
    return None if field_name in row.failed else row.text(field_name)


def _required_date(row: CellRow, field_name: str) -> dt.date | None:
    on = row.get(field_name, values.date)
    if on is None and field_name not in row.failed:
        said = "必填，此格为空：请填写日期，如 2024-03-01 (empty; write the date, e.g. 2024-03-01)"
        row.fail(field_name, said, row.written(field_name))  # a placeholder (—, /, 无) is shown
    return on


def _confirm(row: CellRow) -> Claim | None:
    kind = row.enum("owner_kind", OwnerKind)
    if kind is None and "owner_kind" not in row.failed:
        said = "必填，此格为空：请填写确权层级 (empty; write the level: 县/区, 乡镇, 村, 户, 部门, 企业)"
        row.fail("owner_kind", said, row.written("owner_kind"))
    confirmed = row.get("confirmed_on", values.date)
    if kind is None:
        return None
    return Claim(kind, _text(row, "owner_name"), confirmed, _text(row, "confirm_doc"))


def _handover(row: CellRow) -> Handover | None:
    on = _required_date(row, "handed_over_on")
    return None if on is None else Handover(on, _text(row, "handed_over_by"), _text(row, "handover_doc"))


def _custodian(row: CellRow) -> Custody | None:
    name = _text(row, "custodian")
    if name is None and "custodian" not in row.failed:
        row.fail("custodian", "必填，此格为空：请填写管护主体 (empty; write the custodian)", row.written("custodian"))
    start = _required_date(row, "custodian_since")
    if name is None or start is None:
        return None
    return Custody(name, start, _text(row, "custodian_duties"))


def _status(row: CellRow) -> StatusChange | None:
    status = row.enum("status", AssetStatus)
    if status is None and "status" not in row.failed:
        said = "必填，此格为空：请填写在用、闲置或毁损 (empty; write 在用, 闲置 or 毁损)"
        row.fail("status", said, row.written("status"))
    on = _required_date(row, "status_on")
    if status is None or on is None:
        return None
    return StatusChange(status, on, _text(row, "status_reason"))


_READERS = {"confirm": _confirm, "handover": _handover, "custodian": _custodian, "status": _status}
