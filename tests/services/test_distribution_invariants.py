"""A village month is distributed once, only when it has ended, and paid only after its notice has run (DOMAIN 15).

Each test replays what could be done on db0ce7c (issue 17, items 1-3) and asserts the refusal, its exit code and
that nothing was written; then the way a correction is made: reversing the distribution with a reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.distribution import Period
from assetledger.errors import RuleViolation
from assetledger.services import distribution, distribution_settlement
from assetledger.services.book_reports import balances
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv
from tests.services.test_distribution import RULES, VILLAGE, _village_with_revenue
from tests.services.test_journal import ENTRY_HEADER


def add_rule(run: Cli) -> None:
    """红旗村's distribution rule (the built state `rule_ready`, on the built `village`: tests/conftest.py)."""
    run("distribute", "rule", "add", str(RULES / "example-village-rule.toml"))


def _ready(run: Cli) -> None:
    _village_with_revenue(run)
    add_rule(run)


def _refused(run: Cli, db: Database, *args: str, says: str) -> str:
    before = table_counts(db)
    result = run(*args, ok=False)
    assert result.exit_code == 5, result.output
    assert says in result.output, result.output
    assert table_counts(db) == before, "a refused command wrote something"
    return result.output


def _distribution_equity(db: Database) -> Decimal:
    return next(
        (r.balance for r in balances(db, f"V{VILLAGE}", actor="tester") if r.name == "Equity:Distribution"),
        Decimal(0),
    )


@pytest.mark.usefixtures("rule_ready")
@pytest.mark.parametrize("overlapping", ["2025", "2025H1", "2025-05", "2025-6", "2025q2"])
def test_a_month_is_distributed_once_however_the_period_is_written(run: Cli, db: Database, overlapping: str) -> None:
    run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    shared = _distribution_equity(db)
    if overlapping.upper() == "2025Q2":
        again = run("distribute", "--village", VILLAGE, "--period", overlapping)  # the same one: a no-op
        assert "already distributed" in again.output
    else:
        output = _refused(run, db, "distribute", "--village", VILLAGE, "--period", overlapping, says="2025Q2")
        assert "已分配" in output and "distribute reverse" in output
        _refused(run, db, "distribute", "--village", VILLAGE, "--period", overlapping, "--dry-run", says="2025Q2")
    assert _distribution_equity(db) == shared


@pytest.mark.usefixtures("rule_ready")
def test_months_next_to_a_distribution_are_free(run: Cli, db: Database) -> None:
    run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    run("distribute", "--village", VILLAGE, "--period", "2025-07")
    run("distribute", "--village", VILLAGE, "--period", "2025Q1")
    _refused(run, db, "distribute", "--village", VILLAGE, "--period", "2025H2", says="2025-07")


@pytest.mark.usefixtures("rule_ready")
def test_a_correction_reverses_the_distribution_and_frees_its_months(run: Cli, db: Database) -> None:
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    no_reason = run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", " ", ok=False)
    assert no_reason.exit_code == 2
    out = run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "收入录错",
              "--date", "2025-07-05").output  # fmt: skip
    assert "reversed distribution" in out
    assert _distribution_equity(db) == Decimal("0.00")
    payable = [
        r for r in balances(db, f"V{VILLAGE}", actor="tester") if r.name.startswith("Liabilities:DistributionPayable")
    ]
    assert payable == []
    # the reversed distribution is neither paid nor reversed again; its months may be shared again, once
    nothing = run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20", ok=False)
    assert nothing.exit_code == 3
    run("distribute", "--village", VILLAGE, "--period", "2025", "--date", "2026-01-05")
    year = Decimal("18000.00") + Decimal("9999.00")  # Q2 net 18,000.00 and July's 9,999.00
    assert _distribution_equity(db) == year
    _refused(run, db, "distribute", "--village", VILLAGE, "--period", "2025Q2", says="2025")
    assert reconcile(db, "tester") == []
    assert "0 with errors" in run("ledger", "check").output


@pytest.mark.usefixtures("rule_ready")
def test_the_distribution_entry_is_not_reversed_alone(run: Cli, db: Database) -> None:
    run("distribute", "--village", VILLAGE, "--period", "2025Q2")
    with db.reading() as session:
        from sqlalchemy import select

        from assetledger.store.distribution_models import Distribution

        entry_id = session.scalar(select(Distribution.entry_id))
    _refused(run, db, "ledger", "reverse", str(entry_id), "--reason", "错", says="distribute reverse")


@pytest.mark.usefixtures("rule_ready")
def test_a_period_that_has_not_ended_is_not_distributed(run: Cli, db: Database, tmp_path: Path) -> None:
    today = dt.date.today()
    running = Period.parse(f"{today.year}Q{(today.month - 1) // 3 + 1}")
    day = running.start + dt.timedelta(days=min(10, (today - running.start).days))
    entries = [ENTRY_HEADER, [day.isoformat(), "A-2", "支出", "经营成本", "100.00", "", ""]]
    run("ledger", "import-entries", str(write_csv(tmp_path / "now.csv", entries)))
    for args in ([], ["--dry-run"]):
        _refused(run, db, "distribute", "--village", VILLAGE, "--period", running.label, *args, says="has not ended")
    ahead = (today + dt.timedelta(days=3)).isoformat()
    _refused(run, db, "distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", ahead, says="after today")
    # the Python API keeps the same rule (no entry point around it)
    with pytest.raises(RuleViolation, match="has not ended"):
        distribution.distribute(db, VILLAGE, running.label, "tester", dry_run=True)


@pytest.mark.usefixtures("rule_ready")
def test_households_are_paid_only_after_the_notice_has_run(run: Cli, db: Database) -> None:
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")  # dated 07-01, as the notice
    for day in ("2025-07-02", "2025-07-07"):  # noticed on 07-01 for 7 days: 07-01 .. 07-07
        _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", day,
                 says="from 2025-07-08")  # fmt: skip
    with pytest.raises(RuleViolation, match="公示期未满"):
        distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 3), "tester")
    assert (
        "paid 4 household(s)"
        in run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-08").output
    )


@pytest.mark.usefixtures("village")
def test_the_rule_file_sets_the_objection_period(run: Cli, db: Database, tmp_path: Path) -> None:
    text = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    rule = tmp_path / "rule.toml"
    rule.write_text(text.replace("[payout]                          # 分配结果公示：公示期满且无异议后发放\n"
                                 "notice_days = 7", "[payout]\nnotice_days = 15"), encoding="utf-8")  # fmt: skip
    assert "notice_days = 15" in rule.read_text(encoding="utf-8")
    run("distribute", "rule", "add", str(rule))
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")
    _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-10",
             says="from 2025-07-16")  # fmt: skip
    run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-16")
    notice = run("distribute", "notice", "--village", VILLAGE, "--period", "2025Q2", "--out", "notices").output
    page = (run.cwd / "notices" / notice.split()[1].split("/")[-1]).read_text(encoding="utf-8")
    assert "公示期为15天" in page
