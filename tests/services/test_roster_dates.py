"""A change of a known household (户主, 人口, 类别, 因素) is dated by what the user states — the roster row's 变更日期,
else the command's --date — and recorded at the time it was recorded (DOMAIN rule 16): never the machine's date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from assetledger.errors import InputError
from assetledger.services.audit import verify
from assetledger.services.beneficiaries import import_roster
from assetledger.store.db import Database
from assetledger.store.distribution_models import HouseholdEvent
from tests.builders import ACTOR, regions, roster
from tests.helpers import table_counts, write_csv

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


def _roster(db: Database) -> None:
    regions(db)
    roster(db, FIRST)


def test_a_change_without_its_date_is_refused_and_nothing_changes(db: Database, tmp_path: Path) -> None:
    _roster(db)
    before = table_counts(db)
    changed = [HEADER, FIRST[1], ["H2", VILLAGE, "王二", "4", "脱贫户", "无劳动能力", "2024-03-01"]]
    path = write_csv(tmp_path / "名册2.csv", changed)
    with pytest.raises(InputError) as refused:
        import_roster(db, path, ACTOR)
    assert refused.value.exit_code == 2
    [finding] = refused.value.findings
    assert (finding.source, finding.row, finding.column) == (str(path), 3, "变更日期")
    assert "人口 2 → 4; 类别 监测户 → 脱贫户; 因素 无 → 无劳动能力" in finding.reason, finding
    assert table_counts(db) == before and _changes(db) == []
    assert roster(db, FIRST).changed == 0  # nothing changed: no date needed


def test_the_commands_date_or_the_rows_own_date_the_change(db: Database, tmp_path: Path) -> None:
    _roster(db)
    changed = [
        [*HEADER, "变更日期"],
        ["H1", VILLAGE, "王一", "4", "脱贫户", "", "2024-01-01", "2025-03-15"],  # its own date
        ["H2", VILLAGE, "王二", "1", "监测户", "", "2024-03-01", ""],  # the command's
    ]
    path = write_csv(tmp_path / "名册2.csv", changed)
    dry = import_roster(db, path, ACTOR, on=dt.date(2025, 6, 30), dry_run=True)
    assert (dry.joined, dry.changed) == (0, 2) and _changes(db) == []
    done = import_roster(db, path, ACTOR, on=dt.date(2025, 6, 30))
    assert (done.joined, done.changed) == (0, 2)
    found = _changes(db)
    assert [(h, on) for h, on, _ in found] == [("H1", dt.date(2025, 3, 15)), ("H2", dt.date(2025, 6, 30))]
    facts = {"head": "王一", "category": "poverty_exited", "factors": []}
    assert found[0][2] == {"from": {**facts, "persons": 3}, "to": {**facts, "persons": 4}}
    with db.reading() as session:
        recorded = session.scalars(select(HouseholdEvent.recorded_at).where(HouseholdEvent.kind == "changed")).all()
    assert all(at is not None for at in recorded)  # when it was recorded, beside when it took effect
    assert list(verify(db, ACTOR, bean_check=False)) == []  # the record verifies clean


def test_a_change_dated_before_joining_or_after_today_is_refused(db: Database, tmp_path: Path) -> None:
    _roster(db)
    before = table_counts(db)
    early = [[*HEADER, "调整日期"], ["H2", VILLAGE, "王二", "5", "监测户", "", "2024-03-01", "2024-02-01"]]
    with pytest.raises(InputError) as refused:
        import_roster(db, write_csv(tmp_path / "early.csv", early), ACTOR)
    [finding] = refused.value.findings
    assert (finding.row, finding.column, finding.value) == (2, "调整日期", "2024-02-01")
    assert "2024-03-01" in finding.reason, finding
    late = dt.date.today() + dt.timedelta(days=2)
    changed = [HEADER, ["H2", VILLAGE, "王二", "5", "监测户", "", "2024-03-01"]]
    with pytest.raises(InputError) as refused:
        import_roster(db, write_csv(tmp_path / "late.csv", changed), ACTOR, on=late)
    assert refused.value.exit_code == 2
    [finding] = refused.value.findings
    assert finding.value == late.isoformat() and "after today" in finding.reason, finding
    assert table_counts(db) == before
