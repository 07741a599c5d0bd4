"""Thousands of random operation sequences (register, post, reverse, distribute, dispose, status) against one
database, checking after every step that entries balance, shares are non-negative, each village/period is
distributed once and the register reconciles with the books; `audit verify` every --verify-every steps and at the
end of each sequence.

    /work/venv/bin/python benchmarks/property_stress.py [--sequences 10000] [--steps 12] [--verify-every 12]
        [--db sqlite:///prop.db | --pg postgresql://postgres@127.0.0.1:5432/test] [--max-seconds 1800] [--seed 0]

A fresh database every 500 sequences keeps verification quick. Failures print the seed (replay with
`LedgerModel(db, seed).run(steps)` from tests/hardening/model.py). Stops by itself after --max-seconds. Not run by CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hardening.harness import fresh_database, pg_schema_url
from tests.hardening.model import LedgerModel, prepare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sequences", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--verify-every", type=int, default=12)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (a schema per 500 sequences); default SQLite")
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds
    done: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    failures: list[str] = []
    ran = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        while ran < args.sequences and time.monotonic() < deadline:
            if args.pg:
                context = pg_schema_url(args.pg)
                url = context.__enter__()
            else:
                url = f"sqlite:///{folder / f'prop-{ran}.db'}"
            db = fresh_database(url)
            try:
                prepare(db, folder)
                for _ in range(500):
                    if ran >= args.sequences or time.monotonic() >= deadline:
                        break
                    model = LedgerModel(db, args.seed + ran)
                    try:
                        model.run(args.steps, verify_every=args.verify_every)
                    except AssertionError as exc:
                        failures.append(str(exc)[:500])
                    except Exception as exc:  # not a refusal by a rule: a bug
                        failures.append(f"seed {args.seed + ran}: {type(exc).__name__}: {exc}"[:500])
                    done.update(model.done)
                    refused.update(model.refused)
                    ran += 1
                    if ran % 500 == 0:
                        print(f"  {ran} sequences, {time.perf_counter() - start:.0f} s, {len(failures)} failures",
                              flush=True)  # fmt: skip
            finally:
                db.dispose()
                if args.pg:
                    context.__exit__(None, None, None)
    wall = time.perf_counter() - start
    print(f"\n{ran:,} sequences x {args.steps} steps in {wall:.0f} s ({ran / wall:.1f} sequences/s); "
          f"{len(failures)} failure(s)")  # fmt: skip
    print("| operation | done | refused by a rule |")
    print("|---|---|---|")
    for name in sorted(set(done) | set(refused)):
        print(f"| {name} | {done[name]:,} | {refused[name]:,} |")
    for failure in failures[:10]:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
