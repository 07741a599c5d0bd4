"""Roster dates are never after today (a 2027 typed for 2026 would keep a household that left on every
distribution and block every correction), and an exit recorded by mistake or with a wrong date is corrected by a
dated correction of record beside it, never by editing it (DOMAIN rules 5 and 16)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from assetledger.store.db import Database
from assetledger.store.distribution_models import Household, HouseholdEvent
from tests.conftest import Cli
from tests.helpers import REGIONS, table_counts, write_csv

VILLAGE = "360921101201"
HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]
LATER = (dt.date.today() + dt.timedelta(days=160)).isoformat()


def _roster(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "", ""]]
    run("beneficiary", "import", str(write_csv(run.cwd / "roster.csv", rows)))


def _household(db: Database, household_id: str) -> tuple[dt.date | None, str | None]:
    with db.reading() as session:
        h = session.get(Household, household_id)
        assert h is not None
        return h.left_on, h.left_reason


def _events(db: Database) -> list[tuple[str, dt.date, dict[str, object]]]:
    with db.reading() as session:
        rows = session.execute(
            select(HouseholdEvent.kind, HouseholdEvent.event_date, HouseholdEvent.payload).order_by(HouseholdEvent.id)
        )
        return [(kind, on, dict(payload)) for kind, on, payload in rows]


def test_roster_dates_after_today_are_refused_everywhere(run: Cli, db: Database) -> None:
    _roster(run)
    before = table_counts(db)
    removed = run("beneficiary", "remove", "H1", "--date", LATER, "--reason", "death", ok=False)
    assert removed.exit_code == 2 and f"--date」 (column)，值「{LATER}」 (value)" in removed.output, removed.output
    assert "after today" in removed.output
    added = run("beneficiary", "add", "--id", "H9", "--village", VILLAGE, "--head", "李四", "--persons", "2",
                "--category", "脱贫户", "--joined", LATER, ok=False)  # fmt: skip
    assert added.exit_code == 2 and f"--joined」 (column)，值「{LATER}」 (value)" in added.output, added.output
    rows = [
        HEADER,
        ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", LATER, "死亡"],
        ["H2", VILLAGE, "王二", "2", "监测户", "", LATER, "", ""],
    ]
    imported = run("beneficiary", "import", str(write_csv(run.cwd / "名册.csv", rows)), ok=False)
    assert imported.exit_code == 2, imported.output
    assert "名册.csv" in imported.output
    assert f"第2行 (row 2)，列「退出日期」 (column)，值「{LATER}」 (value)" in imported.output
    assert f"第3行 (row 3)，列「纳入日期」 (column)，值「{LATER}」 (value)" in imported.output
    assert table_counts(db) == before and _household(db, "H1") == (None, None)


def test_a_wrongly_dated_exit_is_corrected_beside_the_first_record(run: Cli, db: Database) -> None:
    _roster(run)
    run("beneficiary", "remove", "H1", "--date", "2025-05-12", "--reason", "death")
    again = run("beneficiary", "remove", "H1", "--date", "2025-08-15", "--reason", "death", ok=False)
    assert "already left on 2025-05-12" in again.output and "correct-exit" in again.output
    row = [HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "2025-08-15", "死亡"]]
    refused = run("beneficiary", "import", str(write_csv(run.cwd / "fix.csv", row)), ok=False)
    assert (
        "第2行 (row 2)，列「退出日期」 (column)，值「2025-08-15」 (value)" in refused.output
        and "correct-exit" in refused.output
    )

    no_reason = run("beneficiary", "correct-exit", "H1", "--reason", " ", "--date", "2025-08-15", ok=False)
    assert no_reason.exit_code == 2 and _household(db, "H1") == (dt.date(2025, 5, 12), "death")
    future = run("beneficiary", "correct-exit", "H1", "--reason", "录错", "--date", LATER, ok=False)
    assert future.exit_code == 2 and "after today" in future.output
    fixed = run("beneficiary", "correct-exit", "H1", "--reason", "日期录错", "--date", "2025-08-15")
    assert "exit of 2025-05-12 corrected to 2025-08-15" in fixed.output
    assert _household(db, "H1") == (dt.date(2025, 8, 15), "death")
    kinds = [(kind, on) for kind, on, _ in _events(db)]
    assert kinds == [("joined", dt.date(2024, 1, 1)), ("left", dt.date(2025, 5, 12)),
                     ("exit_corrected", dt.date.today())]  # fmt: skip
    assert _events(db)[-1][2] == {
        "from": {"left_on": "2025-05-12", "reason": "death"},
        "to": {"left_on": "2025-08-15", "reason": "death"},
        "why": "日期录错",
    }
    assert "the record verifies clean" in run("audit", "verify", "--skip-bean-check").output


def test_an_exit_recorded_by_mistake_is_withdrawn_then_a_roster_row_records_the_right_one(
    run: Cli, db: Database
) -> None:
    _roster(run)
    run("beneficiary", "remove", "H1", "--date", "2025-05-12", "--reason", "exit")
    withdrawn = run("beneficiary", "correct-exit", "H1", "--reason", "登记错户")
    assert "exit of 2025-05-12 withdrawn" in withdrawn.output and _household(db, "H1") == (None, None)
    nothing = run("beneficiary", "correct-exit", "H1", "--reason", "再次", ok=False)
    assert nothing.exit_code == 5 and "has not left" in nothing.output
    row = [HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "2025-09-30", "退出"]]
    done = run("beneficiary", "import", str(write_csv(run.cwd / "名册.csv", row)))
    assert "1 left" in done.output and _household(db, "H1") == (dt.date(2025, 9, 30), "exit")
    assert [kind for kind, _, _ in _events(db)] == ["joined", "left", "exit_corrected", "left"]
