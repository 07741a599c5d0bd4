"""The accounts the distribution records keep (a household's payable, the distribution equity) are moved only by
`distribute`, `distribute pay` and `distribute reverse`: a general entry or a Beancount file that pays a household
behind the payout record's back would let the household be paid again by the next payout."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assetledger.services.book_reports import balances
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.services.test_distribution import VILLAGE
from tests.services.test_paid_correction import _distributed_and_paid

ENTITY = f"V{VILLAGE}"
PAYABLE = "Liabilities:DistributionPayable:HH1"


def _refused(run: Cli, db: Database, *args: str) -> str:
    before = table_counts(db)
    result = run(*args, ok=False)
    assert result.exit_code == 5, result.output
    assert "只由收益分配、发放和冲销记账" in result.output and "never a general entry or a file" in result.output
    assert table_counts(db) == before, "a refused entry wrote something"
    return result.output


def _bank(db: Database) -> Decimal:
    return next(r.balance for r in balances(db, ENTITY, actor="tester") if r.name == "Assets:Bank")


def test_a_general_entry_does_not_pay_a_household_or_touch_the_distribution(run: Cli, db: Database) -> None:
    _distributed_and_paid(run)
    bank = _bank(db)
    for posting in (f"{PAYABLE}=100.00", "Liabilities:DistributionPayable=100.00", "Equity:Distribution=100.00"):
        out = _refused(run, db, "ledger", "post", "--entity", ENTITY, "--date", "2025-07-20", "--narration", "发放",
                       "--posting", posting, "--posting", "Assets:Bank=-100.00")  # fmt: skip
        assert posting.split("=")[0] in out
    # an ordinary general entry still posts
    run("ledger", "post", "--entity", ENTITY, "--date", "2025-07-20", "--narration", "提取现金",
        "--posting", "Assets:Cash=100.00", "--posting", "Assets:Bank=-100.00")  # fmt: skip
    assert _bank(db) == bank - Decimal("100.00")


def test_a_file_cannot_bring_a_payout(run: Cli, db: Database, tmp_path: Path) -> None:
    _distributed_and_paid(run)
    ledger = tmp_path / "payout.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\n'
        "2025-07-15 open Assets:Bank CNY\n"
        f"2025-07-15 open {PAYABLE} CNY\n"
        '2025-07-20 * "收益分红发放 王一"\n'
        '  kind: "payout"\n'  # the file's word is not taken: it comes in as an imported entry
        f"  {PAYABLE}  100.00 CNY\n"
        "  Assets:Bank  -100.00 CNY\n",
        encoding="utf-8",
    )
    _refused(run, db, "ledger", "import", str(ledger), "--entity", ENTITY)
