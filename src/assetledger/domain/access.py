"""Roles and what they may do, where. Pure.

- finance (县财政局): registers, books, distribution, inventory, governance and awards in its county; users.
- village-accountant (村会计): books and distribution of its own village only; the steps of its village's
  rectification cases (整改措施).
- finance alone opens and closes rectification cases (整改立案、销号).
- finance alone records after the fact (补录) what took effect before it was recorded: a notice published on an
  earlier day, a distribution rule already in force. Their dates start the clocks that hold households' money back
  (the objection period), so the village that pays may not set them in the past itself.
- inventory (清查组): inventory counts in its scope; it reads no household's personal data (see HOUSEHOLD_RECORDS),
  and no books: they name households (a payable and a payout for each), so they are read as Action.BOOKS's records.
- auditor (审计): reads everything in its scope, writes nothing.
A scope is a region code (county, township or village) and covers every region below it; "*" covers all.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FINANCE = "finance"
    VILLAGE_ACCOUNTANT = "village-accountant"
    INVENTORY = "inventory"
    AUDITOR = "auditor"


class Action(StrEnum):
    REGISTER = "register"  # regions, assets, confirmation, custody, status, governance, disposal
    BOOKS = "books"  # posting, reversal, closing, ledger import
    DISTRIBUTE = "distribute"  # roster, rules, distributions, payouts
    INVENTORY = "inventory"  # open, count, close inventories
    AWARDS = "awards"
    USERS = "users"
    SUPERVISE = "supervise"  # open and close rectification cases (整改立案、销号)
    RECTIFY = "rectify"  # record the steps of a case (整改措施)
    RECORD_PAST = "record-past"  # 补录: a notice published on an earlier day, a rule already in force


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.FINANCE: frozenset(Action),
    Role.VILLAGE_ACCOUNTANT: frozenset({Action.BOOKS, Action.DISTRIBUTE, Action.RECTIFY}),
    Role.INVENTORY: frozenset({Action.INVENTORY}),
    Role.AUDITOR: frozenset(),
}
ACTION_LABELS = {
    Action.REGISTER: "台账",
    Action.BOOKS: "账簿",
    Action.DISTRIBUTE: "收益分配",
    Action.INVENTORY: "清查",
    Action.AWARDS: "绩效奖励",
    Action.USERS: "用户",
    Action.SUPERVISE: "整改立案与销号",
    Action.RECTIFY: "整改措施",
    Action.RECORD_PAST: "补录已生效的公示和分配方案",
}
ACTION_ENGLISH = {
    Action.REGISTER: "the registers",
    Action.BOOKS: "the books",
    Action.DISTRIBUTE: "revenue distribution",
    Action.INVENTORY: "the inventory",
    Action.AWARDS: "performance awards",
    Action.USERS: "users",
    Action.SUPERVISE: "opening and closing rectification cases",
    Action.RECTIFY: "rectification steps",
    Action.RECORD_PAST: "notices and rules recorded after they took effect",
}
LABELS = {
    Role.FINANCE: "县财政局",
    Role.VILLAGE_ACCOUNTANT: "村会计",
    Role.INVENTORY: "清查组",
    Role.AUDITOR: "审计",
}
ENGLISH = {
    Role.FINANCE: "county finance bureau",
    Role.VILLAGE_ACCOUNTANT: "village accountant",
    Role.INVENTORY: "inventory team",
    Role.AUDITOR: "auditor",
}


# Household personal data (the roster: heads, persons, categories, factors, and what each household received) is a
# record of distribution: read by the roles that may read distributions (finance, village accountants, auditors) and
# by no other. The inventory team (清查组) counts assets and needs no one's personal data (least privilege), on the
# CLI, the web and the library alike (services/access.read_households).
HOUSEHOLD_RECORDS = Action.DISTRIBUTE


# The auditor's tools (read-only SQL over the audit views, the audit package, the web's SQL and Fava pages) show
# every record of their scope at once, household personal data included: for auditors and the finance bureau only.
AUDIT_READERS = (Role.AUDITOR, Role.FINANCE)


def may_read_households(role: Role) -> bool:
    return may_read(role, HOUSEHOLD_RECORDS)


def may(role: Role, action: Action) -> bool:
    return action in ALLOWED[role]


def may_read(role: Role, action: Action) -> bool:
    """Auditors read the records of every action (in their scope); the others read the records they may make."""
    return role is Role.AUDITOR or may(role, action)


def covers(scope: str, chain: tuple[str, ...]) -> bool:
    """Does a scope cover a region, given the region's chain of codes (itself and its ancestors)?"""
    return scope == "*" or scope in chain
