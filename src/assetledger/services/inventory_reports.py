"""Inventory progress and findings: completion by county / township / village, register vs count vs books,
shortages, surpluses, damaged and idle items. Aggregated in SQL, so they serve the awards issue too
(`inventory_completion(session, year)`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from assetledger.domain.enums import PLACE_LEVELS, AssetStatus, RegionLevel, Register
from assetledger.domain.inventory import CountResult, DueReason
from assetledger.domain.register_fields import BY_CODE
from assetledger.io.output import records, write_xlsx
from assetledger.services.access import current_user, region_name
from assetledger.services.inventory import (
    book_values,
    closed_row,
    get_inventory,
    in_status_order,
    inventory_part,
    latest_counts,
    latest_surpluses,
)
from assetledger.services.regions import load_index
from assetledger.store.db import Database
from assetledger.store.inventory_models import Inventory, InventoryClose, InventoryCount, InventoryItem
from assetledger.store.models import Asset, Region
from assetledger.store.types import Money

ZERO = Decimal("0.00")
ZERO_FEN = literal(ZERO, Money)
LEVEL_COLUMNS = {
    RegionLevel.COUNTY: "county_code",
    RegionLevel.TOWNSHIP: "township_code",
    RegionLevel.VILLAGE: "village_code",
}
ABOVE = {RegionLevel.COUNTY: "", RegionLevel.TOWNSHIP: "(县级资产)", RegionLevel.VILLAGE: "(县乡级资产)"}
COUNTERS = ("items", "counted", "uncounted", "in_use", "missing", "damaged", "idle", "mismatched", "surplus")
AMOUNTS = ("register_value", "book_value", "missing_value", "damaged_value", "idle_value", "surplus_value")


@dataclass(frozen=True)
class LevelRow:
    """Completion and findings of one region at one level (county / township / village): counts by result,
    register value at opening, book value, and the values short, damaged, idle and surplus."""

    level: RegionLevel
    region_code: str | None  # None: the assets held above the level (a county's own assets at township level)
    region_name: str
    items: int
    counted: int
    uncounted: int
    completion: Decimal  # percent, one decimal
    in_use: int
    missing: int
    damaged: int
    idle: int
    mismatched: int  # register value differs from the books
    surplus: int
    register_value: Decimal
    book_value: Decimal
    missing_value: Decimal
    damaged_value: Decimal
    idle_value: Decimal
    surplus_value: Decimal


@dataclass(frozen=True)
class CountedItem:
    """An asset the inventory found damaged or idle (or missing: a Shortage), as the count recorded it."""

    asset_id: str
    name: str
    register: str  # the register's label
    category: str | None
    township: str | None
    village: str | None
    condition: str | None
    note: str | None
    counted_by: str | None
    counted_on: dt.date
    register_value: Decimal
    book_value: Decimal


@dataclass(frozen=True)
class Shortage(CountedItem):
    state: str  # written off at the close, or pending its approval


@dataclass(frozen=True)
class SurplusItem:
    """Something counted that the register lacks (盘盈), and the asset it became at the close."""

    place_code: str
    place: str
    name: str | None
    register: str | None
    category: str | None
    location: str | None
    quantity: Decimal | None
    unit: str | None
    value: Decimal | None
    result: str
    counted_by: str | None
    counted_on: dt.date
    note: str | None
    asset_id: str  # the asset registered at the close, or 待入账 pending close


@dataclass(frozen=True)
class SummaryLine:
    item: str  # "中文 english"
    value: object


def item_facts(inventory_ids: Any, part: set[str] | None = None) -> Any:
    """Subquery, one row per selected asset: where it sits, register value at opening, latest result, book value
    (`part`: of the assets counted at those places only)."""
    latest = latest_counts(inventory_ids)
    counted = aliased(InventoryCount)
    books = book_values(select(InventoryItem.asset_id).where(InventoryItem.inventory_id.in_(inventory_ids)))
    return (
        select(
            InventoryItem.inventory_id, InventoryItem.asset_id, InventoryItem.county_code, InventoryItem.township_code,
            InventoryItem.village_code, InventoryItem.place_code, InventoryItem.register_value, counted.result,
            func.coalesce(books.c.book_value, ZERO_FEN).label("book_value"),
        )
        .outerjoin(
            latest,
            and_(latest.c.inventory_id == InventoryItem.inventory_id, latest.c.asset_id == InventoryItem.asset_id),
        )
        .outerjoin(counted, counted.id == latest.c.count_id)
        .outerjoin(books, books.c.asset_id == InventoryItem.asset_id)
        .where(InventoryItem.inventory_id.in_(inventory_ids),
               *([] if part is None else [InventoryItem.place_code.in_(sorted(part))]))
        .subquery()
    )  # fmt: off


def _by_level(session: Session, inventory_ids: Any, level: RegionLevel, part: set[str] | None = None) -> list[LevelRow]:
    facts = item_facts(inventory_ids, part)
    code = facts.c[LEVEL_COLUMNS[level]]

    def n(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def value_if(result: CountResult) -> Any:
        return func.sum(case((facts.c.result == result.value, facts.c.book_value), else_=ZERO_FEN))

    query = select(
        code.label("region_code"), func.count().label("items"), n(facts.c.result.is_not(None)).label("counted"),
        n(facts.c.result.is_(None)).label("uncounted"),
        *(n(facts.c.result == r.value).label(r.value) for r in CountResult),
        n(facts.c.register_value != facts.c.book_value).label("mismatched"),
        func.sum(facts.c.register_value).label("register_value"), func.sum(facts.c.book_value).label("book_value"),
        *(value_if(r).label(f"{r.value}_value") for r in (CountResult.MISSING, CountResult.DAMAGED, CountResult.IDLE)),
    ).group_by(code)  # fmt: off
    rows = {r.region_code: dict(r._mapping) for r in session.execute(query)}
    for place, count, value in _surpluses_by_level(session, inventory_ids, level, part):
        row = rows.setdefault(place, {"region_code": place} | dict.fromkeys(COUNTERS, 0) | dict.fromkeys(AMOUNTS, ZERO))
        row["surplus"] = row.get("surplus", 0) + count
        row["surplus_value"] = row.get("surplus_value", ZERO) + value
    return _finish(session, list(rows.values()), level)


def _surpluses_by_level(
    session: Session, inventory_ids: Any, level: RegionLevel, part: set[str] | None = None
) -> list[tuple[str | None, int, Decimal]]:
    """Latest surplus rows grouped by the sheet's place (SQL), then rolled up to the level (the region tree)."""
    latest = latest_surpluses(inventory_ids)
    query = (
        select(InventoryCount.place_code, func.count(), func.sum(InventoryCount.value))
        .join(latest, latest.c.count_id == InventoryCount.id)
        .where(*([] if part is None else [InventoryCount.place_code.in_(sorted(part))]))
        .group_by(InventoryCount.place_code)
    )
    rows = [(place, count, value) for place, count, value in session.execute(query)]
    if not rows:
        return []
    index = load_index(session)
    out = []
    for place_code, count, value in rows:
        place = index.place_of(place_code)
        code = {RegionLevel.COUNTY: place.county_code, RegionLevel.TOWNSHIP: place.township_code}.get(
            level, place.village_code
        )
        out.append((code, int(count), value or ZERO))
    return out


def _finish(session: Session, rows: list[dict[str, Any]], level: RegionLevel) -> list[LevelRow]:
    names = {code: name for code, name in session.execute(select(Region.code, Region.name))}
    for row in rows:
        for key in COUNTERS:
            row[key] = int(row.get(key) or 0)
        for key in AMOUNTS:
            row[key] = row.get(key) or ZERO
        row["completion"] = completion(row["counted"], row["items"])
        code = row["region_code"]
        row["region_name"] = names.get(code, code) if code else ABOVE[level]
    rows.sort(key=lambda r: (r["region_code"] is None, r["region_code"] or ""))
    order = ("region_code", "region_name", "items", "counted", "uncounted", "completion", *COUNTERS[3:], *AMOUNTS)
    return [LevelRow(level, *(r[k] for k in order)) for r in rows]


def completion(counted: int, items: int) -> Decimal:
    """Share of the selected assets counted, in percent with one decimal (100.0 when nothing was due)."""
    if not items:
        return Decimal("100.0")
    return (Decimal(counted) * 100 / items).quantize(Decimal("0.1"))


def inventory_completion(session: Session, year: int, levels: Sequence[RegionLevel] = PLACE_LEVELS) -> list[LevelRow]:
    """Completion and findings of every inventory of `year`, one row per county, township and village (or per
    region of the `levels` asked only).

    Rows carry the level, region, counts by result, register value at opening, book value, shortage, damaged,
    idle and surplus values. A region covered by several inventories of the year is summed over them.
    """
    ids = select(Inventory.id).where(Inventory.year == year)
    rows: list[LevelRow] = []
    for level in levels:
        rows += [r for r in _by_level(session, ids, level) if r.region_code is not None]
    return rows


# --- one inventory ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Findings:
    """What the counts found, by kind (the order of the report's sheets)."""

    missing: list[Shortage]
    surplus: list[SurplusItem]
    damaged: list[CountedItem]
    idle: list[CountedItem]

    def of(self, kind: str) -> Sequence[CountedItem | SurplusItem]:
        """The list of one kind: missing, surplus, damaged or idle."""
        found: Sequence[CountedItem | SurplusItem] = getattr(self, kind)
        return found


@dataclass(frozen=True)
class InventoryStatus:
    inventory_id: int
    year: int
    scope: str
    scope_name: str
    opened_on: dt.date
    opened_by: str
    selected: dict[str, int]
    closed_on: dt.date | None
    approval: str | None
    close_summary: dict[str, Any] | None
    levels: dict[RegionLevel, list[LevelRow]]
    findings: Findings
    part_name: str | None = None  # a reader's own part of a larger inventory (its scope's name), else None

    @property
    def status_changes(self) -> dict[str, int]:
        """The close's status changes (new status -> assets) in the one order they are listed in (in_status_order);
        none while open, or for a reader of a part."""
        return in_status_order(self.close_summary.get("status_changes", {})) if self.close_summary else {}

    @property
    def total(self) -> LevelRow | None:
        return self.levels[RegionLevel.COUNTY][0] if self.levels[RegionLevel.COUNTY] else None

    def summary_rows(self) -> list[SummaryLine]:
        """Key/value lines for the summary sheet and the status header."""
        t = asdict(self.total) if self.total is not None else {}
        state = f"已关闭 closed {self.closed_on}（{self.approval}）" if self.closed_on else "进行中 open"
        lines: list[tuple[str, Any]] = [
            ("清查编号 inventory", self.inventory_id),
            ("年度 year", self.year),
            ("范围 scope", f"{self.scope_name} {self.scope}"),
            *([("本人负责部分 your part", self.part_name)] if self.part_name is not None else []),
            ("开始 opened", f"{self.opened_on} {self.opened_by}"),
            ("状态 state", state),
            ("应查资产 assets due", t.get("items", 0)),
            ("已查 counted", t.get("counted", 0)),
            ("完成率 completion %", t.get("completion", completion(0, 0))),
            ("在用 in use", t.get("in_use", 0)),
            ("盘亏 shortages", t.get("missing", 0)),
            ("盘亏账面价值 shortage book value", t.get("missing_value", ZERO)),
            ("盘盈 surpluses", t.get("surplus", 0)),
            ("盘盈价值 surplus value", t.get("surplus_value", ZERO)),
            ("毁损 damaged", t.get("damaged", 0)),
            ("闲置 idle", t.get("idle", 0)),
            ("台账价值 register value (at opening)", t.get("register_value", ZERO)),
            ("账面价值 book value", t.get("book_value", ZERO)),
            ("账实不符 register ≠ books", t.get("mismatched", 0)),
        ]
        for reason, count in self.selected.items():
            lines.append((f"选取 {_named(DueReason, reason)}", count))
        if self.close_summary:
            s = self.close_summary
            lines += [
                ("核销 written off", len(s.get("written_off", []))),
                ("核销金额 written-off value", Decimal(str(s.get("written_off_value", "0.00")))),
                ("盘盈入账 surplus assets registered", len(s.get("surplus_assets", []))),
                (
                    "状态变更 status changes",
                    ", ".join(f"{_status_label(k)} {k} {v}" for k, v in self.status_changes.items()),
                ),
            ]
        return [SummaryLine(k, v) for k, v in lines]


def _status_label(value: str) -> str:
    try:
        return AssetStatus(value).label
    except ValueError:
        return ""


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


def _named(vocabulary: Callable[[str], _Labelled], code: str) -> str:
    """A stored code by its label (a register, count result or due reason); a stored text that is none of its
    vocabulary (written around the product, or by a later version) as it is: the report is only read."""
    try:
        return vocabulary(code).label
    except ValueError:
        return code


def inventory_status(db: Database, inventory_id: int, actor: str) -> InventoryStatus:
    """An inventory's progress and findings; for a reader whose scope lies inside the inventory's, of its own part
    (services/inventory.inventory_part): counts, findings and surpluses of its places only, and none of the rest's
    figures (the selection by reason and the close's summary are the whole inventory's, so they are left out)."""
    with db.reading() as session:
        inventory = get_inventory(session, inventory_id)
        part = inventory_part(session, actor, inventory)
        done = closed_row(session, inventory_id)
        ids = select(literal(inventory_id))
        levels = {level: _by_level(session, ids, level, part) for level in PLACE_LEVELS}
        scope_name = session.scalar(select(Region.name).where(Region.code == inventory.scope_code)) or ""
        whole = part is None
        return InventoryStatus(
            inventory_id=inventory.id, year=inventory.year, scope=f"{inventory.scope_level}:{inventory.scope_code}",
            scope_name=scope_name, opened_on=inventory.opened_on, opened_by=inventory.actor,
            selected=dict(inventory.selected) if whole else {}, closed_on=done.closed_on if done else None,
            approval=done.approval_doc if done else None,
            close_summary=dict(done.summary) if done and whole else None, levels=levels,
            findings=_findings(session, inventory_id, done, part),
            part_name=None if whole else _part_name(session, actor),
        )  # fmt: off


def _part_name(session: Session, actor: str) -> str:
    user = current_user(session, actor)
    return region_name(session, user.scope) if user is not None else ""


def _findings(session: Session, inventory_id: int, done: InventoryClose | None, part: set[str] | None) -> Findings:
    ids = select(literal(inventory_id))
    facts = item_facts(ids, part)
    counted = aliased(InventoryCount)
    latest = latest_counts(ids)
    township, village = aliased(Region), aliased(Region)
    query = (
        select(
            facts.c.result, Asset.asset_id, Asset.name, Asset.register, Asset.category,
            township.name.label("township"), village.name.label("village"), counted.condition, counted.note,
            counted.counted_by, counted.counted_on, facts.c.register_value, facts.c.book_value, Asset.status,
        )
        .join(Asset, Asset.asset_id == facts.c.asset_id)
        .join(latest, latest.c.asset_id == facts.c.asset_id)
        .join(counted, counted.id == latest.c.count_id)
        .outerjoin(township, township.code == facts.c.township_code)
        .outerjoin(village, village.code == facts.c.village_code)
        .where(facts.c.result.in_([CountResult.MISSING.value, CountResult.DAMAGED.value, CountResult.IDLE.value]))
        .order_by(facts.c.place_code, Asset.asset_id)
    )  # fmt: off
    missing: list[Shortage] = []
    by_result: dict[CountResult, list[CountedItem]] = {CountResult.DAMAGED: [], CountResult.IDLE: []}
    for r in session.execute(query):
        row = dict(r._mapping)
        result = CountResult(row.pop("result"))
        status = row.pop("status")
        row["register"] = _named(Register, row["register"])
        if result is CountResult.MISSING:
            written_off = done and status == AssetStatus.WRITTEN_OFF.value
            missing.append(Shortage(**row, state="已核销 written off" if written_off else "待核销 pending approval"))
        else:
            by_result[result].append(CountedItem(**row))
    surplus = _surplus_rows(session, inventory_id, done, part)
    return Findings(missing, surplus, by_result[CountResult.DAMAGED], by_result[CountResult.IDLE])


def _surplus_rows(
    session: Session, inventory_id: int, done: InventoryClose | None, part: set[str] | None
) -> list[SurplusItem]:
    latest = latest_surpluses(select(literal(inventory_id)))
    names = {code: name for code, name in session.execute(select(Region.code, Region.name))}
    registered = {}
    if done:
        registered = {a.rsplit("-", 1)[-1]: a for a in done.summary.get("surplus_assets", [])}
    rows = []
    for c in session.scalars(
        select(InventoryCount)
        .join(latest, latest.c.count_id == InventoryCount.id)
        .where(*([] if part is None else [InventoryCount.place_code.in_(sorted(part))]))
        .order_by(InventoryCount.id)
    ):
        rows.append(
            SurplusItem(
                place_code=c.place_code, place=names.get(c.place_code, c.place_code), name=c.name,
                register=_named(Register, c.register) if c.register else None, category=c.category,
                location=c.location, quantity=c.quantity, unit=c.unit, value=c.value,
                result=_named(CountResult, c.result), counted_by=c.counted_by, counted_on=c.counted_on,
                note=c.note, asset_id=registered.get(str(c.id), "待入账 pending close"),
            )
        )  # fmt: off
    return rows


HEADERS_CN = {
    "item": "项目",
    "value": "数值/金额",
    "level": "级别",
    "region_code": "区划代码",
    "region_name": "区划名称",
    "items": "应查",
    "counted": "已查",
    "uncounted": "未查",
    "completion": "完成率(%)",
    "in_use": "在用",
    "missing": "盘亏",
    "damaged": "毁损",
    "idle": "闲置",
    "mismatched": "账实不符",
    "surplus": "盘盈",
    "register_value": "台账价值",
    "book_value": "账面价值",
    "missing_value": "盘亏价值",
    "damaged_value": "毁损价值",
    "idle_value": "闲置价值",
    "surplus_value": "盘盈价值",
    "asset_id": "资产编号",
    "name": "资产名称",
    "register": BY_CODE["register"].zh,
    "category": BY_CODE["category"].zh,
    "township": "乡镇",
    "village": "村",
    "place_code": "区划代码",
    "place": "所在地",
    "location": "坐落位置",
    "quantity": "数量",
    "unit": "单位",
    "condition": "状况",
    "note": "备注",
    "counted_by": "清查人",
    "counted_on": "清查日期",
    "result": "结果",
    "state": "处理",
}
FINDING_SHEETS = {"missing": "盘亏", "surplus": "盘盈", "damaged": "毁损", "idle": "闲置"}
LEVEL_SHEETS = {RegionLevel.COUNTY: "县级汇总", RegionLevel.TOWNSHIP: "乡镇汇总", RegionLevel.VILLAGE: "村级汇总"}


def level_records(rows: Sequence[LevelRow]) -> list[dict[str, Any]]:
    """Rows of one level to render (the level is the table's title, not a column)."""
    return [{k: v for k, v in r.items() if k != "level"} for r in records(rows)]


def write_report(db: Database, inventory_id: int, out: Path, actor: str) -> tuple[Path, InventoryStatus]:
    """The inventory report: a summary sheet, completion and findings by level, and the finding lists."""
    status = inventory_status(db, inventory_id, actor)
    sheets: dict[str, Sequence[dict[str, Any]]] = {"汇总": records(status.summary_rows())}
    for level, name in LEVEL_SHEETS.items():
        sheets[name] = level_records(status.levels[level])
    for key, name in FINDING_SHEETS.items():
        sheets[name] = records(status.findings.of(key))
    title = f"{status.scope_name} {status.year}年度扶贫项目资产清查报告（清查编号 {inventory_id}）"
    return write_xlsx(out, sheets, HEADERS_CN, title), status
