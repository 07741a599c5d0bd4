"""Voucher identity (issue #17 item 7) and bounded amounts in the books (item 6), on SQLite and PostgreSQL.

A voucher number (凭证号) is unique per entity and month: the same voucher again is a no-op, the same number with
other content is a conflict (exit 4) naming both entries, the same number in another month is another voucher.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from assetledger.domain.booking import AssetPosting
from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.errors import ConflictError, InputError
from assetledger.services.book_reports import income_by_asset
from assetledger.services.journal import post_entry, post_for_asset
from assetledger.store.db import Database
from tests.builders import registers
from tests.conftest import Cli
from tests.helpers import posted_entry, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER, VILLAGE


def _post(run: Cli, asset: str, amount: str, on: str, ref: str, *, ok: bool = True, kind: str = "rent") -> str:
    direction = "--revenue" if kind in ("rent", "other") else "--expense"
    args = ("ledger", "post", "--asset", asset, direction, kind, "--amount", amount, "--date", on, "--ref", ref)
    result = run(*args, ok=ok)
    return f"{result.exit_code}:{result.output}"


def _ok(said: str, english: str) -> bool:
    """Exit 0, and the line says `english` beside its Chinese ("已记账，分录 5 (posted entry 5)")."""
    return said.startswith("0:") and f" ({english}" in said


def test_the_same_voucher_number_with_other_content_is_a_conflict_naming_both(run: Cli, db: Database) -> None:
    registers(db)
    first = _post(run, "A-2", "30000", "2025-06-30", "PZ-777")
    entry_id = posted_entry(first)
    assert _ok(_post(run, "A-2", "30000", "2025-06-30", "PZ-777"), "ref PZ-777 was already posted")
    before = table_counts(db)
    # Was: "already posted; nothing to do", exit 0 — and the maintenance of A-1 was never booked.
    conflict = _post(run, "A-1", "1200.50", "2025-06-02", "PZ-777", kind="maintenance", ok=False)
    assert conflict.startswith("4:"), conflict
    for named in (f"is already entry {entry_id}", "2025-06-30", "asset A-2", "30,000.00", "2025-06-02", "asset A-1",
                  "1,200.50", "(2025-06)"):  # fmt: skip
        assert named in conflict, conflict
    assert table_counts(db) == before
    # Voucher numbers restart monthly: PZ-777 of July is another voucher.
    assert _ok(_post(run, "A-1", "1200.50", "2025-07-02", "PZ-777", kind="maintenance"), "posted entry")
    # The way to correct a voucher: reverse the booked entry, then post it again.
    run("ledger", "reverse", entry_id, "--reason", "凭证录错", "--date", "2025-06-30")
    assert _ok(_post(run, "A-2", "300", "2025-06-30", "PZ-777"), "posted entry")
    assert _ok(_post(run, "A-2", "300", "2025-06-30", "PZ-777"), "ref PZ-777 was already posted")
    # A re-run of the old voucher (an old file imported again) finds it booked, and reversed: nothing is posted.
    assert _ok(_post(run, "A-2", "30000", "2025-06-30", "PZ-777"), "ref PZ-777 was already posted")
    assert _post(run, "A-2", "30001", "2025-06-30", "PZ-777", ok=False).startswith("4:")  # PZ-777 is now 300.00
    rows = {r.asset_id: r for r in income_by_asset(db, VILLAGE, actor="tester")}
    assert rows["A-2"].income == Decimal("300.00") and rows["A-1"].expenses == Decimal("1200.50")


def test_reimporting_a_corrected_file_is_a_conflict_until_the_entry_is_reversed(run: Cli, db: Database) -> None:
    registers(db)
    old = [ENTRY_HEADER, ["2025-03-05", "A-1", "支出", "维修", "800", "道路修补", "PZ-1"],
           ["2025-03-06", "A-2", "收入", "租金", "2500", "三月租金", "PZ-2"]]  # fmt: skip
    assert "posted 2 entries" in run("ledger", "import-entries", str(write_csv(run.cwd / "e.csv", old))).output
    before = table_counts(db)
    corrected = [ENTRY_HEADER, ["2025-03-05", "A-1", "支出", "维修", "880", "道路修补", "PZ-1"],
                 ["2025-03-06", "A-2", "收入", "租金", "2500", "三月租金", "PZ-2"],
                 ["2025-04-05", "A-1", "支出", "维修", "50", "四月", "PZ-1"]]  # fmt: skip
    path = write_csv(run.cwd / "e2.csv", corrected)
    for dry in ((), ("--dry-run",)):
        result = run("ledger", "import-entries", str(path), *dry, ok=False)
        assert result.exit_code == 4, result.output
        assert (
            "e2.csv，第2行 (row 2)，列「ref」 (column)，值「PZ-1」 (value)" in result.output
            and "800.00" in result.output
        ), result.output
        assert "880.00" in result.output and "row 3" not in result.output and "row 4" not in result.output
        assert table_counts(db) == before  # was: the old 800.00 kept, silently
    entry_id = result.output.split("is already entry ")[1].split()[0]
    run("ledger", "reverse", entry_id, "--reason", "金额录错", "--date", "2025-03-31")
    assert "posted 2 entries; 1 already posted" in run("ledger", "import-entries", str(path)).output
    assert "posted 0 entries; 3 already posted" in run("ledger", "import-entries", str(path)).output
    [row] = [r for r in income_by_asset(db, VILLAGE, actor="tester") if r.asset_id == "A-1"]
    assert row.expenses == Decimal("930.00")  # 880 (March, corrected) + 50 (April's PZ-1)


def test_conflicts_from_the_python_api_too(run: Cli, db: Database) -> None:
    registers(db)
    post_for_asset(db, AssetPosting("A-2", dt.date(2025, 5, 1), "revenue", "rent", Decimal("10.00"), ref="7"), "t")
    with pytest.raises(ConflictError) as caught:
        post_for_asset(db, AssetPosting("A-2", dt.date(2025, 5, 31), "revenue", "rent", Decimal("10.00"), ref="7"), "t")
    assert caught.value.exit_code == 4 and "2025-05-01" in str(caught.value) and "2025-05-31" in str(caught.value)
    post_for_asset(db, AssetPosting("A-2", dt.date(2025, 6, 1), "revenue", "rent", Decimal("10.00"), ref="7"), "t")


def test_a_voucher_cannot_take_a_ref_the_services_make(run: Cli, db: Database) -> None:
    registers(db)
    result = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-06-30",
                 "--ref", "payout:1:H001", ok=False)  # fmt: skip
    assert result.exit_code == 2 and "kept for the entries the system makes" in result.output


@pytest.mark.parametrize("amount", ["90000000000000000", "1e400", "1000000000.01", "NaN", "-Infinity"])
def test_amounts_beyond_the_bound_are_refused_at_every_door_and_the_reports_keep_working(
    run: Cli, db: Database, amount: str
) -> None:
    registers(db)
    before = table_counts(db)
    for _ in range(2):  # twice: 9e16 twice overflowed SQLite's SUM, and `report books` failed for ever
        cli = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", amount, "--date", "2025-06-30",
                  ok=False)  # fmt: skip
        assert cli.exit_code == 2 and "Traceback" not in cli.output, cli.output
        general = run(
            "ledger",
            "post",
            "--entity",
            VILLAGE,
            "--date",
            "2025-06-30",
            "--narration",
            "x",
            "--posting",
            f"Assets:Cash={amount}",
            "--posting",
            f"Assets:Bank=-{amount}",
            ok=False,
        )
        assert general.exit_code == 2 and "--posting" in general.output, general.output
    path = write_csv(run.cwd / "big.csv", [ENTRY_HEADER, ["2025-06-30", "A-2", "收入", "租金", amount, "", "PZ-9"]])
    for dry in ((), ("--dry-run",)):  # the dry run said the file was valid, then the import crashed
        result = run("ledger", "import-entries", str(path), *dry, ok=False)
        assert (
            result.exit_code == 2 and f"第2行 (row 2)，列「金额」 (column)，值「{amount}」 (value)" in result.output
        ), result.output
    assert table_counts(db) == before
    assert json.loads(run("report", "books", "--entity", VILLAGE, "--balances", "--format", "json").output)


def test_the_python_api_is_bounded_too(run: Cli, db: Database) -> None:
    registers(db)
    before = table_counts(db)
    for amount in (Decimal("9E+16"), Decimal("1e400"), Decimal("NaN")):
        entry = JournalEntry(VILLAGE, dt.date(2025, 6, 30), "大额", (Posting("Assets:Cash", amount),
                             Posting("Assets:Bank", -amount)), EntryKind.GENERAL)  # fmt: skip
        with pytest.raises(InputError):
            post_entry(db, entry, "t")
    assert table_counts(db) == before
