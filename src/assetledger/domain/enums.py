"""Closed vocabularies of the domain, each with its Chinese label and the spellings accepted on input."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a Chinese label and parse from code, label or alias."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value][0]

    @classmethod
    def parse(cls, text: str) -> Self:
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        for member in cls:
            spellings = _LABELS[cls.__name__][member.value]
            if key == member.value or text.strip() in spellings:
                return member
        accepted = ", ".join(f"{m.value}/{m.label}" for m in cls)
        raise ValueError(f"unknown {cls.__name__} {text!r}; accepted: {accepted}")


class Register(LabelledEnum):
    PUBLIC_BENEFIT = "public_benefit"
    OPERATING = "operating"
    HOUSEHOLD = "household"


class RegionLevel(LabelledEnum):
    CITY = "city"  # 市/州/盟: above the counties; pays awards from its own books, holds no assets of its own
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class OwnerKind(LabelledEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    DEPARTMENT = "department"
    HOUSEHOLD = "household"
    ENTERPRISE = "enterprise"


class AssetStatus(LabelledEnum):
    IN_USE = "in_use"
    IDLE = "idle"
    DAMAGED = "damaged"
    DISPOSED = "disposed"  # 已处置: auction, transfer or scrapping, with approval
    WRITTEN_OFF = "written_off"  # 已核销: an approved inventory shortage (盘亏); not a disposal (DOMAIN rule 19)

    @property
    def off_books(self) -> bool:
        """Has the asset left the register and the books (disposed of or written off)?"""
        return self in OFF_BOOKS


# Statuses of assets that have left the register and the books, by different procedures that reports keep apart.
OFF_BOOKS = (AssetStatus.DISPOSED, AssetStatus.WRITTEN_OFF)
OFF_BOOKS_VALUES = tuple(s.value for s in OFF_BOOKS)
# The levels an asset's place has (a county, township or village); a city is above them and holds no assets.
PLACE_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)


class FundSource(LabelledEnum):
    CENTRAL = "central"
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"
    INTEGRATED = "integrated"
    BOND = "bond"
    EAST_WEST = "east_west"
    PAIRED = "paired"
    DONATION = "donation"
    REINVESTED = "reinvested"
    OTHER = "other"


class OperatingMode(LabelledEnum):
    SELF_RUN = "self_run"
    LEASE = "lease"
    CONTRACT_OUT = "contract_out"
    ENTRUSTED = "entrusted"
    JOINT = "joint"
    SHARES = "shares"
    COOPERATIVE = "cooperative"


# member value -> (Chinese label, *other accepted spellings)
_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "Register": {
        "public_benefit": ("公益性", "公益性资产", "公益类"),
        "operating": ("经营性", "经营性资产", "经营类"),
        "household": ("到户类", "到户类资产", "到户", "household_level"),
    },
    "RegionLevel": {
        "city": ("市", "地级市", "州", "自治州", "盟", "地区", "市级", "市(州)"),
        "county": ("县", "县级", "区"),
        "township": ("乡镇", "乡", "镇", "乡级"),
        "village": ("村", "村级", "行政村"),
    },
    "OwnerKind": {
        "county": ("县级", "县"),
        "township": ("乡镇", "乡级", "乡", "镇"),
        "village": ("村集体", "村级", "村"),
        "department": ("部门", "行业部门"),
        "household": ("农户", "户", "到户"),
        "enterprise": ("企业",),
    },
    "AssetStatus": {
        "in_use": ("在用", "正常", "使用中"),
        "idle": ("闲置",),
        "damaged": ("毁损", "损坏"),
        "disposed": ("已处置", "处置"),
        "written_off": ("已核销", "核销", "盘亏核销"),
    },
    "FundSource": {
        "central": ("中央衔接资金", "中央"),
        "provincial": ("省级衔接资金", "省级"),
        "city": ("市级衔接资金", "市级"),
        "county": ("县级衔接资金", "县级"),
        "integrated": ("统筹整合涉农资金", "涉农整合资金", "整合资金"),
        "bond": ("地方政府债券", "债券"),
        "east_west": ("东西部协作资金", "东西部协作"),
        "paired": ("定点帮扶资金", "对口帮扶"),
        "donation": ("社会捐赠", "捐赠"),
        "reinvested": ("收益再投入", "再投入"),
        "other": ("其他资金", "其他"),
    },
    "OperatingMode": {
        "self_run": ("自营",),
        "lease": ("出租", "租赁"),
        "contract_out": ("发包", "承包"),
        "entrusted": ("委托经营", "委托"),
        "joint": ("联营", "合作经营"),
        "shares": ("入股", "股份", "股份合作"),
        "cooperative": ("合作社经营", "合作社"),
    },
}
