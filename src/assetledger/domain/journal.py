"""The books in the Beancount model: accounts opened before use, entries whose postings balance to the fen.

Pure: the store persists these, the ledger package turns them into Beancount directives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

CURRENCY = "CNY"
ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
_COMPONENT = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")


class EntityKind(StrEnum):
    """Accounting entities: each village collective, township and county keeps its own books."""

    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"


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


@dataclass(frozen=True)
class Posting:
    account: str
    amount: Decimal  # signed yuan: debit positive, credit negative, as in Beancount


@dataclass(frozen=True)
class JournalEntry:
    entity: str
    date: dt.date
    narration: str
    postings: tuple[Posting, ...]
    kind: EntryKind = EntryKind.GENERAL
    asset_id: str | None = None
    ref: str | None = None  # source key: makes re-posting the same source a no-op, and links related entries
    reverses: int | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    id: int | None = None  # assigned by the store


@lru_cache(maxsize=65_536)
def account_name_problem(name: str) -> str | None:
    """Why Beancount would refuse this account name, or None. Cached: bulk posting checks the same few names."""
    parts = name.split(":")
    if parts[0] not in ROOTS:
        return f"account {name!r} must start with one of {', '.join(ROOTS)}"
    if len(parts) < 2:
        return f"account {name!r} needs at least one component below its root"
    for part in parts[1:]:
        if not _COMPONENT.match(part):
            return f"account component {part!r} of {name!r}: ASCII letters, digits or '-', capital or digit first"
    return None


@lru_cache(maxsize=262_144)
def asset_component(asset_id: str) -> str:
    """An account component for an asset id: ASCII, capital first. The exact id is kept in metadata."""
    cleaned = re.sub(r"[^A-Za-z0-9-]", "-", asset_id).strip("-") or "X"
    cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned if _COMPONENT.match(cleaned) else f"A{cleaned}"


def entry_problems(entry: JournalEntry) -> list[str]:
    """Why an entry cannot be booked: it must have postings, two-place amounts, and balance to the fen."""
    return entry_in_fen(entry)[0]


def entry_in_fen(entry: JournalEntry) -> tuple[list[str], list[int]]:
    """Why an entry cannot be booked (as `entry_problems`), and its postings' amounts in integer fen.

    One pass does both, because bulk posting needs the fen to store and must not pay for the check twice: an
    amount is two-place exactly when 100 × amount is an integer; the entry balances when its fen sum to zero.
    """
    problems: list[str] = []
    fens: list[int] = []
    exact = True
    if len(entry.postings) < 2:
        problems.append("an entry needs at least two postings")
    for p in entry.postings:
        scaled = p.amount * 100
        fen = int(scaled)
        if scaled != fen:
            exact = False
            problems.append(f"{p.account}: amount {p.amount} has more than two decimal places")
        elif fen == 0:
            problems.append(f"{p.account}: zero amount")
        name_problem = account_name_problem(p.account)
        if name_problem:
            problems.append(name_problem)
        fens.append(fen)
    if sum(fens) != 0 if exact else sum((p.amount for p in entry.postings), Decimal(0)) != 0:
        total = sum((p.amount for p in entry.postings), Decimal(0))
        problems.append(f"postings do not balance: they sum to {total}")
    if not entry.narration.strip():
        problems.append("an entry needs a narration")
    return problems, fens


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
