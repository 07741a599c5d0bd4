"""Voucher identity (issue #17 item 7) and bounded amounts in the books (item 6), on SQLite and PostgreSQL.

A voucher number (凭证号) is unique per entity and month: the same voucher again is a no-op, the same number with
other content is a conflict (exit 4) naming both entries, the same number in another month is another voucher.

The registers are built and the entries posted, imported and reversed through the services; what `ledger post`,
`ledger import-entries` and `report books` print and how they exit is tested in tests/cli/test_voucher_commands.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.booking import AssetPosting
from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.errors import ConflictError, InputError
from assetledger.services.book_reports import balances, income_by_asset
from assetledger.services.journal import import_entries, post_entry, post_for_asset, reverse
from assetledger.store.db import Database
from tests.builders import ACTOR, registers
from tests.helpers import table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER, VILLAGE

D = dt.date


def _voucher(asset: str, amount: str, on: dt.date, ref: str | None, kind: str = "rent") -> AssetPosting:
    """An asset's revenue (rent, other) or expense of `amount` yuan under the voucher number `ref`
    (`ledger post --asset --revenue|--expense --amount --date --ref`)."""
    direction = "revenue" if kind in ("rent", "other") else "expense"
    return AssetPosting(asset, on, direction, kind, Decimal(amount), ref=ref)


def test_the_same_voucher_number_with_other_content_is_a_conflict_naming_both(db: Database) -> None:
    registers(db)
    first = post_for_asset(db, _voucher("A-2", "30000", D(2025, 6, 30), "PZ-777"), ACTOR)
    [entry_id] = first.posted
    again = post_for_asset(db, _voucher("A-2", "30000", D(2025, 6, 30), "PZ-777"), ACTOR)
    assert (again.posted, again.skipped) == ([], ["PZ-777"])
    before = table_counts(db)
    # Was: "already posted; nothing to do", exit 0 — and the maintenance of A-1 was never booked.
    with pytest.raises(ConflictError) as conflict:
        post_for_asset(db, _voucher("A-1", "1200.50", D(2025, 6, 2), "PZ-777", kind="maintenance"), ACTOR)
    assert conflict.value.exit_code == 4
    [finding] = conflict.value.findings
    assert (finding.source, finding.row, finding.column, finding.value) == ("ledger post", None, "ref", "PZ-777")
    for named in (f"is already entry {entry_id}", "2025-06-30", "asset A-2", "30,000.00", "2025-06-02", "asset A-1",
                  "1,200.50", "(2025-06)"):  # fmt: skip
        assert named in finding.reason and named in str(conflict.value), conflict.value
    assert table_counts(db) == before
    # Voucher numbers restart monthly: PZ-777 of July is another voucher.
    july = post_for_asset(db, _voucher("A-1", "1200.50", D(2025, 7, 2), "PZ-777", kind="maintenance"), ACTOR)
    assert len(july.posted) == 1 and july.skipped == []
    # The way to correct a voucher: reverse the booked entry, then post it again.
    reversal = reverse(db, entry_id, "凭证录错", ACTOR, D(2025, 6, 30))
    assert (reversal.original_date, reversal.date) == (D(2025, 6, 30), D(2025, 6, 30))
    corrected = post_for_asset(db, _voucher("A-2", "300", D(2025, 6, 30), "PZ-777"), ACTOR)
    assert len(corrected.posted) == 1 and corrected.skipped == []
    assert post_for_asset(db, _voucher("A-2", "300", D(2025, 6, 30), "PZ-777"), ACTOR).skipped == ["PZ-777"]
    # A re-run of the old voucher (an old file imported again) finds it booked, and reversed: nothing is posted.
    rerun = post_for_asset(db, _voucher("A-2", "30000", D(2025, 6, 30), "PZ-777"), ACTOR)
    assert (rerun.posted, rerun.skipped) == ([], ["PZ-777"])
    before = table_counts(db)
    with pytest.raises(ConflictError) as other:  # PZ-777 is now 300.00
        post_for_asset(db, _voucher("A-2", "30001", D(2025, 6, 30), "PZ-777"), ACTOR)
    assert other.value.exit_code == 4 and "30,001.00" in str(other.value) and table_counts(db) == before
    rows = {r.asset_id: r for r in income_by_asset(db, VILLAGE, actor=ACTOR)}
    assert rows["A-2"].income == Decimal("300.00") and rows["A-1"].expenses == Decimal("1200.50")


def test_reimporting_a_corrected_file_is_a_conflict_until_the_entry_is_reversed(db: Database, tmp_path: Path) -> None:
    registers(db)
    old = [ENTRY_HEADER, ["2025-03-05", "A-1", "支出", "维修", "800", "道路修补", "PZ-1"],
           ["2025-03-06", "A-2", "收入", "租金", "2500", "三月租金", "PZ-2"]]  # fmt: skip
    imported = import_entries(db, write_csv(tmp_path / "e.csv", old), ACTOR)
    assert len(imported.posted) == 2 and imported.skipped == []
    entry_id = imported.posted[0]  # PZ-1's 800.00
    before = table_counts(db)
    corrected = [ENTRY_HEADER, ["2025-03-05", "A-1", "支出", "维修", "880", "道路修补", "PZ-1"],
                 ["2025-03-06", "A-2", "收入", "租金", "2500", "三月租金", "PZ-2"],
                 ["2025-04-05", "A-1", "支出", "维修", "50", "四月", "PZ-1"]]  # fmt: skip
    path = write_csv(tmp_path / "e2.csv", corrected)
    for dry_run in (False, True):
        with pytest.raises(ConflictError) as conflict:
            import_entries(db, path, ACTOR, dry_run=dry_run)
        assert conflict.value.exit_code == 4
        [finding] = conflict.value.findings  # row 2 alone: rows 3 (the same) and 4 (April's PZ-1) are no conflict
        assert (finding.source, finding.row, finding.column, finding.value) == (str(path), 2, "ref", "PZ-1")
        assert "e2.csv，第2行 (row 2)，列「ref」 (column)，值「PZ-1」 (value)" in str(finding)
        assert f"is already entry {entry_id}" in finding.reason
        assert "800.00" in finding.reason and "880.00" in finding.reason
        assert table_counts(db) == before  # was: the old 800.00 kept, silently
    reverse(db, entry_id, "金额录错", ACTOR, D(2025, 3, 31))
    again = import_entries(db, path, ACTOR)
    assert (len(again.posted), len(again.skipped)) == (2, 1)
    rerun = import_entries(db, path, ACTOR)
    assert (len(rerun.posted), len(rerun.skipped)) == (0, 3)
    [row] = [r for r in income_by_asset(db, VILLAGE, actor=ACTOR) if r.asset_id == "A-1"]
    assert row.expenses == Decimal("930.00")  # 880 (March, corrected) + 50 (April's PZ-1)


def test_conflicts_from_the_python_api_too(db: Database) -> None:
    registers(db)
    post_for_asset(db, AssetPosting("A-2", dt.date(2025, 5, 1), "revenue", "rent", Decimal("10.00"), ref="7"), "t")
    with pytest.raises(ConflictError) as caught:
        post_for_asset(db, AssetPosting("A-2", dt.date(2025, 5, 31), "revenue", "rent", Decimal("10.00"), ref="7"), "t")
    assert caught.value.exit_code == 4 and "2025-05-01" in str(caught.value) and "2025-05-31" in str(caught.value)
    post_for_asset(db, AssetPosting("A-2", dt.date(2025, 6, 1), "revenue", "rent", Decimal("10.00"), ref="7"), "t")


def test_a_voucher_cannot_take_a_ref_the_services_make(db: Database) -> None:
    registers(db)
    before = table_counts(db)
    with pytest.raises(InputError) as caught:
        post_for_asset(db, _voucher("A-2", "1", D(2025, 6, 30), "payout:1:H001"), ACTOR)
    assert caught.value.exit_code == 2
    [finding] = caught.value.findings
    assert finding.source == "ledger post" and "kept for the entries the system makes" in finding.reason
    assert "'payout:1:H001'" in finding.reason and table_counts(db) == before


@pytest.mark.parametrize("amount", ["90000000000000000", "1e400", "1000000000.01", "NaN", "-Infinity"])
def test_amounts_beyond_the_bound_are_refused_at_every_door_and_the_reports_keep_working(
    db: Database, tmp_path: Path, amount: str
) -> None:
    registers(db)
    before = table_counts(db)
    wrong = "超出上限" if Decimal(amount).is_finite() else "不是有限的数"
    for _ in range(2):  # twice: 9e16 twice overflowed SQLite's SUM, and `report books` failed for ever
        with pytest.raises(InputError) as asset:
            post_for_asset(db, _voucher("A-2", amount, D(2025, 6, 30), None), ACTOR)
        assert asset.value.exit_code == 2 and asset.value.findings
        assert all(f.source == "ledger post" and wrong in f.reason for f in asset.value.findings), asset.value
        general = JournalEntry(VILLAGE, D(2025, 6, 30), "x", (Posting("Assets:Cash", Decimal(amount)),
                               Posting("Assets:Bank", -Decimal(amount))), EntryKind.GENERAL)  # fmt: skip
        with pytest.raises(InputError) as entry:
            post_entry(db, general, ACTOR)
        assert entry.value.exit_code == 2 and all(wrong in f.reason for f in entry.value.findings), entry.value
        assert "Assets:Cash" in str(entry.value) and "Assets:Bank" in str(entry.value)
    path = write_csv(tmp_path / "big.csv", [ENTRY_HEADER, ["2025-06-30", "A-2", "收入", "租金", amount, "", "PZ-9"]])
    for dry_run in (False, True):  # the dry run said the file was valid, then the import crashed
        with pytest.raises(InputError) as bad:
            import_entries(db, path, ACTOR, dry_run=dry_run)
        assert bad.value.exit_code == 2
        assert [(f.source, f.row, f.column, f.value) for f in bad.value.findings] == [(str(path), 2, "金额", amount)]
    assert table_counts(db) == before
    assert balances(db, VILLAGE, actor=ACTOR)  # `report books --balances`


def test_the_python_api_is_bounded_too(db: Database) -> None:
    registers(db)
    before = table_counts(db)
    for amount in (Decimal("9E+16"), Decimal("1e400"), Decimal("NaN")):
        entry = JournalEntry(VILLAGE, dt.date(2025, 6, 30), "大额", (Posting("Assets:Cash", amount),
                             Posting("Assets:Bank", -amount)), EntryKind.GENERAL)  # fmt: skip
        with pytest.raises(InputError):
            post_entry(db, entry, "t")
    assert table_counts(db) == before
