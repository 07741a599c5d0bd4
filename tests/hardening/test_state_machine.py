"""The invariants of record hold whatever sequence of operations users make (issue 17): a bounded run per backend
here; the long run is benchmarks/property_stress.py (figures in benchmarks/README.md)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import Engine

from assetledger.domain.assets import AssetDraft, Ownership
from assetledger.domain.enums import FundSource, OperatingMode, OwnerKind, Register
from assetledger.services.assets import register_asset
from assetledger.services.audit import verify
from assetledger.store.db import Database
from tests.conftest import PG_ENV, built_postgres, postgres_copy
from tests.hardening.state_machine import Databases, RecordMachine, prepare

# Enough to meet every rule and most refusals in CI; more with ASSETLEDGER_MACHINE_EXAMPLES=N.
EXAMPLES = {"sqlite": 15, "postgresql": 5}
STEPS = 20


@pytest.mark.long
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_every_sequence_keeps_the_invariants_of_record(
    backend: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    base = os.environ.get(PG_ENV)
    if backend == "postgresql" and not base:
        pytest.skip(f"{PG_ENV} not set")
    examples = int(os.environ.get("ASSETLEDGER_MACHINE_EXAMPLES", EXAMPLES[backend]))
    copies = None
    if backend == "postgresql":  # each example on a copy of the database prepared once (the built state `machine`)
        admin: Engine = request.getfixturevalue("postgres_admin")
        empty: str = request.getfixturevalue("postgres_template")
        prepared = built_postgres("machine", admin, empty, tmp_path_factory)
        copies = partial(postgres_copy, admin, prepared, empty)

    class Machine(RecordMachine):
        databases = Databases(backend, tmp_path, base, copies)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,  # no example database on disk: every run draws afresh, and CI leaves nothing behind
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_a_value_given_without_two_places_still_verifies(db: Database, tmp_path: Path) -> None:
    """Decimal("1000") from the Python API is stored as 100000 fen and verifies like "1000.00" (found by the
    earlier property run: the register event kept the text as given)."""
    prepare(db, tmp_path)
    village = "360921101201"
    draft = AssetDraft(
        asset_id="Q-1", name="冷库", register=Register.OPERATING, region_code=village,
        original_value=Decimal("1000"), funding=((FundSource.CENTRAL, Decimal("1000")),),
        ownership=Ownership(f"{village}股份经济合作社", OwnerKind.VILLAGE, dt.date(2024, 12, 1)),
        operating_mode=OperatingMode.LEASE, operator="公司",
    )  # fmt: skip
    register_asset(db, draft, "model")
    assert list(verify(db, "tester", bean_check=False)) == []
