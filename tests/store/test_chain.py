"""The hash chain: one seal per table and commit, each row named when it is changed, deleted or inserted out of band.

(The per-row links of revisions 0006-0007, version 0.1.0, were never released: nothing writes or reads them, and a
database that holds any is named by verify.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assetledger.store import integrity
from assetledger.store.db import Database
from assetledger.store.integrity import pack_ids, unpack_ids, verify_chain
from assetledger.store.integrity_models import ChainSeal
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, drop_append_only_guards, write_csv

SEAL_COLUMNS = (ChainSeal.table_name, ChainSeal.first_id, ChainSeal.last_id, ChainSeal.row_count, ChainSeal.row_ids,
                ChainSeal.digests, ChainSeal.chain, ChainSeal.row_keys)  # fmt: skip


def findings(db: Database) -> list[str]:
    with db.reading() as session:
        return [str(t) for t in verify_chain(session.connection())]


def test_deleted_inserted_and_changed_rows_and_seals_are_named(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, *(asset_row(f"A-{i}") for i in range(1, 6))]
    run("asset", "import", str(write_csv(run.cwd / "a.csv", rows)))
    for i in range(1, 4):
        run("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", f"{i}", "--date", "2025-03-01")
    assert findings(db) == []
    drop_append_only_guards(db, "postings")
    with db.engine.begin() as conn:
        top = conn.exec_driver_sql("SELECT MAX(id) FROM postings").scalar()
        conn.exec_driver_sql("DELETE FROM postings WHERE id = 2")
        conn.exec_driver_sql(f"UPDATE postings SET amount = amount + 1 WHERE id = {top}")
        conn.exec_driver_sql(
            f"INSERT INTO postings (id, entry_id, account_id, amount) SELECT {top + 10}, entry_id, account_id, 1 "
            f"FROM postings WHERE id = {top}"
        )
    found = findings(db)
    assert "postings id 2: row deleted after it was recorded" in found
    assert f"postings id {top}: row changed after it was recorded" in found
    assert f"postings id {top + 10}: row not in the chain (inserted outside assetledger?)" in found
    assert len(found) == 3, found

    drop_append_only_guards(db, "chain_seals")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM chain_seals WHERE seq = 3")
    after = findings(db)
    assert any(f.startswith("chain_seals id ") and "chain broken" in f for f in after), after


def test_rows_with_gaps_and_seals_split_at_their_size(run: Cli, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids need not be contiguous (PostgreSQL sequences skip a killed writer's numbers): the seal packs them; and
    a commit of more rows than a seal holds is split over several seals."""
    assert unpack_ids(pack_ids([1, 5, 2**40])) == [1, 5, 2**40]
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("A-1")])))
    monkeypatch.setattr(integrity, "SEAL_ROWS", 2)
    with db.transaction() as session:
        conn = session.connection()
        top = conn.exec_driver_sql("SELECT MAX(id) FROM asset_events").scalar()
        for new_id in (top + 7, top + 9, top + 10):
            conn.exec_driver_sql(
                "INSERT INTO asset_events (id, asset_id, kind, event_date, payload, actor, recorded_at) "
                f"SELECT {new_id}, asset_id, 'note', event_date, payload, actor, recorded_at FROM asset_events "
                f"WHERE id = {top}"
            )
    with db.reading() as session:
        seals = session.execute(
            select(*SEAL_COLUMNS).where(ChainSeal.table_name == "asset_events", ChainSeal.first_id > top)
            .order_by(ChainSeal.seq)
        ).all()  # fmt: skip
    assert [(s.first_id, s.last_id, s.row_count) for s in seals] == [(top + 7, top + 9, 2), (top + 10, top + 10, 1)]
    assert seals[0].row_ids is not None and unpack_ids(seals[0].row_ids) == [top + 7, top + 9]
    assert seals[1].row_ids is None
    assert findings(db) == []
    drop_append_only_guards(db, "asset_events")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM asset_events WHERE id = {top + 9}")
    assert findings(db) == [f"asset_events id {top + 9}: row deleted after it was recorded"]


def test_links_of_the_unreleased_per_row_chain_are_named_not_read(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("A-1")])))
    assert findings(db) == []
    drop_append_only_guards(db, "chain_links")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO chain_links (seq, table_name, row_id, digest, chain, sealed_at) "
            f"VALUES (1, 'assets', 1, '{'0' * 64}', '{'0' * 64}', '2025-01-01 00:00:00')"
        )
    assert findings(db) == [f"chain_links: {integrity.LINKS_UNREAD}"]
