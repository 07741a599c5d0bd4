"""Amounts beyond the bound that reached a database out of band (or before the bound existed) are named by verify,
which does not itself fail on the sums they would overflow (issue 17, item 6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import InputError
from assetledger.services.audit import verify
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.store.db import Database
from tests.builders import ACTOR, registers, revenue
from tests.helpers import drop_append_only_guards, table_counts


def test_verify_names_postings_beyond_the_bound_without_overflowing(db: Database) -> None:
    registers(db)
    entry_id = revenue(db, "A-2", "10", "2025-03-01")
    drop_append_only_guards(db, "postings")
    huge = 9_000_000_000_000_000_000  # fen: two of these overflow a signed 64-bit sum
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE postings SET amount = :a WHERE entry_id = :e AND amount > 0"), {"a": huge, "e": entry_id}
        )
        conn.execute(
            text("UPDATE postings SET amount = :a WHERE entry_id = :e AND amount < 0"), {"a": -huge, "e": entry_id}
        )
    found = [(check, what) for check, what in verify(db, ACTOR, bean_check=False) if check == "bounds"]
    assert len(found) == 2 and all(f"entry {entry_id}:" in what for _, what in found)


def test_disposal_proceeds_from_the_python_api_are_bounded(db: Database) -> None:
    registers(db)
    before = table_counts(db)
    for proceeds in (Decimal("1e12"), Decimal("NaN"), Decimal("0.001")):
        request = DisposalRequest(
            "A-2", DisposalMethod.AUCTION, dt.date(2025, 9, 1), proceeds, "县〔2025〕1号", ApprovalLevel.COUNTY
        )
        with pytest.raises(InputError, match="--proceeds"):
            dispose(db, request, ACTOR)
    assert table_counts(db) == before
