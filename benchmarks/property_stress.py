"""The long run of the state machine over the write services (tests/hardening/state_machine.py): many more examples
and steps than CI runs, on SQLite or PostgreSQL, split over worker processes (each draws its own examples).

    python benchmarks/property_stress.py [--examples 2000] [--steps 30] [--workers 2]
        [--pg postgresql://postgres@127.0.0.1:5432/test] [--readme]

Every example starts from a fresh database; after every step the invariants of record are checked (see the module
docstring of tests/hardening/state_machine.py). A failure prints hypothesis's shortest sequence that breaks an
invariant, ready to replay. `--readme` writes the figures into the `properties` section of benchmarks/README.md.
Not run by CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from tests.hardening import state_machine
from tests.hardening.state_machine import Databases, RecordMachine

from benchmarks.readme_sections import write_section

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- properties:start -->", "<!-- properties:end -->"


@dataclass
class Tally:
    examples: int = 0
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    examples: int
    steps: int
    pg: str
    worker: int


def run_job(job: Job) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:

        class Machine(RecordMachine):
            databases = Databases("postgresql" if job.pg else "sqlite", Path(tmp), job.pg or None)

        try:
            run_state_machine_as_test(
                Machine,
                settings=settings(
                    max_examples=job.examples,
                    stateful_step_count=job.steps,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                ),
            )
        except Exception:  # hypothesis raises the shrunk failure: keep its text, it names the sequence
            tally.failures.append(traceback.format_exc()[-3000:])
    tally.examples = job.examples
    tally.outcomes.update(state_machine.OUTCOMES)
    print(f"  worker {job.worker}: {job.examples} examples, {len(tally.failures)} failure(s)", flush=True)
    return tally


def report(tally: Tally, args: argparse.Namespace, wall: float, cpu: float) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    backend = "PostgreSQL" if args.pg else "SQLite"
    load = os.getloadavg()[0]
    lines = [
        "## Property run (`benchmarks/property_stress.py`)",
        "",
        f"`python benchmarks/property_stress.py --examples {args.examples} --steps {args.steps} "
        f"--workers {args.workers}`"
        + (" --pg URL" if args.pg else "")
        + f" on {backend}, commit {commit.stdout.strip() or '?'}, taken {dt.datetime.now():%Y-%m-%d %H:%M}, load "
        f"average {load:.2f} at the end. The hypothesis state machine of tests/hardening/state_machine.py: each "
        "example a fresh database and up to --steps steps of register, confirm, post, reverse, dispose, distribute,",
        "pay, take back, close and inventory; after every step every entry balances, no village month is shared twice,",
        "nothing stands after a disposal, no household is paid before its notice ran, nothing is dated by the clock,",
        "register and books reconcile, every report runs and `audit verify` is clean; bean-check at the end.",
        "",
        f"**{tally.examples:,} examples × up to {args.steps} steps: {len(tally.failures)} failure(s)**, in "
        f"{wall:,.0f} s wall, {cpu:,.0f} s CPU over {args.workers} process(es) "
        f"({cpu / max(tally.examples, 1):.2f} s CPU an example).",
        "",
        "| step | done | refused by a rule or as bad input |",
        "|---|---|---|",
    ]
    for step in sorted({s for s, _ in tally.outcomes}):
        lines.append(f"| {step} | {tally.outcomes[(step, 'done')]:,} | {tally.outcomes[(step, 'refused')]:,} |")
    lines += [f"\nFAIL\n```\n{failure}\n```" for failure in tally.failures[:3]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (a schema per example); default SQLite")
    parser.add_argument("--workers", type=int, default=1, help="processes, each running its share of examples")
    parser.add_argument("--readme", action="store_true", help="write the figures into benchmarks/README.md")
    args = parser.parse_args()
    workers = max(1, args.workers)
    share, extra = divmod(args.examples, workers)
    jobs = [Job(share + (1 if w < extra else 0), args.steps, args.pg, w) for w in range(workers)]
    start, cpu_start = time.perf_counter(), os.times()
    tally = Tally()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for part in pool.map(run_job, jobs):
            tally.examples += part.examples
            tally.outcomes.update(part.outcomes)
            tally.failures += part.failures
    wall = time.perf_counter() - start
    end = os.times()
    cpu = (end.user - cpu_start.user) + (end.system - cpu_start.system)
    cpu += (end.children_user - cpu_start.children_user) + (end.children_system - cpu_start.children_system)
    section = report(tally, args, wall, cpu)
    print("\n" + section)
    if args.readme:
        write_section(START, END, section, README)
        print(f"\nwritten to {README}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
