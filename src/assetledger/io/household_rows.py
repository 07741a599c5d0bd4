"""Rows of a beneficiary roster (受益对象名册) with Chinese or English headers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assetledger.errors import Finding
from assetledger.io import values
from assetledger.io.headers import build_index, map_header
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
}
INDEX = build_index(ALIASES)
CATEGORIES = {"脱贫户": "poverty_exited", "监测户": "monitored", "其他困难户": "other", "其他": "other"}
CATEGORY_LABELS = {"poverty_exited": "脱贫户", "monitored": "监测户", "other": "其他困难户"}
FACTORS = {
    "无劳动能力": "no_labour",
    "老年": "elderly",
    "老人": "elderly",
    "患病": "sick",
    "大病": "sick",
    "残疾": "disabled",
}
FACTOR_LABELS = {"no_labour": "无劳动能力", "elderly": "老年", "sick": "患病", "disabled": "残疾"}
REASONS = {"退出": "exit", "死亡": "death", "exit": "exit", "death": "death", "迁出": "exit"}
REQUIRED = ("household_id", "village", "head", "persons", "category", "joined_on")


@dataclass(frozen=True)
class HouseholdRow:
    row: int
    household_id: str
    village: str
    head: str
    persons: int
    category: str
    factors: tuple[str, ...]
    joined_on: dt.date
    left_on: dt.date | None
    left_reason: str | None


def parse_households(table: Table) -> tuple[list[HouseholdRow], list[Finding]]:
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    findings = [
        Finding(table.source, None, f"{ALIASES[f][0]} / {f}", None, "required column is missing")
        for f in REQUIRED
        if f not in columns
    ]
    if findings:
        return [], findings
    out: list[HouseholdRow] = []
    for number, cells in table.rows:

        def cell(field: str, cells: list[object] = cells) -> object:
            col = columns.get(field)
            return cells[col.position] if col and col.position < len(cells) else None

        def fail(field: str, reason: str, number: int = number) -> None:
            findings.append(Finding(table.source, number, columns[field].header, values.text(cell(field)), reason))

        before = len(findings)
        texts = {f: values.text(cell(f)) for f in ("household_id", "village", "head")}
        for field, text in texts.items():
            if not text:
                fail(field, "empty")
        persons = values.text(cell("persons"))
        if persons is None or not persons.isdigit() or int(persons) < 1:
            fail("persons", "a whole number of persons, at least 1")
        category_text = values.text(cell("category")) or ""
        category = CATEGORIES.get(category_text, category_text if category_text in CATEGORY_LABELS else None)
        if category is None:
            fail("category", f"write one of {', '.join(CATEGORIES)}")
        factors: list[str] = []
        for part in (values.text(cell("factors")) or "").replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if part:
                code = FACTORS.get(part, part if part in FACTOR_LABELS else None)
                if code is None:
                    fail("factors", f"unknown factor {part!r}; write {', '.join(FACTOR_LABELS.values())}")
                else:
                    factors.append(code)
        dates: dict[str, dt.date | None] = {}
        for field in ("joined_on", "left_on"):
            try:
                dates[field] = values.date(cell(field))
            except values.CellError as exc:
                fail(field, str(exc))
                dates[field] = None
        if dates["joined_on"] is None and columns["joined_on"].header not in {f.column for f in findings[before:]}:
            fail("joined_on", "empty")
        reason_text = values.text(cell("left_reason"))
        reason = REASONS.get(reason_text) if reason_text else None
        if reason_text and reason is None:
            fail("left_reason", "write 退出/exit or 死亡/death")
        if dates["left_on"] and not reason:
            fail("left_reason", "a household that left needs the reason (退出/死亡)")
        joined, left = dates["joined_on"], dates["left_on"]
        if joined and left and left < joined:
            fail("left_on", "leaves before it joined")
        if len(findings) > before:
            continue
        assert joined is not None and persons is not None and category is not None
        out.append(
            HouseholdRow(
                number,
                str(texts["household_id"]),
                str(texts["village"]),
                str(texts["head"]),
                int(persons),
                category,
                tuple(factors),
                joined,
                left,
                reason,
            )
        )
    return out, findings
