"""Correcting a distribution after its households were paid (DOMAIN rule 15): it is reversed like any other, the
households keep what they were paid, and what the corrected distribution does not give them again is set against
their next shares (services/household_dues.py) — the books, the dues and the warnings agree at every step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from assetledger.domain.supervision import RuleKind, RuleSetting, SupervisionPolicy, SupervisionWarning
from assetledger.services import distribution, distribution_settlement, household_dues
from assetledger.services.book_reports import balances
from assetledger.services.reconcile import reconcile
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from assetledger.store.distribution_models import DistributionLine, Payout
from assetledger.store.journal_models import Entry
from tests.conftest import Cli
from tests.services.test_distribution import VILLAGE
from tests.services.test_distribution_invariants import _ready

ZERO = Decimal("0.00")


def _payables(db: Database) -> dict[str, Decimal]:
    """What the books say the village owes each household (negative: paid beyond its standing shares); households
    owed nothing are not listed (the books list no empty balance)."""
    return {
        r.name.rsplit(":H", 1)[1]: -r.balance
        for r in balances(db, f"V{VILLAGE}", actor="tester")
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
    return warnings(db, "tester", dt.date.today(), policy, rules=[kind])


def _distributed_and_paid(run: Cli) -> None:
    _ready(run)
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")
    assert (
        "paid 4 household(s)"
        in run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-10").output
    )


def test_revenue_taken_out_of_a_paid_month_is_corrected_and_set_against_later_shares(run: Cli, db: Database) -> None:
    _distributed_and_paid(run)
    paid_first = _shares(db, 1)
    assert _payables(db) == {}
    # the June rent was booked twice over: taken out of the books after the households were paid
    with db.reading() as session:
        june = session.scalar(
            select(Entry.id).where(Entry.date == dt.date(2025, 6, 30), Entry.narration.like("%租金%"))
        )
    run("ledger", "reverse", str(june), "--reason", "租金录错", "--date", "2025-06-30")
    (late,) = _warnings(db, RuleKind.UNDISTRIBUTED)
    assert "-6,000.01" in late.evidence
    # the paid distribution is reversed like any other; its households keep what they were paid
    out = run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "六月租金录错",
              "--date", "2025-07-20").output  # fmt: skip
    assert "已向 4 户发放" in out and "set against their next shares" in out
    assert _payables(db) == {h: -a for h, a in paid_first.items()}  # in debit: paid beyond what stands
    redo = distribution.distribute(db, VILLAGE, "2025Q2", "tester", on=dt.date(2025, 7, 20))
    assert redo.split.total == Decimal("11999.99") and redo.distribution_id == 2
    assert _warnings(db, RuleKind.UNDISTRIBUTED) == []  # the correction clears the warning
    corrected = _shares(db, 2)
    assert all(corrected[h] < paid_first[h] for h in corrected)
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20")
    # every redone share is wholly set against what was paid before: nothing leaves the bank, nothing stays unpaid
    with db.reading() as session:
        bank_before = session.scalar(select(func.count(Payout.id)))
    out = run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-28").output
    assert "paid 0 household(s) 0.00 yuan" in out and "4 household(s) had nothing left to pay" in out
    with db.reading() as session:
        assert session.scalar(select(func.count(Payout.id))) == bank_before
    assert _warnings(db, RuleKind.UNPAID) == []
    over = {h: paid_first[h] - corrected[h] for h in paid_first}
    assert _payables(db) == {h: -o for h, o in over.items()}
    # the next quarter pays each household its share less what it still holds beyond its shares
    run("distribute", "--village", VILLAGE, "--period", "2025Q3", "--date", "2025-10-08")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q3", "--date", "2025-10-08")
    q3 = _shares(db, 3)
    assert "H3" not in q3 and all(q3[h] > over[h] for h in q3)  # H3 left in May; July's 9,999.00 covers the rest
    assert _due_cash(db) == {h: q3[h] - over[h] for h in q3}
    out = run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q3", "--date", "2025-10-16").output
    offset = sum((over[h] for h in q3), ZERO)
    assert f"其中 {offset:,.2f} 元以此前多发抵减" in out
    # in the end each household was paid exactly its standing shares, and owes and is owed nothing; H3, who left,
    # still holds what it was paid beyond its corrected share, and the books say so
    assert _cash(db) == {h: corrected[h] + q3.get(h, ZERO) + (over[h] if h not in q3 else ZERO) for h in corrected}
    assert _payables(db) == {h: -o for h, o in over.items() if h not in q3}
    assert _due_cash(db) == {}
    assert _warnings(db, RuleKind.UNPAID) == []
    (w,) = warnings(db, "tester", dt.date.today(), SupervisionPolicy(), rules=[RuleKind.OVERPAID])
    assert "1 户多发" in w.evidence  # H3 left in May: nothing of its overpayment is set off
    assert reconcile(db, "tester") == []
    assert "0 with errors" in run("ledger", "check").output
    # what the household and the public read: the taken-back share does not count, the cash does
    h1 = run("report", "household", "H1").output
    received, paid_out = corrected["H1"] + q3["H1"], _cash(db)["H1"]
    assert "2025-07-20" in h1 and f"received {received:,.2f} yuan in 2 distributions" in h1
    assert f"paid out {paid_out:,.2f} yuan" in h1
    notice = run("distribute", "notice", "--village", VILLAGE, "--period", "2025Q2", "--out", "notices").output
    pages = [(run.cwd / "notices" / line.split()[1].split("/")[-1]).read_text(encoding="utf-8")
             for line in notice.splitlines()]  # fmt: skip
    assert any("全额抵减" in page for page in pages)


def test_revenue_booked_late_into_a_paid_month_pays_only_the_difference(run: Cli, db: Database) -> None:
    _distributed_and_paid(run)
    paid_first = _shares(db, 1)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "5000", "--date", "2025-06-12",
        "--ref", "RT-2")  # fmt: skip
    run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "补记六月租金",
        "--date", "2025-07-20")  # fmt: skip
    redo = distribution.distribute(db, VILLAGE, "2025Q2", "tester", on=dt.date(2025, 7, 20))
    assert redo.split.total == Decimal("23000.00")
    corrected = _shares(db, 2)
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20")
    assert _due_cash(db) == {h: corrected[h] - paid_first[h] for h in corrected}
    done = distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 28), "tester")
    assert done.paid == 4 and done.offset_only == 0
    assert done.cash == sum(corrected.values(), ZERO) - sum(paid_first.values(), ZERO)
    assert done.offset == sum(paid_first.values(), ZERO)
    assert _cash(db) == corrected and _payables(db) == {}
    with db.reading() as session:
        narrations = session.scalars(select(Entry.narration).where(Entry.date == dt.date(2025, 7, 28))).all()
    assert len(narrations) == 4 and all("抵减此前多发" in n for n in narrations)
    assert reconcile(db, "tester") == []


def test_a_household_that_left_keeps_its_overpayment_in_the_books(run: Cli, db: Database) -> None:
    """A household with no later share keeps owing what it was paid beyond its standing shares: the books show it
    (the payable in debit) and no payout or warning pretends otherwise."""
    _distributed_and_paid(run)
    paid_first = _shares(db, 1)
    run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "方案适用有误",
        "--date", "2025-07-20")  # fmt: skip
    assert _payables(db) == {h: -a for h, a in paid_first.items()}
    assert _due_cash(db) == {}
    assert _warnings(db, RuleKind.UNPAID) == []
    with db.reading() as session:
        assert household_dues.overpaid(session, VILLAGE) == paid_first
    # supervision says so 180 days after the correction, by village, with counts and sums and no names
    policy = SupervisionPolicy(rules={RuleKind.OVERPAID: RuleSetting(True, 180)})
    corrected_on = dt.date(2025, 7, 20)
    assert warnings(db, "tester", corrected_on + dt.timedelta(days=180), policy, rules=[RuleKind.OVERPAID]) == []
    (w,) = warnings(db, "tester", corrected_on + dt.timedelta(days=181), policy, rules=[RuleKind.OVERPAID])
    total = sum(paid_first.values(), ZERO)
    assert w.subject == VILLAGE and f"4 户多发 {total:,.2f} 元" in w.evidence and "王" not in w.evidence
    assert reconcile(db, "tester") == []
