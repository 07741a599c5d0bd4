"""Trust of a distribution after the fact: redoing a reversed one, the objection period of a back-dated one, and
revenue booked into a month already distributed (DOMAIN rule 15)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from assetledger.domain.supervision import RuleKind, RuleSetting, SupervisionPolicy, SupervisionWarning
from assetledger.errors import RuleViolation
from assetledger.services import distribution, distribution_settlement
from assetledger.services.reconcile import reconcile
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution
from assetledger.store.journal_models import Entry
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.services.test_distribution import VILLAGE
from tests.services.test_distribution_invariants import _distribution_equity, _ready, _refused

Q2_NET = Decimal("18000.00")  # Q2 revenue 18,000.01 less 0.01 of costs


def _refs(db: Database) -> list[str | None]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(Entry.ref).join(Distribution, Distribution.entry_id == Entry.id).order_by(Distribution.id)
            )
        )


def test_a_reversed_distribution_is_redone_as_a_new_one(run: Cli, db: Database) -> None:
    _ready(run)
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    for n in (2, 3):  # redone after a first and after a second reversal: the same content each time
        run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "名册有误",
            "--date", "2025-07-02")  # fmt: skip
        assert _distribution_equity(db) == Decimal("0.00")
        redo = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02")
        assert "posted distribution" in redo.output
        assert _distribution_equity(db) == Q2_NET  # shared once, never on top
        before = table_counts(db)
        again = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02")
        assert "already distributed" in again.output and table_counts(db) == before  # a plain re-run: a no-op
        assert _refs(db)[-1] == f"distribution:2025Q2:HQ-2025:{n}"
    assert len(set(_refs(db))) == 3
    # the API says the same: the standing one is the last redo
    result = distribution.distribute(db, VILLAGE, "2025Q2", "tester", dry_run=True)
    assert result.already_done and result.distribution_id == 3
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")  # the redo's own notice, 07-02
    run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-09")
    assert reconcile(db, "tester") == []
    assert "0 with errors" in run("ledger", "check").output


def test_a_distribution_made_today_is_dated_today_and_paid_after_its_notice(run: Cli, db: Database) -> None:
    _ready(run)
    today = dt.date.today()
    run("distribute", "--village", VILLAGE, "--period", "2025Q2")  # no --date: dated the day it is recorded
    with db.reading() as session:
        made = session.scalar(select(Distribution.distributed_on))
    assert made == today
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")  # dated today, as the notice
    opens = (today + dt.timedelta(days=7)).isoformat()
    before_it = _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2",
                         "--date", "2025-07-10", says="分配之前不能发放")  # fmt: skip
    assert f"from {opens}" in before_it
    _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", today.isoformat(),
             says="公示期未满")  # fmt: skip
    with pytest.raises(RuleViolation, match="分配之前不能发放"):
        distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 10), "tester")
    notice = run("distribute", "notice", "--village", VILLAGE, "--period", "2025Q2", "--out", "notices").output
    page = (run.cwd / "notices" / notice.split()[1].split("/")[-1]).read_text(encoding="utf-8")
    assert f"自{today}起" in page and f"自{opens}起发放" in page  # the notice says what the payout waits for


def test_revenue_booked_into_a_distributed_month_is_shown_and_warned_until_redone(run: Cli, db: Database) -> None:
    _ready(run)
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    assert late_warnings(db) == []
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "5000", "--date", "2025-06-12",
        "--ref", "RT-2")  # fmt: skip
    before = table_counts(db)
    again = run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    assert again.exit_code == 0 and table_counts(db) == before  # nothing is shared on top
    out = again.output
    assert "revenue 18,000.01, costs 0.01, distributed 18,000.00" in out  # as recorded, not the books' 23,000.00
    assert "7,200.00" in out and "9,200.00" not in out  # households' 40% as shared
    assert "already distributed (distribution 1)" in out
    assert "又记入收益 5,000.00 元" in out and "账面现为 23,000.00" in out and "distribute reverse" in out
    as_json = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--format", "json")
    data = json.loads(as_json.stdout)
    assert (data["distributed"], data["books_total"], data["undistributed"]) == ("18000.00", "23000.00", "5000.00")
    assert "又记入收益" in as_json.stderr
    result = distribution.distribute(db, VILLAGE, "2025Q2", "tester")
    assert result.already_done and result.split.total == Q2_NET and result.undistributed == Decimal("5000.00")
    # supervision raises it at once, naming the distribution and the late entry
    (w,) = late_warnings(db)
    assert w.subject == "1" and "差额 5,000.00 未分配" in w.evidence and "须冲销原分配后重新分配" in w.evidence
    assert w.refs[0] == "分配 distribution #1" and len(w.refs) == 2
    # reverse and redo: shared once, on the books' figure, and the warning is gone
    run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "补记租金",
        "--date", "2025-07-02")  # fmt: skip
    redo = run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02")
    assert "distributed 23,000.00" in redo.output and "又记入收益" not in redo.output
    assert _distribution_equity(db) == Decimal("23000.00")
    assert late_warnings(db) == []
    # revenue taken out of a distributed month (a reversed rent entry) is raised the same way
    with db.reading() as session:
        rent = session.scalar(select(Entry.id).where(Entry.ref == "RT-2"))
    run("ledger", "reverse", str(rent), "--reason", "录错", "--date", "2025-06-30")
    (w,) = late_warnings(db)
    assert "差额 -5,000.00" in w.evidence
    assert "收益减少 5,000.00 元" in run("distribute", "--village", VILLAGE, "--period", "2025Q2").output


def late_warnings(db: Database) -> list[SupervisionWarning]:
    policy = SupervisionPolicy(rules={RuleKind.UNDISTRIBUTED: RuleSetting(True, 3650)})  # uncovered months: not yet due
    return warnings(db, "tester", dt.date.today(), policy, rules=[RuleKind.UNDISTRIBUTED])
