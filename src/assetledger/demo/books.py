"""Demo revenue and costs: monthly rent and dividends of operating assets, maintenance of public-benefit ones."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select

from assetledger.domain.booking import AssetPosting, books_of, entity_code
from assetledger.domain.enums import AssetStatus, Register
from assetledger.domain.journal import JournalEntry
from assetledger.services.asset_books import load_booked
from assetledger.services.books import Books, Located
from assetledger.services.journal import entry_for_posting
from assetledger.store.db import Database
from assetledger.store.models import Asset

# Two years and ten months of books: the demo's 'today' is late 2026.
MONTHS = [(y, m) for y in (2024, 2025, 2026) for m in range(1, 13) if (y, m) <= (2026, 10)]


def month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def post_demo_books(db: Database, seed: int, actor: str) -> int:
    """Revenue and costs from 2024 to October 2026. Idle operating assets earn nothing after they went idle."""
    rng = random.Random(seed)
    with db.transaction() as session:
        rows = session.execute(
            select(Asset.asset_id, Asset.register, Asset.contract_annual_income, Asset.status, Asset.operating_mode)
            .where(Asset.register != Register.HOUSEHOLD)
            .order_by(Asset.asset_id)
        ).all()
        booked = load_booked(session, [r.asset_id for r in rows])
        entities = {}
        for asset_id, asset in booked.items():
            place = books_of(asset)
            if place:
                entities[asset_id] = entity_code(*place)
        postings: list[AssetPosting] = []
        for r in rows:
            if r.asset_id not in entities:
                continue
            if r.register == Register.OPERATING.value:
                postings += _operating(rng, r.asset_id, r.contract_annual_income, r.status, r.operating_mode)
            elif rng.random() < 0.15:
                on = dt.date(rng.choice((2024, 2025, 2026)), rng.randint(3, 10), rng.randint(1, 28))
                cost = Decimal(rng.randrange(50_000, 1_500_000)) / 100
                postings.append(AssetPosting(r.asset_id, on, "expense", "maintenance", cost, narration="维修养护"))
        entries: list[JournalEntry] = [entry_for_posting(p, entities) for p in postings]
        Books(session, actor).post(entries, [Located("demo")] * len(entries))
        return len(entries)


def _operating(
    rng: random.Random, asset_id: str, annual: Decimal | None, status: str, mode: str | None
) -> list[AssetPosting]:
    out: list[AssetPosting] = []
    yearly = annual or Decimal(rng.randrange(20_000, 120_000))
    idle_from = (2025, 4) if status == AssetStatus.IDLE.value else None
    losing = rng.random() < 0.08  # some assets cost more than they earn
    for year, month in MONTHS:
        if idle_from and (year, month) >= idle_from:
            break
        on = month_end(year, month)
        if mode == "shares":
            if month == 12:
                out.append(AssetPosting(asset_id, on, "revenue", "dividend", yearly, narration=f"{year}年度股金分红"))
            continue
        if month % 3 == 0:
            rent = (yearly / 4).quantize(Decimal("0.01"))
            out.append(AssetPosting(asset_id, on, "revenue", "rent", rent, narration=f"{year}年{month}月季度租金"))
        if losing or rng.random() < 0.1:
            scale = Decimal("0.5") if losing else Decimal("0.05")
            cost = (yearly * scale * Decimal(rng.randint(50, 150)) / 100).quantize(Decimal("0.01"))
            out.append(AssetPosting(asset_id, on, "expense", "operating", cost, narration="运营维护支出"))
    return out
