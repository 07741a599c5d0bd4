"""Measurements on a generated city (benchmarks/city.py generate), each in a subprocess of its own so its peak
memory (ru_maxrss, interpreter and imports included) is its own. Run through `benchmarks/city.py measure`.

    python benchmarks/city_measure.py MEASURE URL [SAMPLE]     # one measurement, JSON on stdout

What changes the data set: `latency` posts 20 entries (dated 2026-01-15) and `distribution` distributes 2025 in
one more beneficiary village; `bulk` posts 100,000 entries and seals them, then rolls back (commit not timed).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.booking import AssetPosting, revenue_entry
from assetledger.rules.award_policy import parse_policy
from assetledger.services import distribution
from assetledger.services.awards import evaluate_year
from assetledger.services.books import Books, Located
from assetledger.services.governance import scan
from assetledger.services.indicators import Request, compute
from assetledger.services.journal import post_for_asset
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, DistributionRuleRow
from assetledger.store.integrity import INSERTED, seal, take_writer_lock
from assetledger.store.journal_models import Entity, Entry, PostingRow
from assetledger.store.models import Asset

POLICY = Path(__file__).resolve().parents[1] / "ledgers" / "policy" / "awards-city-example.toml"
YEAR = 2025
ACTOR = "city-bench"
BULK = 100_000
REVENUE_BQL = (
    "SELECT entry_meta('kind') AS kind, entry_meta('asset') AS asset, sum(number) AS revenue "
    "WHERE account ~ '^Income:' AND year = 2025 GROUP BY kind, asset"
)
NOT_REVENUE = ("disposal", "inventory", None)


CPU = {"seconds": 0.0}  # this process's CPU time inside the timed calls (SQLite works in-process)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    CPU["seconds"] += time.process_time() - cpu
    return time.perf_counter() - start, result


def operating_village_assets(session: Session, limit: int | None = None) -> list[tuple[str, str]]:
    """(asset id, entity) of active operating assets in village books, by id."""
    query = (
        select(Asset.asset_id, Asset.village_code)
        .where(Asset.register == "operating", Asset.status != "disposed", Asset.owner_kind == "village")
        .order_by(Asset.asset_id)
    )
    if limit:
        query = query.limit(limit)
    return [(a, f"V{v}") for a, v in session.execute(query)]


# --- the measurements --------------------------------------------------------------------------------------------


def bulk(db: Database, _: int) -> dict[str, Any]:
    """Books.post of 100k revenue entries (validation, ids, postings, hash-chain seal), then the same rows by raw
    DB-API executemany into the same tables; both rolled back so the data set stays as generated."""
    with db.reading() as session:
        assets = operating_village_assets(session)
    rng = random.Random(11)
    day = dt.date(2026, 1, 31)
    entries = []
    for i in range(BULK):
        asset_id, entity = assets[i % len(assets)]
        amount = Decimal(rng.randint(10_000, 999_999)).scaleb(-2)
        entries.append(revenue_entry(entity, asset_id, day, "rent", amount, narration="2026年1月租金"))
    with Session(db.engine) as session, session.begin():
        take_writer_lock(session.connection())
        start, cpu = time.perf_counter(), time.process_time()
        Books(session, ACTOR).post(entries, [Located("bench")] * len(entries))
        session.flush()
        seal(session.connection(), session.info.pop(INSERTED, None))  # as Database.transaction seals
        service_s = time.perf_counter() - start
        CPU["seconds"] += time.process_time() - cpu
        session.rollback()
    raw_s = _raw_executemany(db, entries)
    return {"service_s": service_s, "service_rate": BULK / service_s, "raw_s": raw_s, "raw_rate": BULK / raw_s}


def _raw_executemany(db: Database, entries: list[Any]) -> float:
    """The same entries and postings as plain DB-API executemany with pre-converted values (integer fen, ISO
    dates, JSON text), ids given, into the real tables (their indexes and triggers), in one transaction."""
    with Session(db.engine) as session, session.begin():
        take_writer_lock(session.connection())
        conn = session.connection()
        first_entry = (conn.execute(select(func.max(Entry.id))).scalar() or 0) + 1
        first_posting = (conn.execute(select(func.max(PostingRow.id))).scalar() or 0) + 1
        accounts: dict[tuple[str, str], int] = {}
        for entity in sorted({e.entity for e in entries}):
            for name, account_id in conn.exec_driver_sql(
                "SELECT name, id FROM accounts WHERE entity_code = " + ("?" if db.is_sqlite else "%s"), (entity,)
            ):
                accounts[(entity, name)] = account_id
        at = dt.datetime.now(dt.UTC)
        stamp: Any = at.replace(tzinfo=None).isoformat(" ") if db.is_sqlite else at
        mark = "?" if db.is_sqlite else "%s"
        start = time.perf_counter()
        entry_rows = []
        posting_rows = []
        pid = first_posting
        for i, e in enumerate(entries):
            entry_id = first_entry + i
            day = e.date.isoformat() if db.is_sqlite else e.date
            meta = json.dumps(dict(e.meta))
            entry_rows.append(
                (entry_id, e.entity, day, e.kind.value, e.narration, e.asset_id, None, None, meta, ACTOR, stamp)
            )
            for p in e.postings:
                posting_rows.append((pid, entry_id, accounts[(e.entity, p.account)], int(p.amount * 100)))
                pid += 1
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(
            "INSERT INTO entries (id, entity_code, date, kind, narration, asset_id, ref, reverses_id, meta, actor, "
            f"recorded_at) VALUES ({', '.join([mark] * 11)})",
            entry_rows,
        )
        cursor.executemany(
            f"INSERT INTO postings (id, entry_id, account_id, amount) VALUES ({mark}, {mark}, {mark}, {mark})",
            posting_rows,
        )
        took = time.perf_counter() - start
        session.rollback()
    return took


def latency(db: Database, _: int) -> dict[str, Any]:
    with db.reading() as session:
        assets = operating_village_assets(session, 20)
        entries = session.scalar(select(func.count()).select_from(Entry))
    seconds = []
    for i, (asset_id, _entity) in enumerate(assets):
        posting = AssetPosting(asset_id, dt.date(2026, 1, 15), "revenue", "rent", Decimal("100.00") + i)
        took, _ = timed(lambda p=posting: post_for_asset(db, p, ACTOR))  # type: ignore[misc]
        seconds.append(took)
    return {"median_s": statistics.median(seconds), "max_s": max(seconds), "entries": entries}


def revenue(db: Database, _: int) -> dict[str, Any]:
    """Cross-entity revenue figures: every county's operating revenue and yield for the year (one SQL GROUP BY)."""
    took, table = timed(lambda: compute(db, ACTOR, YEAR, "county", [Request("yield", "operating_yield", {})]))
    total = sum((m["yield"].numerator or Decimal(0) for m in table.measures.values()), Decimal(0))
    return {"seconds": took, "units": len(table.units), "revenue": str(total)}


def awards(db: Database, _: int) -> dict[str, Any]:
    policy = parse_policy(POLICY)
    took, evaluation = timed(lambda: evaluate_year(db, YEAR, policy, ACTOR))
    return {"seconds": took, "units": len(evaluation.results), "indicators": len(policy.indicators)}


def beancount(db: Database, sample: int) -> dict[str, Any]:
    """Export `sample` village ledgers (not timed), then time Beancount's loader and the BQL revenue query over
    them; scaled to every entity by entry count. The BQL figures are checked against SQL for the same entities."""
    from beancount import loader

    from assetledger.ledger.beancount_io import run_bql
    from assetledger.services.ledger_files import export_entity

    with db.reading() as session:
        villages = sorted(session.scalars(select(Entity.code).where(Entity.kind == "village")))
        total_entries = session.scalar(select(func.count()).select_from(Entry)) or 0
    chosen = random.Random(5).sample(villages, min(sample, len(villages)))
    folder = Path(tempfile.mkdtemp(prefix="city-bean-"))
    exported = 0
    files = []
    for code in chosen:
        path, n = export_entity(db, code, folder / f"{code}.beancount", ACTOR)
        files.append(path)
        exported += n
    start, cpu = time.perf_counter(), time.process_time()
    bql_total = Decimal(0)
    for path in files:
        directives, errors, _ = loader.load_file(str(path))
        assert not errors, errors[:3]
        _, rows = run_bql(directives, REVENUE_BQL)
        bql_total += sum((-r[2] for r in rows if r[0] not in NOT_REVENUE and r[1]), Decimal(0))
    took = time.perf_counter() - start
    CPU["seconds"] += time.process_time() - cpu
    with db.reading() as session:
        sql_total = _sql_revenue(session, chosen)
    shutil.rmtree(folder)  # the ledgers and the cache Beancount's loader writes beside them
    assert bql_total == sql_total, (bql_total, sql_total)
    return {"sample_s": took, "sample_entities": len(chosen), "sample_entries": exported,
            "total_entries": total_entries, "scaled_s": took * total_entries / max(exported, 1),
            "revenue": str(bql_total)}  # fmt: skip


def _sql_revenue(session: Session, entities: list[str]) -> Decimal:
    from assetledger.store.journal_models import Account

    total = session.scalar(
        select(func.sum(-PostingRow.amount))
        .join(Entry, Entry.id == PostingRow.entry_id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(Entry.entity_code.in_(entities), Entry.asset_id.is_not(None), Entry.kind.not_in(NOT_REVENUE[:2]),
               Entry.date.between(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), Account.name.like("Income:%"))
    )  # fmt: skip
    return total or Decimal(0)


def governance_scan(db: Database, _: int) -> dict[str, Any]:
    with db.reading() as session:
        assets = session.scalar(select(func.count()).select_from(Asset))
    took, found = timed(lambda: scan(db, dt.date(YEAR, 12, 31), ACTOR))
    return {"seconds": took, "found": len(found), "assets": assets}


def distribute(db: Database, _: int) -> dict[str, Any]:
    """Distribute 2025 in the first beneficiary village that has not distributed it yet."""
    with db.reading() as session:
        ruled = sorted(set(session.scalars(select(DistributionRuleRow.village_code))))
        done = set(session.scalars(select(Distribution.village_code).where(Distribution.period == str(YEAR))))
    village = next(v for v in ruled if v not in done)
    took, result = timed(lambda: distribution.distribute(db, village, str(YEAR), ACTOR))
    return {"seconds": took, "village": village, "households": len(result.split.households),
            "total": str(result.split.total)}  # fmt: skip


def export_check(db: Database, _: int) -> dict[str, Any]:
    from assetledger.ledger.beancount_io import check, render
    from assetledger.services.ledger_files import load_books

    with db.reading() as session:
        busiest = session.execute(
            select(Entry.entity_code, func.count())
            .where(Entry.entity_code.like("V%"))
            .group_by(Entry.entity_code)
            .order_by(func.count().desc())
            .limit(1)
        ).one()[0]

    def work() -> int:
        with db.reading() as session:
            books = load_books(session, busiest)
        errors = check(render(books))
        assert not errors, errors[:3]
        return len(books.entries)

    took, n = timed(work)
    return {"seconds": took, "entity": busiest, "entries": n}


def reconcile_all(db: Database, _: int) -> dict[str, Any]:
    took, found = timed(lambda: reconcile(db, ACTOR))
    return {"seconds": took, "mismatches": len(found)}


MEASURES: dict[str, Callable[[Database, int], dict[str, Any]]] = {
    "bulk": bulk,
    "latency": latency,
    "revenue": revenue,
    "awards": awards,
    "beancount": beancount,
    "scan": governance_scan,
    "distribution": distribute,
    "export": export_check,
    "reconcile": reconcile_all,
}


def main(argv: list[str]) -> int:
    name, url = argv[0], argv[1]
    sample = int(argv[2]) if len(argv) > 2 else 20
    db = Database(url)
    try:
        result = MEASURES[name](db, sample)
    finally:
        db.dispose()
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["cpu_s"] = CPU["seconds"]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
