"""Correcting a distribution after its households were paid (DOMAIN rule 15): it is reversed like any other, the
households keep what they were paid, and what the corrected distribution does not give them again is set against
their next shares (services/household_dues.py) — the books, the dues and the warnings agree at every step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from assetledger.domain.supervision import RuleKind, RuleSetting, SupervisionPolicy, SupervisionWarning
from assetledger.reports.notice import write_notice
from assetledger.services import distribution, distribution_settlement, household_dues, journal
from assetledger.services.book_reports import balances
from assetledger.services.distribution_reports import household_history, notice_data
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from assetledger.store.distribution_models import DistributionLine, Payout
from assetledger.store.journal_models import Entry
from tests.builders import ACTOR, revenue
from tests.builders.distribution import database_of, distribute, pay, publish, reverse
from tests.conftest import Cli
from tests.services.test_distribution import VILLAGE
from tests.services.test_distribution_invariants import ready

ZERO = Decimal("0.00")


def _payables(db: Database) -> dict[str, Decimal]:
    """What the books say the village owes each household (negative: paid beyond its standing shares); households
    owed nothing are not listed (the books list no empty balance)."""
    return {
        r.name.rsplit(":H", 1)[1]: -r.balance
        for r in balances(db, f"V{VILLAGE}", actor=ACTOR)
        if r.name.startswith("Liabilities:DistributionPayable:")
    }


def _shares(db: Database, distribution_id: int) -> dict[str, Decimal]:
    with db.reading() as session:
        rows = session.execute(
            select(DistributionLine.household_id, DistributionLine.amount).where(
                DistributionLine.distribution_id == distribution_id, DistributionLine.household_id.is_not(None)
            )
        ).all()
    return {h: a for h, a in rows if h is not None and a}


def _cash(db: Database) -> dict[str, Decimal]:
    with db.reading() as session:
        return dict(
            session.execute(select(Payout.household_id, func.sum(Payout.amount)).group_by(Payout.household_id)).all()
        )


def _due_cash(db: Database) -> dict[str, Decimal]:
    with db.reading() as session:
        owed: dict[str, Decimal] = {}
        for d in household_dues.dues(session, VILLAGE):
            if not d.cash:  # wholly set against an overpayment: nothing to pay
                continue
            owed[d.household_id] = owed.get(d.household_id, ZERO) + d.cash
        return owed


def _warnings(db: Database, kind: RuleKind) -> list[SupervisionWarning]:
    policy = SupervisionPolicy(rules={kind: RuleSetting(True, 0 if kind is RuleKind.UNPAID else 3650)})
    return warnings(db, ACTOR, dt.date.today(), policy, rules=[kind])


def distributed_and_paid(db: Database) -> None:
    """红旗村's 2025Q2 distributed on 2025-07-01, its notice published that day and its four households paid on
    2025-07-10."""
    ready(db)
    distribute(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    publish(db, VILLAGE, "2025Q2")
    assert pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 10)).paid == 4


def _distributed_and_paid(run: Cli) -> None:
    """`distributed_and_paid` on the database of `run` (tests/security/test_distribution_accounts.py)."""
    distributed_and_paid(database_of(run))


def test_revenue_taken_out_of_a_paid_month_is_corrected_and_set_against_later_shares(
    db: Database, tmp_path: Path
) -> None:
    distributed_and_paid(db)
    paid_first = _shares(db, 1)
    assert _payables(db) == {}
    # the June rent was booked twice over: taken out of the books after the households were paid
    with db.reading() as session:
        june = session.scalar(
            select(Entry.id).where(Entry.date == dt.date(2025, 6, 30), Entry.narration.like("%租金%"))
        )
    assert june is not None
    journal.reverse(db, june, "租金录错", ACTOR, dt.date(2025, 6, 30))
    (late,) = _warnings(db, RuleKind.UNDISTRIBUTED)
    assert "-6,000.01" in late.evidence
    # the paid distribution is reversed like any other; its households keep what they were paid
    [taken_back] = distribution_settlement.reverse_distribution(
        db, VILLAGE, "2025Q2", "六月租金录错", ACTOR, on=dt.date(2025, 7, 20)
    )
    assert (taken_back.distribution_id, taken_back.paid_households) == (1, 4)
    assert taken_back.paid == sum(paid_first.values(), ZERO)
    assert _payables(db) == {h: -a for h, a in paid_first.items()}  # in debit: paid beyond what stands
    redo = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 20))
    assert redo.split.total == Decimal("11999.99") and redo.distribution_id == 2
    assert _warnings(db, RuleKind.UNDISTRIBUTED) == []  # the correction clears the warning
    corrected = _shares(db, 2)
    assert all(corrected[h] < paid_first[h] for h in corrected)
    publish(db, VILLAGE, "2025Q2", dt.date(2025, 7, 20))
    # every redone share is wholly set against what was paid before: nothing leaves the bank, nothing stays unpaid
    with db.reading() as session:
        bank_before = session.scalar(select(func.count(Payout.id)))
    done = distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 28), ACTOR)
    assert (done.paid, done.cash, done.offset_only) == (0, ZERO, 4)
    assert done.offset == sum(corrected.values(), ZERO)
    with db.reading() as session:
        assert session.scalar(select(func.count(Payout.id))) == bank_before
    assert _warnings(db, RuleKind.UNPAID) == []
    over = {h: paid_first[h] - corrected[h] for h in paid_first}
    assert _payables(db) == {h: -o for h, o in over.items()}
    # the next quarter pays each household its share less what it still holds beyond its shares
    distribute(db, VILLAGE, "2025Q3", dt.date(2025, 10, 8))
    publish(db, VILLAGE, "2025Q3", dt.date(2025, 10, 8))
    q3 = _shares(db, 3)
    assert "H3" not in q3 and all(q3[h] > over[h] for h in q3)  # H3 left in May; July's 9,999.00 covers the rest
    assert _due_cash(db) == {h: q3[h] - over[h] for h in q3}
    done = distribution_settlement.pay(db, VILLAGE, "2025Q3", dt.date(2025, 10, 16), ACTOR)
    offset = sum((over[h] for h in q3), ZERO)
    assert (done.paid, done.offset, done.offset_only) == (len(q3), offset, 0)
    assert done.cash == sum((q3[h] - over[h] for h in q3), ZERO)
    # in the end each household was paid exactly its standing shares, and owes and is owed nothing; H3, who left,
    # still holds what it was paid beyond its corrected share, and the books say so
    assert _cash(db) == {h: corrected[h] + q3.get(h, ZERO) + (over[h] if h not in q3 else ZERO) for h in corrected}
    assert _payables(db) == {h: -o for h, o in over.items() if h not in q3}
    assert _due_cash(db) == {}
    assert _warnings(db, RuleKind.UNPAID) == []
    (w,) = warnings(db, ACTOR, dt.date.today(), SupervisionPolicy(), rules=[RuleKind.OVERPAID])
    assert "1 户多发" in w.evidence  # H3 left in May: nothing of its overpayment is set off
    assert reconcile(db, ACTOR) == []
    assert [e for r in check_entities(db, ACTOR) for e in r.errors] == []
    # what the household and the public read: the taken-back share does not count, the cash does
    _, h1 = household_history(db, "H1", ACTOR)
    assert [(s.period, s.reversed_on) for s in h1] == [
        ("2025Q2", dt.date(2025, 7, 20)), ("2025Q2", None), ("2025Q3", None)
    ]  # fmt: skip
    standing = [s for s in h1 if s.reversed_on is None]
    assert sum(s.amount for s in standing) == corrected["H1"] + q3["H1"] and len(standing) == 2
    assert sum(s.paid for s in h1 if s.paid is not None) == _cash(db)["H1"]
    pages = [write_notice(data, tmp_path / "notices")[0].read_text(encoding="utf-8")
             for data in notice_data(db, VILLAGE, "2025Q2", ACTOR)]  # fmt: skip
    assert any("全额抵减" in page for page in pages)


def test_revenue_booked_late_into_a_paid_month_pays_only_the_difference(db: Database) -> None:
    distributed_and_paid(db)
    paid_first = _shares(db, 1)
    revenue(db, "A-2", "5000", "2025-06-12", ref="RT-2")
    reverse(db, VILLAGE, "2025Q2", "补记六月租金", dt.date(2025, 7, 20))
    redo = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 20))
    assert redo.split.total == Decimal("23000.00")
    corrected = _shares(db, 2)
    publish(db, VILLAGE, "2025Q2", dt.date(2025, 7, 20))
    assert _due_cash(db) == {h: corrected[h] - paid_first[h] for h in corrected}
    done = distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 28), ACTOR)
    assert done.paid == 4 and done.offset_only == 0
    assert done.cash == sum(corrected.values(), ZERO) - sum(paid_first.values(), ZERO)
    assert done.offset == sum(paid_first.values(), ZERO)
    assert _cash(db) == corrected and _payables(db) == {}
    with db.reading() as session:
        narrations = session.scalars(select(Entry.narration).where(Entry.date == dt.date(2025, 7, 28))).all()
    assert len(narrations) == 4 and all("抵减此前多发" in n for n in narrations)
    assert reconcile(db, ACTOR) == []


def test_a_household_that_left_keeps_its_overpayment_in_the_books(db: Database) -> None:
    """A household with no later share keeps owing what it was paid beyond its standing shares: the books show it
    (the payable in debit) and no payout or warning pretends otherwise."""
    distributed_and_paid(db)
    paid_first = _shares(db, 1)
    [taken_back] = distribution_settlement.reverse_distribution(
        db, VILLAGE, "2025Q2", "方案适用有误", ACTOR, on=dt.date(2025, 7, 20)
    )
    assert (taken_back.paid_households, taken_back.paid) == (4, sum(paid_first.values(), ZERO))
    assert _payables(db) == {h: -a for h, a in paid_first.items()}
    assert _due_cash(db) == {}
    assert _warnings(db, RuleKind.UNPAID) == []
    with db.reading() as session:
        assert household_dues.overpaid(session, VILLAGE) == paid_first
    # supervision says so 180 days after the correction, by village, with counts and sums and no names
    policy = SupervisionPolicy(rules={RuleKind.OVERPAID: RuleSetting(True, 180)})
    corrected_on = dt.date(2025, 7, 20)
    assert warnings(db, ACTOR, corrected_on + dt.timedelta(days=180), policy, rules=[RuleKind.OVERPAID]) == []
    (w,) = warnings(db, ACTOR, corrected_on + dt.timedelta(days=181), policy, rules=[RuleKind.OVERPAID])
    total = sum(paid_first.values(), ZERO)
    assert w.subject == VILLAGE and f"4 户多发 {total:,.2f} 元" in w.evidence and "王" not in w.evidence
    assert reconcile(db, ACTOR) == []
