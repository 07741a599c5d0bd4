"""Nothing is dated by the machine's clock when the business date is known; no posting stands after a disposal
(DOMAIN rule 16; issue 17, items 4 and 5)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from assetledger.domain.booking import BOOKS_START
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.journal_models import Entry
from assetledger.store.models import AssetEvent
from tests.conftest import Cli
from tests.helpers import posted_entry, table_counts
from tests.services.test_journal import _registers

VILLAGE = "360921101201"


def _entries(db: Database, asset_id: str) -> list[tuple[str, str, dt.date]]:
    with db.reading() as session:
        rows = session.execute(
            select(Entry.entity_code, Entry.kind, Entry.date).where(Entry.asset_id == asset_id).order_by(Entry.id)
        ).all()
    return [(entity, kind, on) for entity, kind, on in rows]


def _register(run: Cli, asset_id: str, *extra: str) -> None:
    run("asset", "register", "--id", asset_id, "--name", "村组道路", "--register", "public_benefit", "--region",
        VILLAGE, "--value", "50000", "--fund", "central=50000", *extra)  # fmt: skip


def test_an_asset_without_dates_opens_the_books_and_moves_on_its_confirmation_date(run: Cli, db: Database) -> None:
    _registers(run)
    _register(run, "N-1")  # no year, no acquisition date: part of the opening balance (期初)
    run("asset", "confirm", "N-1", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date", "2024-06-01")
    assert _entries(db, "N-1") == [
        ("C360921", "opening", BOOKS_START),
        ("C360921", "transfer_out", dt.date(2024, 6, 1)),
        (f"V{VILLAGE}", "transfer_in", dt.date(2024, 6, 1)),
    ]
    today = dt.date.today()
    assert all(on != today for _, _, on in _entries(db, "N-1"))
    with db.reading() as session:
        query = select(AssetEvent.kind, AssetEvent.event_date).where(AssetEvent.asset_id == "N-1")
        kinds = {kind: on for kind, on in session.execute(query)}
    assert kinds == {"registered": None, "ownership_confirmed": dt.date(2024, 6, 1)}  # unknown stays unknown
    assert reconcile(db, "tester") == []


def test_the_asset_enters_the_books_on_its_acquisition_date_or_year(run: Cli, db: Database) -> None:
    _registers(run)
    _register(run, "N-2", "--acquired-on", "2023-03-15", "--year", "2022")
    _register(run, "N-3", "--year", "2022")
    assert _entries(db, "N-2") == [("C360921", "opening", dt.date(2023, 3, 15))]
    assert _entries(db, "N-3") == [("C360921", "opening", dt.date(2022, 12, 31))]
    # confirmed before it entered the books (确权 before acquisition): it moves when it is there to move
    run("asset", "confirm", "N-2", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date", "2023-01-01")
    assert _entries(db, "N-2")[1:] == [
        ("C360921", "transfer_out", dt.date(2023, 3, 15)),
        (f"V{VILLAGE}", "transfer_in", dt.date(2023, 3, 15)),
    ]


def test_a_late_registration_enters_the_first_open_day(run: Cli, db: Database) -> None:
    _registers(run)
    run("ledger", "close", "--entity", "C360921", "--through", "2024-12-31")
    _register(run, "N-4", "--year", "2021")
    assert _entries(db, "N-4") == [("C360921", "opening", dt.date(2025, 1, 1))]  # 补录 in the open period


def test_a_disposal_is_not_dated_before_postings_that_stand(run: Cli, db: Database) -> None:
    _registers(run)
    out = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "3000", "--date", "2025-10-15")
    entry_id = posted_entry(out.output)
    dispose = ["asset", "dispose", "A-2", "--method", "auction", "--date", "2025-09-30", "--proceeds", "90000",
               "--approval", "县〔2026〕3号", "--approved-by", "county"]  # fmt: skip
    before = table_counts(db)
    refused = run(*dispose, ok=False)
    assert refused.exit_code == 5, refused.output
    assert f"#{entry_id} (2025-10-15, revenue)" in refused.output and "reverse them first" in refused.output
    assert table_counts(db) == before
    run("ledger", "reverse", entry_id, "--reason", "处置前误录", "--date", "2025-10-20")
    run(*dispose)  # the posting and its reversal cancel out: nothing stands after the disposal
    assert reconcile(db, "tester") == []
    after = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-10-01",
                ok=False)  # fmt: skip
    assert after.exit_code != 0 and "disposed of on 2025-09-30" in after.output
