"""N processes x M postings (plus distributions) into overlapping villages, and the checks of the result: shared by
tests/hardening/test_concurrency.py and benchmarks/concurrency_stress.py.

Each worker is a real process running the real `ledger post` and `distribute` commands (in-process click calls, so a
posting costs a transaction, not an interpreter start-up). Workers post to the assets of every village, so they
contend for the same books all the time, and each worker also tries to distribute every village's 2025Q1 revenue,
so several processes race for the same village/period/rule.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, DistributionLine
from assetledger.store.journal_models import Account, Entry, PostingRow
from tests.conftest import Cli
from tests.hardening.crash import Zygote
from tests.hardening.harness import (
    ENTRY_HEADER,
    assets_file,
    findings,
    regions_file,
    roster_file,
    rule_file,
)
from tests.helpers import write_csv

VILLAGES = {"360921101201": ("红旗村", "R"), "360921101202": ("向阳村", "X")}
ASSETS_PER_VILLAGE = 3
SEED_REVENUE = Decimal("1000.00")  # per asset, in 2025Q1, before the workers start
PERIOD = "2025Q1"


def asset_ids() -> list[str]:
    return [f"{prefix}-{i:05d}" for _, prefix in VILLAGES.values() for i in range(ASSETS_PER_VILLAGE)]


def setup(run: Cli) -> None:
    """Two villages of one township, a few operating assets each, households, a rule, and Q1 revenue to share."""
    folder = run.cwd
    run("region", "import", str(regions_file(folder)))
    for code, (name, prefix) in VILLAGES.items():
        run("asset", "import", str(assets_file(folder / f"assets-{prefix}.csv", ASSETS_PER_VILLAGE, prefix, name)))
        run("beneficiary", "import", str(roster_file(folder / f"roster-{prefix}.csv", code, 6, f"H{prefix}")))
        run("distribute", "rule", "add", str(rule_file(folder / f"rule-{prefix}.toml", code)))
    rows: list[Sequence[object]] = [ENTRY_HEADER]
    rows += [["2025-02-15", a, "收入", "租金", str(SEED_REVENUE), "", f"seed-{a}"] for a in asset_ids()]
    run("ledger", "import-entries", str(write_csv(folder / "seed.csv", rows)))


def amount(worker: int, i: int) -> Decimal:
    return Decimal(100 + (worker * 7919 + i * 104729) % 99900) / 100


WORKER = r"""
import datetime as dt, json, os, sys, time, traceback
from assetledger.cli.main import CommandError, cli
from tests.hardening.concurrency import VILLAGES, PERIOD, amount, asset_ids

url, worker, posts, every, go, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:]
assets = asset_ids()
villages = sorted(VILLAGES)
while not os.path.exists(go):  # every worker starts at the same moment
    time.sleep(0.001)
results = []

def call(*args):
    # One command as `assetledger` runs it, in this process; its engine is disposed afterwards as a process exit
    # would (repeated in-process commands would otherwise keep one pooled connection each).
    start = time.perf_counter()
    ctx = None
    try:
        ctx = cli.make_context("assetledger", ["--db", url, "--user", f"w{worker}", *args])
        with ctx:
            cli.invoke(ctx)
        return 0, "", time.perf_counter() - start
    except CommandError as exc:
        return exc.exit_code, exc.message, time.perf_counter() - start
    except BaseException as exc:
        return 99, "".join(traceback.format_exception_only(exc)).strip(), time.perf_counter() - start
    finally:
        app = ctx.obj if ctx is not None else None
        if app is not None and app._db is not None:
            app._db.dispose()

for i in range(posts):
    asset = assets[(worker + i) % len(assets)]
    day = dt.date(2025, 7, 1) + dt.timedelta(days=(worker * 13 + i) % 90)
    code, msg, took = call("ledger", "post", "--asset", asset, "--revenue", "rent", "--amount", str(amount(worker, i)),
                           "--date", day.isoformat(), "--ref", f"W{worker}-{i}")
    results.append({"op": "post", "asset": asset, "ref": f"W{worker}-{i}", "amount": str(amount(worker, i)),
                    "code": code, "msg": msg, "took": took})
    if i % every == every - 1:
        village = villages[(worker + i // every) % len(villages)]
        code, msg, took = call("distribute", "--village", village, "--period", PERIOD)
        results.append({"op": "distribute", "village": village, "code": code, "msg": msg, "took": took})
with open(out, "w") as fh:
    json.dump(results, fh)
"""


@dataclass
class Run:
    results: list[dict[str, Any]]
    wall: float


def run_workers(zygote: Zygote, url: str, workers: int, posts: int, every: int, folder: Path) -> Run:
    """Fork every worker, release them at the same moment, wait for all."""
    go = folder / f"go-{time.monotonic_ns()}"
    pids = []
    for w in range(workers):
        args = [url, str(w), str(posts), str(every), str(go), str(folder / f"worker-{w}.json")]
        pids.append(zygote.spawn(WORKER, args, folder, folder / f"worker-{w}.log"))
    start = time.perf_counter()
    go.touch()
    results: list[dict[str, Any]] = []
    for w, pid in enumerate(pids):
        code = zygote.wait(pid)
        if code != 0:
            log = (folder / f"worker-{w}.log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"worker {w} exited with {code}: {log[-2000:]}")
        results += json.loads((folder / f"worker-{w}.json").read_text(encoding="utf-8"))
    return Run(results, time.perf_counter() - start)


def problems(db: Database, run: Run) -> list[str]:
    """Everything that is wrong with the database after the workers finished (empty: all is well)."""
    out: list[str] = []
    failed = [r for r in run.results if r["code"] != 0]
    out += [f"{r['op']} failed ({r['code']}): {r['msg']}" for r in failed[:20]]
    posts = [r for r in run.results if r["op"] == "post"]
    expected: dict[str, Decimal] = {}
    for r in posts:
        expected[r["asset"]] = expected.get(r["asset"], Decimal(0)) + Decimal(r["amount"])
    with db.reading() as session:
        refs = Counter(session.scalars(select(Entry.ref).where(Entry.ref.like("W%"))))
        missing = {r["ref"] for r in posts} - set(refs)
        twice = [ref for ref, n in refs.items() if n > 1]
        if missing:
            out.append(f"{len(missing)} postings missing, e.g. {sorted(missing)[:5]}")
        if twice:
            out.append(f"{len(twice)} refs posted more than once, e.g. {twice[:5]}")
        income = dict(
            session.execute(
                select(Entry.asset_id, func.sum(PostingRow.amount))
                .join(PostingRow, PostingRow.entry_id == Entry.id)
                .join(Account, Account.id == PostingRow.account_id)
                .where(Entry.ref.like("W%"), Account.name.like("Income:%"))
                .group_by(Entry.asset_id)
            ).all()
        )
        for asset, total in sorted(expected.items()):
            if -income.get(asset, Decimal(0)) != total:
                out.append(f"{asset}: income {-income.get(asset, Decimal(0))}, posted {total}")
        dists = session.execute(
            select(Distribution.village_code, Distribution.period, Distribution.rule_code, func.count()).group_by(
                Distribution.village_code, Distribution.period, Distribution.rule_code
            )
        ).all()
        for village, period, rule, n in dists:
            if n != 1:
                out.append(f"{village} {period} {rule}: distributed {n} times")
        attempted = {r["village"] for r in run.results if r["op"] == "distribute"}
        done = {village for village, *_ in dists}
        if attempted - done:
            out.append(f"villages never distributed: {sorted(attempted - done)}")
        base = SEED_REVENUE * ASSETS_PER_VILLAGE  # net of no costs; postings of the workers are in 2025Q3
        for d in session.scalars(select(Distribution)):
            lines = session.scalar(
                select(func.sum(DistributionLine.amount)).where(DistributionLine.distribution_id == d.id)
            )
            negative = session.scalar(
                select(func.count()).where(DistributionLine.distribution_id == d.id, DistributionLine.amount < 0)
            )
            if d.total != base or lines != base or negative:
                out.append(f"distribution {d.id}: total {d.total}, lines {lines}, negative lines {negative}")
    out += [f"verify {check}: {what}" for check, what in findings(db)]
    out += [f"reconcile: {m}" for m in reconcile(db, "tester")]
    return out


def latency(run: Run, op: str) -> tuple[float, float, float]:
    """Median, 99th percentile and maximum time of one call (seconds)."""
    took = sorted(r["took"] for r in run.results if r["op"] == op)
    if not took:
        return 0.0, 0.0, 0.0
    return took[len(took) // 2], took[min(len(took) - 1, int(len(took) * 0.99))], took[-1]
