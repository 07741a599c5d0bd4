"""The books: opening entries, transfers, postings, reversal, period close, append-only, reconcile."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from assetledger.domain.assets import Ownership
from assetledger.domain.booking import AssetPosting
from assetledger.domain.enums import OwnerKind
from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.errors import AssetLedgerError, Finding, InputError, RuleViolation
from assetledger.services.assets import confirm_ownership
from assetledger.services.book_reports import balances, entities, income_by_asset
from assetledger.services.journal import close_period, import_entries, post_entry, post_for_asset, reverse
from assetledger.services.ledger_files import check_entities, export_entity, import_ledger, query_entity
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.builders import ACTOR, expense, registers, revenue
from tests.helpers import table_counts, write_csv

VILLAGE = "V360921101201"
COUNTY = "C360921"
ENTRY_HEADER = ["日期", "资产编号", "收支", "类型", "金额", "摘要", "凭证号"]


def _balance(db: Database, entity: str, account: str) -> Decimal:
    return next((r.balance for r in balances(db, entity, actor=ACTOR) if r.name == account), Decimal("0.00"))


def _where(findings: Sequence[Finding]) -> list[tuple[int | None, str | None, str | None]]:
    """Row, column and value of each finding of a refused input."""
    return [(f.row, f.column, f.value) for f in findings]


def _general(*postings: tuple[str, str]) -> JournalEntry:
    """A general entry of the village on 2025-07-03 (`ledger post --entity --posting ACCOUNT=AMOUNT ...`)."""
    lines = tuple(Posting(account, Decimal(amount)) for account, amount in postings)
    return JournalEntry(VILLAGE, dt.date(2025, 7, 3), "x", lines, EntryKind.GENERAL)


def test_registration_books_each_asset_with_its_owner(db: Database) -> None:
    registers(db)
    assert _balance(db, VILLAGE, "Assets:PublicBenefit:A-1") == Decimal("100000.00")
    assert _balance(db, VILLAGE, "Assets:FixedAssets:A-2") == Decimal("100000.00")
    assert _balance(db, VILLAGE, "Equity:Capital:Central") == Decimal("-60000.00")
    assert _balance(db, COUNTY, "Assets:PublicBenefit:A-3") == Decimal("100000.00")
    books = entities(db, ACTOR)
    assert {e.code for e in books} == {VILLAGE, COUNTY}  # the household's cow is off the public books
    assert {e.kind for e in books} == {"village", "county"}  # the kinds as codes (the CLI's table names them)
    assert reconcile(db, ACTOR) == []


def test_confirmation_moves_the_asset_between_books(db: Database) -> None:
    registers(db)
    confirm_ownership(db, "A-3", Ownership("红旗村股份经济合作社", OwnerKind.VILLAGE, dt.date(2022, 3, 1)), ACTOR)
    assert _balance(db, COUNTY, "Assets:PublicBenefit:A-3") == Decimal("0.00")
    assert _balance(db, VILLAGE, "Assets:PublicBenefit:A-3") == Decimal("100000.00")
    assert reconcile(db, ACTOR) == []


def test_post_revenue_expense_reverse_and_report(db: Database) -> None:
    registers(db)
    revenue(db, "A-2", "30000", "2025-06-30")
    maintenance = AssetPosting("A-2", dt.date(2025, 7, 2), "expense", "maintenance", Decimal("1200.50"), ref="PZ-7")
    first = post_for_asset(db, maintenance, ACTOR)
    assert len(first.posted) == 1 and first.skipped == []
    [expense_id] = first.posted
    again = post_for_asset(db, maintenance, ACTOR)
    assert again.posted == [] and again.skipped == ["PZ-7"]  # already posted
    [row] = income_by_asset(db, VILLAGE, actor=ACTOR)
    assert (row.asset_id, row.income, row.expenses, row.net) == (
        "A-2",
        Decimal("30000.00"),
        Decimal("1200.50"),
        Decimal("28799.50"),
    )
    reverse(db, expense_id, "重复录入", ACTOR, dt.date(2025, 7, 3))
    [row] = income_by_asset(db, VILLAGE, actor=ACTOR)
    assert row.expenses == Decimal("0.00")
    with pytest.raises(RuleViolation, match="already reversed") as twice:
        reverse(db, expense_id, "again", ACTOR)
    assert twice.value.exit_code == 5
    household = AssetPosting("H-1", dt.date(2025, 1, 1), "revenue", "other", Decimal("1"))
    with pytest.raises(RuleViolation, match="off the public books") as refused:
        post_for_asset(db, household, ACTOR)
    assert refused.value.exit_code == 5
    with pytest.raises(InputError, match="do not balance") as unbalanced:
        post_entry(db, _general(("Assets:Cash", "500"), ("Assets:Bank", "-499.99")), ACTOR)
    assert unbalanced.value.exit_code == 2
    with pytest.raises(AssetLedgerError, match="Assets:Nowhere is not open"):
        post_entry(db, _general(("Assets:Nowhere", "5"), ("Assets:Bank", "-5")), ACTOR)
    assert reconcile(db, ACTOR) == []


def test_closed_period_refuses_postings(db: Database) -> None:
    registers(db)
    entry_id = revenue(db, "A-2", "10", "2025-03-01")
    close_period(db, VILLAGE, dt.date(2025, 3, 31), ACTOR)
    inside = AssetPosting("A-2", dt.date(2025, 3, 31), "revenue", "rent", Decimal("10"))
    with pytest.raises(RuleViolation, match="closed through 2025-03-31") as refused:  # refused by a rule
        post_for_asset(db, inside, ACTOR)
    assert refused.value.exit_code == 5
    revenue(db, "A-2", "10", "2025-04-01")
    with pytest.raises(RuleViolation) as reversal:
        reverse(db, entry_id, "错", ACTOR, dt.date(2025, 3, 15))
    assert reversal.value.exit_code == 5
    with pytest.raises(RuleViolation) as earlier:
        close_period(db, VILLAGE, dt.date(2025, 1, 31), ACTOR)
    assert earlier.value.exit_code == 5


def test_import_entries_all_or_nothing_and_idempotent(db: Database, tmp_path: Path) -> None:
    registers(db)
    good = [
        ENTRY_HEADER,
        ["2025-01-31", "A-2", "收入", "租金", "2500.00", "一月租金", ""],
        ["2025-02-28", "A-2", "收入", "租金", "2500.00", "二月租金", ""],
        ["2025-03-05", "A-1", "支出", "维修", "800", "道路修补", "PZ-1"],
    ]
    path = write_csv(tmp_path / "entries.csv", good)
    first = import_entries(db, path, ACTOR)
    assert (len(first.posted), len(first.skipped)) == (3, 0)
    again = import_entries(db, path, ACTOR)
    assert (len(again.posted), len(again.skipped)) == (0, 3)
    before = table_counts(db)
    bad = [
        ENTRY_HEADER,
        ["2025-04-31", "A-2", "收入", "租金", "1", "", ""],
        ["2025-04-01", "NOPE", "收入", "租金", "1", "", ""],
        ["2025-04-01", "A-2", "收入", "维修", "1", "", ""],
        ["2025-04-01", "A-2", "收入", "租金", "1.001", "", ""],
        ["2025-04-01", "H-1", "收入", "租金", "5", "", ""],
        ["2025-04-01", "A-2", "收入", "租金", "7", "", ""],
    ]
    with pytest.raises(InputError) as refused:
        import_entries(db, write_csv(tmp_path / "bad.csv", bad), ACTOR)
    assert refused.value.exit_code == 2
    found = _where(refused.value.findings)
    for expected in ((2, "日期", "2025-04-31"), (4, "类型", "维修"), (5, "金额", "1.001")):
        assert expected in found, refused.value
    assert {f.source for f in refused.value.findings} == {str(tmp_path / "bad.csv")}
    assert table_counts(db) == before
    second = [
        ENTRY_HEADER,
        ["2025-04-01", "NOPE", "收入", "租金", "1", "", ""],
        ["2025-04-01", "H-1", "收入", "租金", "5", "", ""],
    ]
    with pytest.raises(InputError) as refused:
        import_entries(db, write_csv(tmp_path / "bad2.csv", second), ACTOR)
    [nope, household] = refused.value.findings
    assert (nope.row, nope.column, nope.value, nope.reason) == (2, "资产编号", "NOPE", "没有这项资产 (no such asset)")
    assert (household.row, household.column, household.value) == (3, "资产编号", "H-1")
    assert table_counts(db) == before


@pytest.mark.parametrize(
    "statement",
    ["UPDATE postings SET amount = amount + 1", "DELETE FROM entries WHERE id = 1", "UPDATE accounts SET name = 'x'"],
)
def test_books_refuse_update_and_delete(db: Database, statement: str) -> None:
    registers(db)
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))


def test_export_passes_bean_check_and_round_trips(db: Database, tmp_path: Path) -> None:
    registers(db)
    revenue(db, "A-2", "30000", "2025-06-30")
    out, _ = export_entity(db, VILLAGE, tmp_path / "v.beancount", ACTOR)
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(out)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    checks = list(check_entities(db, ACTOR))
    assert len(checks) == 2 and all(c.errors == [] for c in checks), checks
    columns, rows = query_entity(db, VILLAGE, "SELECT sum(number) AS total WHERE account ~ '^Income'", ACTOR)
    assert columns == ["total"] and Decimal(rows[0][0]) == Decimal("-30000.00")


def test_export_import_export_gives_the_same_entries(db: Database, tmp_path: Path) -> None:
    registers(db)
    revenue(db, "A-2", "30000", "2025-06-30")
    mistake = expense(db, "A-1", "12.34", "2025-07-01")
    reverse(db, mistake, "录错", ACTOR, dt.date(2025, 7, 2))
    first, _ = export_entity(db, VILLAGE, tmp_path / "first.beancount", ACTOR)
    # The other village's books take the exported ledger; exporting them gives the same entries.
    other = "V360921101202"
    assert import_ledger(db, first, other, ACTOR) == 5
    assert import_ledger(db, first, other, ACTOR) == 0  # refs seen
    second, _ = export_entity(db, other, tmp_path / "second.beancount", ACTOR)

    def entries(path: Path) -> list[str]:
        text = path.read_text(encoding="utf-8").split("\n\n", 1)[1]  # skip the title options
        return [line for line in text.splitlines() if "entry_id:" not in line and "reverses:" not in line]

    assert entries(first) == entries(second)


def test_import_refuses_what_it_cannot_represent(db: Database, tmp_path: Path) -> None:
    registers(db)
    before = table_counts(db)
    ledger = tmp_path / "foreign.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\n'
        "2020-01-01 open Assets:Bank CNY\n"
        "2020-01-01 open Assets:Broker USD\n"
        "2020-01-01 open Income:Other\n"
        '2020-02-01 * "ok"\n  Assets:Bank  10.00 CNY\n  Income:Other\n'
        '2020-02-02 * "fine print"\n  Assets:Bank  0.001 CNY\n  Income:Other  -0.001 CNY\n'
        '2020-02-03 * "dollars"\n  Assets:Broker  5 USD\n  Income:Other  -5 USD\n'
        "2020-03-01 close Assets:Bank\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        import_ledger(db, ledger, VILLAGE, ACTOR)
    assert refused.value.exit_code == 2
    found = refused.value.findings
    assert (3, "open", "USD") in _where(found)
    assert (14, "close") in [(f.row, f.column) for f in found]
    reasons = " ".join(f.reason for f in found)
    assert "more than two decimal places" in reasons and "only CNY amounts" in reasons, refused.value
    assert table_counts(db) == before


def test_sql_and_bql_figures_agree(db: Database) -> None:
    """Differential: income per asset from SQL equals BQL over the same books."""
    registers(db)
    for i, amount in enumerate(["100.10", "200.20", "0.01"]):
        revenue(db, "A-2", amount, f"2025-0{i + 1}-28")
    revenue(db, "A-1", "7.77", "2025-05-01", kind="other")
    expense(db, "A-1", "3.33", "2025-05-02")
    sql = {r.asset_id: (r.income, r.expenses) for r in income_by_asset(db, VILLAGE, actor=ACTOR)}
    bql = (
        "SELECT entry_meta('asset') AS asset, sum(number) AS income WHERE account ~ '^Income' "
        "GROUP BY asset ORDER BY asset"
    )
    columns, rows = query_entity(db, VILLAGE, bql, ACTOR)
    assert columns == ["asset", "income"]
    assert {asset: -Decimal(income) for asset, income in rows} == {k: v[0] for k, v in sql.items()}
    assert sql["A-1"] == (Decimal("7.77"), Decimal("3.33"))
