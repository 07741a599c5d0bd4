"""Random sequences of the write services (seeded, so a failure replays): register, post, reverse, distribute,
dispose, change status.

Whatever the sequence, after every step: every entry balances, no household share is negative, each village/period
is distributed at most once, the register and the books reconcile, and `audit verify` (without bean-check) is clean.
A refusal by a rule or of bad input (AssetLedgerError) is a legitimate outcome; any other exception is a bug.
Shared by tests/hardening/test_properties.py (a few sequences, seeds from hypothesis) and
benchmarks/property_stress.py (thousands).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from assetledger.domain.assets import AssetDraft, Ownership
from assetledger.domain.booking import AssetPosting
from assetledger.domain.enums import AssetStatus, FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import AssetLedgerError
from assetledger.rules.governance_policy import load_policy
from assetledger.services import distribution, journal
from assetledger.services.assets import change_status, register_asset
from assetledger.services.beneficiaries import import_roster
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.reconcile import reconcile
from assetledger.services.regions import import_regions
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, DistributionLine
from assetledger.store.journal_models import PostingRow
from tests.hardening.harness import ROOT, findings, regions_file, roster_file, rule_file

ACTOR = "model"
VILLAGES = ("360921101201", "360921101202")
PERIODS = ("2025Q1", "2025Q2", "2025Q3")
POLICY = load_policy(ROOT / "ledgers" / "policy" / "governance.toml")
T = TypeVar("T")


def prepare(db: Database, folder: Path) -> None:
    """Regions, a roster and an approved rule for each village: what distributions need. Once per database."""
    from assetledger.io.tabular import read_table

    import_regions(db, read_table(regions_file(folder)), ACTOR)
    for village in VILLAGES:
        import_roster(db, roster_file(folder / f"roster-{village}.csv", village, 4, f"H{village[-3:]}-"), ACTOR)
        distribution.register_rule(db, rule_file(folder / f"rule-{village}.toml", village), ACTOR)


def _money(rng: random.Random) -> Decimal:
    # Two places, as every entry point makes it (an unquantized Decimal trips verify: see test_properties.py).
    return (Decimal(rng.randint(1, 5_000_000)) / 100).quantize(Decimal("0.01"))


def _day(rng: random.Random) -> dt.date:
    return dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(273))  # 2025-01-01 .. 2025-09-30


class LedgerModel:
    """One random sequence of operations on a shared database, checking every invariant after every step."""

    def __init__(self, db: Database, seed: int) -> None:
        self.db, self.rng, self.seed = db, random.Random(seed), seed
        self.assets: list[str] = []
        self.entries: list[int] = []
        self.done: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.serial = itertools.count()
        self.steps: list[str] = []

    def _try(self, what: str, action: Callable[[], T]) -> T | None:
        try:
            result = action()
        except AssetLedgerError:
            self.refused[what] += 1
            return None
        self.done[what] += 1
        return result

    def register(self) -> None:
        rng = self.rng
        village, value = rng.choice(VILLAGES), _money(rng)
        asset_id = f"M{self.seed}-{len(self.assets)}"
        draft = AssetDraft(
            asset_id=asset_id, name="光伏电站", register=Register.OPERATING, region_code=village,
            original_value=value, funding=((FundSource.CENTRAL, value),), build_year=2024,
            ownership=Ownership(f"{village}股份经济合作社", OwnerKind.VILLAGE, dt.date(2024, 12, 1)),
            operating_mode=OperatingMode.LEASE, operator="绿源公司",
        )  # fmt: skip
        self._try("register", lambda: register_asset(self.db, draft, ACTOR))
        self.assets.append(asset_id)

    def post(self) -> None:
        rng = self.rng
        revenue = rng.random() < 0.7
        kind = "rent" if revenue else "maintenance"
        ref = f"P{self.seed}-{next(self.serial)}"
        posting = AssetPosting(
            rng.choice(self.assets), _day(rng), "revenue" if revenue else "expense", kind, _money(rng), ref=ref
        )
        result = self._try("post", lambda: journal.post_for_asset(self.db, posting, ACTOR))
        if result is not None:
            self.entries += result.posted

    def reverse(self) -> None:
        if not self.entries:
            return
        entry = self.rng.choice(self.entries)
        with self.db.reading() as session:
            original = journal.load_entry(session, entry)
        self._try("reverse", lambda: journal.reverse(self.db, entry, "更正", ACTOR, on=original.date))

    def distribute(self) -> None:
        village, period = self.rng.choice(VILLAGES), self.rng.choice(PERIODS)
        self._try("distribute", lambda: distribution.distribute(self.db, village, period, ACTOR))

    def dispose(self) -> None:
        rng = self.rng
        request = DisposalRequest(rng.choice(self.assets), DisposalMethod.AUCTION, _day(rng),
                                  Decimal(rng.randint(0, 100_000)), "县〔2025〕1号", "county")  # fmt: skip
        self._try("dispose", lambda: dispose(self.db, request, POLICY, ACTOR))

    def status(self) -> None:
        rng = self.rng
        status = rng.choice([AssetStatus.IDLE, AssetStatus.IN_USE])
        asset, on = rng.choice(self.assets), _day(rng)
        self._try("status", lambda: change_status(self.db, asset, status, on, ACTOR, reason="核查"))

    OPERATIONS = ("register", "post", "post", "post", "reverse", "distribute", "dispose", "status")

    def run(self, steps: int, *, verify_every: int = 1) -> None:
        self.register()
        for n in range(steps):
            name = self.rng.choice(self.OPERATIONS)
            self.steps.append(name)
            getattr(self, name)()
            self.check(verify=(n + 1) % verify_every == 0 or n == steps - 1)

    def check(self, *, verify: bool = True) -> None:
        where = f"seed {self.seed}, after {self.steps}"
        with self.db.reading() as session:
            unbalanced = session.execute(
                select(PostingRow.entry_id).group_by(PostingRow.entry_id).having(func.sum(PostingRow.amount) != 0)
            ).all()
            assert not unbalanced, f"{where}: unbalanced entries {unbalanced}"
            negative = session.scalar(select(func.count()).where(DistributionLine.amount < 0))
            assert not negative, f"{where}: {negative} negative household shares"
            twice = session.execute(
                select(Distribution.village_code, Distribution.period, Distribution.rule_code)
                .group_by(Distribution.village_code, Distribution.period, Distribution.rule_code)
                .having(func.count() > 1)
            ).all()
            assert not twice, f"{where}: distributed twice: {twice}"
        mismatches = reconcile(self.db)
        assert mismatches == [], f"{where}: register/books mismatch {mismatches}"
        if verify:
            found = findings(self.db)
            assert found == [], f"{where}: verify {found}"
