"""The books in the Beancount model: accounts opened before use, entries whose postings balance to the fen.

Pure: the store persists these, the ledger package turns them into Beancount directives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from assetledger.domain.money import MAX_FEN, OUT_OF_RANGE

CURRENCY = "CNY"
ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
_COMPONENT = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")


class EntityKind(StrEnum):
    """Accounting entities: each village collective, township and county keeps its own books, and so does a city
    (市/州/盟: its finance bureau's fund pays the awards to its counties). The kind is the level of its region."""

    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"
    CITY = "city"


class EntryKind(StrEnum):
    OPENING = "opening"  # asset registered: value against its fund sources
    TRANSFER_OUT = "transfer_out"  # asset leaves these books (handover to another owner)
    TRANSFER_IN = "transfer_in"
    REVENUE = "revenue"  # rent, contract fee, operating income, dividend
    EXPENSE = "expense"  # maintenance, operating costs
    DISTRIBUTION = "distribution"
    PAYOUT = "payout"
    REINVESTMENT = "reinvestment"
    DISPOSAL = "disposal"
    INVENTORY = "inventory"
    AWARD = "award"
    REVERSAL = "reversal"
    IMPORTED = "imported"
    GENERAL = "general"


@dataclass(frozen=True)
class AccountSpec:
    """An account of an entity's chart: ASCII Beancount name, Chinese name in metadata."""

    name: str
    cn_name: str
    opened_on: dt.date
    asset_id: str | None = None


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Decimal  # signed yuan: debit positive, credit negative, as in Beancount


@dataclass(frozen=True, slots=True)
class JournalEntry:
    entity: str
    date: dt.date
    narration: str
    postings: tuple[Posting, ...]
    kind: EntryKind | str = EntryKind.GENERAL  # as stored: a text that is none of EntryKind (services/journal.py)
    asset_id: str | None = None
    ref: str | None = None  # source key (voucher number 凭证号): see `voucher_key`; links related entries
    reverses: int | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    id: int | None = None  # assigned by the store


@lru_cache(maxsize=65_536)
def account_name_problem(name: str) -> str | None:
    """Why Beancount would refuse this account name, or None. Cached: bulk posting checks the same few names."""
    parts = name.split(":")
    if parts[0] not in ROOTS:
        return (
            f"科目 {name} 须以 {'、'.join(ROOTS)} 之一开头 (account {name!r} must start with one of {', '.join(ROOTS)})"
        )
    if len(parts) < 2:
        return f"科目 {name} 须有下级科目 (account {name!r} needs at least one component below its root)"
    for part in parts[1:]:
        if not _COMPONENT.match(part):
            return (
                f"科目 {name} 的“{part}”只能用英文字母、数字或“-”，并以大写字母或数字开头 "
                f"(account component {part!r} of {name!r}: ASCII letters, digits or '-', capital or digit first)"
            )
    return None


@lru_cache(maxsize=262_144)
def asset_component(asset_id: str) -> str:
    """An account component for an asset id: ASCII, capital first. The exact id is kept in metadata."""
    cleaned = re.sub(r"[^A-Za-z0-9-]", "-", asset_id).strip("-") or "X"
    cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned if _COMPONENT.match(cleaned) else f"A{cleaned}"


def entry_problems(entry: JournalEntry) -> list[str]:
    """Why an entry cannot be booked: it must have postings, two-place amounts within the bound, and balance."""
    return entry_in_fen(entry)[0]


def entry_in_fen(entry: JournalEntry) -> tuple[list[str], tuple[int, ...]]:
    """Why an entry cannot be booked (as `entry_problems`), and its postings' amounts in integer fen.

    One pass does both, because bulk posting needs the fen to store and must not pay for the check twice: an
    amount is two-place exactly when 100 × amount is an integer; the entry balances when its fen sum to zero; no
    amount exceeds MAX_FEN, so no sum over a province's postings can overflow the databases' 64-bit integers.
    The amounts are a tuple: kept until the batch is stored, a tuple of integers is one the garbage collector
    stops tracking, where 50,000 lists would each be walked again by every full collection.
    """
    problems: list[str] = []
    fens: list[int] = []
    exact = summable = True  # every amount whole fen within the bound / every amount a finite Decimal
    if len(entry.postings) < 2:
        problems.append("一笔分录至少要有两行 (an entry needs at least two postings)")
    for p in entry.postings:
        try:
            scaled = p.amount * 100
            fen = int(scaled)  # NaN and infinities raise here; float and int amounts are refused just below
        except (ValueError, OverflowError, TypeError):
            problems.append(f"{p.account}：金额不是有限的数 ({p.account}: amount {p.amount!r} is not a finite number)")
            exact = summable = False
            fens.append(0)
            continue
        if p.amount.__class__ is not Decimal:
            exact = summable = False
            problems.append(f"{p.account}：金额须为 Decimal 元 ({p.account}: amount {p.amount!r} must be Decimal yuan)")
        elif scaled != fen:
            exact = False
            problems.append(
                f"{p.account}: 金额 {p.amount} 小数超过两位 amount {p.amount} has more than two decimal places"
            )
        elif fen == 0:
            problems.append(f"金额不能为零（{p.account}） {p.account}: zero amount")
        elif not -MAX_FEN <= fen <= MAX_FEN:
            exact = False
            problems.append(f"{p.account}: amount {p.amount}: {OUT_OF_RANGE}")
        name_problem = account_name_problem(p.account)
        if name_problem:
            problems.append(name_problem)
        fens.append(fen)
    if sum(fens) != 0 if exact else summable and sum((p.amount for p in entry.postings), Decimal(0)) != 0:
        total = sum((p.amount for p in entry.postings), Decimal(0))
        problems.append(f"借贷不平衡，合计为 {total} (postings do not balance: they sum to {total})")
    if not entry.narration.strip():
        problems.append("分录须有摘要 (an entry needs a narration)")
    ref_problem = voucher_ref_problem(entry)
    if ref_problem:
        problems.append(ref_problem)
    return problems, tuple(fens)


# --- voucher identity (凭证号) -----------------------------------------------------------------------------------

# Entries a person enters from a voucher: their ref is the voucher number, which many villages restart every month.
VOUCHER_KINDS = frozenset({EntryKind.REVENUE, EntryKind.EXPENSE, EntryKind.GENERAL, EntryKind.IMPORTED})
# Refs the services make for the entries they post (distribution:…, payout:…, reversal:…); a voucher may not take one,
# or a later distribution, payout or reversal would find its ref taken.
SYSTEM_REF_PREFIXES = ("distribution:", "payout:", "reversal:", "award:", "disposal:", "inventory:")
MAX_REF = 200  # characters: the column's length


def voucher_key(entry: JournalEntry) -> tuple[str, str, str]:
    """What makes two entries with a ref the same voucher: (entity, ref, month) for vouchers a person enters,
    since voucher numbers restart monthly (PZ-7 of May and PZ-7 of June are two vouchers); (entity, ref, "") for
    the refs the services make, which name their source exactly (a distribution, a payout, a reversal)."""
    assert entry.ref is not None, "only an entry with a ref has a voucher identity"
    return entry.entity, entry.ref, voucher_month(entry.kind, entry.date)


@lru_cache(maxsize=4096)
def voucher_month(kind: str, on: dt.date) -> str:
    """The month part of a voucher identity: "2025-06" for the kinds people enter, "" for the services' kinds.
    Cached: a batch of thousands of entries has a few kinds and dates."""
    return f"{on.year:04d}-{on.month:02d}" if kind in VOUCHER_KINDS else ""


def voucher_ref_problem(entry: JournalEntry) -> str | None:
    ref = entry.ref
    if ref is None or (0 < len(ref) <= MAX_REF and not ref.startswith(SYSTEM_REF_PREFIXES) and ref[0] > " "):
        return None  # the usual case, decided without the checks below
    if not ref.strip():
        return "a ref (凭证号) may not be blank"
    if len(ref) > MAX_REF:
        return f"a ref (凭证号) has at most {MAX_REF} characters (it has {len(ref)})"
    if entry.kind in VOUCHER_KINDS and ref.startswith(SYSTEM_REF_PREFIXES):
        return f"凭证号 {ref!r} 以系统保留前缀开头 starts with a prefix kept for the entries the system makes"
    return None


class EntryContent(NamedTuple):
    """What a voucher says: re-posting the same content under the same identity is a no-op, other content a
    conflict. Postings are compared as a multiset of (account, fen). A tuple: a re-run compares thousands."""

    date: dt.date
    kind: str
    narration: str
    asset_id: str | None
    reverses: int | None
    postings: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, entry: JournalEntry, fens: Sequence[int]) -> EntryContent:
        postings = tuple(sorted(zip((p.account for p in entry.postings), fens, strict=True)))
        return cls(entry.date, str(entry.kind), entry.narration, entry.asset_id, entry.reverses, postings)

    @property
    def amount(self) -> Decimal:
        """The entry's size as people name it: the sum of its debits."""
        return Decimal(sum(fen for _, fen in self.postings if fen > 0)).scaleb(-2)

    def describe(self) -> str:
        asset = f", 资产 asset {self.asset_id}" if self.asset_id else ""
        return f"{self.date}{asset}, 金额 amount {self.amount:,.2f}, 摘要 {self.narration!r}"


# Accounts only the records of distribution move (DOMAIN rules 6 and 15): a household's payable and the distribution
# equity follow the distributions, payouts and reversals recorded beside them. An entry from anywhere else (a general
# entry, an imported file) would pay a household that the payout record does not know of, and pay it again later.
DISTRIBUTION_ACCOUNTS = ("Liabilities:DistributionPayable", "Equity:Distribution")
DISTRIBUTION_KINDS = frozenset({EntryKind.DISTRIBUTION, EntryKind.PAYOUT})
_KEPT_ROOTS = tuple(f"{root}:" for root in DISTRIBUTION_ACCOUNTS)


@lru_cache(maxsize=65_536)
def kept_by_distributions(account: str) -> bool:
    """The account is one of DISTRIBUTION_ACCOUNTS or below one (a root followed by ':'; not a mere prefix).
    Cached, as `account_name_problem` is: bulk posting asks of the same few names."""
    return f"{account}:".startswith(_KEPT_ROOTS)


def distribution_accounts_problem(entry: JournalEntry) -> str | None:
    """Why an entry may not post to the accounts the distribution records keep, or None: only a distribution, a
    payout, or the reversal of a booked entry (the distribution's own, by `distribute reverse`) may."""
    if entry.kind in DISTRIBUTION_KINDS or (entry.kind is EntryKind.REVERSAL and entry.reverses is not None):
        return None
    found = [p.account for p in entry.postings if kept_by_distributions(p.account)]
    if not found:
        return None
    kept = sorted(set(found))
    named = "、".join(kept)
    return (
        f"科目 {named} 只由收益分配、发放和冲销记账（distribute、distribute pay、distribute reverse），不能手工记账或从"
        f"文件带入 (accounts {', '.join(kept)} are kept by the distribution records: only `distribute`, `distribute "
        "pay` and `distribute reverse` post to them, never a general entry or a file)"
    )


def reversal_of(entry: JournalEntry, on: dt.date, reason: str) -> JournalEntry:
    """The entry that undoes `entry`: same accounts, opposite amounts, naming the one it reverses."""
    assert entry.id is not None, "only a booked entry can be reversed"
    return JournalEntry(
        entity=entry.entity,
        date=on,
        narration=f"冲销 #{entry.id}: {reason}",
        postings=tuple(Posting(p.account, -p.amount) for p in entry.postings),
        kind=EntryKind.REVERSAL,
        asset_id=entry.asset_id,
        ref=f"reversal:{entry.id}",
        reverses=entry.id,
    )


def reversal_period_note(original: dt.date, on: dt.date) -> str | None:
    """A note when a reversal falls in a later month than the entry it reverses: the correction is booked in the
    month it is made (its business date, DOMAIN rule 16), so the original's month — perhaps already distributed or
    reported — keeps its totals and the correction counts in the later month."""
    if (on.year, on.month) <= (original.year, original.month):
        return None
    was, now = f"{original.year}-{original.month:02d}", f"{on.year}-{on.month:02d}"
    return (
        f"注意：冲销记入 {now}，原分录在 {was}；{was} 的数额不变，更正计入 {now} "
        f"(note: the reversal falls in {now}, the original in {was}; {was} keeps its totals and the correction "
        f"counts in {now})"
    )
