"""A change of a known household (户主, 人口, 类别, 因素) is dated by what the user states — the roster row's 变更日期,
else the command's --date — and recorded at the time it was recorded (DOMAIN rule 16): never the machine's date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from assetledger.store.db import Database
from assetledger.store.distribution_models import HouseholdEvent
from tests.conftest import Cli
from tests.helpers import REGIONS, table_counts, write_csv

VILLAGE = "360921101201"
HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期"]
FIRST = [
    HEADER,
    ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01"],
    ["H2", VILLAGE, "王二", "2", "监测户", "", "2024-03-01"],
]


def _changes(db: Database) -> list[tuple[str, dt.date, dict[str, object]]]:
    with db.reading() as session:
        rows = session.execute(
            select(HouseholdEvent.household_id, HouseholdEvent.event_date, HouseholdEvent.payload)
            .where(HouseholdEvent.kind == "changed")
            .order_by(HouseholdEvent.id)
        )
        return [(h, on, dict(payload)) for h, on, payload in rows]


def _roster(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("beneficiary", "import", str(write_csv(run.cwd / "roster.csv", FIRST)))


def test_a_change_without_its_date_is_refused_and_nothing_changes(run: Cli, db: Database) -> None:
    _roster(run)
    before = table_counts(db)
    changed = [HEADER, FIRST[1], ["H2", VILLAGE, "王二", "4", "脱贫户", "无劳动能力", "2024-03-01"]]
    refused = run("beneficiary", "import", str(write_csv(run.cwd / "名册2.csv", changed)), ok=False)
    assert refused.exit_code == 2, refused.output
    assert "名册2.csv" in refused.output and "第3行 (row 3)，列「变更日期」 (column)" in refused.output
    assert "人口 2 → 4; 类别 监测户 → 脱贫户; 因素 无 → 无劳动能力" in refused.output
    assert "Traceback" not in refused.output
    assert table_counts(db) == before and _changes(db) == []
    same = run("beneficiary", "import", str(write_csv(run.cwd / "名册3.csv", FIRST)))  # nothing changed: no date needed
    assert "0 changed" in same.output


def test_the_commands_date_or_the_rows_own_date_the_change(run: Cli, db: Database) -> None:
    _roster(run)
    changed = [
        [*HEADER, "变更日期"],
        ["H1", VILLAGE, "王一", "4", "脱贫户", "", "2024-01-01", "2025-03-15"],  # its own date
        ["H2", VILLAGE, "王二", "1", "监测户", "", "2024-03-01", ""],  # the command's
    ]
    path = write_csv(run.cwd / "名册2.csv", changed)
    dry = run("beneficiary", "import", str(path), "--date", "2025-06-30", "--dry-run")
    assert "would record 0 joined, 2 changed" in dry.output and _changes(db) == []
    done = run("beneficiary", "import", str(path), "--date", "2025-06-30")
    assert "recorded 0 joined, 2 changed" in done.output
    found = _changes(db)
    assert [(h, on) for h, on, _ in found] == [("H1", dt.date(2025, 3, 15)), ("H2", dt.date(2025, 6, 30))]
    facts = {"head": "王一", "category": "poverty_exited", "factors": []}
    assert found[0][2] == {"from": {**facts, "persons": 3}, "to": {**facts, "persons": 4}}
    with db.reading() as session:
        recorded = session.scalars(select(HouseholdEvent.recorded_at).where(HouseholdEvent.kind == "changed")).all()
    assert all(at is not None for at in recorded)  # when it was recorded, beside when it took effect
    assert "the record verifies clean" in run("audit", "verify", "--skip-bean-check").output


def test_a_change_dated_before_joining_or_after_today_is_refused(run: Cli, db: Database) -> None:
    _roster(run)
    before = table_counts(db)
    early = [[*HEADER, "调整日期"], ["H2", VILLAGE, "王二", "5", "监测户", "", "2024-03-01", "2024-02-01"]]
    refused = run("beneficiary", "import", str(write_csv(run.cwd / "early.csv", early)), ok=False)
    assert (
        "第2行 (row 2)，列「调整日期」 (column)，值「2024-02-01」 (value)" in refused.output
        and "2024-03-01" in refused.output
    )
    late = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    changed = [HEADER, ["H2", VILLAGE, "王二", "5", "监测户", "", "2024-03-01"]]
    refused = run("beneficiary", "import", str(write_csv(run.cwd / "late.csv", changed)), "--date", late, ok=False)
    assert refused.exit_code == 2 and f"值「{late}」 (value)" in refused.output and "after today" in refused.output
    assert table_counts(db) == before
