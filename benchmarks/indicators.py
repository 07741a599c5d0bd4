"""The supervision indicators page against the awards evaluation, in the same run (issue 24 item 3: "computed in SQL
at city scale in the time the awards evaluation takes now"). Reads only; run it on the demo or a generated city.

    assetledger demo                                      # ./demo/assetledger.db
    python benchmarks/indicators.py --db sqlite:///demo/assetledger.db
    python benchmarks/city.py generate --scale city       # benchmarks/data/city-city.db (long: once)
    python benchmarks/indicators.py --db sqlite:///benchmarks/data/city-city.db --db postgresql://…/al_city

For each database, best of --repeat runs, alternating so that load changes hit both alike:
- the awards evaluation of the year (awards-city-example.toml: every county, all indicators, score, rank);
- the indicators of one year at county level (the same units, the eight indicators of the page);
- the indicators page as the web serves it: --from-year to --year at county, township and village level, each
  computed and rendered (templates/indicators.html, the table and a chart per indicator) for a reader of the
  whole database, and the village page again while the record is unchanged (the web keeps it: web/cache.py);
with each one's ratio to the awards evaluation, and the load average (`uptime`) before and after, since the
machine is shared. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetledger.domain.access import Role
from assetledger.rules.award_policy import parse_policy
from assetledger.services.access import User
from assetledger.services.awards import evaluate_year
from assetledger.services.indicator_page import indicator_page
from assetledger.store.db import Database

POLICY = Path(__file__).resolve().parents[1] / "ledgers" / "policy" / "awards-city-example.toml"
ACTOR = "indicators-bench"


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _page_render(db: Database, level: str, first: int, last: int, *, kept: bool = False) -> Callable[[], int]:
    """The web view itself (parse, service, template) in a request context, for a reader of everything: the
    size of the page it returns. Cold (the page computed), or `kept`: served again before the record changes."""
    from flask import g

    from assetledger.web import cache, create_app
    from assetledger.web.supervision import indicators

    app = create_app(db, secret_key=b"b" * 32)
    query = f"/indicators?level={level}&from_year={first}&year={last}"

    def run() -> int:
        if not kept:
            with cache._LOCK:
                cache._VALUES.clear()  # computed afresh, as after any change of the record
        with app.test_request_context(query):
            g.user = User(ACTOR, Role.FINANCE, "*")
            g.lang = "zh"
            return len(indicators())

    return run


def measure(url: str, year: int, first: int, repeat: int) -> list[tuple[str, float, str]]:
    db = Database(url)
    policy = parse_policy(POLICY)
    work: dict[str, Callable[[], Any]] = {
        "awards evaluation (county level, all indicators, score, rank)": lambda: evaluate_year(db, year, policy, ACTOR),
        f"indicators {year}, county level (8 indicators)": lambda: indicator_page(db, ACTOR, "county", [year]),
    }
    for level in ("county", "township", "village"):
        work[f"indicators page {first}–{year}, {level} level (computed and rendered)"] = _page_render(
            db, level, first, year
        )
    work[f"indicators page {first}–{year}, village level, again (kept until the record changes)"] = _page_render(
        db, "village", first, year, kept=True
    )
    best = dict.fromkeys(work, float("inf"))
    sizes: dict[str, str] = {}
    try:
        for _ in range(repeat):
            for label, fn in work.items():
                start = time.perf_counter()
                result = fn()
                best[label] = min(best[label], time.perf_counter() - start)
                if isinstance(result, int):
                    sizes[label] = f"{result / 1024:,.0f} KiB of HTML"
                elif hasattr(result, "results"):
                    sizes[label] = f"{len(result.results)} units"
                elif hasattr(result, "cells"):
                    sizes[label] = f"{len(result.cells)} values"
    finally:
        db.dispose()
    return [(label, best[label], sizes.get(label, "")) for label in work]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", required=True, help="database URL (repeat for side by side)")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--from-year", type=int, help="first year of the page (default: --year minus 2)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    first = args.from_year or args.year - 2
    before = uptime()
    print(f"started {dt.datetime.now():%Y-%m-%d %H:%M}; {before}", flush=True)
    for url in args.db:
        rows = measure(url, args.year, first, args.repeat)
        awards = rows[0][1]
        shown = url.split("@")[-1] if url.startswith("postgres") else url
        print(f"\n{shown} (best of {args.repeat}):\n")
        print("| measurement | seconds | × awards evaluation | size |")
        print("|---|---|---|---|")
        for label, seconds, size in rows:
            print(f"| {label} | {seconds:.2f} | {seconds / awards:.2f} | {size} |")
    print(f"\nended {dt.datetime.now():%Y-%m-%d %H:%M}; {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
