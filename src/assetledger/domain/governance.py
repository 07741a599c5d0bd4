"""Idle and loss-making assets, and who must approve a disposal. Pure rules and the county's policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.contracts import ContractPolicy
from assetledger.domain.inventory import InventoryPolicy

APPROVAL_ORDER = tuple(level.value for level in ApprovalLevel)  # lowest first
APPROVAL_LABELS = {level.value: level.label for level in ApprovalLevel}


class DisposalMethod(StrEnum):
    AUCTION = "auction"  # 拍卖
    TRANSFER = "transfer"  # 转让
    SCRAP = "scrap"  # 报废
    WRITE_OFF = "write-off"  # 核销: refused as a disposal (rule 19); kept to read disposals recorded before


def disposal_method_problem(method: DisposalMethod) -> str | None:
    """Why `method` is not a disposal (处置): a write-off (核销) follows an approved inventory shortage and is recorded
    by closing that inventory, with its own status (written_off) and booking, kept apart in reports (rule 19)."""
    if method is DisposalMethod.WRITE_OFF:
        return (
            "核销不是处置 a write-off is not a disposal: it follows an approved inventory shortage — record the count "
            "(inventory record) and close the inventory with its approval (inventory close)"
        )
    return None


@dataclass(frozen=True)
class ApprovalBand:
    max_value: Decimal | None
    level: str


@dataclass(frozen=True)
class GovernancePolicy:
    idle_months: int = 6
    loss_months: int = 12
    bands: tuple[ApprovalBand, ...] = (
        ApprovalBand(Decimal(50000), "village"),
        ApprovalBand(Decimal(500000), "township"),
        ApprovalBand(None, "county"),
    )
    contracts: ContractPolicy = field(default_factory=ContractPolicy)
    inventory: InventoryPolicy = field(default_factory=InventoryPolicy)  # which assets each year's inventory counts

    def required_level(self, book_value: Decimal) -> str:
        for band in self.bands:
            if band.max_value is None or book_value <= band.max_value:
                return band.level
        return self.bands[-1].level


def approval_suffices(given: str, required: str) -> bool:
    return ApprovalLevel(given).suffices_for(ApprovalLevel(required))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (clamped to the month's end): the start of a trailing window."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = m + 1
    last = (dt.date(y + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, month, min(day.day, last))
