"""The records as DataFrames (services/frames.py): the same rows, scope and exact amounts as the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal

import pytest

from assetledger.errors import PermissionDenied
from assetledger.services import frames
from assetledger.services.asset_queries import AssetFilter
from assetledger.services.book_reports import balances, income_by_asset
from assetledger.services.governance import scan
from assetledger.store.db import Database
from tests.builders import expense, registers, revenue, user
from tests.services.test_journal import COUNTY, VILLAGE

OTHER_TOWNSHIP = "360921102"


def _books(db: Database) -> None:
    """The registers (`registers` of tests/builders), A-2's rent in June 2025 and a repair in July; the county's finance
    zhang and zhao, an auditor of the other township."""
    registers(db)
    revenue(db, "A-2", "30000.10", "2025-06-30")
    expense(db, "A-2", "1200.05", "2025-07-02")
    zhang = user(db, "zhang", "finance", "360921")
    user(db, "zhao", "auditor", OTHER_TOWNSHIP, actor=zhang)


def test_the_register_frame_is_the_asset_list(db: Database) -> None:
    _books(db)
    register = frames.assets(db, actor="zhang")
    assert sorted(register.index) == ["A-1", "A-2", "A-3", "H-1"]
    assert register.loc["A-2", "original_value"] == Decimal("100000.00")  # exact, not a float
    by_register = register.groupby("register")["original_value"].sum()
    assert by_register["public_benefit"] == Decimal("200000.00")
    operating = frames.assets(db, actor="zhang", flt=AssetFilter(unconfirmed=True))
    assert list(operating.index) == ["A-3"]


def test_postings_balance_per_entry_and_agree_with_the_trial_balance(db: Database) -> None:
    _books(db)
    legs = frames.postings(db, actor="zhang")
    assert (legs.groupby("entry_id")["amount"].sum() == Decimal("0.00")).all()  # every entry balances
    village = legs[legs["entity"] == VILLAGE].groupby("account")["amount"].sum()
    trial = {r.name: r.balance for r in balances(db, VILLAGE, actor="zhang")}
    assert {name: amount for name, amount in village.items() if amount} == trial
    july = frames.postings(db, actor="zhang", start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 31))
    assert set(july["kind"]) == {"expense"} and len(july) == 2
    income = frames.income_by_asset(db, actor="zhang", entity=VILLAGE).set_index("asset_id")
    assert income.loc["A-2", "net"] == Decimal("28800.05")
    assert income.to_dict("records") == [
        {k: v for k, v in asdict(r).items() if k != "asset_id"} for r in income_by_asset(db, VILLAGE, actor="zhang")
    ]


def test_a_reader_sees_only_its_scope(db: Database) -> None:
    _books(db)
    assert frames.assets(db, actor="zhao").empty  # every asset is in the other township
    assert frames.postings(db, actor="zhao").empty
    assert list(frames.postings(db, actor="zhao").columns) == list(frames.POSTING_COLUMNS)
    with pytest.raises(PermissionDenied):
        frames.postings(db, actor="zhao", entity=COUNTY)
    with pytest.raises(PermissionDenied):
        frames.assets(db, actor="nobody")


def test_registers_by_owner_adds_up_to_the_register(db: Database) -> None:
    _books(db)
    table = frames.registers_by_owner(db, actor="zhang").set_index("register")
    register = frames.assets(db, actor="zhang")
    assert table.loc["total", "value"] == sum(register["original_value"], Decimal("0.00"))
    assert table.loc["total", "assets"] == len(register)


def test_the_governance_list_and_asset_performance_are_frames_of_the_services_rows(db: Database) -> None:
    """A-2 earned its rent in June 2025 and nothing after: a year and a half later it is idle (no revenue)."""
    _books(db)
    year_end = dt.date(2026, 12, 31)
    flagged = frames.governance_list(db, actor="zhang", as_of=year_end)
    assert list(flagged.index) == [r.asset_id for r in scan(db, year_end, "zhang")]
    assert flagged.loc["A-2", "finding"] == "no_revenue" and flagged.loc["A-2", "last_revenue"] == dt.date(2025, 6, 30)
    assert flagged.loc["A-2", "book_value"] == Decimal("100000.00")
    empty = frames.governance_list(db, actor="zhao", as_of=year_end)
    assert empty.empty and list(empty.columns) == list(frames.GOVERNANCE_COLUMNS[1:])
    performance = frames.asset_performance(db, actor="zhang", year=2025)
    assert performance.loc["A-2", "net"] == Decimal("28800.05")
    assert performance.loc["A-2", "yield_pct"] == Decimal("30.00")
    assert frames.asset_performance(db, actor="zhao", year=2025).empty
