"""Queries side by side on several connections: one snapshot for all, the same figures as one by one, failures
raised in the caller."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.rules.award_policy import parse_policy
from assetledger.services.indicators import Request, compute
from assetledger.store.db import Database
from assetledger.store.models import Region
from assetledger.store.side_by_side import run_side_by_side
from tests.conftest import Cli
from tests.helpers import write_csv
from tests.services.test_awards import _policy, _setup

REGION_HEADER = ["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"]


def _regions(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Region)) or 0)


def test_every_session_sees_the_state_of_the_moment_they_were_opened(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "a.csv", [REGION_HEADER, ["甲县", "360921", "", "", "", ""]])))
    with db.shared_snapshot(3) as sessions:
        # a commit after the snapshot was taken but before two of the sessions read anything of their own
        run("region", "import", str(write_csv(run.cwd / "b.csv", [REGION_HEADER, ["乙县", "360922", "", "", "", ""]])))
        seen = [_regions(s) for s in sessions]
    with db.reading() as later:
        now = _regions(later)
    assert seen == [1, 1, 1] and now == 2


def test_indicators_side_by_side_equal_one_by_one(run: Cli, db: Database) -> None:
    _setup(run)
    policy = parse_policy(_policy(run))
    requests = [Request(i.code, i.compute, i.params) for i in policy.indicators]
    one = compute(db, "tester", 2025, "county", requests, prefix=policy.code_prefix, exclude=policy.exclude, workers=1)
    four = compute(db, "tester", 2025, "county", requests, prefix=policy.code_prefix, exclude=policy.exclude, workers=4)
    assert one == four
    assert len(one.units) == 6 and len({r.compute for r in requests}) >= 6
    yields = {code: m["yield"].value for code, m in one.measures.items() if "yield" in m}
    assert yields["360921"] == Decimal("9.00")  # per cent: 12 x 1,500 yuan of rent on a 200,000 yuan PV station


def test_a_failing_task_is_raised_and_stops_the_rest(db: Database) -> None:
    started: list[str] = []
    lock = threading.Lock()
    failing = threading.Event()  # the others wait for the failure, however the threads are scheduled

    def ok(name: str):  # type: ignore[no-untyped-def]
        def task(session: Session) -> int:
            with lock:
                started.append(name)
            failing.wait()
            return _regions(session)

        return task

    def fails(session: Session) -> int:
        failing.set()
        raise ValueError("this indicator cannot be computed")

    tasks = [("bad", fails)] + [(f"t{i}", ok(f"t{i}")) for i in range(50)]
    with pytest.raises(ValueError, match="cannot be computed"):
        run_side_by_side(db, tasks, workers=2)
    assert len(started) < 50
    assert run_side_by_side(db, [("a", ok("a")), ("b", ok("b"))], workers=2) == {"a": 0, "b": 0}
