"""Bulk paths at a size where they change strategy (PostgreSQL switches to COPY from COPY_FROM rows): what is stored
is what the one-row path stores — exact money, dates, JSON metadata — and the record still verifies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.services.books import Books, Located
from assetledger.services.journal import load_entry
from assetledger.services.reconcile import reconcile
from assetledger.store import register_repo
from assetledger.store.bulk import CHUNK, COPY_FROM, chunks
from assetledger.store.db import Database
from assetledger.store.integrity import verify_chain
from assetledger.store.journal_models import Entry, PostingRow
from assetledger.store.models import Asset, AssetEvent, AssetFunding
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv

N = COPY_FROM + 37


def test_bulk_import_and_posting_store_exactly_what_they_were_given(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER]
    for i in range(N):
        value = Decimal(100_000 + i) + Decimal("0.07")
        central = (value * Decimal("0.6")).quantize(Decimal("0.01"))
        rows.append(asset_row(f"B-{i:04d}", **{"资产原值（元）": str(value), "中央衔接资金": str(central),
                                              "县级衔接资金": str(value - central)}))  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "bulk.csv", rows)))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Asset)) == N
        total = session.scalar(select(func.sum(AssetFunding.amount)))
        assert total == sum(Decimal(100_000 + i) + Decimal("0.07") for i in range(N))
        entity = session.scalar(select(Entry.entity_code).where(Entry.asset_id == "B-0000"))
    assert entity is not None
    day = dt.date(2025, 6, 30)
    entries = [
        JournalEntry(entity, day, f"租金 {i}", (Posting("Assets:Bank", Decimal(i) + Decimal("0.01")),
                     Posting("Income:Contracting", -(Decimal(i) + Decimal("0.01")))), EntryKind.REVENUE,
                     f"B-{i:04d}", f"bulk-{i}", meta={"type": "rent", "n": str(i)})
        for i in range(N)
    ]  # fmt: skip
    with db.transaction() as session:
        posted = Books(session, "tester").post(entries, [Located("bulk")] * N).posted
    assert len(posted) == N
    with db.reading() as session:
        last = load_entry(session, posted[-1])
        count = session.scalar(select(func.count()).select_from(PostingRow).where(PostingRow.entry_id.in_(posted)))
        income = session.scalar(
            select(func.sum(PostingRow.amount)).where(PostingRow.entry_id.in_(posted), PostingRow.amount > 0)
        )
        broken = [str(t) for t in verify_chain(session.connection())]
    assert last.date == day and last.meta == {"type": "rent", "n": str(N - 1)} and last.ref == f"bulk-{N - 1}"
    assert last.postings[0].amount == Decimal(N - 1) + Decimal("0.01")
    assert count == 2 * N
    assert income == sum(Decimal(i) + Decimal("0.01") for i in range(N))
    assert broken == []
    assert reconcile(db, "tester") == []
    with db.transaction() as session:  # the same batch again posts nothing
        again = Books(session, "tester").post(entries, [Located("bulk")] * N)
    assert again.posted == [] and len(again.skipped) == N


def test_set_based_reads_and_shared_values_store_and_read_what_the_plain_path_does(run: Cli, db: Database) -> None:
    """An import's opening entries read its batch back in two set-based queries (`booked_batch`), a large posting
    reads the assets off the books once (`off_books` past one chunk of ids), and a batch's actor and time are bound
    once for every row (`insert_values(same=)`): each gives what the per-id reads and per-row values give."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    count = CHUNK + 20
    rows: list[list[object]] = [list(ASSET_HEADER)]
    rows += [asset_row(f"S-{i:04d}", **({"建设年度": str(2016 + i % 8)} if i % 3 else {})) for i in range(count)]
    run("asset", "import", str(write_csv(run.cwd / "set.csv", rows)))
    run("asset", "decide-dispose", "S-0007", "--date", "2025-01-01")
    run("asset", "dispose", "S-0007", "--method", "scrap", "--date", "2026-01-01", "--approval", "x",
        "--approved-by", "county")  # fmt: skip
    ids = [f"S-{i:04d}" for i in range(count)]
    with db.reading() as session:
        batch = session.scalar(select(Asset.batch_id).where(Asset.asset_id == "S-0000"))
        assert batch is not None
        by_batch = register_repo.booked_batch(session, batch)
        by_id = register_repo.booked_assets(session, ids)
        facts = {f[0]: f for f in register_repo.entry_date_facts(session, ids)}
        assert by_batch == {i: (by_id[i], facts[i]) for i in ids}
        many = register_repo.off_books(session, [*ids, "NOT-REGISTERED"])
        few = {}
        for part in chunks(ids):
            few.update(register_repo.off_books(session, part))
        assert many == few and set(many) == {"S-0007"}
        stored = session.execute(select(Asset.registered_by, Asset.registered_at, Asset.batch_id)).all()
        events = session.execute(
            select(AssetEvent.actor, AssetEvent.recorded_at).where(AssetEvent.kind == "registered")
        )
        assert len(set(stored)) == 1 and stored[0][0] and stored[0][2] == batch
        assert {tuple(e) for e in events} == {stored[0][:2]}
        broken = [str(t) for t in verify_chain(session.connection())]
    assert broken == []
