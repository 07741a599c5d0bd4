"""Thousands of random operation sequences (register, post, reverse, distribute, dispose, status) against one
database, checking after every step that entries balance, shares are non-negative, each village/period is
distributed once and the register reconciles with the books; `audit verify` every --verify-every steps and at the
end of each sequence.

    /work/venv/bin/python benchmarks/property_stress.py [--sequences 10000] [--steps 12] [--verify-every 12]
        [--db sqlite:///prop.db | --pg postgresql://postgres@127.0.0.1:5432/test] [--max-seconds 1800] [--seed 0]
        [--workers 2] [--readme]

A fresh database every 500 sequences (`--per-database`) keeps verification quick. Failures print the seed (replay with
`LedgerModel(db, seed).run(steps)` from tests/hardening/model.py). Stops by itself after --max-seconds.
`--workers N` splits the seeds over N processes, each with databases of its own (the checks are per database, so
the figures are the same as one process would give, only sooner). `--readme` writes the figures into the
`properties` section of benchmarks/README.md. Not run by CI.
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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hardening.harness import fresh_database, pg_schema_url
from tests.hardening.model import LedgerModel, prepare

from benchmarks.readme_sections import write_section

README = Path(__file__).resolve().parent / "README.md"

START, END = "<!-- properties:start -->", "<!-- properties:end -->"
PER_DATABASE = 500


@dataclass
class Tally:
    ran: int = 0
    done: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.ran += other.ran
        self.done.update(other.done)
        self.refused.update(other.refused)
        self.failures += other.failures


@dataclass(frozen=True)
class Job:
    first_seed: int
    sequences: int
    steps: int
    verify_every: int
    pg: str
    deadline: float  # time.time() after which no new sequence starts
    worker: int
    per_database: int = PER_DATABASE


def run_job(job: Job) -> Tally:
    """Sequences of seeds first_seed, first_seed + 1, ... on databases of this process, until done or the deadline."""
    tally = Tally()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        while tally.ran < job.sequences and time.time() < job.deadline:
            if job.pg:
                context = pg_schema_url(job.pg)
                url = context.__enter__()
            else:
                url = f"sqlite:///{folder / f'prop-{tally.ran}.db'}"
            db = fresh_database(url)
            try:
                prepare(db, folder)
                for _ in range(job.per_database):
                    if tally.ran >= job.sequences or time.time() >= job.deadline:
                        break
                    seed = job.first_seed + tally.ran
                    model = LedgerModel(db, seed)
                    try:
                        model.run(job.steps, verify_every=job.verify_every)
                    except AssertionError as exc:
                        tally.failures.append(str(exc)[:500])
                    except Exception as exc:  # not a refusal by a rule: a bug
                        tally.failures.append(f"seed {seed}: {type(exc).__name__}: {exc}"[:500])
                    tally.done.update(model.done)
                    tally.refused.update(model.refused)
                    tally.ran += 1
                    if tally.ran % job.per_database == 0:
                        print(f"  worker {job.worker}: {tally.ran} sequences, {time.perf_counter() - start:.0f} s, "
                              f"{len(tally.failures)} failures", flush=True)  # fmt: skip
            finally:
                db.dispose()
                if job.pg:
                    context.__exit__(None, None, None)
    return tally


def report(tally: Tally, args: argparse.Namespace, wall: float, cpu: float) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    backend = "PostgreSQL" if args.pg else "SQLite"
    stopped = "" if tally.ran >= args.sequences else f" (stopped at --max-seconds {args.max_seconds:.0f})"
    lines = [
        "## Property run (`benchmarks/property_stress.py`)",
        "",
        f"`/work/venv/bin/python benchmarks/property_stress.py --sequences {args.sequences} --steps {args.steps} "
        f"--verify-every {args.verify_every} --workers {args.workers} --per-database {args.per_database} "
        f"--max-seconds {args.max_seconds:.0f}`"
        + (" --pg URL" if args.pg else "")
        + f" on {backend}, commit {commit.stdout.strip() or '?'}, taken {dt.datetime.now():%Y-%m-%d %H:%M}.",
        "Each sequence is seeded (seed = its number): it registers an asset, then takes random steps of register,",
        "post, reverse, distribute, dispose and status change. After every step: no unbalanced entry, no negative",
        "household share, no village/period distributed twice, the register reconciles with the books (no orphan or",
        "missing posting); `audit verify` (hash chain, balances, open accounts, register vs events) after the last.",
        "",
        f"**{tally.ran:,} sequences × {args.steps} steps{stopped}: {len(tally.failures)} failure(s)**, "
        f"in {wall:,.0f} s wall ({tally.ran / wall:.1f} sequences/s), {cpu:,.0f} s CPU over {args.workers} "
        f"process(es) ({cpu / max(tally.ran, 1):.2f} s CPU a sequence: {args.sequences:,} take "
        f"{cpu / max(tally.ran, 1) * args.sequences / 60:,.0f} CPU-minutes); a fresh database every "
        f"{args.per_database} sequences.",
        "",
        "| operation | done | refused by a rule |",
        "|---|---|---|",
    ]
    for name in sorted(set(tally.done) | set(tally.refused)):
        lines.append(f"| {name} | {tally.done[name]:,} | {tally.refused[name]:,} |")
    lines += [f"\nFAIL {failure}" for failure in tally.failures[:10]]
    return "\n".join(lines)


def write_readme(section: str) -> None:
    write_section(START, END, section, README)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sequences", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--verify-every", type=int, default=12)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (a schema per 500 sequences); default SQLite")
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="processes sharing the seeds (default 1)")
    parser.add_argument("--readme", action="store_true", help="write the figures into benchmarks/README.md")
    parser.add_argument(
        "--per-database",
        type=int,
        default=PER_DATABASE,
        help=f"sequences per fresh database (default {PER_DATABASE}); the checks after every step read the whole "
        "database, so fewer per database keeps them cheap",
    )
    args = parser.parse_args()
    workers = max(1, args.workers)
    deadline = time.time() + args.max_seconds
    share, extra = divmod(args.sequences, workers)
    jobs, first = [], args.seed
    for w in range(workers):
        count = share + (1 if w < extra else 0)
        jobs.append(Job(first, count, args.steps, args.verify_every, args.pg, deadline, w, max(1, args.per_database)))
        first += count
    start, cpu_start = time.perf_counter(), os.times()
    tally = Tally()
    if workers == 1:
        tally.add(run_job(jobs[0]))
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for part in pool.map(run_job, jobs):
                tally.add(part)
    wall = time.perf_counter() - start
    end = os.times()
    cpu = (end.user - cpu_start.user) + (end.system - cpu_start.system)
    cpu += (end.children_user - cpu_start.children_user) + (end.children_system - cpu_start.children_system)
    section = report(tally, args, wall, cpu)
    print("\n" + section)
    if args.readme:
        write_readme(section)
        print(f"\nwritten to {README}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
