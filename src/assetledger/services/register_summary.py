"""Register summary at county, township or village level, aggregated in SQL (县乡村三级台账汇总)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from assetledger.domain.enums import OFF_BOOKS_VALUES, PLACE_LEVELS, AssetStatus, OwnerKind, RegionLevel, Register
from assetledger.errors import Finding, InputError
from assetledger.services.access import read_scope
from assetledger.services.asset_queries import ASSET_PLACE, WITHOUT_HOUSEHOLD
from assetledger.store.db import Database
from assetledger.store.models import Asset, Region
from assetledger.store.region_tree import asset_within
from assetledger.store.types import Money

ZERO = literal(0, Money)


@dataclass(frozen=True)
class RegionSummary:
    """One row of the register summary: a region (or the 合计 row, region_code None) with its active assets' count
    and original value, by register and by the level they are confirmed to, and the gaps (counts, and values where
    named so)."""

    region_code: str | None
    region_name: str
    assets: int
    value: Decimal
    public_benefit_count: int
    public_benefit_value: Decimal
    operating_count: int
    operating_value: Decimal
    household_count: int
    household_value: Decimal
    owner_county: int
    owner_county_value: Decimal
    owner_township: int
    owner_township_value: Decimal
    owner_village: int
    owner_village_value: Decimal
    owner_department: int
    owner_department_value: Decimal
    owner_household: int
    owner_household_value: Decimal
    owner_enterprise: int
    owner_enterprise_value: Decimal
    unconfirmed: int
    unconfirmed_value: Decimal
    not_handed_over: int
    no_custodian: int
    no_household: int
    no_household_value: Decimal
    idle: int
    damaged: int


@dataclass(frozen=True)
class RegisterByOwner:
    """One row of the published table 确权到县(区)/乡镇/村/户: a register (or 合计, register "total") with the count
    and original value of its assets confirmed to each level and of those not confirmed yet."""

    register: str
    register_name: str
    assets: int
    value: Decimal
    county_count: int
    county_value: Decimal
    township_count: int
    township_value: Decimal
    village_count: int
    village_value: Decimal
    department_count: int
    department_value: Decimal
    household_count: int
    household_value: Decimal
    enterprise_count: int
    enterprise_value: Decimal
    unconfirmed_count: int
    unconfirmed_value: Decimal


def _level_column(level: RegionLevel) -> Any:
    if level not in PLACE_LEVELS:  # a city holds no assets of its own: summarise its counties
        raise InputError(
            [
                Finding(
                    "register summary",
                    None,
                    "level",
                    level.value,
                    "层级应为 county（县）、township（乡镇）或 village（村） (write county, township or village)",
                )
            ]
        )
    return {
        RegionLevel.COUNTY: Asset.county_code,
        RegionLevel.TOWNSHIP: Asset.township_code,
        RegionLevel.VILLAGE: Asset.village_code,
    }[level]


def register_summary(db: Database, level: RegionLevel, actor: str, within: str | None = None) -> list[RegionSummary]:
    """One row per region of `level` (plus a 合计 row): counts and value by register and confirmation level, and gaps;
    of the region `within` (refused outside the actor's scope), else of the actor's whole scope.

    Disposed assets have left the active register and are not counted. Assets that sit above the level (a county
    road in a township summary) are grouped under '(县级)' / '(乡级)' so totals still add up. A level above the
    region `within` (the county level of one township) is summarised at the region's own level, so its row is
    named for the region and not for the county its figures are only a part of.
    """
    _level_column(level)  # refuses a city
    if within:
        with db.reading() as session:
            own = session.scalar(select(Region.level).where(Region.code == within))
        if own in {lv.value for lv in PLACE_LEVELS} and PLACE_LEVELS.index(RegionLevel(own)) > PLACE_LEVELS.index(
            level
        ):
            level = RegionLevel(own)
    code = _level_column(level)
    needs_custody = Asset.register.in_([Register.PUBLIC_BENEFIT, Register.OPERATING])
    columns: list[Any] = [
        code.label("region_code"),
        func.count().label("assets"),
        func.sum(Asset.original_value).label("value"),
    ]
    for register in Register:
        hit = Asset.register == register.value
        columns.append(func.sum(case((hit, 1), else_=0)).label(f"{register.value}_count"))
        columns.append(func.sum(case((hit, Asset.original_value), else_=ZERO)).label(f"{register.value}_value"))
    for kind in OwnerKind:
        hit = Asset.owner_kind == kind.value
        columns.append(func.sum(case((hit, 1), else_=0)).label(f"owner_{kind.value}"))
        columns.append(func.sum(case((hit, Asset.original_value), else_=ZERO)).label(f"owner_{kind.value}_value"))
    columns += [
        func.sum(case((Asset.owner_kind.is_(None), 1), else_=0)).label("unconfirmed"),
        func.sum(case((Asset.owner_kind.is_(None), Asset.original_value), else_=ZERO)).label("unconfirmed_value"),
        func.sum(case((and_(needs_custody, Asset.handed_over_on.is_(None)), 1), else_=0)).label("not_handed_over"),
        func.sum(
            case(
                (and_(needs_custody, Asset.handed_over_on.is_not(None), Asset.custodian.is_(None)), 1),
                else_=0,
            )
        ).label("no_custodian"),
        func.sum(case((and_(*WITHOUT_HOUSEHOLD), 1), else_=0)).label("no_household"),
        func.sum(case((and_(*WITHOUT_HOUSEHOLD), Asset.original_value), else_=ZERO)).label("no_household_value"),
        func.sum(case((Asset.status == AssetStatus.IDLE, 1), else_=0)).label("idle"),
        func.sum(case((Asset.status == AssetStatus.DAMAGED, 1), else_=0)).label("damaged"),
    ]
    query = select(*columns).where(Asset.status.not_in(OFF_BOOKS_VALUES)).group_by(code)
    with db.reading() as session:
        query = query.where(*_in_scope(session, actor, within))
        names = dict(session.execute(select(Region.code, Region.name)).all())
        rows = [dict(r._mapping) for r in session.execute(query)]
    above = {RegionLevel.TOWNSHIP: "(县级资产)", RegionLevel.VILLAGE: "(县乡级资产)", RegionLevel.COUNTY: ""}[level]
    for row in rows:
        row["region_name"] = names.get(row["region_code"], above) if row["region_code"] else above
        row["value"] = row["value"] or Decimal("0.00")
    rows.sort(key=lambda r: (r["region_code"] is None, r["region_code"] or ""))
    if rows:
        total: dict[str, Any] = {"region_code": None, "region_name": "合计"}
        for key in rows[0]:
            if key not in total:
                total[key] = sum(
                    (r[key] for r in rows), start=Decimal("0.00") if isinstance(rows[0][key], Decimal) else 0
                )
        rows.append(total)
    return [RegionSummary(**r) for r in rows]


def register_by_owner(db: Database, actor: str, within: str | None = None) -> list[RegisterByOwner]:
    """The published table 确权到县(区)/乡镇/村/户: for each register (and 合计), the count and original value of the
    assets confirmed to each level, and of those not confirmed yet. Aggregated in SQL; off-books assets excluded.
    Of the region `within` (refused outside the actor's scope), else of the actor's whole scope."""
    query = (
        select(Asset.register, Asset.owner_kind, func.count(), func.sum(Asset.original_value))
        .where(Asset.status.not_in(OFF_BOOKS_VALUES))
        .group_by(Asset.register, Asset.owner_kind)
    )
    with db.reading() as session:
        query = query.where(*_in_scope(session, actor, within))
        found = session.execute(query).all()
    keys = [kind.value for kind in OwnerKind] + ["unconfirmed"]

    def empty(code: str, label: str) -> dict[str, Any]:
        row: dict[str, Any] = {"register": code, "register_name": label, "assets": 0, "value": Decimal("0.00")}
        for key in keys:
            row[f"{key}_count"], row[f"{key}_value"] = 0, Decimal("0.00")
        return row

    rows = {register.value: empty(register.value, register.label) for register in Register}
    total = empty("total", "合计")
    for register, kind, count, value in found:
        key = kind or "unconfirmed"
        for row in (rows[register], total):
            row["assets"] += count
            row["value"] += value or Decimal("0.00")
            row[f"{key}_count"] += count
            row[f"{key}_value"] += value or Decimal("0.00")
    return [RegisterByOwner(**r) for r in [*rows.values(), total]]


OWNER_HEADERS_CN = {"register_name": "资产类别", "assets": "资产数", "value": "资产原值"} | {
    f"{key}_{part}": f"{label}-{'项数' if part == 'count' else '金额'}"
    for key, label in [(k.value, f"确权到{k.label}") for k in OwnerKind] + [("unconfirmed", "未确权")]
    for part in ("count", "value")
}


HEADERS_CN = {
    "region_code": "区划代码",
    "region_name": "区划名称",
    "assets": "资产数",
    "value": "资产原值",
    "public_benefit_count": "公益性-数量",
    "public_benefit_value": "公益性-原值",
    "operating_count": "经营性-数量",
    "operating_value": "经营性-原值",
    "household_count": "到户类-数量",
    "household_value": "到户类-原值",
    "owner_county": "确权-县级",
    "owner_county_value": "确权-县级-原值",
    "owner_township": "确权-乡级",
    "owner_township_value": "确权-乡级-原值",
    "owner_village": "确权-村级",
    "owner_village_value": "确权-村级-原值",
    "owner_department": "确权-部门",
    "owner_department_value": "确权-部门-原值",
    "owner_household": "确权-到户",
    "owner_household_value": "确权-到户-原值",
    "owner_enterprise": "确权-企业",
    "owner_enterprise_value": "确权-企业-原值",
    "unconfirmed": "未确权-数量",
    "unconfirmed_value": "未确权-原值",
    "not_handed_over": "未移交",
    "no_custodian": "已移交未落实管护",
    "no_household": "到户类未落实到户-数量",
    "no_household_value": "到户类未落实到户-原值",
    "idle": "闲置",
    "damaged": "毁损",
}


def _in_scope(session: Session, actor: str, within: str | None) -> list[Any]:
    """The WHERE terms of assets within the region `within` (refused outside the reader's scope), else within it."""
    visible = read_scope(session, actor, within)
    if within:
        return [asset_within(within)]
    return [] if visible is None else [ASSET_PLACE.in_(sorted(visible))]
