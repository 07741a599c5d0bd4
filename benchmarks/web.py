"""Render time of the web interface's main pages at county scale (target: under 200 ms each).

Uses the demo county (`assetledger demo`: 100 villages, ~2,800 assets, two years of books, distributions,
governance, an inventory, awards): builds it in a temporary folder unless --demo-db names one, works on a copy,
adds three users with passwords, and times every main page through Flask's test client in-process (no network,
no browser): median and slowest of --runs requests after one warm-up request. Writes the table into
benchmarks/README.md between the `web` markers (--no-readme: print only). Not run by CI.

    python benchmarks/web.py                       # builds the demo (about a minute), then measures
    python benchmarks/web.py --demo-db demo/assetledger.db --runs 9
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from assetledger.demo.web_setup import add_users, demo_copy, store_county_policy
from assetledger.domain.access import Role
from assetledger.store import migrate
from assetledger.store.db import Database
from assetledger.store.journal_models import Entry
from assetledger.store.models import Asset
from assetledger.store.publication_models import NoticePublication
from assetledger.web import cache, create_app

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- web:start -->", "<!-- web:end -->"
PASSWORD = "benchmark password"
TARGET_MS = 200.0


def prepare(db: Database) -> dict[str, str]:
    """Users for the bureau, one village and the audit office, with passwords; a few keys for the URLs."""
    migrate.upgrade(db.url)
    with db.reading() as session:
        entity = session.scalar(
            select(Entry.entity_code).where(Entry.entity_code.like("V%"), Entry.kind == "distribution").limit(1)
        )
        assert entity, "the demo has distributions"
        village = entity[1:]
        county = session.scalar(select(Asset.county_code).where(Asset.village_code == village).limit(1))
        asset = session.scalar(select(Entry.asset_id).where(Entry.asset_id.is_not(None), Entry.entity_code == entity))
        published = session.scalar(select(NoticePublication.village_code).limit(1))
    assert county and asset and published, "the demo publishes a village's notices"
    actor = "bench-finance"
    grants = [(actor, Role.FINANCE, county), ("bench-village", Role.VILLAGE_ACCOUNTANT, village),
              ("bench-auditor", Role.AUDITOR, county)]  # fmt: skip
    add_users(db, grants, PASSWORD, actor)
    store_county_policy(db, county, actor)
    return {"county": county, "village": village, "asset": asset, "public": published}


def login(client: FlaskClient, name: str) -> str:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    done = client.post("/login", data={"user": name, "password": PASSWORD, "csrf_token": token.group(1)})
    assert done.status_code == 302, done.status_code
    home = client.get(done.headers["Location"]).get_data(as_text=True)
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', home)
    assert fresh
    return fresh.group(1)


def measure(request: Callable[[], TestResponse], runs: int) -> tuple[float, float, float, float, int, int]:
    """Median and slowest as served (the record unchanged between requests), the median with the web layer's
    cache emptied before every request (as right after a change of the record), and that one's CPU time (user +
    system of this process: what the page costs, whatever else the shared machine is doing)."""
    first = request()  # warm-up: templates compiled
    served, uncached, cpu = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        response = request()
        served.append((time.perf_counter() - started) * 1000)
    for _ in range(runs):
        forget()
        started, cpu_started = time.perf_counter(), time.process_time()
        request()
        uncached.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    status = response.status_code or first.status_code
    return (statistics.median(served), max(served), statistics.median(uncached), statistics.median(cpu), status,
            len(response.data))  # fmt: skip


def forget() -> None:
    with cache._LOCK:
        cache._VALUES.clear()


def pages(keys: dict[str, str]) -> list[tuple[str, str, str, dict[str, str] | None]]:
    """(who, label, path, form or None for GET)."""
    v, a = keys["village"], keys["asset"]
    sql = "SELECT register, count(*), sum(original_value_fen) FROM v_assets GROUP BY register"
    return [
        ("bench-finance", "register summary by township", "/dashboard", None),
        ("bench-finance", "register summary by village", "/dashboard?level=village", None),
        ("bench-finance", "asset list (first page of 50)", "/assets", None),
        ("bench-finance", "asset list by value, page 20", "/assets?sort=original_value&order=desc&page=20", None),
        ("bench-finance", "asset search 冷库", "/assets?q=冷库", None),
        ("bench-finance", "asset search of two words", "/assets?q=冷库 村", None),
        ("bench-finance", "asset list export (CSV, all)", "/assets?export=csv", None),
        ("bench-finance", "households (first page)", "/households", None),
        ("bench-finance", "journal entries (first page)", "/entries", None),
        ("bench-finance", "distributions (first page)", "/distributions", None),
        ("bench-finance", "asset page with full history", f"/assets/{a}", None),
        ("bench-finance", "governance list", "/governance?as_of=2026-10-31", None),
        ("bench-finance", "inventories", "/inventory", None),
        ("bench-finance", "inventory progress", "/inventory/1", None),
        ("bench-finance", "awards table and chart (inline SVG)", "/awards?year=2025", None),
        ("bench-finance", "award policies and their versions", "/awards/policies", None),
        ("bench-finance", "count sheets of an inventory", "/inventory/1/sheets", None),
        ("bench-finance", "indicators 2023-2025, county level", "/indicators", None),
        ("bench-finance", "indicators 2023-2025, village level", "/indicators?level=village", None),
        ("bench-village", "the village's books (entries, balances, by asset)", "/books", None),
        ("bench-village", "posting form", "/post", None),
        (
            "bench-village",
            "distribution dry run",
            "/distribution",
            {"village": v, "period": "2025Q2", "action": "dry-run"},
        ),
        ("bench-village", "public notice", f"/notice?village={v}&period=2025Q2", None),
        ("bench-village", "public village page (no login)", f"/public/{keys['public']}", None),
        ("bench-auditor", "audit page", "/audit/", None),
        ("bench-auditor", "read-only SQL", "/audit/", {"kind": "sql", "query": sql}),
        (
            "bench-auditor",
            "BQL over a village's books",
            "/audit/",
            {
                "kind": "bql",
                "entity": f"V{v}",
                "query": "SELECT account, sum(position) WHERE account ~ '^Income' GROUP BY account",
            },
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-db", type=Path, help="an existing demo database (copied, never changed)")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page (median reported)")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave benchmarks/README.md alone")
    parser.add_argument("--only", help="time only the pages whose label contains this text (implies --no-readme)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assetledger-web-bench-") as tmp:
        path = demo_copy(args.demo_db, Path(tmp), "web-bench.db")
        db = Database(f"sqlite:///{path}")
        keys = prepare(db)
        with db.reading() as session:
            assets = session.scalar(select(func.count()).select_from(Asset)) or 0
            entries = session.scalar(select(func.count()).select_from(Entry)) or 0
        app = create_app(db, secret_key=b"benchmark" * 4)
        clients: dict[str, tuple[FlaskClient, str]] = {}
        rows = []
        for who, label, url, form in pages(keys):
            if args.only and args.only not in label:
                continue
            if who not in clients:
                client = app.test_client()
                clients[who] = (client, login(client, who))
            client, token = clients[who]
            if form is None:
                figures = measure(lambda c=client, u=url: c.get(u), args.runs)
            else:
                data = form | {"csrf_token": token}
                figures = measure(lambda c=client, u=url, d=data: c.post(u, data=d), args.runs)
            median, slowest, cold, cpu, status, size = figures
            rows.append((label, url.split("?")[0], status, median, slowest, cold, cpu, size))
            print(f"{label:34} {status} {median:7.1f} ms median {slowest:7.1f} ms max {cold:7.1f} ms uncached "
                  f"({cpu:7.1f} ms CPU) {size / 1024:6.1f} KiB")  # fmt: skip
        db.dispose()
    section = _section(rows, assets, entries, args.runs)
    if not args.no_readme and not args.only:
        _write_readme(section)
        print(f"\nwritten to {README}")


def _section(
    rows: list[tuple[str, str, int, float, float, float, float, int]], assets: int, entries: int, runs: int
) -> str:
    lines = [
        START,
        "## Web pages (`benchmarks/web.py`)",
        "",
        f"The demo county on SQLite ({assets:,} assets, {entries:,} journal entries), each page requested through "
        f"Flask's test client in-process after one warm-up: median and slowest of {runs} requests as served, and "
        "the median with the web layer's cache emptied before each request (award evaluations, their chart, "
        "inventory progress, indicators and BQL results are kept until the hash chain's head moves, i.e. until the "
        f"record changes) with its CPU time (user + system of the process), on this shared 2-core machine (load "
        f"average {os.getloadavg()[0]:.1f} at the end of the run). Target: every page under {TARGET_MS:.0f} ms.",
        "",
        "| page | path | status | median ms | max ms | uncached median ms | uncached CPU ms | size KiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path, status, median, slowest, cold, cpu, size in rows:
        lines.append(
            f"| {label} | `{path}` | {status} | {median:.1f} | {slowest:.1f} | {cold:.1f} | {cpu:.1f} "
            f"| {size / 1024:.1f} |"
        )
    over = [r[0] for r in rows if r[3] >= TARGET_MS]
    cold_over = [r[0] for r in rows if r[5] >= TARGET_MS]
    lines += [
        "",
        "Over the target as served: "
        + (", ".join(over) if over else "none")
        + "; right after a change: "
        + (", ".join(cold_over) if cold_over else "none")
        + ".",
        END,
    ]
    return "\n".join(lines)


def _write_readme(section: str) -> None:
    current = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        updated = head + section + rest.split(END, 1)[1]
    else:
        updated = current.rstrip("\n") + "\n\n" + section + "\n"
    README.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
