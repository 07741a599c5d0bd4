"""The books: opening entries, transfers, postings, reversal, period close, append-only, reconcile."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from assetledger.services.book_reports import balances, income_by_asset
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, posted_entry, table_counts, write_csv

VILLAGE = "V360921101201"
COUNTY = "C360921"
ENTRY_HEADER = ["日期", "资产编号", "收支", "类型", "金额", "摘要", "凭证号"]


def _registers(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [
        ASSET_HEADER,
        asset_row("A-1"),
        asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
        asset_row("A-3", 确权主体=None, 确权级别=None, 确权日期=None),  # unconfirmed: county books
        asset_row(
            "H-1",
            资产名称="能繁母牛",
            资产类别="到户类",
            户编号="H001",
            户主姓名="王建国",
            确权主体="王建国",
            确权级别="农户",
            管护主体=None,
        ),
    ]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))


def _balance(db: Database, entity: str, account: str) -> Decimal:
    return next((r.balance for r in balances(db, entity, actor="tester") if r.name == account), Decimal("0.00"))


def test_registration_books_each_asset_with_its_owner(run: Cli, db: Database) -> None:
    _registers(run)
    assert _balance(db, VILLAGE, "Assets:PublicBenefit:A-1") == Decimal("100000.00")
    assert _balance(db, VILLAGE, "Assets:FixedAssets:A-2") == Decimal("100000.00")
    assert _balance(db, VILLAGE, "Equity:Capital:Central") == Decimal("-60000.00")
    assert _balance(db, COUNTY, "Assets:PublicBenefit:A-3") == Decimal("100000.00")
    entities = json.loads(run("ledger", "entities", "--format", "json").output)
    assert {e["code"] for e in entities} == {VILLAGE, COUNTY}  # the household's cow is off the public books
    assert {e["kind"] for e in entities} == {"village", "county"}  # json keeps the codes
    table = run("ledger", "entities").output  # a person reads it: the kind by name
    assert "级次" in table and "村" in table and "县" in table and "village" not in table and "kind" not in table, table
    assert reconcile(db, "tester") == []
    assert "0 mismatch(es)" in run("ledger", "reconcile").output


def test_confirmation_moves_the_asset_between_books(run: Cli, db: Database) -> None:
    _registers(run)
    run("asset", "confirm", "A-3", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date", "2022-03-01")
    assert _balance(db, COUNTY, "Assets:PublicBenefit:A-3") == Decimal("0.00")
    assert _balance(db, VILLAGE, "Assets:PublicBenefit:A-3") == Decimal("100000.00")
    assert reconcile(db, "tester") == []


def test_post_revenue_expense_reverse_and_report(run: Cli, db: Database) -> None:
    _registers(run)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "30000", "--date", "2025-06-30")
    out = run(
        "ledger",
        "post",
        "--asset",
        "A-2",
        "--expense",
        "maintenance",
        "--amount",
        "1200.50",
        "--date",
        "2025-07-02",
        "--ref",
        "PZ-7",
    ).output
    expense_id = int(posted_entry(out))
    again = run(
        "ledger",
        "post",
        "--asset",
        "A-2",
        "--expense",
        "maintenance",
        "--amount",
        "1200.50",
        "--date",
        "2025-07-02",
        "--ref",
        "PZ-7",
    ).output
    assert "already posted" in again
    [row] = income_by_asset(db, VILLAGE, actor="tester")
    assert (row.asset_id, row.income, row.expenses, row.net) == (
        "A-2",
        Decimal("30000.00"),
        Decimal("1200.50"),
        Decimal("28799.50"),
    )
    run("ledger", "reverse", str(expense_id), "--reason", "重复录入", "--date", "2025-07-03")
    [row] = income_by_asset(db, VILLAGE, actor="tester")
    assert row.expenses == Decimal("0.00")
    twice = run("ledger", "reverse", str(expense_id), "--reason", "again", ok=False)
    assert twice.exit_code == 5 and "already reversed" in twice.output
    household = run(
        "ledger", "post", "--asset", "H-1", "--revenue", "other", "--amount", "1", "--date", "2025-01-01", ok=False
    )
    assert household.exit_code == 5 and "off the public books" in household.output
    unbalanced = run(
        "ledger",
        "post",
        "--entity",
        VILLAGE,
        "--date",
        "2025-07-03",
        "--narration",
        "x",
        "--posting",
        "Assets:Cash=500",
        "--posting",
        "Assets:Bank=-499.99",
        ok=False,
    )
    assert unbalanced.exit_code == 2 and "do not balance" in unbalanced.output
    unknown = run(
        "ledger",
        "post",
        "--entity",
        VILLAGE,
        "--date",
        "2025-07-03",
        "--narration",
        "x",
        "--posting",
        "Assets:Nowhere=5",
        "--posting",
        "Assets:Bank=-5",
        ok=False,
    )
    assert "Assets:Nowhere is not open" in unknown.output
    assert reconcile(db, "tester") == []


def test_closed_period_refuses_postings(run: Cli) -> None:
    _registers(run)
    out = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "10", "--date", "2025-03-01").output
    entry_id = posted_entry(out)
    run("ledger", "close", "--entity", VILLAGE, "--through", "2025-03-31")
    inside = run(
        "ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "10", "--date", "2025-03-31", ok=False
    )
    assert inside.exit_code == 5 and "closed through 2025-03-31" in inside.output  # refused by a rule
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "10", "--date", "2025-04-01")
    reversal = run("ledger", "reverse", entry_id, "--reason", "错", "--date", "2025-03-15", ok=False)
    assert reversal.exit_code == 5
    earlier = run("ledger", "close", "--entity", VILLAGE, "--through", "2025-01-31", ok=False)
    assert earlier.exit_code == 5


def test_import_entries_all_or_nothing_and_idempotent(run: Cli, db: Database) -> None:
    _registers(run)
    good = [
        ENTRY_HEADER,
        ["2025-01-31", "A-2", "收入", "租金", "2500.00", "一月租金", ""],
        ["2025-02-28", "A-2", "收入", "租金", "2500.00", "二月租金", ""],
        ["2025-03-05", "A-1", "支出", "维修", "800", "道路修补", "PZ-1"],
    ]
    path = write_csv(run.cwd / "entries.csv", good)
    assert "posted 3 entries; 0 already posted" in run("ledger", "import-entries", str(path)).output
    assert "posted 0 entries; 3 already posted" in run("ledger", "import-entries", str(path)).output
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
    result = run("ledger", "import-entries", str(write_csv(run.cwd / "bad.csv", bad)), ok=False)
    assert result.exit_code == 2
    for expected in (
        "第2行 (row 2)，列「日期」 (column)，值「2025-04-31」 (value)",
        "第4行 (row 4)，列「类型」 (column)，值「维修」 (value)",
        "第5行 (row 5)，列「金额」 (column)，值「1.001」 (value)",
    ):
        assert expected in result.output, result.output
    assert table_counts(db) == before
    second = [
        ENTRY_HEADER,
        ["2025-04-01", "NOPE", "收入", "租金", "1", "", ""],
        ["2025-04-01", "H-1", "收入", "租金", "5", "", ""],
    ]
    result = run("ledger", "import-entries", str(write_csv(run.cwd / "bad2.csv", second)), ok=False)
    assert "第2行 (row 2)，列「资产编号」 (column)，值「NOPE」 (value)：没有这项资产 (no such asset)" in result.output
    assert "第3行 (row 3)，列「资产编号」 (column)，值「H-1」 (value)" in result.output
    assert table_counts(db) == before


@pytest.mark.parametrize(
    "statement",
    ["UPDATE postings SET amount = amount + 1", "DELETE FROM entries WHERE id = 1", "UPDATE accounts SET name = 'x'"],
)
def test_books_refuse_update_and_delete(run: Cli, db: Database, statement: str) -> None:
    _registers(run)
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))


def test_export_passes_bean_check_and_round_trips(run: Cli, db: Database, tmp_path: Path) -> None:
    _registers(run)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "30000", "--date", "2025-06-30")
    out = tmp_path / "v.beancount"
    run("ledger", "export", "--entity", VILLAGE, "--out", str(out))
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(out)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "2 entities (" in run("ledger", "check").output
    bql = run(
        "ledger",
        "query",
        "--entity",
        VILLAGE,
        "--format",
        "json",
        "SELECT sum(number) AS total WHERE account ~ '^Income'",
    ).output
    assert Decimal(json.loads(bql)[0]["total"]) == Decimal("-30000.00")


def test_export_import_export_gives_the_same_entries(run: Cli, db: Database, tmp_path: Path) -> None:
    _registers(run)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "30000", "--date", "2025-06-30")
    out = run(
        "ledger", "post", "--asset", "A-1", "--expense", "maintenance", "--amount", "12.34", "--date", "2025-07-01"
    ).output
    run("ledger", "reverse", posted_entry(out), "--reason", "录错", "--date", "2025-07-02")
    first = tmp_path / "first.beancount"
    run("ledger", "export", "--entity", VILLAGE, "--out", str(first))
    # The other village's books take the exported ledger; exporting them gives the same entries.
    other = "V360921101202"
    assert "imported 5 entries" in run("ledger", "import", str(first), "--entity", other).output
    assert "imported 0 entries" in run("ledger", "import", str(first), "--entity", other).output  # refs seen
    second = tmp_path / "second.beancount"
    run("ledger", "export", "--entity", other, "--out", str(second))

    def entries(path: Path) -> list[str]:
        text = path.read_text(encoding="utf-8").split("\n\n", 1)[1]  # skip the title options
        return [line for line in text.splitlines() if "entry_id:" not in line and "reverses:" not in line]

    assert entries(first) == entries(second)


def test_import_refuses_what_it_cannot_represent(run: Cli, db: Database, tmp_path: Path) -> None:
    _registers(run)
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
    result = run("ledger", "import", str(ledger), "--entity", VILLAGE, ok=False)
    assert result.exit_code == 2
    for expected in (
        "第3行 (row 3)，列「open」 (column)，值「USD」 (value)",
        "more than two decimal places",
        "only CNY amounts",
        "第14行 (row 14)，列「close」 (column)",
    ):
        assert expected in result.output, result.output
    assert table_counts(db) == before


def test_sql_and_bql_figures_agree(run: Cli, db: Database) -> None:
    """Differential: income per asset from SQL equals BQL over the same books."""
    _registers(run)
    for i, amount in enumerate(["100.10", "200.20", "0.01"]):
        run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", amount, "--date", f"2025-0{i + 1}-28")
    run("ledger", "post", "--asset", "A-1", "--revenue", "other", "--amount", "7.77", "--date", "2025-05-01")
    run("ledger", "post", "--asset", "A-1", "--expense", "maintenance", "--amount", "3.33", "--date", "2025-05-02")
    sql = {r.asset_id: (r.income, r.expenses) for r in income_by_asset(db, VILLAGE, actor="tester")}
    bql = json.loads(
        run(
            "ledger",
            "query",
            "--entity",
            VILLAGE,
            "--format",
            "json",
            "SELECT entry_meta('asset') AS asset, sum(number) AS income WHERE account ~ '^Income' "
            "GROUP BY asset ORDER BY asset",
        ).output
    )
    assert {r["asset"]: -Decimal(r["income"]) for r in bql} == {k: v[0] for k, v in sql.items()}
    assert sql["A-1"] == (Decimal("7.77"), Decimal("3.33"))
