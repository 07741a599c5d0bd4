"""Roster dates are never after today (a 2027 typed for 2026 would keep a household that left on every
distribution and block every correction), and an exit recorded by mistake or with a wrong date is corrected by a
dated correction of record beside it, never by editing it (DOMAIN rules 5 and 16)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from assetledger.errors import InputError, RuleViolation
from assetledger.io.household_rows import CATEGORIES, HouseholdRow
from assetledger.services.audit import verify
from assetledger.services.beneficiaries import add_household, correct_exit, import_roster, remove_household
from assetledger.store.db import Database
from assetledger.store.distribution_models import Household, HouseholdEvent
from tests.builders import ACTOR, regions, roster
from tests.helpers import table_counts, write_csv

VILLAGE = "360921101201"
HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]
LATER = dt.date.today() + dt.timedelta(days=160)


def _roster(db: Database) -> None:
    regions(db)
    roster(db, [HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "", ""]])


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


def _where(error: InputError) -> list[tuple[str, int | None, str | None, str | None]]:
    """Source, row, column and value of each finding of a refused input."""
    return [(f.source, f.row, f.column, f.value) for f in error.findings]


def test_roster_dates_after_today_are_refused_everywhere(db: Database, tmp_path: Path) -> None:
    _roster(db)
    before = table_counts(db)
    with pytest.raises(InputError) as removed:
        remove_household(db, "H1", LATER, "death", ACTOR)
    assert removed.value.exit_code == 2
    [finding] = removed.value.findings
    assert (finding.column, finding.value) == ("--date", LATER.isoformat()) and "after today" in finding.reason
    joining = HouseholdRow("H9", VILLAGE, "李四", 2, CATEGORIES["脱贫户"], (), LATER, None, None)
    with pytest.raises(InputError) as added:
        add_household(db, joining, VILLAGE, ACTOR)
    assert added.value.exit_code == 2
    [finding] = added.value.findings
    assert (finding.column, finding.value) == ("--joined", LATER.isoformat()), finding
    path = write_csv(tmp_path / "名册.csv", [
        HEADER,
        ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", LATER.isoformat(), "死亡"],
        ["H2", VILLAGE, "王二", "2", "监测户", "", LATER.isoformat(), "", ""],
    ])  # fmt: skip
    with pytest.raises(InputError) as imported:
        import_roster(db, path, ACTOR)
    assert imported.value.exit_code == 2
    assert _where(imported.value) == [
        (str(path), 2, "退出日期", LATER.isoformat()),
        (str(path), 3, "纳入日期", LATER.isoformat()),
    ]
    assert table_counts(db) == before and _household(db, "H1") == (None, None)


def test_a_wrongly_dated_exit_is_corrected_beside_the_first_record(db: Database, tmp_path: Path) -> None:
    _roster(db)
    remove_household(db, "H1", dt.date(2025, 5, 12), "death", ACTOR)
    with pytest.raises(RuleViolation) as again:
        remove_household(db, "H1", dt.date(2025, 8, 15), "death", ACTOR)
    assert (
        again.value.exit_code == 5
        and "already left on 2025-05-12" in str(again.value)
        and "correct-exit" in str(again.value)
    )
    row = [HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "2025-08-15", "死亡"]]
    path = write_csv(tmp_path / "fix.csv", row)
    with pytest.raises(InputError) as refused:
        import_roster(db, path, ACTOR)
    assert refused.value.exit_code == 2 and _where(refused.value) == [(str(path), 2, "退出日期", "2025-08-15")]
    assert "correct-exit" in str(refused.value)
    before = table_counts(db)
    with pytest.raises(InputError) as no_reason:
        correct_exit(db, "H1", " ", ACTOR, left_on=dt.date(2025, 8, 15))
    assert no_reason.value.exit_code == 2 and [f.column for f in no_reason.value.findings] == ["--reason"]
    assert _household(db, "H1") == (dt.date(2025, 5, 12), "death")
    with pytest.raises(InputError) as cause_alone:  # a cause without the date would withdraw the exit unasked
        correct_exit(db, "H1", "录错", ACTOR, left_reason="exit")
    assert [(f.column, f.value) for f in cause_alone.value.findings] == [("--cause", "exit")]
    assert table_counts(db) == before
    with pytest.raises(InputError, match="after today") as future:
        correct_exit(db, "H1", "录错", ACTOR, left_on=LATER)
    assert future.value.exit_code == 2 and table_counts(db) == before
    fixed = correct_exit(db, "H1", "日期录错", ACTOR, left_on=dt.date(2025, 8, 15))
    assert fixed == (dt.date(2025, 5, 12), dt.date(2025, 8, 15))
    assert _household(db, "H1") == (dt.date(2025, 8, 15), "death")
    kinds = [(kind, on) for kind, on, _ in _events(db)]
    assert kinds == [("joined", dt.date(2024, 1, 1)), ("left", dt.date(2025, 5, 12)),
                     ("exit_corrected", dt.date.today())]  # fmt: skip
    assert _events(db)[-1][2] == {
        "from": {"left_on": "2025-05-12", "reason": "death"},
        "to": {"left_on": "2025-08-15", "reason": "death"},
        "why": "日期录错",
    }
    assert list(verify(db, ACTOR, bean_check=False)) == []  # the record verifies clean


def test_an_exit_recorded_by_mistake_is_withdrawn_then_a_roster_row_records_the_right_one(
    db: Database, tmp_path: Path
) -> None:
    _roster(db)
    remove_household(db, "H1", dt.date(2025, 5, 12), "exit", ACTOR)
    withdrawn = correct_exit(db, "H1", "登记错户", ACTOR)
    assert withdrawn == (dt.date(2025, 5, 12), None) and _household(db, "H1") == (None, None)
    with pytest.raises(RuleViolation, match="has not left") as nothing:
        correct_exit(db, "H1", "再次", ACTOR)
    assert nothing.value.exit_code == 5
    row = [HEADER, ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "2025-09-30", "退出"]]
    done = import_roster(db, write_csv(tmp_path / "名册.csv", row), ACTOR)
    assert (done.joined, done.changed, done.left) == (0, 0, 1)
    assert _household(db, "H1") == (dt.date(2025, 9, 30), "exit")
    assert [kind for kind, _, _ in _events(db)] == ["joined", "left", "exit_corrected", "left"]
