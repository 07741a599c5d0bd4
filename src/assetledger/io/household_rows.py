"""Rows of a beneficiary roster (受益对象名册) with Chinese or English headers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assetledger.domain.distribution import persons_problem
from assetledger.domain.households import HouseholdFacts
from assetledger.domain.text import ONE_LINE, TextRule
from assetledger.errors import Finding
from assetledger.io.headers import build_index, map_header
from assetledger.io.rows import EMPTY_CELL, RowReader, missing_columns
from assetledger.io.tabular import Table

ALIASES = {
    "household_id": ("户编号", "农户编号", "户码"),
    "village": ("村", "行政村", "村代码", "village_code"),
    "head": ("户主", "户主姓名"),
    "persons": ("人口", "家庭人口", "人数"),
    "category": ("类别", "农户类别", "户类别"),
    "factors": ("因素", "权重因素", "特殊情况"),
    "joined_on": ("纳入日期", "加入日期", "纳入时间"),
    "left_on": ("退出日期", "离开日期"),
    "left_reason": ("退出原因", "离开原因"),
    # The household-level assets (到户类) the household benefits from: attached to them (an asset registered as
    # published, before its households were named). Several ids in one cell, separated by 、 , ; or spaces.
    "asset_ids": ("资产编号", "受益资产编号", "到户资产编号", "受益资产", "到户资产", "asset_id"),
    # The date a known household's change (户主, 人口, 类别, 因素) took effect: the date of the "changed" event; a row
    # without one takes the command's --date (DOMAIN rule 16: never the machine's clock).
    "changed_on": ("变更日期", "变动日期", "调整日期", "changed_on"),
}
INDEX = build_index(ALIASES)
CATEGORIES = {"脱贫户": "poverty_exited", "监测户": "monitored", "其他困难户": "other", "其他": "other"}
CATEGORY_LABELS = {"poverty_exited": "脱贫户", "monitored": "监测户", "other": "其他困难户"}
FACTORS = {
    "无劳动能力": "no_labour",
    "无劳动力": "no_labour",
    "丧失劳动能力": "no_labour",
    "老年": "elderly",
    "老人": "elderly",
    "患病": "sick",
    "大病": "sick",
    "残疾": "disabled",
}
FACTOR_LABELS = {"no_labour": "无劳动能力", "elderly": "老年", "sick": "患病", "disabled": "残疾"}
REASONS = {"退出": "exit", "死亡": "death", "exit": "exit", "death": "death", "迁出": "exit"}
LEFT_REASON_LABELS = {"exit": "退出", "death": "死亡"}
# A household's facts as a person reads them (the roster's and a household's listings): the file's own headers.
HEADERS = {"household_id": "户编号", "village": "村", "head": "户主", "persons": "人口", "category": "类别",
           "factors": "因素", "joined_on": "纳入日期", "left_on": "退出日期", "left_reason": "退出原因"}  # fmt: skip


def household_word(code: str | None) -> str:
    """A household's category, factor or reason for leaving by its Chinese name (a code it does not know: as is)."""
    if not code:
        return ""
    return CATEGORY_LABELS.get(code) or FACTOR_LABELS.get(code) or LEFT_REASON_LABELS.get(code, code)


def shown_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """A household's facts for a person to read: category, factors and reason for leaving by name."""
    words = {"category", "left_reason"}
    return {
        k: "、".join(household_word(f) for f in v) if k == "factors" else household_word(v) if k in words else v
        for k, v in facts.items()
    }


REQUIRED = ("household_id", "village", "head", "persons", "category", "joined_on")


@dataclass(frozen=True)
class HouseholdRow(HouseholdFacts):
    """A household as a roster file (or `beneficiary add`) gives it."""

    row: int = 0  # the file's row (0: not from a file)
    asset_ids: tuple[str, ...] = ()  # household-level assets (到户类) it benefits from: attached by the import
    changed_on: dt.date | None = None  # 变更日期: when a change of a known household's facts took effect


def parse_households(
    table: Table, rules: Mapping[str, TextRule] | None = None
) -> tuple[list[HouseholdRow], list[Finding]]:
    """`rules`: the text rules of the stored fields (household id, head), from their columns; the village looked up
    holds one line of printable text too."""
    rules = {"village": ONE_LINE, "asset_ids": ONE_LINE, **(rules or {})}
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    findings = missing_columns(table, columns, REQUIRED, ALIASES)
    if findings:
        return [], findings
    out: list[HouseholdRow] = []
    for number, cells in table.rows:
        row = RowReader(table, number, cells, columns, rules)
        household_id = row.text("household_id", empty=EMPTY_CELL)
        village = row.text("village", empty=EMPTY_CELL)
        head = row.text("head", empty=EMPTY_CELL)
        text = row.text("persons") or ""
        # Decimal digits only, ASCII or full-width (２, as amounts and years read them): str.isdigit() takes "²", which
        # int() refuses, and NFKC would read it as 2; and few of them (int() of thousands fails)
        persons = int(text) if text.isdecimal() and len(text) <= 4 else None
        problem = persons_problem(persons)
        if problem:
            row.fail("persons", problem)
        category_text = row.text("category") or ""
        category = CATEGORIES.get(category_text, category_text if category_text in CATEGORY_LABELS else None)
        if category is None:
            row.fail("category", f"应为 {'、'.join(CATEGORIES)} 之一 (write one of {', '.join(CATEGORIES)})")
        factors = _factors(row)
        joined = row.date("joined_on", empty=EMPTY_CELL)
        left = row.date("left_on")
        changed = row.date("changed_on")
        reason_text = row.text("left_reason")
        reason = REASONS.get(reason_text) if reason_text else None
        if reason_text and reason is None:
            row.fail("left_reason", "write 退出/exit or 死亡/death")
        if left and not reason:
            row.fail("left_reason", "a household that left needs the reason (退出/死亡)")
        if joined and left and left < joined:
            row.fail("left_on", "leaves before it joined")
        findings.extend(row.findings)
        if row.findings or not (household_id and village and head and persons and category and joined):
            continue
        assets = _asset_ids(row)
        out.append(
            HouseholdRow(
                household_id, village, head, persons, category, factors, joined, left, reason, number, assets, changed
            )
        )
    return out, findings


def asset_column(table: Table) -> str:
    """The file's own header of the asset ids column (for findings on it)."""
    return column_header(table, "asset_ids")


def column_header(table: Table, field: str) -> str:
    """The file's own header of a field's column, else the field's first Chinese name (for findings on it)."""
    found = [c.header for c in map_header(table.header, INDEX) if c.field == field]
    return found[0] if found else ALIASES[field][0]


_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _asset_ids(row: RowReader) -> tuple[str, ...]:
    """The asset ids of the cell, each once, in the order written."""
    return tuple(dict.fromkeys(part for part in _SEPARATORS.split(row.text("asset_ids") or "") if part))


def _factors(row: RowReader) -> tuple[str, ...]:
    """无劳动能力、老年 … (separated by 、 , or ，) as factor codes; unknown ones are refused."""
    factors: list[str] = []
    for part in (row.text("factors") or "").replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if part:
            code = FACTORS.get(part, part if part in FACTOR_LABELS else None)
            if code is None:
                said = "、".join(FACTOR_LABELS.values())
                row.fail("factors", f"未知的因素「{part}」，应为 {said} (unknown factor {part!r}; write {said})")
            else:
                factors.append(code)
    return tuple(factors)
