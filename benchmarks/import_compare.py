"""The register import of two checkouts side by side: `assetledger asset import FILE` as users run it, alternating.

    python benchmarks/import_compare.py --before ../old/src --after src --runs 2
        [--file benchmarks/data/assets-100000.csv --regions benchmarks/data/regions.csv]

Each run is the CLI in a subprocess of its own, importing the file into a fresh SQLite database that the same
checkout migrated and filled with the region hierarchy (not timed). Wall and CPU time (user + system) are the
import process's, interpreter start-up included; the floor, `pandas.read_csv` of the same file in a subprocess, is
taken just before each import, and each import is also given as a ratio to it. The checkouts take turns (before,
after, before, ...) so that a change of load hits both. Input from benchmarks/generate.py. Say the load average
(`uptime`) with the figures: taken under load they are not figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

HERE = Path(__file__).resolve().parent
PREPARE = """
import sys
from pathlib import Path
from assetledger.io.tabular import read_table
from assetledger.services.regions import import_regions
from assetledger.store import migrate
from assetledger.store.db import Database
migrate.upgrade(sys.argv[1])
db = Database(sys.argv[1])
import_regions(db, read_table(Path(sys.argv[2])), "bench")
db.dispose()
"""
IMPORT = "import sys; from assetledger.cli.main import cli; cli(sys.argv[1:])"
FLOOR = "import sys, pandas; pandas.read_csv(sys.argv[1], skiprows=1, dtype=str)"


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float


def timed(args: list[str], source: str | None) -> Timed:
    """Run `python args...` with `source` first on the path; the child's wall and CPU time."""
    env = dict(os.environ, PYTHONPATH=source or "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = perf_counter()
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
    wall = perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu)


def one_import(label: str, source: str, file: Path, regions: Path, work: Path) -> None:
    floor = timed(["-c", FLOOR, str(file)], None)
    database = work / f"{label}.db"
    url = f"sqlite:///{database}"
    timed(["-c", PREPARE, url, str(regions)], source)
    run = timed(["-c", IMPORT, "--db", url, "--user", "bench", "asset", "import", str(file)], source)
    for leftover in work.glob(f"{label}.db*"):
        leftover.unlink()
    print(
        f"{label:6} import wall {run.wall:6.2f} s, CPU {run.cpu:6.2f} s | floor wall {floor.wall:5.2f} s, "
        f"CPU {floor.cpu:5.2f} s | import ÷ floor (CPU) {run.cpu / floor.cpu:5.1f}×",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the src/ folder of the checkout before the change")
    parser.add_argument("--after", required=True, help="the src/ folder of the checkout after the change")
    parser.add_argument("--file", type=Path, default=HERE / "data" / "assets-100000.csv", help="register CSV")
    parser.add_argument("--regions", type=Path, default=HERE / "data" / "regions.csv", help="regions CSV")
    parser.add_argument("--runs", type=int, default=2, help="imports per checkout (default 2)")
    args = parser.parse_args(argv)
    sources = {"before": str(Path(args.before).resolve()), "after": str(Path(args.after).resolve())}
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.runs):
            for label, source in sources.items():
                one_import(label, source, args.file.resolve(), args.regions.resolve(), Path(work))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
