"""Reading the cells of one spreadsheet row by field name, collecting each refusal as a finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from assetledger.errors import Finding
from assetledger.io import values
from assetledger.io.headers import Column
from assetledger.io.tabular import Table


def missing_columns(
    table: Table, columns: Mapping[str, Column], required: tuple[str, ...], aliases: Mapping[str, tuple[str, ...]]
) -> list[Finding]:
    """A finding for each required column the file lacks, named in Chinese and English."""
    return [
        Finding(table.source, None, f"{aliases[f][0]} / {f}", None, "required column is missing")
        for f in required
        if f not in columns
    ]


class RowReader:
    """One row: typed cell values by field, and the findings (file, row, header, value, reason) of bad cells.

    `empty` is the reason given when a required cell is empty (None: the cell may be empty)."""

    def __init__(self, table: Table, number: int, cells: list[object], columns: Mapping[str, Column]) -> None:
        self.source, self.number, self.cells, self.columns = table.source, number, cells, columns
        self.findings: list[Finding] = []

    def cell(self, field: str) -> object:
        col = self.columns.get(field)
        return self.cells[col.position] if col and col.position < len(self.cells) else None

    def fail(self, field: str, reason: str) -> None:
        col = self.columns.get(field)
        header = col.header if col else field
        self.findings.append(Finding(self.source, self.number, header, values.text(self.cell(field)), reason))

    def text(self, field: str, empty: str | None = None) -> str | None:
        value = values.text(self.cell(field))
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
