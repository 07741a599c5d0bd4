"""kill -9 bulk imports at random moments, on SQLite and PostgreSQL, and check what is left each time.

    python benchmarks/crash_stress.py [--points 50] [--assets 1000] [--entries 3000]
        [--pg postgresql://postgres@127.0.0.1:5432/test] [--max-seconds 1800] [--seed 9]

For each backend and each job (`asset import` of a file of new assets, `ledger import-entries` of a file of revenue
rows), the job is first run to the end once to measure its duration; then, `--points` times, a fresh file is started
in a child process and SIGKILLed after a delay drawn uniformly from [0, 1.1 x duration]. After each kill: the file's
rows are all there or none (never a partial batch), no row committed before is lost or changed, `audit verify`
(without bean-check) is clean, re-running the same command completes the job, and a third run changes nothing.
A fresh database is used every 10 kills so verification stays quick. Prints a Markdown summary; exits 1 on any
failure. Stops by itself after --max-seconds. Not run by CI.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import Cli
from tests.hardening.crash import Job, Outcome, Zygote, asset_job, crash_trial, entries_job, timed_run
from tests.hardening.harness import assets_file, fresh_database, pg_schema_url, regions_file

from assetledger.store.db import Database

SETUP_ASSETS = [f"K-{i:05d}" for i in range(20)]


@contextmanager
def database(backend: str, folder: Path, pg: str | None) -> Iterator[Database]:
    if backend == "sqlite":
        path = folder / f"crash-{time.monotonic_ns()}.db"
        db = fresh_database(f"sqlite:///{path}")
        try:
            yield db
        finally:
            db.dispose()
        return
    assert pg is not None
    with pg_schema_url(pg) as url:
        db = fresh_database(url)
        try:
            yield db
        finally:
            db.dispose()


def setup(db: Database, folder: Path) -> None:
    run = Cli(db.url, folder)
    run("region", "import", str(regions_file(folder)))
    run("asset", "import", str(assets_file(folder / "setup-assets.csv", len(SETUP_ASSETS))))


def stress(
    backend: str, kind: str, args: argparse.Namespace, rng: random.Random, deadline: float
) -> tuple[list[Outcome], float]:
    def make(folder: Path, trial: str) -> Job:
        if kind == "asset import":
            return asset_job(folder, trial, args.assets)
        return entries_job(folder, trial, args.entries, SETUP_ASSETS)

    outcomes: list[Outcome] = []
    zygote = Zygote()
    window = 0.0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            trial = 0
            while trial < args.points and time.monotonic() < deadline:
                with database(backend, folder, args.pg) as db:
                    setup(db, folder)
                    window = window or timed_run(zygote, db, make(folder, f"W{trial}"), folder)
                    for _ in range(10):
                        if trial >= args.points or time.monotonic() >= deadline:
                            break
                        delay = rng.uniform(0, 1.1 * window)
                        outcome = crash_trial(zygote, db, make(folder, f"C{trial}"), delay, folder)
                        outcomes.append(outcome)
                        mark = "ok" if outcome.ok else "FAIL"
                        kept = "committed" if outcome.committed else "nothing"
                        print(f"  {backend:10} {kind:14} #{trial:02d} kill at {delay:5.2f}s", end="")
                        print(f" -> exit {outcome.exit_code:3} {kept:9} {mark}", flush=True)
                        if not outcome.ok:
                            print(f"    {outcome}", flush=True)
                        trial += 1
    finally:
        zygote.close()
    return outcomes, window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=50, help="kills per backend and job")
    parser.add_argument("--assets", type=int, default=1000, help="rows of each asset file")
    parser.add_argument("--entries", type=int, default=3000, help="rows of each entries file")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="'' to skip PostgreSQL")
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.max_seconds
    backends = ["sqlite", *(["postgresql"] if args.pg else [])]
    rows: list[tuple[str, str, float, list[Outcome], float]] = []
    for backend in backends:
        for kind in ("asset import", "import-entries"):
            start = time.perf_counter()
            outcomes, window = stress(backend, kind, args, rng, deadline)
            rows.append((backend, kind, window, outcomes, time.perf_counter() - start))
    print()
    print("| backend | job | rows | run time | kills | landed mid-run | nothing kept | all kept | partial | rows lost |"
          " verify findings | PG seq-gap alarms | re-run completes | third run no-op | wall time |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    size: Callable[[str], int] = lambda kind: args.assets if kind == "asset import" else args.entries  # noqa: E731
    for backend, kind, window, outcomes, wall in rows:
        n = len(outcomes)
        landed = sum(1 for o in outcomes if o.exit_code == -9)
        kept = sum(1 for o in outcomes if o.committed)
        partial = sum(1 for o in outcomes if o.partial is not None)
        lost = sum(1 for o in outcomes if o.lost)
        verify = sum(1 for o in outcomes if o.findings or o.rerun_findings)
        gaps = sum(1 for o in outcomes if o.seq_gap_alarms)
        rerun = sum(1 for o in outcomes if o.rerun_code == 0 and o.rerun_complete)
        noop = sum(1 for o in outcomes if o.third_run_noop)
        failed |= any(not o.ok for o in outcomes)
        cells = [backend, kind, f"{size(kind):,}", f"{window:.2f} s", n, landed, n - kept, kept, partial, lost, verify,
                 gaps, f"{rerun}/{n}", f"{noop}/{n}", f"{wall:.0f} s"]  # fmt: skip
        print("| " + " | ".join(map(str, cells)) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
