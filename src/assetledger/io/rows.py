"""Reading the cells of one spreadsheet row by field name, collecting each refusal as a finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from assetledger.domain.text import TextRule, shown, text_problem
from assetledger.errors import Finding
from assetledger.io import values
from assetledger.io.headers import Column
from assetledger.io.tabular import IN_WAN, Table


def missing_columns(
    table: Table, columns: Mapping[str, Column], required: tuple[str, ...], aliases: Mapping[str, tuple[str, ...]]
) -> list[Finding]:
    """A finding for each required column the file lacks, named in Chinese and English."""
    return [
        Finding(table.source, None, f"{aliases[f][0]} / {f}", None, MISSING_COLUMN)
        for f in required
        if f not in columns
    ]


EMPTY_CELL = "必填，此格为空 (required: the cell is empty)"  # a required cell left blank (or only dashes)
MISSING_COLUMN = "缺少必需的列 (required column is missing)"


# Fields that hold identifiers (or codes looked up): read through values.identifier, folded and stripped, so that a
# full-width look-alike is the same id (and caught by the duplicate and existing-id checks), and a numeric cell that
# Excel has rounded is refused. 村 may be a code or a name; a folded name is the same name.
ID_FIELDS = frozenset({"asset_id", "asset_ids", "assets", "household_id", "region_code", "village", "code"})


IN_YUAN_ONLY = (
    "表头上方注明金额单位为万元，本导入的金额须以元计：请换算为元，或删去该行并在金额列标题注明（万元） "
    "the line above the header says the amounts are in 万元; this import reads yuan: convert them, or remove "
    "that line and write （万元） in the amount column's header"
)


def unit_findings(table: Table) -> list[Finding]:
    """A file whose line above the header gives the amounts in 万元, for an import that prints no notes: refused,
    rather than read 10,000 times too small (the register import reads it, and says so)."""
    if table.unit == 1:
        return []
    line = next((n for n in table.notes if n.reason == IN_WAN), None)  # the unit line, as io/tabular.py names it
    return [Finding(table.source, line.row if line else None, None, line.value if line else None, IN_YUAN_ONLY)]


class RowReader:
    """One row: typed cell values by field, and the findings (file, row, header, value, reason) of bad cells.

    `rules`: the text rule of each free-text field (the column that stores it, store/text_rules.py); those cells are
    screened when the row is read, so a control character or an over-long value is one finding naming its column.
    `empty` is the reason given when a required cell is empty (None: the cell may be empty)."""

    def __init__(
        self,
        table: Table,
        number: int,
        cells: list[object],
        columns: Mapping[str, Column],
        rules: Mapping[str, TextRule] | None = None,
    ) -> None:
        self.source, self.number, self.cells, self.columns = table.source, number, cells, columns
        self.findings: list[Finding] = []
        self.refused: set[str] = set()  # fields whose text screening refused
        for field in ID_FIELDS & columns.keys():
            try:
                values.identifier(self.cell(field))
            except values.CellError as exc:
                self.refused.add(field)
                self.fail(field, str(exc), str(self.cell(field)))  # as Excel shows it: 3.60921199001011e+17
        for field, rule in (rules or {}).items():
            if field in self.refused:
                continue
            value = values.text(self.cell(field))
            problem = None if value is None else text_problem(value, rule)
            if value is not None and problem is not None:
                self.refused.add(field)
                self.fail(field, problem, shown(value))

    def cell(self, field: str) -> object:
        col = self.columns.get(field)
        return self.cells[col.position] if col and col.position < len(self.cells) else None

    def fail(self, field: str, reason: str, value: str | None = None) -> None:
        col = self.columns.get(field)
        header = col.header if col else field
        shown_value = value if value is not None else values.written(self.cell(field))  # a placeholder (—, 无) shown
        self.findings.append(Finding(self.source, self.number, header, shown_value, reason))

    def text(self, field: str, empty: str | None = None) -> str | None:
        """The cell's text; None (and no further finding) when screening refused it."""
        if field in self.refused:
            return None
        value = values.identifier(self.cell(field)) if field in ID_FIELDS else values.text(self.cell(field))
        if value is None and empty is not None:
            self.fail(field, empty)
        return value

    def date(self, field: str, empty: str | None = None) -> dt.date | None:
        try:
            value = values.date(self.cell(field))
        except values.CellError as exc:
            self.fail(field, str(exc))
            return None
        if value is None and empty is not None:
            self.fail(field, empty)
        return value

    def money(self, field: str, empty: str | None = None) -> Decimal | None:
        col = self.columns.get(field)
        try:
            value = values.money(self.cell(field), col.scale if col else 1)
        except values.CellError as exc:
            self.fail(field, str(exc))
            return None
        if value is None and empty is not None:
            self.fail(field, empty)
        return value
