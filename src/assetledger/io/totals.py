"""The totals row a county's sheet ends with (合计/总计), checked against the rows it totals.

A totals row is never imported (io/tabular.py skips it and says so). When it gives an amount in the column of the
values (资产原值, however the file heads it), that amount must be the sum of that column over every data row above
it: a difference means a row lost, one too many, or a total typed by hand that is wrong. A register is then refused
(all or nothing, io/asset_rows.py), naming the file, the totals row, the column and both amounts; a count sheet,
whose values are the register's printed on it and never read into it, is recorded and the difference said beside it
(services/inventory_counts.py). A subtotal (小计) is not checked: which rows it covers (since the previous 小计, or
a group) is the sheet's layout, not something to guess.
"""

from __future__ import annotations

from decimal import Decimal

from assetledger.errors import Finding
from assetledger.io import values
from assetledger.io.headers import Column
from assetledger.io.tabular import Table

GRAND_TOTALS = frozenset({"合计", "总计", "共计", "总合计"})  # of every row above; 小计 is a group's


def total_findings(table: Table, column: Column, shown: str) -> list[Finding]:
    """A finding for each grand totals row whose amount in `column` is not the sum of the data rows above it, or
    cannot be read. `shown`: the column as findings name it (the file's own header, with English where known).

    A data row whose cell cannot be read (a finding of its own) leaves the sum unknown: the total is then not
    compared, so that one bad cell is not reported twice. An empty (or placeholder) cell counts as nothing."""
    findings = []
    for total in table.totals:
        if total.label not in GRAND_TOTALS or column.position >= len(total.cells):
            continue
        cell = total.cells[column.position]
        try:
            stated = values.money(cell, column.scale)
        except values.CellError as exc:
            findings.append(Finding(table.source, total.row, shown, values.written(cell), f"{TOTAL_UNREADABLE}: {exc}"))
            continue
        if stated is None:
            continue
        added = _sum_above(table, column, total.row)
        if added is not None and added != stated:
            findings.append(Finding(table.source, total.row, shown, values.written(cell), mismatch(stated, added)))
    return findings


TOTAL_UNREADABLE = (
    "合计行的金额无法读取，无法与上方各行核对 (the totals row's amount cannot be read to check the rows above)"
)


def mismatch(stated: Decimal, added: Decimal) -> str:
    return (
        f"合计行为 {stated:,.2f} 元，上方各行之和为 {added:,.2f} 元，相差 {stated - added:,.2f} 元："
        f"请核对是否漏行、多行或合计有误 (the totals row says {stated:,.2f} yuan, the rows above add up to "
        f"{added:,.2f} yuan: is a row missing or extra, or the total wrong?)"
    )


def _sum_above(table: Table, column: Column, before: int) -> Decimal | None:
    total = Decimal("0.00")
    read = values.remembered(lambda c: values.money(c, column.scale))
    for number, cells in table.rows:
        if number > before:
            break
        cell = cells[column.position] if column.position < len(cells) else None
        try:
            amount = read(cell)
        except values.CellError:
            return None
        if amount is not None:
            total += amount
    return total
