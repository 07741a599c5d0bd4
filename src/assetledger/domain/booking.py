"""Which books an asset lives in, and the entries the register's events post there. Pure rules.

- Village-collective assets are in the village collective's books; township assets in the township's; county and
  department (state-owned) assets in the county's. Assets not yet confirmed stay in the county's books — the
  county's projects built them — until they are confirmed to an owner, when a transfer moves them.
- Household-level and enterprise-owned assets are off the public books (the household or the enterprise owns them):
  they are kept in the register only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from assetledger.domain.enums import FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting, asset_component
from assetledger.domain.money import allocate

BOOKS_START = dt.date(2000, 1, 1)  # chart accounts open here: project assets date from 2013, older ones are clamped
# Entity codes: a prefix and the region code. S (市) for a city: C is taken by the counties.
ENTITY_PREFIX = {EntityKind.VILLAGE: "V", EntityKind.TOWNSHIP: "T", EntityKind.COUNTY: "C", EntityKind.CITY: "S"}


@dataclass(frozen=True, slots=True)
class BookedAsset:
    """The register facts that decide how an asset is booked."""

    asset_id: str
    name: str
    register: Register
    category: str | None
    operating_mode: OperatingMode | None
    owner_kind: OwnerKind | None
    county_code: str
    township_code: str | None
    village_code: str | None
    value: Decimal
    funding: tuple[tuple[FundSource, Decimal], ...]


def entry_date(
    acquired: dt.date | None,
    handed_over: dt.date | None,
    confirmed: dt.date | None,
    build_year: int | None,
    *,
    today: dt.date,
) -> dt.date | None:
    """The date an asset enters the books by its own dates (DOMAIN rule 16): its acquisition (取得日期), else its
    handover (移交日期), else its confirmation (确权日期), else 31 December of its build year (建设年度); None when
    it has none of them. Dates before the books start are clamped to their start. An asset known only by a build
    year that is this year enters today, not on a 31 December still to come: only the year is known, and nothing
    is booked ahead of the day (a December register of this year's projects would otherwise be refused)."""
    on = acquired or handed_over or confirmed
    if on is None and build_year:
        on = min(dt.date(build_year, 12, 31), today)
    return None if on is None else max(on, BOOKS_START)


def entity_code(kind: EntityKind, region_code: str) -> str:
    return f"{ENTITY_PREFIX[kind]}{region_code}"


def books_of(asset: BookedAsset) -> tuple[EntityKind, str] | None:
    """(entity kind, region code) of the books that hold the asset, or None when it is off the public books."""
    kind = asset.owner_kind
    if kind in (OwnerKind.HOUSEHOLD, OwnerKind.ENTERPRISE) or asset.register is Register.HOUSEHOLD:
        return None
    if kind is OwnerKind.VILLAGE and asset.village_code:
        return EntityKind.VILLAGE, asset.village_code
    if kind is OwnerKind.TOWNSHIP and asset.township_code:
        return EntityKind.TOWNSHIP, asset.township_code
    return EntityKind.COUNTY, asset.county_code


def value_account(asset: BookedAsset) -> tuple[str, str]:
    """The per-asset account that carries its value, with its Chinese name."""
    component = asset_component(asset.asset_id)
    if asset.register is Register.PUBLIC_BENEFIT:
        return f"Assets:PublicBenefit:{component}", f"公益性资产-{asset.name}"
    is_equity = asset.operating_mode is OperatingMode.SHARES or "股" in (asset.category or "")
    if is_equity:
        return f"Assets:LongTermInvestment:{component}", f"长期投资-{asset.name}"
    return f"Assets:FixedAssets:{component}", f"固定资产-{asset.name}"


@lru_cache(maxsize=256)
def capital_account(register: Register, source: FundSource) -> tuple[str, str]:
    """Fund sources become equity: 公积公益金 for public-benefit assets, 资本 for the rest."""
    component = "".join(part.capitalize() for part in source.value.split("_"))
    if register is Register.PUBLIC_BENEFIT:
        return f"Equity:PublicWelfareFund:{component}", f"公积公益金-{source.label}"
    return f"Equity:Capital:{component}", f"资本-{source.label}"


def funding_split(asset: BookedAsset, amount: Decimal) -> list[tuple[FundSource, Decimal]]:
    """Split an amount over the asset's fund sources in proportion (all to 'other' when sources are unknown)."""
    if not asset.funding:
        return [(FundSource.OTHER, amount)]
    weights = [a for _, a in asset.funding]
    if sum(weights) == amount:  # the whole value (an opening entry): each source's own amount, no split needed
        return [(s, a) for s, a in asset.funding if a]
    parts = allocate(amount, weights)
    return [(s, p) for (s, _), p in zip(asset.funding, parts, strict=True) if p]


def opening_entry(entity: str, asset: BookedAsset, on: dt.date, kind: EntryKind = EntryKind.OPENING) -> JournalEntry:
    """Register an asset in `entity`'s books: its value against its fund sources (or, in reverse, take it out)."""
    account, _ = value_account(asset)
    sign = Decimal(-1) if kind is EntryKind.TRANSFER_OUT else Decimal(1)
    postings = [Posting(account, sign * asset.value)]
    for source, part in funding_split(asset, asset.value):
        postings.append(Posting(capital_account(asset.register, source)[0], -sign * part))
    narration = {
        EntryKind.OPENING: f"资产登记入账 {asset.asset_id} {asset.name}",
        EntryKind.TRANSFER_IN: f"资产确权移交转入 {asset.asset_id} {asset.name}",
        EntryKind.TRANSFER_OUT: f"资产确权移交转出 {asset.asset_id} {asset.name}",
    }[kind]
    return JournalEntry(entity, on, narration, tuple(postings), kind, asset.asset_id)


def accounts_of(asset: BookedAsset) -> list[tuple[str, str]]:
    """Every account the asset's own entries need: its value account and one equity account per source."""
    sources = [s for s, _ in asset.funding] or [FundSource.OTHER]
    return [value_account(asset), *(capital_account(asset.register, s) for s in sources)]


# --- revenue and expenses against an asset -------------------------------------------------------------------


@dataclass(frozen=True)
class AssetPosting:
    """Revenue or an expense against one asset, as a user gives it."""

    asset_id: str
    date: dt.date
    direction: str  # "revenue" or "expense"
    type: str  # rent / contract / operating / dividend / subsidy / other, or maintenance / operating / public / other
    amount: Decimal
    counter: str = "Assets:Bank"
    narration: str | None = None
    ref: str | None = None


REVENUE_ACCOUNTS = {
    "rent": ("Income:Contracting", "租金收入"),
    "contract": ("Income:Contracting", "发包收入"),
    "operating": ("Income:Operating", "经营收入"),
    "dividend": ("Income:Investment", "分红收益"),
    "subsidy": ("Income:Subsidy", "补助收入"),
    "other": ("Income:Other", "其他收入"),
}
EXPENSE_ACCOUNTS = {
    "maintenance": ("Expenses:Management", "维修养护"),
    "operating": ("Expenses:Operating", "经营支出"),
    "public": ("Expenses:PublicWelfare", "公益支出"),
    "other": ("Expenses:Other", "其他支出"),
}


def revenue_entry(
    entity: str,
    asset_id: str,
    on: dt.date,
    revenue_type: str,
    amount: Decimal,
    *,
    counter: str = "Assets:Bank",
    narration: str | None = None,
    ref: str | None = None,
) -> JournalEntry:
    account, label = REVENUE_ACCOUNTS[revenue_type]
    text = narration or f"{label} {asset_id}"
    postings = (Posting(counter, amount), Posting(account, -amount))
    return JournalEntry(entity, on, text, postings, EntryKind.REVENUE, asset_id, ref, meta={"type": revenue_type})


def expense_entry(
    entity: str,
    asset_id: str,
    on: dt.date,
    expense_type: str,
    amount: Decimal,
    *,
    counter: str = "Assets:Bank",
    narration: str | None = None,
    ref: str | None = None,
) -> JournalEntry:
    account, label = EXPENSE_ACCOUNTS[expense_type]
    text = narration or f"{label} {asset_id}"
    postings = (Posting(account, amount), Posting(counter, -amount))
    return JournalEntry(entity, on, text, postings, EntryKind.EXPENSE, asset_id, ref, meta={"type": expense_type})


def booked_total(entries: Sequence[JournalEntry], account: str) -> Decimal:
    return sum((p.amount for e in entries for p in e.postings if p.account == account), Decimal("0.00"))
