"""The annual inventory (清查): which assets are due, the results a count can give, and the county's policy.

Pure rules (DOMAIN rule 10): village-collective assets are counted every year-end; state-owned assets (owner
county, township or department — and unconfirmed assets, which the county's books hold) when they were not counted
in the last three years; household-level assets only when the county's policy says so; disposed assets never.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from assetledger.domain.enums import AssetStatus, OwnerKind, RegionLevel, Register
from assetledger.errors import Finding, InputError

# Where an approved shortage's book value goes when the inventory closes (盘亏核销): the books' account and its name.
INVENTORY_LOSS_ACCOUNT = ("Expenses:Other:InventoryLoss", "其他支出-盘亏损失")


class CountResult(StrEnum):
    """What the team found for one asset (结果)."""

    IN_USE = "in_use"  # 在用: found and in use
    MISSING = "missing"  # 盘亏: not found
    DAMAGED = "damaged"  # 毁损
    IDLE = "idle"  # 闲置

    @property
    def label(self) -> str:
        return RESULT_SPELLINGS[self][0]

    @property
    def status(self) -> AssetStatus | None:
        """The register status the count leads to (None: the asset is written off, with approval)."""
        return None if self is CountResult.MISSING else AssetStatus(self.value)


RESULT_SPELLINGS: dict[CountResult, tuple[str, ...]] = {
    CountResult.IN_USE: ("在用", "正常", "相符", "账实相符", "found", "in use"),
    CountResult.MISSING: ("盘亏", "缺失", "丢失", "灭失", "未找到", "short", "shortage"),
    CountResult.DAMAGED: ("毁损", "损坏", "损毁", "报损"),
    CountResult.IDLE: ("闲置",),
}
SURPLUS_SPELLINGS = ("盘盈", "surplus")  # accepted as the result of a surplus row: found, in use


def parse_result(text: str, *, surplus: bool = False) -> CountResult:
    key = text.strip()
    lowered = key.lower().replace("-", "_")
    if surplus and lowered in SURPLUS_SPELLINGS:
        return CountResult.IN_USE
    for result, spellings in RESULT_SPELLINGS.items():
        if lowered == result.value or key in spellings or lowered in spellings:
            if surplus and result is CountResult.MISSING:
                raise ValueError("盘盈的行不能是盘亏 (a surplus (盘盈) row cannot be missing (盘亏))")
            return result
    accepted = "/".join(r.label for r in CountResult)
    accepted += "/盘盈" if surplus else ""
    raise ValueError(f"盘点结果“{key}”不认识，应为 {accepted} 之一 (unknown result {key!r}; write one of {accepted})")


class DueReason(StrEnum):
    """Why an asset is in an inventory, or why it is not."""

    COLLECTIVE = "collective"
    STATE_NEVER_COUNTED = "state_never_counted"
    STATE_DUE = "state_due"
    HOUSEHOLD = "household"
    # not selected
    STATE_COUNTED_RECENTLY = "state_counted_recently"
    COLLECTIVE_COUNTED_RECENTLY = "collective_counted_recently"
    HOUSEHOLD_NOT_COUNTED = "household_not_counted"
    ENTERPRISE = "enterprise"
    ALREADY_IN_INVENTORY = "already_in_inventory"
    DISPOSED = "disposed"
    WRITTEN_OFF = "written_off"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    DueReason.COLLECTIVE: "村集体资产，每年清查",
    DueReason.STATE_NEVER_COUNTED: "国有资产（含未确权），从未清查",
    DueReason.STATE_DUE: "国有资产（含未确权），三年内未清查",
    DueReason.HOUSEHOLD: "到户类资产，按县政策清查",
    DueReason.STATE_COUNTED_RECENTLY: "不清查：国有资产近三年已清查",
    DueReason.COLLECTIVE_COUNTED_RECENTLY: "不清查：村集体资产清查周期未到",
    DueReason.HOUSEHOLD_NOT_COUNTED: "不清查：到户类资产（县政策不清查）",
    DueReason.ENTERPRISE: "不清查：企业所有",
    DueReason.ALREADY_IN_INVENTORY: "不清查：已在本年度其他清查中",
    DueReason.DISPOSED: "不清查：已处置",
    DueReason.WRITTEN_OFF: "不清查：已核销",
}
STATE_OWNERS = (OwnerKind.COUNTY.value, OwnerKind.TOWNSHIP.value, OwnerKind.DEPARTMENT.value)


@dataclass(frozen=True)
class InventoryPolicy:
    """A county's inventory cycle. Defaults: collective yearly, state-owned every three years, households not."""

    collective_every_years: int = 1
    state_every_years: int = 3
    count_household: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "collective_every_years": self.collective_every_years,
            "state_every_years": self.state_every_years,
            "count_household": self.count_household,
        }


def due(
    owner_kind: str | None, register: str, last_counted: int | None, year: int, policy: InventoryPolicy
) -> tuple[bool, DueReason]:
    """Is an active asset due in the inventory of `year`, and why. `last_counted`: latest earlier year counted."""

    def cycle(every: int) -> bool:
        return last_counted is None or year - last_counted >= every

    if register == Register.HOUSEHOLD.value or owner_kind == OwnerKind.HOUSEHOLD.value:
        return (True, DueReason.HOUSEHOLD) if policy.count_household else (False, DueReason.HOUSEHOLD_NOT_COUNTED)
    if owner_kind == OwnerKind.ENTERPRISE.value:
        return False, DueReason.ENTERPRISE
    if owner_kind == OwnerKind.VILLAGE.value:
        if cycle(policy.collective_every_years):
            return True, DueReason.COLLECTIVE
        return False, DueReason.COLLECTIVE_COUNTED_RECENTLY
    # county, township, department, or not yet confirmed (held in the county's books)
    if last_counted is None:
        return True, DueReason.STATE_NEVER_COUNTED
    if cycle(policy.state_every_years):
        return True, DueReason.STATE_DUE
    return False, DueReason.STATE_COUNTED_RECENTLY


@dataclass(frozen=True)
class Scope:
    level: RegionLevel
    code: str

    def __str__(self) -> str:
        return f"{self.level.value}:{self.code}"


def parse_scope(text: str) -> Scope:
    """'county:360921', 'township:360921101', 'village:360921101201' (or 县:/乡镇:/村:)."""
    if ":" not in text:
        raise ValueError(
            f"“{text}”应写作 层级:代码，如 county:360921 或 县:360921 ({text!r}: write LEVEL:CODE, e.g. county:360921)"
        )
    level, code = text.split(":", 1)
    if not code.strip():
        raise ValueError(f"“{text}”缺少区划代码 ({text!r}: the region code is missing)")
    scope = Scope(RegionLevel.parse(level), code.strip())
    if scope.level is RegionLevel.CITY:
        raise ValueError(
            f"“{text}”：清查范围是一个县、乡镇或村（每个县分别开始清查） "
            f"({text!r}: an inventory covers a county, township or village (open one per county))"
        )
    return scope


def load_inventory_policy(path: Path | None) -> InventoryPolicy:
    """Read the [inventory] table of a policy file (see ledgers/policy/inventory.toml); InputError with every
    finding. `inventory open` reads the table of the governance policy stored for its scope (`asset policy store`)."""
    if path is None:
        return InventoryPolicy()
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("inventory", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError([Finding(source, None, None, None, f"无法读取政策文件 (cannot read policy: {exc})")]) from exc
    findings: list[Finding] = []
    policy = inventory_policy(source, data, findings)
    if findings:
        raise InputError(findings)
    return policy


def inventory_policy(source: str, data: object, findings: list[Finding]) -> InventoryPolicy:
    """The inventory cycle an `[inventory]` table sets (each key optional); its faults, by key and value, are added
    to `findings`."""
    if not isinstance(data, Mapping):
        findings.append(Finding(source, None, "inventory", str(data), "应为一个表 (must be a table)"))
        return InventoryPolicy()
    values: dict[str, int] = {}
    for key in ("collective_every_years", "state_every_years"):
        value = data.get(key, getattr(InventoryPolicy, key))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            findings.append(
                Finding(
                    source,
                    None,
                    f"inventory.{key}",
                    str(value),
                    "应为至少 1 的整数年数 (a whole number of years, at least 1)",
                )
            )
            value = getattr(InventoryPolicy, key)
        values[key] = value
    household = data.get("count_household", False)
    if not isinstance(household, bool):
        findings.append(
            Finding(source, None, "inventory.count_household", str(household), "应为 true 或 false (true or false)")
        )
    return InventoryPolicy(values["collective_every_years"], values["state_every_years"], household is True)
