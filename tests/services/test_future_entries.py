"""The books record what happened, never what is planned: an entry dated after today is refused by the posting
service itself, whichever way it comes (`ledger post`, a bulk entry file, the web form: tests/web), and nothing is
written. A 2099 rent would otherwise block every disposal dated before it (DOMAIN rule 16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.booking import AssetPosting
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import RuleRefusal, RuleViolation
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.journal import import_entries, post_for_asset, reverse
from assetledger.store.db import Database
from tests.builders import ACTOR, registers, revenue
from tests.helpers import table_counts, write_csv

TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)
REFUSED = "记账日期晚于今天"


def test_a_revenue_or_expense_dated_after_today_is_refused(db: Database) -> None:
    registers(db)
    before = table_counts(db)
    for posting in (AssetPosting("A-2", dt.date(2099, 12, 31), "revenue", "rent", Decimal("100"), ref="FUT-1"),
                    AssetPosting("A-2", dt.date(2999, 12, 31), "expense", "maintenance", Decimal("100")),
                    AssetPosting("A-2", TOMORROW, "revenue", "rent", Decimal("100"))):  # fmt: skip
        with pytest.raises(RuleRefusal) as refused:
            post_for_asset(db, posting, ACTOR)
        assert refused.value.exit_code == 5
        [finding] = refused.value.findings
        assert (finding.column, finding.value) == ("--date", posting.date.isoformat())  # the command's option
        assert finding.reason.startswith(REFUSED), finding
    assert table_counts(db) == before
    revenue(db, "A-2", "100", TODAY)


def test_a_future_entry_cannot_block_a_disposal(db: Database) -> None:
    """The tester's case: a 2099 rent was posted, then `asset dispose` refused an earlier date. Now the rent is
    refused and the disposal goes through."""
    registers(db)
    with pytest.raises(RuleRefusal, match=REFUSED):
        post_for_asset(db, AssetPosting("A-2", dt.date(2099, 12, 31), "revenue", "rent", Decimal("100")), ACTOR)
    auction = DisposalRequest(
        "A-2", DisposalMethod.AUCTION, TODAY, Decimal("90000"), "县〔2026〕3号", ApprovalLevel.COUNTY
    )
    dispose(db, auction, ACTOR)


def test_an_entry_file_names_the_row_header_and_value_of_a_future_date(db: Database, tmp_path: Path) -> None:
    registers(db)
    path = write_csv(tmp_path / "entries.csv", [
        ["记账日期", "资产编号", "收支", "类型", "金额", "凭证号"],
        ["2025-03-01", "A-2", "收入", "租金", "1000", "R-1"],
        ["2099-01-01", "A-2", "收入", "租金", "1000", "R-2"],
        ["2025-04-01", "A-2", "支出", "维修", "200", "R-3"],
        [TOMORROW.isoformat(), "A-2", "支出", "维修", "200", "R-4"],
    ])  # fmt: skip
    before = table_counts(db)
    with pytest.raises(RuleRefusal) as refused:
        import_entries(db, path, ACTOR)
    assert refused.value.exit_code == 5
    found = refused.value.findings
    assert [(f.source, f.row, f.column, f.value) for f in found] == [
        (str(path), 3, "记账日期", "2099-01-01"),
        (str(path), 5, "记账日期", TOMORROW.isoformat()),
    ]  # rows 2 and 4 are not named
    assert all(f.reason.startswith(REFUSED) for f in found), found
    assert table_counts(db) == before


def test_a_reversal_is_not_dated_after_today(db: Database) -> None:
    registers(db)
    entry_id = revenue(db, "A-2", "100", "2025-10-15")
    before = table_counts(db)
    with pytest.raises(RuleViolation, match="冲销日期 2099-01-01 晚于今天") as refused:
        reverse(db, entry_id, "录错", ACTOR, dt.date(2099, 1, 1))
    assert refused.value.exit_code == 5
    assert table_counts(db) == before
    reverse(db, entry_id, "录错", ACTOR)


def test_a_reversal_is_dated_the_day_it_is_made_and_says_when_that_is_a_later_month(db: Database) -> None:
    """DOMAIN rule 16: a correction's business date is the day it is made, so the original's month keeps the totals
    already reported or distributed; a reversal in a later month says in which month the correction counts."""
    registers(db)
    done = reverse(db, revenue(db, "A-2", "100", "2025-10-15"), "录错", ACTOR)
    now = f"{TODAY.year}-{TODAY.month:02d}"
    assert (done.original_date, done.date) == (dt.date(2025, 10, 15), TODAY)
    assert done.note is not None, done
    assert f"冲销记入 {now}，原分录在 2025-10" in done.note and f"counts in {now}" in done.note
    dated = reverse(db, revenue(db, "A-2", "200", "2025-11-03"), "录错", ACTOR, dt.date(2025, 11, 20))
    assert (dated.date, dated.note) == (dt.date(2025, 11, 20), None)  # the same month: no note
