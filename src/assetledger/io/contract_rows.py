"""Rows of a contracts file (合同台账) with Chinese or English headers, each bad cell a finding."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from assetledger.domain.contracts import FREQUENCY_WORDS, TIMING_WORDS, Frequency, Terms, Timing, term_problems
from assetledger.domain.enums import OperatingMode
from assetledger.domain.money import FEN
from assetledger.domain.text import TextRule, text_problem
from assetledger.errors import Finding
from assetledger.io import values
from assetledger.io.headers import build_index, map_header
from assetledger.io.rows import EMPTY_CELL, RowReader, missing_columns, unit_findings
from assetledger.io.tabular import Table

ALIASES = {
    "code": ("合同编号", "合同号", "contract_no", "contract_code"),
    "assets": ("资产编号", "资产编码", "asset_id", "asset_ids"),
    "operator": ("经营主体", "承租方", "承包方", "乙方", "合作方"),
    "mode": ("经营方式", "合同类型", "经营模式"),
    "signed_on": ("签订日期", "签约日期", "signed"),
    "start": ("合同起始日期", "起始日期", "开始日期", "start_on"),
    "end": ("合同截止日期", "截止日期", "到期日期", "终止日期", "end_on"),
    "amount": ("每期金额", "每期租金", "每期收益", "amount_per_payment"),
    "annual": ("年租金", "年收益", "年承包费", "年收入", "annual_amount"),
    "frequency": ("支付周期", "付款周期", "缴费周期", "收取周期"),
    "timing": ("支付方式", "付款方式", "先付后付"),
    "paid_through": ("已缴至", "租金已缴至", "已收至"),
    "deposit": ("保证金", "押金", "履约保证金"),
    "renews": ("续签合同编号", "原合同编号", "续签自", "renews_code"),
    "note": ("备注", "说明"),
}
INDEX = build_index(ALIASES)
REQUIRED = ("code", "assets", "operator", "mode", "start", "end")
TEXTS = {  # the columns of contracts that keep them: one line each, a note on several
    "code": TextRule(64),
    "operator": TextRule(200),
    "renews": TextRule(64),
    "note": TextRule(2000, lines=True),
}
_ASSET_SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass(frozen=True)
class ContractRow:
    row: int
    code: str
    asset_ids: tuple[str, ...]
    operator: str
    signed_on: dt.date | None
    terms: Terms
    deposit: Decimal | None
    renews: str | None
    note: str | None


def parse_contracts(table: Table) -> tuple[list[ContractRow], list[Finding]]:
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    findings = missing_columns(table, columns, REQUIRED, ALIASES) + unit_findings(table)
    if findings:
        return [], findings
    out: list[ContractRow] = []
    for number, cells in table.rows:
        parsed = _row(RowReader(table, number, cells, columns))
        if isinstance(parsed, ContractRow):
            out.append(parsed)
        else:
            findings += parsed
    return out, findings


def _row(row: RowReader) -> ContractRow | list[Finding]:
    code = row.text("code", empty=EMPTY_CELL)
    assets = tuple(a for a in _ASSET_SPLIT.split(row.text("assets", empty=EMPTY_CELL) or "") if a)
    operator = row.text("operator", empty=EMPTY_CELL)
    mode = _mode(row)
    frequency = _word(row, "frequency", Frequency, FREQUENCY_WORDS, Frequency.ANNUAL)
    timing = _word(row, "timing", Timing, TIMING_WORDS, Timing.ARREARS)
    start, end = row.date("start", empty=EMPTY_CELL), row.date("end", empty=EMPTY_CELL)
    signed, paid = row.date("signed_on"), row.date("paid_through")
    deposit = row.money("deposit")
    amount = _amount(row, frequency)
    renews, note = row.text("renews"), row.text("note")
    texts = {"code": code, "operator": operator, "renews": renews, "note": note}
    for field, rule in TEXTS.items():
        value = texts[field]
        problem = None if value is None else text_problem(value, rule)
        if problem is not None:
            row.fail(field, problem)
    if row.findings or not (code and assets and operator and mode and start and end):
        return row.findings
    terms = Terms(mode, start, end, amount, frequency, timing, paid)
    amount_column = "annual" if values.blank(row.cell("amount")) else "amount"
    for field, reason in term_problems(terms, deposit=deposit):
        row.fail(amount_column if field == "amount" else field, reason)
    if row.findings:
        return row.findings
    return ContractRow(row.number, code, assets, operator, signed, terms, deposit, renews, note)


def _mode(row: RowReader) -> OperatingMode | None:
    text = row.text("mode", empty=EMPTY_CELL)
    if text is None:
        return None
    try:
        return OperatingMode.parse(text)
    except ValueError as exc:
        row.fail("mode", str(exc))
        return None


E = TypeVar("E", Frequency, Timing)


def _word(row: RowReader, field: str, enum: type[E], words: dict[str, str], default: E) -> E:
    text = row.text(field)
    if text is None:
        return default
    value = words.get(text.strip(), text.strip().lower())
    try:
        return enum(value)
    except ValueError:
        accepted = ", ".join(sorted({*words, *words.values()}))
        row.fail(field, f"write one of {accepted}")
        return default


def _amount(row: RowReader, frequency: Frequency) -> Decimal | None:
    """Each payment: 每期金额, or 年租金 split into the year's payments (it must split to the fen)."""
    each, annual = row.money("amount"), row.money("annual")
    if annual is None:
        return each
    if each is not None:
        if each * frequency.per_year != annual:
            row.fail("annual", f"每期金额 {each} × {frequency.per_year} is not the yearly {annual}")
        return each
    share = annual / frequency.per_year
    if share != share.quantize(FEN):
        row.fail("annual", f"does not split into {frequency.per_year} equal payments to the fen; give 每期金额")
        return None
    return share.quantize(FEN)
