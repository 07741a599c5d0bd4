"""Idle and loss-making assets, and who must approve a disposal. Pure rules and the county's policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.contracts import ContractPolicy
from assetledger.domain.inventory import InventoryPolicy

APPROVAL_ORDER = tuple(level.value for level in ApprovalLevel)  # lowest first: what a policy file or --approved-by says


class DisposalMethod(StrEnum):
    AUCTION = "auction"  # 拍卖
    TRANSFER = "transfer"  # 转让
    SCRAP = "scrap"  # 报废
    WRITE_OFF = "write-off"  # 核销: refused as a disposal (rule 19); kept to read disposals recorded before


class GovernanceAction(StrEnum):
    """What the county decided for an idle or loss-making asset (治理决定, DOMAIN rule 8)."""

    REVITALISE = "revitalise"  # 盘活: a new operator or mode puts it back to work
    DISPOSE = "dispose"  # 处置: the disposal itself follows, with its approval

    @property
    def label(self) -> str:
        return "盘活" if self is GovernanceAction.REVITALISE else "处置"


class MaintenanceDecision(StrEnum):
    """A row that follows an application to the maintenance fund (运维基金, DOMAIN rule 11): its decision, approved
    or refused, and each spend of the approved money (the application itself has none)."""

    APPROVED = "approved"  # 批准
    REFUSED = "refused"  # 不予批准
    SPENT = "spent"  # 支出: money spent against the approved application

    @property
    def label(self) -> str:
        return MAINTENANCE_LABELS[self]


MAINTENANCE_LABELS = {
    MaintenanceDecision.APPROVED: "批准",
    MaintenanceDecision.REFUSED: "不予批准",
    MaintenanceDecision.SPENT: "已支出",
}


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
    level: ApprovalLevel


@dataclass(frozen=True)
class GovernancePolicy:
    idle_months: int = 6
    loss_months: int = 12
    bands: tuple[ApprovalBand, ...] = (
        ApprovalBand(Decimal(50000), ApprovalLevel.VILLAGE),
        ApprovalBand(Decimal(500000), ApprovalLevel.TOWNSHIP),
        ApprovalBand(None, ApprovalLevel.COUNTY),
    )
    contracts: ContractPolicy = field(default_factory=ContractPolicy)
    inventory: InventoryPolicy = field(default_factory=InventoryPolicy)  # which assets each year's inventory counts

    def required_level(self, book_value: Decimal) -> ApprovalLevel:
        for band in self.bands:
            if band.max_value is None or book_value <= band.max_value:
                return band.level
        return self.bands[-1].level


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (clamped to the month's end): the start of a trailing window."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = m + 1
    last = (dt.date(y + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, month, min(day.day, last))


IDLE_WORDS = ("marked_idle", "no_revenue")
LOSS_WORDS = ("loss_making",)


@dataclass(frozen=True)
class FlaggedAsset:
    """One asset of the governance list (闲置低效亏损资产清单): idle or loss-making as of the scan date, with its
    evidence and the policy that judged it. `finding` joins the words with "+": marked_idle or no_revenue (闲置),
    loss_making (亏损)."""

    asset_id: str
    name: str
    register: str
    category: str | None
    county_code: str
    township_code: str | None
    village_code: str | None
    status: str
    operator: str | None
    book_value: Decimal
    last_revenue: dt.date | None
    trailing_revenue: Decimal
    trailing_costs: Decimal
    contract: str | None  # the contract in force on the scan date
    expected_revenue: Decimal | None  # the rent that contract earned over the loss window
    net: Decimal
    finding: str
    decision: GovernanceAction | None  # the latest governance decision recorded for the asset
    policy: str  # the name of the governance policy that judged it
    idle_months: int
    loss_months: int

    @property
    def idle(self) -> bool:
        return any(word in self.finding for word in IDLE_WORDS)

    @property
    def loss_making(self) -> bool:
        return any(word in self.finding for word in LOSS_WORDS)

    @property
    def place(self) -> str:
        """The lowest region the asset belongs to."""
        return self.village_code or self.township_code or self.county_code

    def code_at(self, level: str) -> str | None:
        """The asset's region code at `level` (county, township, village)."""
        return {"county": self.county_code, "township": self.township_code, "village": self.village_code}[level]


@dataclass(frozen=True)
class CountyGovernance:
    """A county's year of governance (report governance): what is still idle or loss-making at year end, what was
    revitalised and disposed of in the year, the disposals' gains and losses, the restricted proceeds received and
    spent, the contract findings at year end by kind (and the arrears in yuan), and the household-level assets whose
    households are not attached yet."""

    county_code: str
    county: str
    idle_open: int = 0
    idle_value: Decimal = Decimal("0.00")
    loss_open: int = 0
    loss_value: Decimal = Decimal("0.00")
    revitalised: int = 0
    revitalised_value: Decimal = Decimal("0.00")
    disposed: int = 0
    disposed_value: Decimal = Decimal("0.00")
    proceeds: Decimal = Decimal("0.00")
    gains: Decimal = Decimal("0.00")
    losses: Decimal = Decimal("0.00")
    restricted_in: Decimal = Decimal("0.00")
    restricted_spent: Decimal = Decimal("0.00")
    no_contract: int = 0  # the contract findings, one count per contracts.AlertKind
    expired: int = 0
    expiring: int = 0
    over_legal_term: int = 0
    arrears: int = 0
    low_rent: int = 0
    arrears_amount: Decimal = Decimal("0.00")
    no_household: int = 0
    no_household_value: Decimal = Decimal("0.00")
