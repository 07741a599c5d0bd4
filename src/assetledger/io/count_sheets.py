"""Count sheets (清查表): written per village as XLSX and HTML, read back filled (XLSX or CSV) into count drafts.

A sheet carries the register's facts of each asset and empty columns for the team: result (结果: 在用/盘亏/毁损/
闲置), condition, note, counted by, date. Rows with an empty asset id and a name or value are surpluses (盘盈).
The facts (数量 and 资产原值 among them) are the register's, printed for the team to check against: what the team
found is its result, never a changed fact; a 数量 or 资产原值 changed on the sheet is read (CountDraft) only to be
said beside the result (services/inventory_counts.py).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from assetledger.domain.enums import Register
from assetledger.domain.inventory import CountResult, parse_result
from assetledger.domain.regions import short_code
from assetledger.domain.register_fields import BY_CODE
from assetledger.domain.text import TextRule, fold, shown, text_problem
from assetledger.errors import Finding, InputError
from assetledger.io import values
from assetledger.io.headers import Column, build_index, map_header
from assetledger.io.rows import unit_findings
from assetledger.io.tabular import Table
from assetledger.io.xlsx_sheet import Cell, Style, column_letter, write_sheet

RESULT_HEADER = "结果（在用/盘亏/毁损/闲置）"
# (field, header written on the sheet); the first block is the register's facts, the second the team fills in.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("inventory_id", "清查编号"),
    ("place_code", "区划代码"),
    ("place_name", "所在地"),
    ("asset_id", "资产编号"),
    ("name", "资产名称"),
    ("register", BY_CODE["register"].zh),  # 资产类别, as the register calls it (domain/register_fields.py)
    ("category", BY_CODE["category"].zh),
    ("location", "坐落位置"),
    ("quantity", "数量"),
    ("unit", "单位"),
    ("value", "资产原值（元）"),
    ("custodian", "管护主体"),
    ("result", RESULT_HEADER),
    ("condition", "状况"),
    ("note", "备注"),
    ("counted_by", "清查人"),
    ("counted_on", "清查日期"),
)
FILL_FIELDS = ("result", "condition", "note", "counted_by", "counted_on")
ALIASES: dict[str, tuple[str, ...]] = {
    "inventory_id": ("清查编号", "清查批次", "inventory"),
    "place_code": ("区划代码", "行政区划代码", "村代码", "region_code"),
    "asset_id": ("资产编号", "资产编码", "编号", "asset id"),
    "name": ("资产名称", "名称"),
    "register": BY_CODE["register"].headers,  # 资产类别, 台账类别, 资产性质, ...
    "category": BY_CODE["category"].headers,
    "location": ("坐落位置", "位置", "地点"),
    "quantity": ("数量", "qty"),
    "unit": ("单位", "计量单位"),
    "value": ("资产原值", "原值", "估值", "评估价值", "value"),
    "custodian": ("管护主体", "管护责任人"),
    "result": (RESULT_HEADER, "结果", "清查结果", "盘点结果", "result"),
    "condition": ("状况", "资产状况", "使用状况", "condition"),
    "note": ("备注", "说明", "note"),
    "counted_by": ("清查人", "盘点人", "counted by"),
    "counted_on": ("清查日期", "盘点日期", "date", "counted on"),
}
INDEX = build_index(ALIASES)


@dataclass(frozen=True)
class SheetRow:
    """One asset on a count sheet, with the register's facts."""

    asset_id: str
    name: str
    register: str
    category: str | None
    location: str | None
    quantity: Decimal | None
    unit: str | None
    value: Decimal
    custodian: str | None


@dataclass(frozen=True)
class Surplus:
    name: str
    register: Register
    value: Decimal
    category: str | None
    location: str | None
    quantity: Decimal | None
    unit: str | None
    custodian: str | None

    def key(self, place_code: str) -> str:
        """Identifies the same surplus in a later sheet: place, name and location."""
        return f"{place_code}|{self.name}|{self.location or ''}"


@dataclass(frozen=True)
class CountDraft:
    """One counted row of a filled sheet: an asset's result or a surplus."""

    row: int
    asset_id: str | None
    place_code: str | None
    result: CountResult
    counted_on: dt.date
    condition: str | None = None
    note: str | None = None
    counted_by: str | None = None
    surplus: Surplus | None = None
    value: Decimal | None = None  # an asset row's 资产原值 on the sheet: compared with the register, never kept
    quantity: Decimal | None = None  # and its 数量 (a surplus's is its Surplus's): the same


# --- writing -------------------------------------------------------------------------------------------------


def sheet_cells(inventory_id: int, place_code: str, place_name: str, row: SheetRow) -> list[Any]:
    register = Register(row.register).label
    facts = [inventory_id, place_code, place_name, row.asset_id, row.name, register, row.category, row.location]
    return [*facts, row.quantity, row.unit, row.value, row.custodian, None, None, None, None, None]


WIDTHS = (8, 14, 12, 18, 24, 8, 12, 16, 8, 6, 14, 16, 22, 12, 16, 8, 12)
CHOICES = ("在用", "盘亏", "毁损", "闲置", "盘盈")


def write_sheet_xlsx(
    path: Path, title: str, inventory_id: int, place: tuple[str, str], rows: Sequence[SheetRow]
) -> Path:
    """One village's sheet: a title row, the header, one row per asset, a drop-down on the result column."""
    header = [Cell(text, Style.BOLD_FILLED if field in FILL_FIELDS else Style.BOLD) for field, text in COLUMNS]
    grid: list[Sequence[object]] = [[Cell(title, Style.TITLE)], header]
    for row in rows:
        cells: list[object] = sheet_cells(inventory_id, place[0], place[1], row)
        cells[10] = Cell(row.value, Style.MONEY)
        grid.append(cells)
    result_column = column_letter([f for f, _ in COLUMNS].index("result"))
    choices = (f"{result_column}3:{result_column}{len(rows) + 200}", CHOICES)
    return write_sheet(path, "清查表", grid, widths=WIDTHS, freeze="E3", choices=choices)


STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222;font-size:12px}
h1{text-align:center;font-size:1.4em}p.meta{text-align:center}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #777;padding:.25em .4em}
th{background:#eee}th.fill{background:#fff2cc}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.blank{min-width:5em}.sign{margin-top:2em;display:flex;justify-content:space-between}
@media print{@page{size:A4 landscape;margin:1cm}thead{display:table-header-group}tr{page-break-inside:avoid}}
"""


def sheet_html(title: str, meta: str, rows: Sequence[SheetRow], blank_rows: int = 5) -> str:
    """A printable sheet for teams who count on paper; the same columns as the XLSX (without the id columns)."""
    shown = COLUMNS[3:]
    head = "".join(
        f'<th class="fill">{html.escape(text)}</th>' if field in FILL_FIELDS else f"<th>{html.escape(text)}</th>"
        for field, text in shown
    )
    lines = []
    for r in rows:
        facts = [r.asset_id, r.name, Register(r.register).label, r.category, r.location]
        cells = "".join(f"<td>{html.escape(str(c or ''))}</td>" for c in facts)
        cells += f'<td class="n">{"" if r.quantity is None else html.escape(str(r.quantity.normalize()))}</td>'
        cells += f"<td>{html.escape(r.unit or '')}</td>"
        cells += f'<td class="n">{r.value:,.2f}</td><td>{html.escape(r.custodian or "")}</td>'
        cells += '<td class="blank"></td>' * len(FILL_FIELDS)
        lines.append(f"<tr>{cells}</tr>")
    empty = "<tr>" + "<td>&nbsp;</td>" * len(shown) + "</tr>"
    lines += [empty] * blank_rows  # room for surpluses (盘盈) found in the field
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body><h1>{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>
<table><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table>
<p>结果填写：在用 / 盘亏 / 毁损 / 闲置；账外发现的资产（盘盈）填在空白行，资产编号留空，写明名称、类别、原值或估值。</p>
<div class="sign"><span>清查人（签字）：</span><span>村（单位）负责人（签字）：</span><span>日期：</span></div>
</body></html>
"""


# --- reading -------------------------------------------------------------------------------------------------


_IDS = frozenset({"asset_id", "place_code"})


class _Cells:
    def __init__(self, source: str, number: int, cells: list[object], columns: Mapping[str, Column]) -> None:
        self.source, self.number, self.cells, self.columns = source, number, cells, columns
        self.findings: list[Finding] = []

    def raw(self, field: str) -> object:
        col = self.columns.get(field)
        return None if col is None or col.position >= len(self.cells) else self.cells[col.position]

    def text(self, field: str) -> str | None:
        value = values.text(self.raw(field))
        return fold(value) or None if value is not None and field in _IDS else value  # full-width look-alikes

    def fail(self, field: str, value: object, reason: str) -> None:
        col = self.columns.get(field)
        header = col.header if col else dict(COLUMNS).get(field, field)
        # a numeric cell as the spreadsheet shows it: 300.305, never 300.30499999999995
        shown = values.text(value) if isinstance(value, float) else None if value is None else str(value)
        self.findings.append(Finding(self.source, self.number, header, shown, reason))

    def screen(self, fields: Sequence[str], rules: Mapping[str, TextRule]) -> None:
        """A finding for each of `fields` whose text its column refuses (control characters, too long)."""
        for field in fields:
            value = self.text(field)
            problem = None if value is None else text_problem(value, rules.get(field, TextRule()))
            if value is not None and problem is not None:
                self.fail(field, shown(value), problem)


def sheet_inventory_id(table: Table, given: int | None) -> int:
    """The inventory a filled sheet belongs to: its 清查编号 column (one value) or the one the user names."""
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    col = columns.get("inventory_id")
    seen: dict[int, int] = {}
    findings: list[Finding] = []
    for number, cells in table.rows if col else []:
        value = values.text(cells[col.position]) if col and col.position < len(cells) else None
        if value is None:
            continue
        if not value.isdigit():
            findings.append(
                Finding(table.source, number, col.header if col else None, value, "不是清查编号 (not an inventory id)")
            )
            continue
        seen.setdefault(int(value), number)
    if given is not None:
        findings += [
            Finding(
                table.source,
                row,
                "清查编号",
                str(found),
                f"本表属于清查 {found}，不是 {given} (this sheet is for inventory {found}, not {given})",
            )
            for found, row in seen.items()
            if found != given
        ]
    elif len(seen) > 1:
        findings.append(
            Finding(
                table.source,
                None,
                "清查编号",
                ", ".join(map(str, seen)),
                "一张清查表只能属于一次清查 (one sheet must be for one inventory)",
            )
        )
    elif not seen:
        findings.append(
            Finding(
                table.source,
                None,
                "清查编号",
                None,
                "表中没有清查编号，请用 --inventory 指定 (no inventory id in the sheet; give it with --inventory)",
            )
        )
    if findings:
        raise InputError(findings)
    return given if given is not None else next(iter(seen))


def parse_counts(
    table: Table, year: int, today: dt.date, rules: Mapping[str, TextRule] | None = None
) -> tuple[list[CountDraft], list[Finding]]:
    """Every counted row becomes a draft; rows nobody filled in yet are skipped; every bad cell is a finding.

    `rules`: what each stored text field may hold (its column's rule): the team's columns of every row, and the
    facts of a surplus row (which registers them)."""
    rules = rules or {}
    mapped = map_header(table.header, INDEX)
    columns = {c.field: c for c in mapped}
    findings: list[Finding] = []
    missing = [dict(COLUMNS)[f] for f in ("asset_id", "result", "counted_on") if f not in columns]
    if missing:
        return [], [
            Finding(
                table.source,
                None,
                None,
                None,
                f"缺少列：{'、'.join(missing)} (missing column(s): {', '.join(missing)})",
            )
        ]
    if unit_findings(table):
        return [], unit_findings(table)
    drafts: list[CountDraft] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        row = _Cells(table.source, number, cells, columns)
        draft = _parse_row(row, year, today, rules)
        findings += row.findings
        if draft is None:
            continue
        key = draft.asset_id or (draft.surplus.key(draft.place_code or "") if draft.surplus else "")
        if key in first_row:
            what = "asset" if draft.asset_id else "surplus (same place, name and location)"
            what_zh = "资产" if draft.asset_id else "盘盈（地点、名称、坐落相同）"
            field = "asset_id" if draft.asset_id else "name"
            row.findings.clear()
            row.fail(
                field,
                draft.asset_id or key,
                f"与第 {first_row[key]} 行的{what_zh}重复 (the same {what} as row {first_row[key]})",
            )
            findings += row.findings
            continue
        first_row[key] = number
        drafts.append(draft)
    return _place_surpluses(table, drafts, findings)


TEAM_TEXT = ("condition", "note", "counted_by")
SURPLUS_TEXT = ("name", "category", "location", "unit", "custodian")


def _parse_row(row: _Cells, year: int, today: dt.date, rules: Mapping[str, TextRule]) -> CountDraft | None:
    row.screen(("asset_id", "place_code", *TEAM_TEXT), rules)  # the ids looked up, and what the team wrote
    asset_id = row.text("asset_id")
    surplus = asset_id is None and (row.text("name") is not None or not values.blank(row.raw("value")))
    if asset_id is None and not surplus:
        return None  # a blank line, or a template row with only the place filled in
    filled = [f for f in FILL_FIELDS if _filled(row, f)]
    if asset_id is not None and not filled:
        return None  # not counted yet: a later sheet brings it
    result = _result(row, surplus)
    counted_on = _date(row, year, today)
    quantity, quantity_ok = _quantity(row)  # a counted asset's 数量 too: never dropped unread
    value, value_ok = (None, True) if surplus else _value(row)  # and its 资产原值 (a surplus's: `_surplus`)
    if surplus:
        row.screen(SURPLUS_TEXT, rules)
    found = _surplus(row) if surplus else None
    if result is None or counted_on is None or not quantity_ok or not value_ok or (surplus and found is None):
        return None
    return CountDraft(
        row=row.number,
        asset_id=asset_id,
        place_code=None if (code := row.text("place_code")) is None else short_code(code),  # 360921101000 too
        result=result,
        counted_on=counted_on,
        condition=row.text("condition"),
        note=row.text("note"),
        counted_by=row.text("counted_by"),
        surplus=found,
        value=value,
        quantity=None if surplus else quantity,
    )


def _filled(row: _Cells, field: str) -> bool:
    """Whether the team filled in a cell of theirs: a date of only dashes (—) is as empty as a blank one."""
    return not values.blank(row.raw(field)) if field == "counted_on" else row.text(field) is not None


def _result(row: _Cells, surplus: bool) -> CountResult | None:
    text = row.text("result")
    if text is None:
        if surplus:
            return CountResult.IN_USE  # found in the field: in use unless the team says otherwise
        row.fail(
            "result",
            values.written(row.raw("result")),
            "清查结果为空，请填写 在用/盘亏/毁损/闲置 (the result is empty; write 在用/盘亏/毁损/闲置)",
        )
        return None
    try:
        return parse_result(text, surplus=surplus)
    except ValueError as exc:
        row.fail("result", text, str(exc))
        return None


def _date(row: _Cells, year: int, today: dt.date) -> dt.date | None:
    cell = row.raw("counted_on")
    try:
        on = values.date(cell)
    except values.CellError as exc:
        row.fail("counted_on", cell, str(exc))
        return None
    if on is None:
        row.fail(
            "counted_on", values.written(cell), "清查日期为空 (the date of the count is empty)"
        )  # a dash (—) is shown
    elif on.year < year:
        row.fail("counted_on", on.isoformat(), f"早于清查年度 {year} (before the inventory year {year})")
    elif on > today:
        row.fail("counted_on", on.isoformat(), f"清查日期晚于今天 {today} (in the future; today is {today})")
    else:
        return on
    return None


def _surplus(row: _Cells) -> Surplus | None:
    before = len(row.findings)
    name = row.text("name")
    if name is None:
        row.fail("name", None, "盘盈行须填写所发现资产的名称 (a surplus (盘盈) row needs the name of what was found)")
    register = None
    register_text = row.text("register")
    if register_text is None:
        row.fail(
            "register",
            None,
            "盘盈行须填写资产类别：公益性或经营性 (a surplus row needs its register: 公益性 or 经营性)",
        )
    else:
        try:
            register = Register.parse(register_text)
        except ValueError as exc:
            row.fail("register", register_text, str(exc))
        if register is Register.HOUSEHOLD:
            row.fail(
                "register",
                register_text,
                "盘盈资产登记为集体资产：公益性或经营性 (a surplus is registered to the collective: 公益性 or 经营性)",
            )
    value = None
    cell = row.raw("value")
    try:
        value = values.money(cell, row.columns["value"].scale if "value" in row.columns else 1)
    except values.CellError as exc:
        row.fail("value", cell, str(exc))
    else:
        if value is None or value <= 0:
            row.fail(
                "value",
                cell,
                "盘盈行须填写大于零的原值或估值 (a surplus row needs its value (原值 or 估值), above zero)",
            )
    quantity = _quantity(row, checked=True)[0]
    if len(row.findings) > before or name is None or register is None or value is None:
        return None
    return Surplus(
        name=name,
        register=register,
        value=value,
        category=row.text("category"),
        location=row.text("location"),
        quantity=quantity,
        unit=row.text("unit"),
        custodian=row.text("custodian"),
    )


def _value(row: _Cells) -> tuple[Decimal | None, bool]:
    """A counted asset's 资产原值 as the sheet gives it (None: empty) and whether it reads. The register's value is
    not changed by a count sheet; the service tells the counter where the two differ (services/inventory_counts.py).
    One that cannot be read (十万, -5) is a finding naming the row, header and value, as a bad 数量 is."""
    cell = row.raw("value")
    try:
        return values.money(cell, row.columns["value"].scale if "value" in row.columns else 1), True
    except values.CellError as exc:
        row.fail("value", cell, str(exc))
        return None, False


def _quantity(row: _Cells, *, checked: bool = False) -> tuple[Decimal | None, bool]:
    """The row's 数量 and whether it reads: a number within the bound, not negative, at most four places (the register's
    rule, domain/assets.quantity_problem); 1e20, -3, NaN or 1,000万 is a finding naming the row, header and value.
    `checked`: the row's quantity was already read (its finding is not given twice)."""
    cell = row.raw("quantity")
    try:
        return values.quantity(cell), True
    except values.CellError as exc:
        if not checked:
            row.fail("quantity", values.text(cell), str(exc))  # as the cell shows it: -3, not -3.0
        return None, False


def _place_surpluses(
    table: Table, drafts: list[CountDraft], findings: list[Finding]
) -> tuple[list[CountDraft], list[Finding]]:
    """A surplus row without its own 区划代码 belongs to the place of the sheet (when the sheet has one place)."""
    places = {d.place_code for d in drafts if d.place_code}
    placed = []
    for d in drafts:
        if d.surplus is None or d.place_code:
            placed.append(d)
        elif len(places) == 1:
            placed.append(replace(d, place_code=next(iter(places))))
        else:
            findings.append(
                Finding(
                    table.source,
                    d.row,
                    "区划代码",
                    None,
                    "盘盈行须填写发现地的区划代码 (a surplus row needs the region code of where it was found)",
                )
            )
    return placed, findings
