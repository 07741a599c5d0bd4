"""A project asset as registered, and the rules that tie its fields to its register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from assetledger.domain.enums import AssetStatus, FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.money import amount_problem
from assetledger.domain.register_fields import FIELDS

# Fields that belong to one register only: (register, field names).
OPERATING_FIELDS = ("operating_mode", "operator", "contract_start", "contract_end", "contract_annual_income")
HOUSEHOLD_FIELDS = ("household_id", "household_head")
# What users call each field of a register, Chinese and English (the catalogue, domain/register_fields.py): named in
# every finding beside the file's own header.
FIELD_LABELS: dict[str, tuple[str, str]] = {f.code: (f.zh, f.en) for f in FIELDS}
FIRST_YEAR, LAST_YEAR = 1949, 2100  # plausible years of a project, an inventory or an evaluation
MAX_QUANTITY = Decimal(1_000_000_000)  # units of one asset (the column holds 14 digits before the point)
QUANTITY = Decimal("0.0001")
MAX_HOUSEHOLDS = 1_000_000  # beneficiary households of one asset


@dataclass(frozen=True, slots=True)
class Ownership:
    owner_name: str
    owner_kind: OwnerKind
    confirmed_on: dt.date
    document: str | None = None


@dataclass(frozen=True, slots=True)
class Handover:
    handed_over_on: dt.date
    handed_over_by: str | None = None
    document: str | None = None


@dataclass(frozen=True, slots=True)
class Custody:
    custodian: str
    start_on: dt.date
    duties: str | None = None


def custody_start_problem(start: dt.date, acquired_on: dt.date | None, build_year: int | None) -> str | None:
    """Why custody cannot start on `start` (None when it can): not before the asset existed, as far as its register
    says — its acquisition date, else the start of its build year."""
    if acquired_on is not None:
        existed, zh, en = acquired_on, "取得日期", "acquired"
    elif build_year:
        existed, zh, en = dt.date(build_year, 1, 1), "建设年度之初", "built in"
    else:
        return None
    if start >= existed:
        return None
    return (f"管护起始日期 {start} 早于资产{zh}（{existed}），资产那时还没有 "
            f"(custody cannot start on {start}, before the asset existed: {en} {existed})")  # fmt: skip


@dataclass(frozen=True, slots=True)
class AssetDraft:
    """Everything needed to register one asset. Region fields hold codes resolved against the hierarchy."""

    asset_id: str
    name: str
    register: Register
    region_code: str
    original_value: Decimal
    funding: tuple[tuple[FundSource, Decimal], ...] = ()
    category: str | None = None
    location: str | None = None
    project_name: str | None = None
    build_year: int | None = None
    acquired_on: dt.date | None = None  # 取得日期: the first choice for the date the asset enters the books
    accepted_on: dt.date | None = None  # 验收日期: kept as the asset's acceptance (竣工验收)
    implementer: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    status: AssetStatus = AssetStatus.IN_USE
    ownership: Ownership | None = None
    handover: Handover | None = None
    custody: Custody | None = None
    operating_mode: OperatingMode | None = None
    operator: str | None = None
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    contract_annual_income: Decimal | None = None
    household_id: str | None = None
    household_head: str | None = None
    beneficiary_households: int | None = None  # 受益户数 of a household-level asset, often before they are named
    extra: dict[str, str] = field(default_factory=dict)


def quantity_problem(quantity: Decimal) -> str | None:
    """Why `quantity` cannot be an asset's quantity (beyond the bound, finer than four places), or None."""
    if not isinstance(quantity, Decimal):
        return f"数量须为 Decimal (a quantity must be Decimal, not {type(quantity).__name__})"
    if not quantity.is_finite():
        return "不是有限的数 (not a finite number)"
    if quantity < 0:
        return "数量不能为负数 (a quantity cannot be negative)"
    if abs(quantity) > MAX_QUANTITY:
        return f"超出上限 out of range: a quantity is at most {MAX_QUANTITY:,}"
    if quantity != quantity.quantize(QUANTITY):
        return "小数超过四位 (more than four decimal places)"
    return None


def label(field_name: str) -> str:
    """A field as users call it: '经营方式 operating mode'."""
    zh, en = FIELD_LABELS.get(field_name, (field_name, ""))
    return f"{zh} {en}".strip()


# The standard owner of each confirmation level at an asset's place (确权层级 alone names the level): the village's
# collective economic organisation, the township government, the county (district, banner) government.
STANDARD_OWNER_SUFFIX = {
    OwnerKind.VILLAGE: "股份经济合作社",
    OwnerKind.TOWNSHIP: "人民政府",
    OwnerKind.COUNTY: "人民政府",
}
UNNAMED_HOUSEHOLDS = "受益农户（待落实）"  # a household-level asset confirmed to households not yet attached
HEADS_NAMED = 3  # households named in an owner shown; the rest are counted ("王一、王二、王三等5户")


def shown_owner(
    register: Register | str, owner_kind: OwnerKind | str | None, owner_name: str | None, heads: Sequence[str]
) -> str | None:
    """The owner (所有权) of an asset as every reader shows it (asset show, asset list, exports, the web, papers).

    `heads`: the heads of the households a household-level asset (到户类) benefits, the one named at registration
    first, then those attached later (by the roster's 资产编号 or `beneficiary add --asset`), each once.

    户有户管 (DOMAIN rule 2): a household-level asset belongs to its household once ownership is confirmed (确权).
    - Confirmed to households (确权层级 户) while they were still to be named (受益农户（待落实）), or to the household
      named at registration: the households now attached are the owners, shown by name (王一、王二).
    - No confirmation recorded: the attached households benefit, but no 确权 (level, date, document) is of record,
      so the owner is not claimed: 受益农户 王一（待确权）. Recording the confirmation (`asset confirm`) settles it.
    - An owner a confirmation named otherwise, and every other register, is shown as recorded.
    """
    if Register(register) is not Register.HOUSEHOLD or not heads:
        return owner_name
    named = "、".join(heads[:HEADS_NAMED]) + (f"等{len(heads)}户" if len(heads) > HEADS_NAMED else "")
    if owner_kind is None:
        return f"受益农户 {named}（待确权）"
    stands_for_them = owner_name is None or owner_name == UNNAMED_HOUSEHOLDS or owner_name in heads
    if OwnerKind(owner_kind) is OwnerKind.HOUSEHOLD and stands_for_them:
        return named
    return owner_name


def standard_owner(kind: OwnerKind, county: str, township: str | None, village: str | None) -> str | None:
    """The owner a level confirms to at a place (names of its county, township, village), or None when the place
    has no unit of that level (a township road cannot be confirmed to a village) or the level names no standard
    owner (a department, an enterprise: the file must name it)."""
    unit = {OwnerKind.COUNTY: county, OwnerKind.TOWNSHIP: township, OwnerKind.VILLAGE: village}.get(kind)
    return None if unit is None else f"{unit}{STANDARD_OWNER_SUFFIX[kind]}"


def owner_kind_problem(register: Register, kind: OwnerKind) -> str | None:
    """户有户管: household-level assets, and only they, belong to a household (at registration and at any later
    confirmation)."""
    if register is Register.HOUSEHOLD and kind is not OwnerKind.HOUSEHOLD:
        return "a household-level asset (到户类) belongs to its household (户有户管): 确权到户"
    if register is not Register.HOUSEHOLD and kind is OwnerKind.HOUSEHOLD:
        return "only household-level assets (到户类) are owned by a household"
    return None


def register_problems(draft: AssetDraft, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(field, reason) for every way the draft breaks the register rules (DOMAIN rules 1-3).

    `today`: the service's date (services/context.today()), which every registration passes (a file's, the CLI's, the
    web's, the library's): a build year after its year (`future_year`) and a date acquired after it
    (`future_acquired`) are refused. None only where no registration is made (the readers' agreement tests)."""
    problems = _amount_problems(draft)
    if problems:
        return problems  # the sums and comparisons below need amounts in range
    if draft.register is not Register.OPERATING:
        for name in OPERATING_FIELDS:
            if getattr(draft, name) is not None:
                problems.append(
                    (name, f"only operating assets (经营性) have {label(name)}; this is {draft.register.label}")
                )
    # 到户类 rows are published by project, often before their households are named: registered without one, the
    # households are attached later (the roster import) and the reports list the assets still without them.
    if draft.register is not Register.HOUSEHOLD:
        for name in (*HOUSEHOLD_FIELDS, "beneficiary_households"):
            if getattr(draft, name) is not None:
                problems.append((name, f"only household-level assets (到户类) have {label(name)}"))
    problem = owner_kind_problem(draft.register, draft.ownership.owner_kind) if draft.ownership else None
    if problem:
        problems.append(("owner_kind", problem))
    if draft.original_value <= 0:
        problems.append(("original_value", "资产原值 original value must be positive"))
    if draft.funding:
        funded = sum((amount for _, amount in draft.funding), Decimal("0.00"))
        if funded != draft.original_value:
            problems.append(
                (
                    "funding",
                    f"资金来源 fund sources add up to {funded}, 资产原值 original value is {draft.original_value}",
                )
            )
    if draft.contract_start and draft.contract_end and draft.contract_end < draft.contract_start:
        problems.append(("contract_end", "合同截止早于起始 (contract ends before it starts)"))
    if draft.beneficiary_households is not None and not 0 <= draft.beneficiary_households <= MAX_HOUSEHOLDS:
        problems.append(("beneficiary_households", f"受益户数 is a number of households, 0 to {MAX_HOUSEHOLDS:,}"))
    if draft.quantity is not None and draft.quantity <= 0:
        problems.append(("quantity", "数量须大于 0 (quantity must be positive)"))
    if draft.build_year is not None and not FIRST_YEAR <= draft.build_year <= LAST_YEAR:
        problems.append(("build_year", "年份不合理 (not a plausible year)"))
    elif draft.build_year is not None and today is not None and draft.build_year > today.year:
        problems.append(("build_year", future_year(draft.build_year, today)))
    if draft.acquired_on is not None and today is not None and draft.acquired_on > today:
        problems.append(("acquired_on", future_acquired(draft.acquired_on, today)))
    # Handover before confirmation (移交后补确权) and custody before handover (the implementer looks after it)
    # both happen in practice, so neither is refused.
    if draft.status.off_books:
        problems.append(
            ("status", "an asset cannot be registered as disposed or written off (已处置/已核销); register it first")
        )
    return problems


def future_year(year: int, today: dt.date) -> str:
    """Why a build year after this one is refused: a register records what has been built (a project planned for a
    later year is registered when built), and a year typed ahead (2099 for 2019) would stand unseen."""
    return (
        f"建设年度 {year} 晚于今年（{today.year} 年），请核对 "
        f"(the year built, {year}, is after the current year, {today.year})"
    )


def future_acquired(on: dt.date, today: dt.date) -> str:
    """Why a date acquired after today is refused: it is the first choice for the date the asset enters the books
    (DOMAIN rule 16), and the books record what has happened; a date typed ahead (2099 for 2019) would stand unseen,
    as a future 验收日期 would (services/acceptance.py)."""
    return f"取得日期 {on} 晚于今天（{today}），请核对 (the date acquired, {on}, is after today, {today})"


def _amount_problems(draft: AssetDraft) -> list[tuple[str, str]]:
    """Every amount and the quantity within their bounds, whoever built the draft (a file, the CLI, the API)."""
    problems = []
    amounts = [("original_value", draft.original_value), ("contract_annual_income", draft.contract_annual_income)]
    amounts += [("funding", amount) for _, amount in draft.funding]
    for name, amount in amounts:
        problem = None if amount is None else amount_problem(amount)
        if problem:
            problems.append((name, f"{amount}: {problem}"))
    if draft.quantity is not None:
        problem = quantity_problem(draft.quantity)
        if problem:
            problems.append(("quantity", f"{draft.quantity}: {problem}"))
    return problems


def needs_custodian(register: Register) -> bool:
    """Rule 3: public-benefit and operating assets must have a custodian after handover."""
    return register in (Register.PUBLIC_BENEFIT, Register.OPERATING)
