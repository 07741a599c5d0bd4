"""`beneficiary import` over the roster service (tests/services/test_roster_dates.py holds what the service does):
what it says it would record and recorded, its --date and --dry-run, and exit 2 naming the file, row, column and
value of a change it cannot date."""

from __future__ import annotations

import datetime as dt

from assetledger.store.db import Database
from tests.builders import regions, roster
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv
from tests.services.test_roster_dates import FIRST, HEADER, VILLAGE, _changes


def test_it_says_what_it_would_record_and_recorded_dated_by_the_date_option(run: Cli, db: Database) -> None:
    regions(db)
    roster(db, FIRST)
    changed = [HEADER, ["H2", VILLAGE, "王二", "1", "监测户", "", "2024-03-01"]]
    path = write_csv(run.cwd / "名册2.csv", changed)
    dry = run("beneficiary", "import", str(path), "--date", "2025-06-30", "--dry-run")
    assert "would record 0 joined, 1 changed" in dry.output and _changes(db) == []
    done = run("beneficiary", "import", str(path), "--date", "2025-06-30")
    assert "recorded 0 joined, 1 changed" in done.output
    assert [(h, on) for h, on, _ in _changes(db)] == [("H2", dt.date(2025, 6, 30))]
    assert "0 changed" in run("beneficiary", "import", str(path)).output  # nothing changed: no date needed
    assert "the record verifies clean" in run("audit", "verify", "--skip-bean-check").output


def test_a_change_it_cannot_date_exits_2_naming_the_file_row_column_and_value(run: Cli, db: Database) -> None:
    regions(db)
    roster(db, FIRST)
    before = table_counts(db)
    changed = [HEADER, FIRST[1], ["H2", VILLAGE, "王二", "4", "脱贫户", "无劳动能力", "2024-03-01"]]
    refused = run("beneficiary", "import", str(write_csv(run.cwd / "名册2.csv", changed)), ok=False)
    assert refused.exit_code == 2, refused.output
    assert "名册2.csv" in refused.output and "第3行 (row 3)，列「变更日期」 (column)" in refused.output
    assert "人口 2 → 4; 类别 监测户 → 脱贫户; 因素 无 → 无劳动能力" in refused.output
    assert "Traceback" not in refused.output
    early = [[*HEADER, "调整日期"], ["H2", VILLAGE, "王二", "5", "监测户", "", "2024-03-01", "2024-02-01"]]
    refused = run("beneficiary", "import", str(write_csv(run.cwd / "early.csv", early)), ok=False)
    assert refused.exit_code == 2, refused.output
    assert "第2行 (row 2)，列「调整日期」 (column)，值「2024-02-01」 (value)" in refused.output
    assert "2024-03-01" in refused.output
    late = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    path = write_csv(run.cwd / "late.csv", [HEADER, ["H2", VILLAGE, "王二", "5", "监测户", "", "2024-03-01"]])
    refused = run("beneficiary", "import", str(path), "--date", late, ok=False)
    assert refused.exit_code == 2 and f"值「{late}」 (value)" in refused.output and "after today" in refused.output
    assert table_counts(db) == before
