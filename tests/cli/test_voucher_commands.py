"""`ledger post`, `ledger import-entries` and `report books` over voucher numbers and bounded amounts
(tests/services/test_vouchers.py holds what the services do): what each command says it posted or found posted
already, in Chinese and English, and the exit code of each refusal (2 bad input, 4 a voucher conflict) with the
message that names both entries, or the row, column and value."""

from __future__ import annotations

import json

import pytest

from assetledger.store.db import Database
from tests.builders import registers
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER, VILLAGE


def _post(run: Cli, asset: str, amount: str, on: str, ref: str, *, ok: bool = True, kind: str = "rent") -> str:
    direction = "--revenue" if kind in ("rent", "other") else "--expense"
    args = ("ledger", "post", "--asset", asset, direction, kind, "--amount", amount, "--date", on, "--ref", ref)
    result = run(*args, ok=ok)
    return f"{result.exit_code}:{result.output}"


def _ok(said: str, english: str) -> bool:
    """Exit 0, and the line says `english` beside its Chinese ("已记账，分录 5 (posted entry 5)")."""
    return said.startswith("0:") and f" ({english}" in said


def test_post_says_a_voucher_is_posted_already_or_exits_4_naming_both_entries(run: Cli, db: Database) -> None:
    registers(db)
    first = _post(run, "A-2", "30000", "2025-06-30", "PZ-777")
    assert _ok(first, "posted entry") and "已记账，分录" in first
    entry_id = first.split("(posted entry ")[1].split(")")[0]
    again = _post(run, "A-2", "30000", "2025-06-30", "PZ-777")
    assert _ok(again, "ref PZ-777 was already posted") and "凭证号 PZ-777 已记过账" in again
    conflict = _post(run, "A-1", "1200.50", "2025-06-02", "PZ-777", kind="maintenance", ok=False)
    assert conflict.startswith("4:") and "Traceback" not in conflict, conflict
    for named in ("凭证号冲突", f"is already entry {entry_id}", "2025-06-30", "asset A-2", "30,000.00", "2025-06-02",
                  "asset A-1", "1,200.50", "(2025-06)", f"reverse entry {entry_id} first"):  # fmt: skip
        assert named in conflict, conflict


def test_import_entries_exits_4_naming_the_row_until_the_entry_is_reversed(run: Cli, db: Database) -> None:
    registers(db)
    old = [ENTRY_HEADER, ["2025-03-05", "A-1", "支出", "维修", "800", "道路修补", "PZ-1"],
           ["2025-03-06", "A-2", "收入", "租金", "2500", "三月租金", "PZ-2"]]  # fmt: skip
    assert "posted 2 entries" in run("ledger", "import-entries", str(write_csv(run.cwd / "e.csv", old))).output
    corrected = [ENTRY_HEADER, ["2025-03-05", "A-1", "支出", "维修", "880", "道路修补", "PZ-1"],
                 ["2025-03-06", "A-2", "收入", "租金", "2500", "三月租金", "PZ-2"],
                 ["2025-04-05", "A-1", "支出", "维修", "50", "四月", "PZ-1"]]  # fmt: skip
    path = write_csv(run.cwd / "e2.csv", corrected)
    for dry in ((), ("--dry-run",)):
        result = run("ledger", "import-entries", str(path), *dry, ok=False)
        assert result.exit_code == 4 and "Traceback" not in result.output, result.output
        assert "e2.csv，第2行 (row 2)，列「ref」 (column)，值「PZ-1」 (value)" in result.output, result.output
        assert "800.00" in result.output and "880.00" in result.output
        assert "row 3" not in result.output and "row 4" not in result.output
    entry_id = result.output.split("is already entry ")[1].split()[0]
    run("ledger", "reverse", entry_id, "--reason", "金额录错", "--date", "2025-03-31")
    assert "posted 2 entries; 1 already posted" in run("ledger", "import-entries", str(path)).output
    assert "posted 0 entries; 3 already posted" in run("ledger", "import-entries", str(path)).output


def test_a_ref_the_services_make_is_refused_with_exit_2(run: Cli, db: Database) -> None:
    registers(db)
    result = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-06-30",
                 "--ref", "payout:1:H001", ok=False)  # fmt: skip
    assert result.exit_code == 2 and "kept for the entries the system makes" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("amount", ["90000000000000000", "1e400", "1000000000.01", "NaN", "-Infinity"])
def test_amounts_beyond_the_bound_exit_2_at_every_command_and_the_report_keeps_working(
    run: Cli, db: Database, amount: str
) -> None:
    registers(db)
    before = table_counts(db)
    cli = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", amount, "--date", "2025-06-30",
              ok=False)  # fmt: skip
    assert cli.exit_code == 2 and "--amount" in cli.output and "Traceback" not in cli.output, cli.output
    general = run("ledger", "post", "--entity", VILLAGE, "--date", "2025-06-30", "--narration", "x",
                  "--posting", f"Assets:Cash={amount}", "--posting", f"Assets:Bank=-{amount}", ok=False)  # fmt: skip
    assert general.exit_code == 2 and "--posting" in general.output and "Traceback" not in general.output
    path = write_csv(run.cwd / "big.csv", [ENTRY_HEADER, ["2025-06-30", "A-2", "收入", "租金", amount, "", "PZ-9"]])
    for dry in ((), ("--dry-run",)):
        result = run("ledger", "import-entries", str(path), *dry, ok=False)
        assert result.exit_code == 2, result.output
        assert f"第2行 (row 2)，列「金额」 (column)，值「{amount}」 (value)" in result.output, result.output
    assert table_counts(db) == before
    assert json.loads(run("report", "books", "--entity", VILLAGE, "--balances", "--format", "json").output)
