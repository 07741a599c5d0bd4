"""Rows of a postings file (revenue and expenses against assets) with Chinese or English headers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assetledger.domain.booking import EXPENSE_ACCOUNTS, REVENUE_ACCOUNTS, AssetPosting
from assetledger.errors import Finding
from assetledger.io import values
from assetledger.io.headers import build_index, map_header
from assetledger.io.tabular import Table

ALIASES = {
    "date": ("日期", "记账日期", "业务日期"),
    "asset_id": ("资产编号", "资产编码", "asset"),
    "direction": ("收支", "收支类型", "方向"),
    "type": ("类型", "收支项目", "项目"),
    "amount": ("金额", "金额(元)", "amount_yuan"),
    "counter": ("对方科目", "结算科目", "account"),
    "narration": ("摘要", "说明"),
    "ref": ("凭证号", "单据号", "reference"),
}
INDEX = build_index(ALIASES)
DIRECTIONS = {"revenue": "revenue", "收入": "revenue", "income": "revenue", "expense": "expense", "支出": "expense"}
TYPES = {
    "租金": "rent",
    "发包": "contract",
    "承包费": "contract",
    "经营": "operating",
    "分红": "dividend",
    "股金分红": "dividend",
    "补助": "subsidy",
    "其他": "other",
    "维修": "maintenance",
    "维修养护": "maintenance",
    "管护": "maintenance",
    "经营成本": "operating",
    "公益": "public",
}
REQUIRED = ("date", "asset_id", "direction", "type", "amount")


@dataclass(frozen=True)
class EntryRow:
    row: int
    posting: AssetPosting
    asset_column: str


def parse_entry_rows(table: Table, default_ref: str) -> tuple[list[EntryRow], list[Finding]]:
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    findings = [
        Finding(table.source, None, f"{ALIASES[f][0]} / {f}", None, "required column is missing")
        for f in REQUIRED
        if f not in columns
    ]
    if findings:
        return [], findings
    rows: list[EntryRow] = []
    for number, cells in table.rows:

        def cell(field: str, cells: list[object] = cells) -> object:
            col = columns.get(field)
            return cells[col.position] if col and col.position < len(cells) else None

        def fail(field: str, reason: str, number: int = number) -> None:
            findings.append(Finding(table.source, number, columns[field].header, values.text(cell(field)), reason))

        before = len(findings)
        try:
            on = values.date(cell("date"))
        except values.CellError as exc:
            on = None
            fail("date", str(exc))
        if on is None and len(findings) == before:
            fail("date", "date is empty")
        asset_id = values.text(cell("asset_id"))
        if asset_id is None:
            fail("asset_id", "asset id is empty")
        direction = DIRECTIONS.get((values.text(cell("direction")) or "").lower())
        if direction is None:
            fail("direction", "write 收入/revenue or 支出/expense")
        kind_text = values.text(cell("type")) or ""
        kind = TYPES.get(kind_text, kind_text.lower())
        allowed = REVENUE_ACCOUNTS if direction == "revenue" else EXPENSE_ACCOUNTS
        if direction and kind not in allowed:
            fail("type", f"for {direction} use one of {', '.join(allowed)}")
        amount: Decimal | None = None
        try:
            amount = values.money(cell("amount"), columns["amount"].scale)
        except values.CellError as exc:
            fail("amount", str(exc))
        if amount is None and len(findings) == before:
            fail("amount", "amount is empty")
        elif amount is not None and amount <= 0:
            fail("amount", "amount must be positive; use the other direction or a reversal")
        if len(findings) > before:
            continue
        assert on is not None and asset_id is not None and direction is not None and amount is not None
        rows.append(
            EntryRow(
                number,
                AssetPosting(
                    asset_id=asset_id,
                    date=on,
                    direction=direction,
                    type=kind,
                    amount=amount,
                    counter=values.text(cell("counter")) or "Assets:Bank",
                    narration=values.text(cell("narration")),
                    ref=values.text(cell("ref")) or f"{default_ref}:{number}",
                ),
                columns["asset_id"].header,
            )
        )
    return rows, findings
