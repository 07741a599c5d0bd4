"""Nothing is dated by the machine's clock when the business date is known; no posting stands after a disposal
(DOMAIN rule 16; issue 17, items 4 and 5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.assets import AssetDraft, Ownership
from assetledger.domain.booking import BOOKS_START, AssetPosting
from assetledger.domain.enums import FundSource, OwnerKind, Register
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import RuleViolation
from assetledger.services.assets import confirm_ownership, register_asset
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.journal import close_period, post_for_asset, reverse
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.journal_models import Entry
from assetledger.store.models import AssetEvent
from tests.builders import ACTOR, assets, registers, revenue
from tests.helpers import ASSET_HEADER, asset_row, table_counts

VILLAGE = "360921101201"


def _entries(db: Database, asset_id: str) -> list[tuple[str, str, dt.date]]:
    with db.reading() as session:
        rows = session.execute(
            select(Entry.entity_code, Entry.kind, Entry.date).where(Entry.asset_id == asset_id).order_by(Entry.id)
        ).all()
    return [(entity, kind, on) for entity, kind, on in rows]


def _register(db: Database, asset_id: str, *, acquired_on: dt.date | None = None, year: int | None = None) -> None:
    """A road of 50,000 yuan of central funds in 红旗村, with no owner yet (the county's books)."""
    road = AssetDraft(asset_id, "村组道路", Register.PUBLIC_BENEFIT, VILLAGE, Decimal("50000"),
                      ((FundSource.CENTRAL, Decimal("50000")),), build_year=year, acquired_on=acquired_on)  # fmt: skip
    register_asset(db, road, ACTOR)


def test_an_asset_without_dates_opens_the_books_and_moves_on_its_confirmation_date(db: Database) -> None:
    registers(db)
    _register(db, "N-1")  # no year, no acquisition date: part of the opening balance (期初)
    confirm_ownership(db, "N-1", Ownership("红旗村股份经济合作社", OwnerKind.VILLAGE, dt.date(2024, 6, 1)), ACTOR)
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
    assert reconcile(db, ACTOR) == []


def test_the_asset_enters_the_books_on_its_acquisition_date_or_year(db: Database) -> None:
    registers(db)
    _register(db, "N-2", acquired_on=dt.date(2023, 3, 15), year=2022)
    _register(db, "N-3", year=2022)
    assert _entries(db, "N-2") == [("C360921", "opening", dt.date(2023, 3, 15))]
    assert _entries(db, "N-3") == [("C360921", "opening", dt.date(2022, 12, 31))]
    # confirmed before it entered the books (确权 before acquisition): it moves when it is there to move
    confirm_ownership(db, "N-2", Ownership("红旗村股份经济合作社", OwnerKind.VILLAGE, dt.date(2023, 1, 1)), ACTOR)
    assert _entries(db, "N-2")[1:] == [
        ("C360921", "transfer_out", dt.date(2023, 3, 15)),
        (f"V{VILLAGE}", "transfer_in", dt.date(2023, 3, 15)),
    ]


def test_a_late_registration_enters_the_first_open_day(db: Database) -> None:
    registers(db)
    close_period(db, "C360921", dt.date(2024, 12, 31), ACTOR)
    _register(db, "N-4", year=2021)
    assert _entries(db, "N-4") == [("C360921", "opening", dt.date(2025, 1, 1))]  # 补录 in the open period


def test_a_disposal_is_not_dated_before_postings_that_stand(db: Database) -> None:
    registers(db)
    entry_id = revenue(db, "A-2", "3000", "2025-10-15")
    auction = DisposalRequest("A-2", DisposalMethod.AUCTION, dt.date(2025, 9, 30), Decimal("90000"), "县〔2026〕3号",
                              ApprovalLevel.COUNTY)  # fmt: skip
    before = table_counts(db)
    with pytest.raises(RuleViolation) as refused:
        dispose(db, auction, ACTOR)
    assert refused.value.exit_code == 5
    assert f"#{entry_id} (2025-10-15, revenue)" in str(refused.value) and "reverse them first" in str(refused.value)
    assert table_counts(db) == before
    reverse(db, entry_id, "处置前误录", ACTOR, dt.date(2025, 10, 20))
    dispose(db, auction, ACTOR)  # the posting and its reversal cancel out: nothing stands after the disposal
    assert reconcile(db, ACTOR) == []
    after = AssetPosting("A-2", dt.date(2025, 10, 1), "revenue", "rent", Decimal("1"))
    with pytest.raises(RuleViolation, match="disposed of on 2025-09-30"):
        post_for_asset(db, after, ACTOR)


def test_an_asset_known_only_by_this_years_build_year_enters_today_not_on_a_31_december_to_come(db: Database) -> None:
    """A December register of this year's projects, with only 建设年度 filled: the asset is registered and booked on
    the day it is registered (only the year is known; nothing is booked ahead of the day), where an asset of an
    earlier year enters on 31 December of it. By one registration and by a file."""
    registers(db)
    this_year = dt.date.today().year
    _register(db, "Y-NOW", year=this_year)
    _register(db, "Y-OLD", year=this_year - 3)
    today = dt.date.today()
    assert _entries(db, "Y-NOW") == [("C360921", "opening", min(dt.date(this_year, 12, 31), today))]
    assert _entries(db, "Y-OLD") == [("C360921", "opening", dt.date(this_year - 3, 12, 31))]
    undated = {
        "建设年度": str(this_year),
        "确权主体": None,
        "确权级别": None,
        "确权日期": None,
        "移交日期": None,
        "管护主体": None,
    }
    assets(db, [ASSET_HEADER, asset_row("Y-FILE", **undated)])
    assert _entries(db, "Y-FILE") == [("C360921", "opening", min(dt.date(this_year, 12, 31), today))]
    with db.reading() as session:
        query = select(AssetEvent.asset_id, AssetEvent.event_date).where(AssetEvent.kind == "registered")
        registered = dict(session.execute(query).all())
    assert registered["Y-NOW"] == registered["Y-FILE"] == min(dt.date(this_year, 12, 31), today)
    assert reconcile(db, ACTOR) == []
