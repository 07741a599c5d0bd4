"""Trust of a distribution after the fact: redoing a reversed one, the objection period of a back-dated one, and
revenue booked into a month already distributed (DOMAIN rule 15)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from assetledger.domain.supervision import RuleKind, RuleSetting, SupervisionPolicy, SupervisionWarning
from assetledger.errors import RuleViolation
from assetledger.reports.notice import write_notice
from assetledger.services import distribution, distribution_settlement, journal
from assetledger.services.distribution_reports import notice_data
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution
from assetledger.store.journal_models import Entry
from tests.builders import ACTOR, revenue
from tests.builders.distribution import distribute, pay, publish, reverse
from tests.helpers import table_counts
from tests.services.test_distribution import VILLAGE
from tests.services.test_distribution_invariants import _distribution_equity, ready, refused

Q2_NET = Decimal("18000.00")  # Q2 revenue 18,000.01 less 0.01 of costs


def _refs(db: Database) -> list[str | None]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(Entry.ref).join(Distribution, Distribution.entry_id == Entry.id).order_by(Distribution.id)
            )
        )


def test_a_reversed_distribution_is_redone_as_a_new_one(db: Database) -> None:
    ready(db)
    distribute(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    for n in (2, 3):  # redone after a first and after a second reversal: the same content each time
        reverse(db, VILLAGE, "2025Q2", "名册有误", dt.date(2025, 7, 2))
        assert _distribution_equity(db) == Decimal("0.00")
        redo = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 2))
        assert not redo.already_done and redo.distribution_id == n
        assert _distribution_equity(db) == Q2_NET  # shared once, never on top
        before = table_counts(db)
        again = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 2))
        assert again.already_done and again.distribution_id == n and table_counts(db) == before  # a no-op
        assert _refs(db)[-1] == f"distribution:2025Q2:HQ-2025:{n}"
    assert len(set(_refs(db))) == 3
    # a dry run says the same: the standing one is the last redo
    result = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, dry_run=True)
    assert result.already_done and result.distribution_id == 3
    published = publish(db, VILLAGE, "2025Q2")  # every notice of the period, the redo's own on 07-02
    assert [(p.distribution_id, p.published_on) for p in published][-1] == (3, dt.date(2025, 7, 2))
    assert pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 9)).paid == 4
    assert reconcile(db, ACTOR) == []
    assert [e for r in check_entities(db, ACTOR) for e in r.errors] == []


def test_a_distribution_made_today_is_dated_today_and_paid_after_its_notice(db: Database, tmp_path: Path) -> None:
    ready(db)
    today = dt.date.today()
    distribution.distribute(db, VILLAGE, "2025Q2", ACTOR)  # no date: dated the day it is recorded
    with db.reading() as session:
        made = session.scalar(select(Distribution.distributed_on))
    assert made == today
    publish(db, VILLAGE, "2025Q2")  # dated today, as the notice
    opens = (today + dt.timedelta(days=7)).isoformat()
    with refused(db, "分配之前不能发放") as before_it:
        distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 10), ACTOR)
    assert isinstance(before_it.value, RuleViolation) and f"from {opens}" in str(before_it.value)
    with refused(db, "公示期未满"):
        distribution_settlement.pay(db, VILLAGE, "2025Q2", today, ACTOR)
    [data] = notice_data(db, VILLAGE, "2025Q2", ACTOR)
    page = write_notice(data, tmp_path / "notices")[0].read_text(encoding="utf-8")
    assert f"自{today}起" in page and f"自{opens}起发放" in page  # the notice says what the payout waits for


def test_revenue_booked_into_a_distributed_month_is_shown_and_warned_until_redone(db: Database) -> None:
    ready(db)
    distribute(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    assert late_warnings(db) == []
    rent = revenue(db, "A-2", "5000", "2025-06-12", ref="RT-2")
    before = table_counts(db)
    again = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR)
    assert table_counts(db) == before  # nothing is shared on top
    assert again.already_done and again.distribution_id == 1
    # as recorded, not the books' 23,000.00; households' 40% as shared
    assert (again.revenue, again.costs, again.split.total) == (Decimal("18000.01"), Decimal("0.01"), Q2_NET)
    assert sum(s.amount for s in again.split.households) == Decimal("7200.00")
    assert (again.books_total, again.undistributed) == (Decimal("23000.00"), Decimal("5000.00"))
    note = again.late_note()
    assert note is not None
    assert "又记入收益 5,000.00 元" in note and "账面现为 23,000.00" in note and "distribute reverse" in note
    # supervision raises it at once, naming the distribution and the late entry
    (w,) = late_warnings(db)
    assert w.subject == "1" and "差额 5,000.00 未分配" in w.evidence and "须冲销原分配后重新分配" in w.evidence
    assert w.refs[0] == "分配 distribution #1" and len(w.refs) == 2
    # reverse and redo: shared once, on the books' figure, and the warning is gone
    reverse(db, VILLAGE, "2025Q2", "补记租金", dt.date(2025, 7, 2))
    redo = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 2))
    assert redo.split.total == Decimal("23000.00") and redo.late_note() is None
    assert _distribution_equity(db) == Decimal("23000.00")
    assert late_warnings(db) == []
    # revenue taken out of a distributed month (a reversed rent entry) is raised the same way
    journal.reverse(db, rent, "录错", ACTOR, dt.date(2025, 6, 30))
    (w,) = late_warnings(db)
    assert "差额 -5,000.00" in w.evidence
    less = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR).late_note()
    assert less is not None and "收益减少 5,000.00 元" in less


def late_warnings(db: Database) -> list[SupervisionWarning]:
    policy = SupervisionPolicy(rules={RuleKind.UNDISTRIBUTED: RuleSetting(True, 3650)})  # uncovered months: not yet due
    return warnings(db, ACTOR, dt.date.today(), policy, rules=[RuleKind.UNDISTRIBUTED])
