"""N processes x M postings, plus distributions racing for the same villages, on PostgreSQL (and SQLite).

    python benchmarks/concurrency_stress.py [--workers 8] [--posts 1000] [--every 100]
        [--pg postgresql://postgres@127.0.0.1:5432/test] [--sqlite] [--max-seconds 1800]

Each worker is a real process running `ledger post` (distinct refs, assets of two villages of one township, so
every worker writes to every village's books) and, every --every postings, `distribute` of a village's 2025Q1
revenue (every worker tries every village). Afterwards: every posting is there exactly once, each asset's income is
exactly what was posted, each village/period/rule is distributed once with the exact total and no negative share,
`audit verify` (without bean-check) and `ledger reconcile` are clean, and no call failed (no deadlock, no error).
Prints a Markdown table with the timing. Exits 1 on any problem. Not run by CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import Cli
from tests.hardening.concurrency import latency, problems, run_workers, setup
from tests.hardening.crash import Zygote
from tests.hardening.harness import fresh_database, pg_schema_url


def one(backend: str, url: str, args: argparse.Namespace, zygote: Zygote, folder: Path) -> tuple[list[str], str]:
    db = fresh_database(url)
    try:
        setup(Cli(url, folder))
        run = run_workers(zygote, url, args.workers, args.posts, args.every, folder)
        start = time.perf_counter()
        found = problems(db, run)
        check = time.perf_counter() - start
    finally:
        db.dispose()
    posts = sum(1 for r in run.results if r["op"] == "post")
    dists = [r for r in run.results if r["op"] == "distribute"]
    failed = sum(1 for r in run.results if r["code"] != 0)
    p50, p99, worst = latency(run, "post")
    d50, _, dworst = latency(run, "distribute")
    row = (
        f"| {backend} | {args.workers} x {args.posts} | {posts:,} | {len(dists)} | {run.wall:.1f} s | "
        f"{posts / run.wall:,.0f}/s | {p50 * 1000:.0f} / {p99 * 1000:.0f} / {worst * 1000:.0f} ms | "
        f"{d50 * 1000:.0f} / {dworst * 1000:.0f} ms | {failed} | {len(found)} | {check:.1f} s |"
    )
    return found, row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--posts", type=int, default=1000, help="postings per worker")
    parser.add_argument("--every", type=int, default=100, help="a distribution attempt every N postings")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="'' to skip PostgreSQL")
    parser.add_argument("--sqlite", action="store_true", help="also run on a SQLite file")
    parser.add_argument("--max-seconds", type=float, default=1800, help="give up (exit 2) after this long")
    args = parser.parse_args()
    zygote = Zygote()
    rows: list[str] = []
    failed = False
    deadline = time.monotonic() + args.max_seconds
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            if args.pg:
                with pg_schema_url(args.pg) as url:
                    found, row = one("postgresql", url, args, zygote, folder)
                    rows.append(row)
                    failed |= bool(found)
                    for f in found[:20]:
                        print("  problem:", f)
            if args.sqlite and time.monotonic() < deadline:
                found, row = one("sqlite", f"sqlite:///{folder / 'stress.db'}", args, zygote, folder)
                rows.append(row)
                failed |= bool(found)
                for f in found[:20]:
                    print("  problem:", f)
    finally:
        zygote.close()
    print("| backend | workers x postings | postings | distribution tries | wall time | postings/s |"
          " post p50 / p99 / max | distribute p50 / max | failed calls | problems | check time |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
