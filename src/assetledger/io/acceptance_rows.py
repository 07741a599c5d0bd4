"""Rows of an acceptance list (竣工验收清单) with Chinese or English headers, each bad cell a finding (issue 24).

Columns: 资产编号, 资产名称, the place (行政区划代码, or 县 / 乡镇 / 村 names as the register writes them), 验收日期,
and optionally 验收文号. A column the reader does not use is reported (`unused_columns`), never dropped silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assetledger.domain.text import TextRule
from assetledger.errors import Finding
from assetledger.io.headers import build_index, map_header
from assetledger.io.rows import EMPTY_CELL, RowReader, missing_columns
from assetledger.io.tabular import Table

ALIASES = {
    "asset_id": ("资产编号", "资产编码", "资产代码", "编号", "asset id"),
    "name": ("资产名称", "名称", "项目资产名称", "asset_name"),
    "region_code": ("行政区划代码", "区划代码", "所在地代码"),
    "county": ("县", "县(区)", "县区", "所属县"),
    "township": ("乡镇", "乡(镇)", "所属乡镇", "乡镇(街道)"),
    "village": ("村", "行政村", "所属村", "村(社区)"),
    "accepted_on": ("验收日期", "竣工验收日期", "验收时间", "accepted"),
    "document": ("验收文号", "验收文件", "验收报告编号", "acceptance_doc"),
}
INDEX = build_index(ALIASES)
REQUIRED = ("asset_id", "name", "accepted_on")
TEXTS = {"asset_id": TextRule(64), "name": TextRule(200), "region_code": TextRule(32), "county": TextRule(100),
         "township": TextRule(100), "village": TextRule(100), "document": TextRule(200)}  # fmt: skip


@dataclass(frozen=True)
class AcceptanceRow:
    row: int
    asset_id: str
    name: str
    region_code: str | None
    names: tuple[str | None, str | None, str | None]  # 县, 乡镇, 村 when no code is given
    accepted_on: dt.date
    document: str | None
    place_column: str  # the file's own header that names the place, for a finding about it


def unused_columns(table: Table) -> list[str]:
    """The file's headers that this reader does not use: reported with the result, never dropped silently."""
    known = {c.position for c in map_header(table.header, INDEX)}
    unused = [h for i, h in enumerate(table.header) if i not in known and h.strip()]
    return [f"列 {h} 未使用 (column {h} is not used)" for h in unused]


def parse_acceptances(table: Table) -> tuple[list[AcceptanceRow], list[Finding]]:
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    findings = missing_columns(table, columns, REQUIRED, ALIASES)
    if "region_code" not in columns and "county" not in columns and "village" not in columns:
        findings.append(Finding(table.source, None, "行政区划代码 / region_code", None,
                                "required column is missing (or 县, 乡镇, 村)"))  # fmt: skip
    if findings:
        return [], findings
    place_field = "region_code" if "region_code" in columns else ("village" if "village" in columns else "county")
    out: list[AcceptanceRow] = []
    for number, cells in table.rows:
        row = RowReader(table, number, cells, columns, TEXTS)
        asset_id = row.text("asset_id", empty=EMPTY_CELL)
        name = row.text("name", empty=EMPTY_CELL)
        code = row.text("region_code")
        names = (row.text("county"), row.text("township"), row.text("village"))
        if code is None and not any(names) and not row.refused & {"region_code", "county", "township", "village"}:
            row.fail(
                place_field,
                "必填：资产所在地（区划代码，或 县/乡镇/村） (empty: where the asset stands (a region code, "
                "or 县/乡镇/村))",
            )
        accepted = row.date("accepted_on", empty=EMPTY_CELL)
        document = row.text("document")
        if row.findings or asset_id is None or name is None or accepted is None:
            findings += row.findings
            continue
        out.append(AcceptanceRow(number, asset_id, name, code, names, accepted, document,
                                 columns[place_field].header))  # fmt: skip
    return out, findings
