"""Supervision warnings (监管预警): the rules of ledgers/policy/supervision.toml, run as of a date in a reader's scope.

Each rule reads what already exists and names its evidence (asset, events, entries, closes, dates):
- unregistered_after_acceptance 验收后未登记: an asset accepted (`asset accept`, services/acceptance.py) that is not
  on the register N days after its acceptance (judged as of the as-of date: registered later is not registered yet);
- unconfirmed 已登记未确权: an asset on the register (not disposed of or written off) with no owner, N days after its
  own date (取得, 移交, 建设年度; the registration event's date), else the day it was registered;
- not_handed_over 已确权未移交: a confirmed public-benefit or operating asset not handed over N days after confirmation;
- no_custodian 未落实管护: a public-benefit or operating asset handed over without a custodian (DOMAIN rule 3);
- idle / loss_making 闲置 / 亏损: the governance scan (services/governance.py), each asset judged by the governance
  policy stored for its region (`asset policy store`), never a file the reader gives;
- no_contract 经营无合同: the contract alerts no_contract and expired (services/contract_alerts.py, DOMAIN rule 20);
- books_not_closed 上月未结账: a village collective's books not closed through the last month end that is more than
  N days past (`ledger close`);
- undistributed 收益未按期分配: months whose asset revenue in a village's books no standing distribution covers, N
  days after the month's end; and, at once, a standing distribution whose months' revenue in the books changed after
  it was made (revenue booked late into a distributed month): only reversing it and distributing again shares it
  (DOMAIN rule 15), the books being open to what really happened (rule 16);
- objection_undecided 公示异议未处理: an objection to a distribution's notice undecided N days after it was raised
  (services/objection_warnings.py);
- unpaid 应付农户未兑付: household shares of a standing distribution without a payout N days after it;
- overpaid 多发收益未抵减: households of a village paid beyond their standing shares (a paid distribution corrected
  by reversal) and not yet set off against later shares, N days after the correction (services/household_dues.py);
- inventory_unsettled 清查差异未处理: an inventory not closed N days after its last shortage, damage or surplus count.
Warnings are judged on the register and books as they stand, against the as-of date: the clock of each rule runs
from the dates of record, never from the machine's. The rules on the register, the scan and the contracts are in
services/supervision_register.py, those on the books, distributions and inventories in services/supervision_books.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from assetledger.domain.supervision import RuleKind, SupervisionPolicy, SupervisionWarning
from assetledger.services import supervision_books as books
from assetledger.services import supervision_register as register
from assetledger.services.contracts import reading_scope
from assetledger.services.objection_warnings import undecided_objections
from assetledger.services.places import Places
from assetledger.store.db import Database

Rule = Callable[[Session, dt.date, int, Places], list[SupervisionWarning]]
RULES: dict[RuleKind, Rule] = {
    RuleKind.UNREGISTERED: register.unregistered,
    RuleKind.UNCONFIRMED: register.unconfirmed,
    RuleKind.NOT_HANDED_OVER: register.not_handed_over,
    RuleKind.NO_CUSTODIAN: register.no_custodian,
    RuleKind.IDLE: register.idle,
    RuleKind.LOSS_MAKING: register.loss_making,
    RuleKind.NO_CONTRACT: register.no_contract,
    RuleKind.BOOKS_NOT_CLOSED: books.books_not_closed,
    RuleKind.UNDISTRIBUTED: books.undistributed,
    RuleKind.OBJECTION_UNDECIDED: undecided_objections,
    RuleKind.UNPAID: books.unpaid,
    RuleKind.OVERPAID: books.overpaid,
    RuleKind.INVENTORY_UNSETTLED: books.inventory_unsettled,
}


def warnings(
    db: Database,
    actor: str,
    as_of: dt.date,
    policy: SupervisionPolicy,
    region: str | None = None,
    rules: Iterable[RuleKind] | None = None,
) -> list[SupervisionWarning]:
    """The warnings as of a date in a region (default: the reader's whole scope), by rule and place."""
    with db.reading() as session:
        scope = reading_scope(session, actor, region)
        return warnings_in(session, as_of, policy, scope, rules)


def warnings_in(
    session: Session,
    as_of: dt.date,
    policy: SupervisionPolicy,
    region: str | None,
    rules: Iterable[RuleKind] | None = None,
) -> list[SupervisionWarning]:
    wanted = set(rules) if rules is not None else set(RuleKind)
    places = Places(session, region)
    found: list[SupervisionWarning] = []
    for kind in policy.enabled():
        if kind not in wanted:
            continue
        days = policy.setting(kind).days
        found += RULES[kind](session, as_of, days, places)
    order = list(RuleKind)
    found.sort(key=lambda w: (order.index(w.rule), w.county_code, w.township_code or "", w.village_code or "",
                              w.subject))  # fmt: skip
    return found
