"""Rows of a postings file (revenue and expenses against assets) with Chinese or English headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assetledger.domain.booking import EXPENSE_ACCOUNTS, REVENUE_ACCOUNTS, AssetPosting
from assetledger.domain.text import ONE_LINE, TextRule
from assetledger.errors import Finding
from assetledger.io.headers import build_index, map_header
from assetledger.io.rows import EMPTY_CELL, RowReader, missing_columns, unit_findings
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
    date_column: str = "date"  # the user's header, to name a date the books refuse (one after today)


def parse_entry_rows(
    table: Table, default_ref: str, rules: Mapping[str, TextRule] | None = None
) -> tuple[list[EntryRow], list[Finding]]:
    """`rules`: the text rules of the stored fields (narration, ref), from their columns; the cells looked up (asset,
    account) hold one line of printable text too."""
    rules = {"asset_id": ONE_LINE, "counter": ONE_LINE, **(rules or {})}
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    findings = missing_columns(table, columns, REQUIRED, ALIASES) + unit_findings(table)
    if findings:
        return [], findings
    rows: list[EntryRow] = []
    for number, cells in table.rows:
        row = RowReader(table, number, cells, columns, rules)
        on = row.date("date", empty=EMPTY_CELL)
        asset_id = row.text("asset_id", empty=EMPTY_CELL)
        direction = DIRECTIONS.get((row.text("direction") or "").lower())
        if direction is None:
            row.fail("direction", "应为 收入 或 支出 (write 收入/revenue or 支出/expense)")
        kind_text = row.text("type") or ""
        kind = TYPES.get(kind_text, kind_text.lower())
        allowed = REVENUE_ACCOUNTS if direction == "revenue" else EXPENSE_ACCOUNTS
        if direction and kind not in allowed:
            said = "收入" if direction == "revenue" else "支出"
            words = "、".join(dict.fromkeys(w for w, code in TYPES.items() if code in allowed))
            row.fail("type", f"{said}类型应为 {words} 之一 (for {direction} use one of {', '.join(allowed)})")
        amount = row.money("amount", empty=EMPTY_CELL)
        if amount is not None and amount <= 0:
            row.fail(
                "amount",
                "金额须为正数；收支方向请用“收支”列，更正请冲销 (amount must be positive; use the other "
                "direction or a reversal)",
            )
        findings.extend(row.findings)
        if row.findings or on is None or asset_id is None or direction is None or amount is None:
            continue
        posting = AssetPosting(
            asset_id=asset_id,
            date=on,
            direction=direction,
            type=kind,
            amount=amount,
            counter=row.text("counter") or "Assets:Bank",
            narration=row.text("narration"),
            ref=row.text("ref") or f"{default_ref}:{number}",
        )
        rows.append(EntryRow(number, posting, columns["asset_id"].header, columns["date"].header))
    return rows, findings
