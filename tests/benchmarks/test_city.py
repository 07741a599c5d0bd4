"""The city-scale generator at a tiny scale: it builds a data set the record accepts (hash chain, books, registers),
with the mix and the governance cases the benchmarks need, and running it again adds nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assetledger.services.audit import verify
from assetledger.services.governance import scan
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, DistributionRuleRow, Household
from assetledger.store.journal_models import Entry
from assetledger.store.models import Asset
from benchmarks import city_data


def _count(db: Database, model: object) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


@pytest.mark.long
def test_tiny_city_verifies_clean_and_a_second_run_adds_nothing(db: Database, tmp_path: Path) -> None:
    scale = city_data.SCALES["tiny"]
    said: list[str] = []
    counts = city_data.generate_city(db.url, scale, tmp_path / "inputs", said.append)
    villages = scale.counties * scale.townships * scale.villages
    assert counts["assets"] == _count(db, Asset) > villages * scale.per_village // 2
    with db.reading() as session:
        by_register = dict(session.execute(select(Asset.register, func.count()).group_by(Asset.register)).all())
        months = set(session.scalars(select(Entry.ref).where(Entry.ref.like("city-month:%"))))
        ruled = session.scalar(select(func.count()).select_from(DistributionRuleRow))
    assert by_register["public_benefit"] > by_register["household"] > 0 and by_register["operating"] > 0
    assert len(months) == len(city_data.MONTHS)  # one transaction per month, each marked
    assert ruled == len(city_data.beneficiary_villages(scale)) > 0
    assert counts["distributions"] == ruled * len(city_data.DISTRIBUTED_YEARS)
    assert counts["households"] == _count(db, Household) > 0
    assert any("entries in" in line for line in said)

    # hash chain, balances, register vs events, reconcile, bean-check of every entity
    assert list(verify(db, "tester")) == []
    assert reconcile(db, "tester") == []
    found = scan(db, dt.date(2025, 12, 31), "tester")
    assert any(r.loss_making for r in found) and any(r.idle for r in found)

    entries = _count(db, Entry)
    again = city_data.generate_city(db.url, scale, tmp_path / "inputs", said.append)
    assert again == counts and _count(db, Entry) == entries and _count(db, Distribution) == counts["distributions"]
