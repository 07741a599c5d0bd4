"""A village month is distributed once, only when it has ended, and paid only after its notice has run (DOMAIN 15).

Each test replays what could be done on db0ce7c (issue 17, items 1-3) and asserts the refusal, its exit code and
that nothing was written; then the way a correction is made: reversing the distribution with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from assetledger.domain.distribution import Period
from assetledger.errors import AssetLedgerError, InputError, NotFoundError, RuleViolation
from assetledger.reports.notice import write_notice
from assetledger.services import distribution, distribution_settlement, journal
from assetledger.services.book_reports import balances
from assetledger.services.distribution_reports import notice_data
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution
from tests.builders import ACTOR
from tests.builders.distribution import (
    ENTRY_HEADER,
    database_of,
    distribute,
    entries,
    publish,
    rule,
    village_with_revenue,
)
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.services.test_distribution import RULES, VILLAGE


def add_rule(run: Cli) -> None:
    """红旗村's distribution rule (the built state `rule_ready`, on the built `village`: tests/conftest.py), recorded
    through the services on the database of `run`."""
    rule(database_of(run))


def ready(db: Database) -> None:
    """The states `village` and `rule_ready` built in a test's own database."""
    village_with_revenue(db)
    rule(db)


@contextmanager
def refused(db: Database, says: str, exit_code: int = 5) -> Iterator[pytest.ExceptionInfo[AssetLedgerError]]:
    """The block raises an error of `exit_code` (a RuleViolation's 5 by default) whose message says `says`, and
    writes nothing."""
    before = table_counts(db)
    with pytest.raises(AssetLedgerError) as caught:
        yield caught
    assert caught.value.exit_code == exit_code, caught.value
    assert says in str(caught.value), str(caught.value)
    assert table_counts(db) == before, "a refused call wrote something"


def _distribution_equity(db: Database) -> Decimal:
    return next(
        (r.balance for r in balances(db, f"V{VILLAGE}", actor=ACTOR) if r.name == "Equity:Distribution"),
        Decimal(0),
    )


@pytest.mark.usefixtures("rule_ready")
@pytest.mark.parametrize("overlapping", ["2025", "2025H1", "2025-05", "2025-6", "2025q2"])
def test_a_month_is_distributed_once_however_the_period_is_written(db: Database, overlapping: str) -> None:
    distribute(db, VILLAGE, "2025Q2")
    shared = _distribution_equity(db)
    if overlapping.upper() == "2025Q2":
        before = table_counts(db)
        again = distribution.distribute(db, VILLAGE, overlapping, ACTOR)  # the same one: a no-op
        assert again.already_done and again.distribution_id == 1 and table_counts(db) == before
    else:
        with refused(db, "2025Q2") as caught:
            distribution.distribute(db, VILLAGE, overlapping, ACTOR)
        assert isinstance(caught.value, RuleViolation)
        assert "已分配" in str(caught.value) and "distribute reverse" in str(caught.value)
        with refused(db, "2025Q2"):
            distribution.distribute(db, VILLAGE, overlapping, ACTOR, dry_run=True)
    assert _distribution_equity(db) == shared


@pytest.mark.usefixtures("rule_ready")
def test_months_next_to_a_distribution_are_free(db: Database) -> None:
    distribute(db, VILLAGE, "2025Q2")
    for period in ("2025-07", "2025Q1"):
        done = distribution.distribute(db, VILLAGE, period, ACTOR)
        assert not done.already_done and done.distribution_id is not None
    with refused(db, "2025-07"):
        distribution.distribute(db, VILLAGE, "2025H2", ACTOR)


@pytest.mark.usefixtures("rule_ready")
def test_a_correction_reverses_the_distribution_and_frees_its_months(db: Database) -> None:
    distribute(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    with refused(db, "--reason", exit_code=2) as no_reason:
        distribution_settlement.reverse_distribution(db, VILLAGE, "2025Q2", " ", ACTOR)
    assert isinstance(no_reason.value, InputError)
    [done] = distribution_settlement.reverse_distribution(
        db, VILLAGE, "2025Q2", "收入录错", ACTOR, on=dt.date(2025, 7, 5)
    )
    assert (done.distribution_id, done.paid_households, done.paid) == (1, 0, Decimal("0.00"))
    assert _distribution_equity(db) == Decimal("0.00")
    payable = [
        r for r in balances(db, f"V{VILLAGE}", actor=ACTOR) if r.name.startswith("Liabilities:DistributionPayable")
    ]
    assert payable == []
    # the reversed distribution is neither paid nor reversed again; its months may be shared again, once
    with refused(db, "2025Q2", exit_code=3) as nothing:
        distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 20), ACTOR)
    assert isinstance(nothing.value, NotFoundError)
    with pytest.raises(NotFoundError):
        distribution_settlement.reverse_distribution(db, VILLAGE, "2025Q2", "再次", ACTOR, on=dt.date(2025, 7, 6))
    distribution.distribute(db, VILLAGE, "2025", ACTOR, on=dt.date(2026, 1, 5))
    year = Decimal("18000.00") + Decimal("9999.00")  # Q2 net 18,000.00 and July's 9,999.00
    assert _distribution_equity(db) == year
    with refused(db, "2025"):
        distribution.distribute(db, VILLAGE, "2025Q2", ACTOR)
    assert reconcile(db, ACTOR) == []
    assert [e for r in check_entities(db, ACTOR) for e in r.errors] == []


@pytest.mark.usefixtures("rule_ready")
def test_the_distribution_entry_is_not_reversed_alone(db: Database) -> None:
    distribute(db, VILLAGE, "2025Q2")
    with db.reading() as session:
        entry_id = session.scalar(select(Distribution.entry_id))
    assert entry_id is not None
    with refused(db, "distribute reverse") as caught:
        journal.reverse(db, entry_id, "错", ACTOR)
    assert isinstance(caught.value, RuleViolation)


@pytest.mark.usefixtures("rule_ready")
def test_a_period_that_has_not_ended_is_not_distributed(db: Database) -> None:
    today = dt.date.today()
    running = Period.parse(f"{today.year}Q{(today.month - 1) // 3 + 1}")
    day = running.start + dt.timedelta(days=min(10, (today - running.start).days))
    entries(db, [ENTRY_HEADER, [day.isoformat(), "A-2", "支出", "经营成本", "100.00", "", ""]])
    for dry_run in (False, True):
        with refused(db, "has not ended") as caught:
            distribution.distribute(db, VILLAGE, running.label, ACTOR, dry_run=dry_run)
        assert isinstance(caught.value, RuleViolation)
    ahead = today + dt.timedelta(days=3)
    with refused(db, "after today"):
        distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=ahead)


@pytest.mark.usefixtures("rule_ready")
def test_households_are_paid_only_after_the_notice_has_run(db: Database) -> None:
    distribute(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    publish(db, VILLAGE, "2025Q2")  # dated 07-01, as the notice
    for day in (dt.date(2025, 7, 2), dt.date(2025, 7, 3), dt.date(2025, 7, 7)):  # noticed 07-01 for 7 days: .. 07-07
        with refused(db, "from 2025-07-08") as caught:
            distribution_settlement.pay(db, VILLAGE, "2025Q2", day, ACTOR)
        assert isinstance(caught.value, RuleViolation) and "公示期未满" in str(caught.value)
    assert distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 8), ACTOR).paid == 4


@pytest.mark.usefixtures("village")
def test_the_rule_file_sets_the_objection_period(db: Database, tmp_path: Path) -> None:
    text = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    fifteen = tmp_path / "rule.toml"
    fifteen.write_text(text.replace("[payout]                          # 分配结果公示：公示期满且无异议后发放\n"
                                    "notice_days = 7", "[payout]\nnotice_days = 15"), encoding="utf-8")  # fmt: skip
    assert "notice_days = 15" in fifteen.read_text(encoding="utf-8")
    rule(db, fifteen)
    distribute(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    publish(db, VILLAGE, "2025Q2")
    with refused(db, "from 2025-07-16"):
        distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 10), ACTOR)
    assert distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 16), ACTOR).paid == 4
    [data] = notice_data(db, VILLAGE, "2025Q2", ACTOR)
    html_path, _ = write_notice(data, tmp_path / "notices")
    assert "公示期为15天" in html_path.read_text(encoding="utf-8")
