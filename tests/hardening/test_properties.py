"""Random sequences of register, post, reverse, distribute, dispose and status changes keep the books balanced, the
shares non-negative, the register and the books reconciled and the record verifying (bounded here: a few sequences
of 12 steps per backend; 10,000 sequences: benchmarks/property_stress.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetledger.domain.assets import AssetDraft, Ownership
from assetledger.domain.enums import FundSource, OperatingMode, OwnerKind, Register
from assetledger.services.assets import register_asset
from assetledger.store.db import Database
from tests.hardening.harness import findings
from tests.hardening.model import LedgerModel, prepare

_prepared: set[str] = set()


@settings(max_examples=5, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_random_operation_sequences_keep_every_invariant(db: Database, tmp_path: Path, seed: int) -> None:
    if db.url not in _prepared:  # hypothesis runs every example against the same test database
        prepare(db, tmp_path)
        _prepared.add(db.url)
    LedgerModel(db, seed).run(12, verify_every=4)


def test_a_value_given_without_two_places_still_verifies(db: Database, tmp_path: Path) -> None:
    prepare(db, tmp_path)
    village = "360921101201"
    draft = AssetDraft(
        asset_id="Q-1", name="冷库", register=Register.OPERATING, region_code=village,
        original_value=Decimal("1000"), funding=((FundSource.CENTRAL, Decimal("1000")),),
        ownership=Ownership(f"{village}股份经济合作社", OwnerKind.VILLAGE, dt.date(2024, 12, 1)),
        operating_mode=OperatingMode.LEASE, operator="公司",
    )  # fmt: skip
    register_asset(db, draft, "model")
    assert findings(db) == []
