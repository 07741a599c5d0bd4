"""kill -9 during bulk imports: never a partial batch, nothing committed lost, the record verifies, and running the
same command again completes the job exactly once. (50 random kill points per backend: benchmarks/crash_stress.py.)"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import insert

from assetledger.services.context import now
from assetledger.store.db import Database
from assetledger.store.integrity import seal, take_writer_lock
from assetledger.store.models import ImportBatch
from assetledger.store.tables import table_of
from tests.conftest import Cli
from tests.hardening.crash import Job, Zygote, asset_job, crash_trial, entries_job, timed_run
from tests.hardening.harness import assets_file, findings, regions_file

ASSETS = [f"K-{i:05d}" for i in range(10)]


def _setup(run: Cli) -> None:
    run("region", "import", str(regions_file(run.cwd)))
    run("asset", "import", str(assets_file(run.cwd / "assets.csv", len(ASSETS))))


def _job(kind: str, folder: Path, trial: str) -> Job:
    if kind == "asset import":
        return asset_job(folder, trial, 150)
    return entries_job(folder, trial, 400, ASSETS)


@pytest.mark.long
@pytest.mark.parametrize("kind", ["asset import", "import-entries"])
def test_kill_9_leaves_all_or_nothing_and_a_rerun_finishes_once(
    run: Cli, db: Database, tmp_path: Path, zygote: Zygote, kind: str
) -> None:
    _setup(run)
    window = timed_run(zygote, db, _job(kind, tmp_path, "W0"), tmp_path)
    rng = random.Random(f"{kind}/{db.engine.dialect.name}")
    # Kill points spread over the command's run time (where each lands depends on the machine's load: some may
    # land after the commit), and one kill at a known point inside the transaction: sealed, not yet committed.
    delays: list[float | None] = [window * (f + rng.uniform(-0.08, 0.08)) for f in (0.15, 0.5, 0.85)]
    delays.append(None)
    outcomes = [
        crash_trial(zygote, db, _job(kind, tmp_path, f"C{i}"), d, tmp_path, third_run=i == len(delays) - 1)
        for i, d in enumerate(delays)
    ]
    for o in outcomes:
        assert o.ok, o
    assert outcomes[-1].exit_code == -9 and not outcomes[-1].committed, outcomes[-1]  # killed inside the transaction
    assert findings(db) == []


def test_a_writer_killed_while_sealing_leaves_no_false_alarm(run: Cli, db: Database) -> None:
    """What the database sees when a writer is killed after sealing and before COMMIT: the transaction rolls back.

    SQLite rolls back the links' rowids with everything else. PostgreSQL does not roll back sequence values, so the
    next writer's links start after a gap; verify checks the chain link to link and must not call that tampering.
    """
    _setup(run)
    assert findings(db) == []
    with db.engine.connect() as conn:
        tx = conn.begin()
        take_writer_lock(conn)
        conn.execute(
            insert(table_of(ImportBatch)).values(
                kind="assets", source_name="x.csv", checksum="x", row_count=0, actor="t", recorded_at=now()
            )
        )
        assert seal(conn) == 1
        tx.rollback()  # the process died here: the server rolls the transaction back
    run("asset", "status", "K-00001", "idle", "--date", "2025-08-01")  # the next writer seals its rows
    assert findings(db) == []
