"""Closed vocabularies of the domain, each with its Chinese label; the other names accepted on input are data
(rules/vocabulary.toml plus a county's own file)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a Chinese label and parse from code, label or alias."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]

    @classmethod
    def parse(cls, text: str) -> Self:
        """The member `text` names: its code, its label, or another name in the vocabulary in use (shipped names
        plus the county's own, rules/vocabulary.py). ValueError lists the accepted values and how to add a name."""
        from assetledger.rules.vocabulary import current  # data read once, when a name is first parsed

        return current().parse(cls, text)


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


# member value -> Chinese label; the other names a county uses are data, in rules/vocabulary.toml
_LABELS: dict[str, dict[str, str]] = {
    "Register": {
        "public_benefit": "公益性",
        "operating": "经营性",
        "household": "到户类",
    },
    "RegionLevel": {
        "city": "市",
        "county": "县",
        "township": "乡镇",
        "village": "村",
    },
    "OwnerKind": {
        "county": "县级",
        "township": "乡镇",
        "village": "村集体",
        "department": "部门",
        "household": "农户",
        "enterprise": "企业",
    },
    "AssetStatus": {
        "in_use": "在用",
        "idle": "闲置",
        "damaged": "毁损",
        "disposed": "已处置",
        "written_off": "已核销",
    },
    "FundSource": {
        "central": "中央衔接资金",
        "provincial": "省级衔接资金",
        "city": "市级衔接资金",
        "county": "县级衔接资金",
        "integrated": "统筹整合涉农资金",
        "bond": "地方政府债券",
        "east_west": "东西部协作资金",
        "paired": "定点帮扶资金",
        "donation": "社会捐赠",
        "reinvested": "收益再投入",
        "other": "其他资金",
    },
    "OperatingMode": {
        "self_run": "自营",
        "lease": "出租",
        "contract_out": "发包",
        "entrusted": "委托经营",
        "joint": "联营",
        "shares": "入股",
        "cooperative": "合作社经营",
    },
}
