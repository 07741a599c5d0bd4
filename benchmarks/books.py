"""Benchmarks of the books, distribution and governance paths on an existing database (e.g. the demo's).

    python benchmarks/books.py --db sqlite:///demo/assetledger.db [--postings 50000] [--posting-only]

Measures, in-process (so interpreter start-up is not counted): bulk posting rate through the service (validation,
ids, sealing) against a raw sqlite3 executemany of the same rows, one interactive posting's latency, export +
Beancount check of the busiest village, a distribution over 1,000 households with a year of revenue, and the
idle/loss-making scan. Prints a Markdown table. Not run by CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from assetledger.domain.booking import AssetPosting
from assetledger.domain.journal import JournalEntry
from assetledger.ledger.beancount_io import check, render
from assetledger.services import distribution
from assetledger.services.beneficiaries import import_roster
from assetledger.services.books import Books, Located
from assetledger.services.governance import scan
from assetledger.services.journal import entity_of_asset, entry_for_posting, post_for_asset
from assetledger.services.ledger_files import load_books
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution
from assetledger.store.journal_models import Account, Entry, PostingRow
from assetledger.store.models import Asset


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


DAY = dt.date(2026, 11, 21)


def revenue_entries(db: Database, count: int, ref_prefix: str) -> list[JournalEntry]:
    """`count` rent entries (seeded) against random operating assets owned by villages, in their owners' books."""
    rng = random.Random(7)
    with db.reading() as s:
        ids = list(s.scalars(select(Asset.asset_id).where(Asset.register == "operating", Asset.status != "disposed",
                                                            Asset.owner_kind == "village")))  # fmt: off
        owners = {a: entity_of_asset(s, a) for a in ids}
    batch = [AssetPosting(rng.choice(ids), DAY, "revenue", "rent", Decimal(rng.randint(100, 999999)) / 100,
                          ref=f"{ref_prefix}-{i}") for i in range(count)]  # fmt: off
    return [entry_for_posting(p, owners) for p in batch]


def bench(url: str, postings: int, posting_only: bool = False) -> list[tuple[str, str, str]]:
    db = Database(url)
    rows: list[tuple[str, str, str]] = []
    entries = revenue_entries(db, postings, "bench")
    with db.reading() as s:
        ids = list(s.scalars(select(Asset.asset_id).where(Asset.register == "operating", Asset.status != "disposed",
                                                            Asset.owner_kind == "village")))  # fmt: off
    day = DAY

    def post_all() -> int:
        with db.transaction() as session:
            return len(Books(session, "bench").post(entries, [Located("bench")] * len(entries)).posted)

    cpu = time.process_time()
    seconds, count = timed(post_all)
    cpu = time.process_time() - cpu  # on a shared machine CPU seconds vary less than the wall clock
    rows.append(("bulk posting (service: validate, ids, postings, seal)", f"{count / seconds:,.0f} entries/s",
                 f"{count} entries in {seconds:.2f} s ({cpu:.2f} s CPU)"))  # fmt: off
    if url.startswith("sqlite"):
        raw = Path(tempfile.mkdtemp()) / "raw.db"
        con = sqlite3.connect(raw)
        con.execute(
            "CREATE TABLE e (id INTEGER PRIMARY KEY, entity TEXT, date TEXT, kind TEXT, narration TEXT, ref TEXT)"
        )
        con.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, entry INTEGER, account INTEGER, amount INTEGER)")
        start, raw_cpu = time.perf_counter(), time.process_time()
        con.executemany(
            "INSERT INTO e VALUES (?, ?, ?, ?, ?, ?)",
            [(i, e.entity, e.date.isoformat(), "revenue", e.narration, e.ref) for i, e in enumerate(entries)],
        )
        con.executemany("INSERT INTO p VALUES (NULL, ?, ?, ?)",
                        [(i, 1, int(p.amount * 100)) for i, e in enumerate(entries) for p in e.postings])  # fmt: off
        con.commit()
        raw_s, raw_cpu = time.perf_counter() - start, time.process_time() - raw_cpu
        rows.append(("raw sqlite3 executemany, same rows (the floor)", f"{len(entries) / raw_s:,.0f} entries/s",
                     f"{raw_s:.2f} s ({raw_cpu:.2f} s CPU); service at {raw_s / seconds:.1%} of the floor's rate, "
                     f"{raw_cpu / cpu:.1%} in CPU"))  # fmt: off
        shutil.rmtree(raw.parent)
    latencies = []
    cpus = []
    for i in range(20):
        p = AssetPosting(ids[i % len(ids)], day, "revenue", "rent", Decimal("1.00"), ref=f"one-{i}")
        one_cpu = time.process_time()
        seconds, _ = timed(lambda p=p: post_for_asset(db, p, "bench"))
        cpus.append(time.process_time() - one_cpu)
        latencies.append(seconds)
    with db.reading() as s:
        total_entries = s.scalar(select(func.count()).select_from(Entry))
    latencies.sort()
    cpus.sort()
    rows.append(("one interactive posting (median of 20)", f"{latencies[10] * 1000:.1f} ms",
                 f"CPU {cpus[10] * 1000:.1f} ms; {total_entries:,} entries in the database"))  # fmt: off
    if posting_only:
        return rows
    with db.reading() as s:
        busiest = s.execute(select(Entry.entity_code, func.count()).group_by(Entry.entity_code)
                            .order_by(func.count().desc()).limit(1)).one()  # fmt: off

    def export_check() -> int:
        with db.reading() as s:
            books = load_books(s, busiest[0])
        errors = check(render(books))
        assert not errors, errors[:3]
        return len(books.entries)

    seconds, n = timed(export_check)
    rows.append(("export + Beancount check of the busiest village", f"{seconds:.2f} s", f"{busiest[0]}: {n} entries"))
    rows.append(distribution_bench(db))
    seconds, found = timed(lambda: scan(db, day, "bench"))
    with db.reading() as s:
        assets = s.scalar(select(func.count()).select_from(Asset))
    rows.append(("idle/loss-making scan (SQL)", f"{seconds:.2f} s", f"{assets:,} assets, {len(found)} found"))
    return rows


def distribution_bench(db: Database) -> tuple[str, str, str]:
    """1,000 households in the village with the largest net revenue of 2025 that has not distributed 2025 yet, a
    year of its revenue, one distribution. (A village month is distributed once: the demo has distributed some
    villages' 2025 by quarter already, and distributing their year again is refused, DOMAIN rule 15.)"""
    year_start, year_end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    with db.reading() as s:
        distributed = select(Distribution.village_code).where(
            Distribution.period_start <= year_end, Distribution.period_end >= year_start
        )
        net = -func.sum(PostingRow.amount).filter(Account.name.like("Income:%")) - func.coalesce(
            func.sum(PostingRow.amount).filter(Account.name.like("Expenses:%")), 0
        )
        best = (
            select(Entry.entity_code)
            .join(PostingRow, PostingRow.entry_id == Entry.id)
            .join(Account, Account.id == PostingRow.account_id)
            .where(Entry.entity_code.like("V%"), Entry.date.between(year_start, year_end), Entry.asset_id.is_not(None))
            .where(func.substr(Entry.entity_code, 2).not_in(distributed))
            .group_by(Entry.entity_code)
            .order_by(net.desc(), Entry.entity_code)
            .limit(1)
        )
        village = s.execute(best).scalar_one()[1:]
    folder = Path(tempfile.mkdtemp())
    roster = folder / "roster.csv"
    lines = ["户编号,村,户主,人口,类别,因素,纳入日期,退出日期,退出原因"]
    for i in range(1000):
        left = f"2025-{(i % 12) + 1:02d}-10,死亡" if i % 50 == 0 else ","
        lines.append(f"BH{i:05d},{village},户主{i},{1 + i % 5},脱贫户,{'老年' if i % 7 == 0 else ''},2024-06-01,{left}")
    roster.write_text("\n".join(lines), encoding="utf-8")
    import_roster(db, roster, "bench")
    rule = folder / "rule.toml"
    rule.write_text(
        f'code = "BENCH"\nversion = 1\nvillage = "{village}"\neffective_from = 2025-01-01\n'
        '[purposes]\nhousehold_shares = 60\nreinvestment = 40\n[households]\nbasis = "per_person"\n'
        "[households.factor_weights]\nelderly = 1.5\n"
        '[approval]\nbody = "村民代表大会"\ndate = 2025-01-02\ndocument = "BENCH-1"\n'
        "[notice]\nstart = 2025-01-03\ndays = 7\n",
        encoding="utf-8",
    )
    distribution.register_rule(db, rule, "bench")
    seconds, result = timed(lambda: distribution.distribute(db, village, "2025", "bench", on=dt.date(2026, 1, 10)))
    shutil.rmtree(folder)
    return ("distribution: 1,000 households, a year of revenue", f"{seconds:.2f} s",
            f"{len(result.split.households)} shares of {result.split.total}")  # fmt: off


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="database to copy and measure (SQLite file URL)")
    parser.add_argument("--postings", type=int, default=50_000)
    parser.add_argument("--posting-only", action="store_true", help="bulk and interactive posting only")
    args = parser.parse_args()
    url = args.db
    if url.startswith("sqlite:///"):
        copy = Path(tempfile.mkdtemp()) / "bench.db"
        shutil.copy(url.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    print("| measurement | result | notes |\n|---|---|---|")
    for name, value, note in bench(url, args.postings, args.posting_only):
        print(f"| {name} | {value} | {note} |")


if __name__ == "__main__":
    main()
