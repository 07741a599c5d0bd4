"""The books record what happened, never what is planned: an entry dated after today is refused by the posting
service itself, whichever way it comes (`ledger post`, a bulk entry file, the web form: tests/web), and nothing is
written. A 2099 rent would otherwise block every disposal dated before it (DOMAIN rule 16)."""

from __future__ import annotations

import datetime as dt

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import posted_entry, table_counts, write_csv
from tests.services.test_journal import _registers

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
REFUSED = "记账日期晚于今天"


def test_a_revenue_or_expense_dated_after_today_is_refused(run: Cli, db: Database) -> None:
    _registers(run)
    before = table_counts(db)
    for args in (["--revenue", "rent", "--date", "2099-12-31", "--ref", "FUT-1"],
                 ["--expense", "maintenance", "--date", "2999-12-31"],
                 ["--revenue", "rent", "--date", TOMORROW]):  # fmt: skip
        out = run("ledger", "post", "--asset", "A-2", "--amount", "100", *args, ok=False)
        assert out.exit_code == 5, out.output
        assert REFUSED in out.output and "列「--date」 (column)" in out.output and "Traceback" not in out.output
        assert f"值「{args[-1] if args[-2] == '--date' else args[-3]}」 (value)" in out.output
    assert table_counts(db) == before
    today = dt.date.today().isoformat()
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", today)


def test_a_future_entry_cannot_block_a_disposal(run: Cli, db: Database) -> None:
    """The tester's case: a 2099 rent was posted, then `asset dispose` refused an earlier date. Now the rent is
    refused and the disposal goes through."""
    _registers(run)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", "2099-12-31", ok=False)
    run("asset", "dispose", "A-2", "--method", "auction", "--date", dt.date.today().isoformat(), "--proceeds",
        "90000", "--approval", "县〔2026〕3号", "--approved-by", "county")  # fmt: skip


def test_an_entry_file_names_the_row_header_and_value_of_a_future_date(run: Cli, db: Database) -> None:
    _registers(run)
    path = write_csv(run.cwd / "entries.csv", [
        ["记账日期", "资产编号", "收支", "类型", "金额", "凭证号"],
        ["2025-03-01", "A-2", "收入", "租金", "1000", "R-1"],
        ["2099-01-01", "A-2", "收入", "租金", "1000", "R-2"],
        ["2025-04-01", "A-2", "支出", "维修", "200", "R-3"],
        [TOMORROW, "A-2", "支出", "维修", "200", "R-4"],
    ])  # fmt: skip
    before = table_counts(db)
    out = run("ledger", "import-entries", str(path), ok=False)
    assert out.exit_code == 5, out.output
    assert f"{path}，第3行 (row 3)，列「记账日期」 (column)，值「2099-01-01」 (value)：{REFUSED}" in out.output
    assert f"{path}，第5行 (row 5)，列「记账日期」 (column)，值「{TOMORROW}」 (value)：{REFUSED}" in out.output
    assert "row 2," not in out.output and "row 4," not in out.output
    assert table_counts(db) == before


def test_a_reversal_is_not_dated_after_today(run: Cli, db: Database) -> None:
    _registers(run)
    out = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", "2025-10-15")
    entry_id = posted_entry(out.output)
    before = table_counts(db)
    refused = run("ledger", "reverse", entry_id, "--reason", "录错", "--date", "2099-01-01", ok=False)
    assert refused.exit_code == 5 and "冲销日期 2099-01-01 晚于今天" in refused.output
    assert table_counts(db) == before
    run("ledger", "reverse", entry_id, "--reason", "录错")


def test_a_reversal_is_dated_the_day_it_is_made_and_says_when_that_is_a_later_month(run: Cli, db: Database) -> None:
    """DOMAIN rule 16: a correction's business date is the day it is made, so the original's month keeps the totals
    already reported or distributed; a reversal in a later month says in which month the correction counts."""
    _registers(run)
    today = dt.date.today()
    first = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", "2025-10-15")
    done = run("ledger", "reverse", posted_entry(first.output), "--reason", "录错")
    now = f"{today.year}-{today.month:02d}"
    assert f"on {today.isoformat()}" in done.output, done.output
    assert f"冲销记入 {now}，原分录在 2025-10" in done.output and f"counts in {now}" in done.output
    same = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "200", "--date", "2025-11-03")
    dated = run("ledger", "reverse", posted_entry(same.output), "--reason", "录错", "--date", "2025-11-20")
    assert "on 2025-11-20" in dated.output and "冲销记入" not in dated.output  # the same month: no note
