"""Time the performance evaluation (awards compute) on an existing database: each indicator's SQL on its own,
the whole evaluation, and the per-asset performance list. Reads only; run it on any size of database.

    assetledger demo                                    # in the repository root: ./demo/assetledger.db
    python benchmarks/awards.py --db sqlite:///demo/assetledger.db --year 2025
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from assetledger.rules.award_policy import parse_policy
from assetledger.services.asset_performance import asset_performance
from assetledger.services.awards import evaluate_year
from assetledger.services.indicators import Request, compute
from assetledger.store.db import Database

EXAMPLE = Path(__file__).resolve().parents[1] / "ledgers" / "policy" / "awards-city-example.toml"
T = TypeVar("T")


def timed(label: str, work: Callable[[], T], repeat: int, report: dict[str, float]) -> T:
    """Run `work` `repeat` times; keep the best wall time (seconds) under `label`."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    report[label] = best
    assert result is not None
    return result


def time_awards(url: str, year: int, policy_path: Path = EXAMPLE, repeat: int = 3) -> dict[str, float]:
    """Best-of-`repeat` seconds per indicator, for the whole evaluation and for the per-asset list."""
    db = Database(url)
    policy = parse_policy(policy_path)
    report: dict[str, float] = {}
    try:
        for spec in policy.indicators:
            request = Request(spec.code, spec.compute, spec.params)
            timed(f"indicator {spec.compute}", partial(compute, db, "bench", year, policy.level, [request]), repeat,
                  report)  # fmt: skip
        evaluation = timed("evaluate (all indicators, score, rank, award)",
                           lambda: evaluate_year(db, year, policy, "bench"),
                           repeat, report)  # fmt: skip
        rows = timed("asset performance", lambda: asset_performance(db, year, "bench"), repeat, report)
        report["units"] = len(evaluation.results)
        report["operating assets"] = len(rows)
    finally:
        db.dispose()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--policy", type=Path, default=EXAMPLE)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for label, value in time_awards(args.db, args.year, args.policy, args.repeat).items():
        shown = f"{value:.0f}" if label in ("units", "operating assets") else f"{value * 1000:8.1f} ms"
        print(f"{label:50s} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
