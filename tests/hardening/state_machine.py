"""A hypothesis state machine over the write services, checking the invariants of record after every step.

Steps: register an asset (with or without its dates, confirmed or not, amounts up to and past the bound), confirm
it (any date), change several by a file (confirm, custodian, status: `asset bulk`), post revenue or costs (any
date, a few refs that repeat, amounts past the bound), reverse a posting, dispose of an asset (back-dated too),
distribute a village's revenue (years, halves, quarters, months, unfinished periods), publish its notice (on its
date or later), pay households (before and after the notice has run, published or not), take a distribution back,
close a village's books, and run a year-end inventory that writes shortages off. A refusal (any AssetLedgerError) is
a legitimate outcome; any other exception is a bug.

After every step: every entry balances; no village month is shared twice by standing distributions; no posting
stands after a disposal; no household was paid before its published notice ran; no entry is dated by the clock;
register and books reconcile; every report runs (the awards evaluation every few steps and at the end); `audit
verify` is clean (and bean-check at the end).

Every example starts from a fresh database copied from a migrated template (SQLite) or migrated in a schema of its
own (PostgreSQL), so examples are independent and hypothesis can shrink a failure to its shortest sequence. Shared
by tests/hardening/test_state_machine.py (bounded, in CI) and benchmarks/property_stress.py (the long run).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import shutil
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, precondition, rule
from sqlalchemy import func, select

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.assets import AssetDraft, Ownership
from assetledger.domain.booking import AssetPosting
from assetledger.domain.distribution import Period, pools_overlap
from assetledger.domain.enums import FundSource, OperatingMode, OwnerKind, RegionLevel, Register
from assetledger.domain.governance import DisposalMethod
from assetledger.domain.inventory import parse_scope
from assetledger.domain.journal import EntryKind
from assetledger.errors import AssetLedgerError
from assetledger.rules.award_policy import parse_policy
from assetledger.services import distribution, distribution_settlement, household_dues, journal, public_notices
from assetledger.services.asset_books import entries_after
from assetledger.services.asset_changes import apply_file
from assetledger.services.assets import confirm_ownership, register_asset
from assetledger.services.audit import verify
from assetledger.services.awards import evaluate_year
from assetledger.services.beneficiaries import import_roster
from assetledger.services.book_reports import balances, entities, income_by_asset
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.governance import scan
from assetledger.services.inventory import open_inventory
from assetledger.services.inventory_close import close_inventory
from assetledger.services.inventory_counts import record_counts
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.services.regions import import_regions
from assetledger.services.register_summary import register_summary
from assetledger.store import migrate
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, DistributionRuleRow, Payout
from assetledger.store.journal_models import Entry, PeriodClose, PostingRow
from assetledger.store.models import Asset
from assetledger.store.publication_models import NoticePublication
from tests.conftest import Cli
from tests.hardening.harness import ROOT, pg_schema_url, regions_file, roster_file, rule_file

ACTOR = "machine"
COUNTY = "360921"
VILLAGES = ("360921101201", "360921101202")
AWARDS = parse_policy(ROOT / "ledgers" / "policy" / "awards-city-example.toml")
T = TypeVar("T")
OUTCOMES: Counter[tuple[str, str]] = Counter()  # (step, done | refused) over every example run in this process
AWARDS_EVERY = 5  # steps between runs of the awards evaluation (and once at the end of every example)

# Dates the machine uses: all before today, so nothing it does may be dated by the clock.
FIRST_DAY, LAST_DAY = dt.date(2019, 1, 1), dt.date(2026, 11, 30)
days = st.integers(0, (LAST_DAY - FIRST_DAY).days).map(lambda n: FIRST_DAY + dt.timedelta(days=n))
recent_days = st.integers(0, (LAST_DAY - dt.date(2025, 1, 1)).days).map(lambda n: dt.date(2025, 1, 1) + dt.timedelta(n))
# Amounts in fen: ordinary ones, and some up to and past any bound a province's sums could take.
fen = st.one_of(st.integers(1, 5_000_000_00), st.integers(10**10, 10**21))
amounts = fen.map(lambda f: Decimal(f).scaleb(-2))


def _current_quarter() -> str:
    today = dt.date.today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


PERIODS = ("2025", "2025H1", "2025H2", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025-03", "2025-05", "2025-11",
           "2026Q1", "2026Q2", _current_quarter())  # fmt: skip


# --- fresh databases ---------------------------------------------------------------------------------------------


def prepare(db: Database, folder: Path) -> None:
    """Regions, a roster and an approved rule for each village: what distributions need."""
    from assetledger.io.tabular import read_table

    import_regions(db, read_table(regions_file(folder)), ACTOR)
    for village in VILLAGES:
        import_roster(db, roster_file(folder / f"roster-{village}.csv", village, 4, f"H{village[-3:]}-"), ACTOR)
        distribution.register_rule(db, rule_file(folder / f"rule-{village}.toml", village), ACTOR)


def prepare_with_cli(run: Cli) -> None:
    """`prepare` as the built state `machine` (tests/conftest.py) makes it, once per run."""
    db = Database(run.url)
    try:
        prepare(db, run.cwd)
    finally:
        db.dispose()


@dataclass
class Databases:
    """Hands out a fresh, prepared database per example: on SQLite a copy of a template file, on PostgreSQL a copy
    of the prepared database from `pg_copies` (the test suite's: tests/hardening/test_state_machine.py) or else a
    schema of its own (migrated and prepared afresh: PostgreSQL has no cheap copy of a schema)."""

    backend: str
    folder: Path
    pg_base: str | None = None
    pg_copies: Callable[[], AbstractContextManager[Database]] | None = None

    def __post_init__(self) -> None:
        self._serial = itertools.count()
        if self.backend == "sqlite":
            self.template = self.folder / "template.db"
            url = f"sqlite:///{self.template}"
            migrate.upgrade(url)
            db = Database(url)
            prepare(db, self.folder)
            db.dispose()

    @contextmanager
    def fresh(self) -> Iterator[Database]:
        n = next(self._serial)
        if self.backend == "sqlite":
            path = self.folder / f"example-{n}.db"
            shutil.copyfile(self.template, path)
            db = Database(f"sqlite:///{path}")
            try:
                yield db
            finally:
                db.dispose()
                path.unlink(missing_ok=True)
            return
        if self.pg_copies is not None:
            with self.pg_copies() as db:
                yield db
            return
        assert self.pg_base is not None
        with pg_schema_url(self.pg_base) as url:
            migrate.upgrade(url)
            db = Database(url)
            files = self.folder / f"pg-{n}-{uuid.uuid4().hex[:6]}"
            files.mkdir()
            try:
                prepare(db, files)
                yield db
            finally:
                db.dispose()


# --- the machine --------------------------------------------------------------------------------------------------


class RecordMachine(RuleBasedStateMachine):
    """Set `databases` on a subclass (see tests/hardening/test_state_machine.py)."""

    databases: Databases
    assets = Bundle("assets")
    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        self._db_context = self.databases.fresh()
        self.db = self._db_context.__enter__()
        self.folder = self.databases.folder / f"files-{uuid.uuid4().hex[:8]}"
        (self.folder / "sheets").mkdir(parents=True)
        self.serial = itertools.count()
        self.checks = 0
        self.undated: set[str] = set()  # villages distributed without a date: today's act, dated today

    def teardown(self) -> None:
        try:
            if getattr(self, "db", None) is not None:
                evaluate_year(self.db, 2025, AWARDS, ACTOR)
                failed = [(r.entity, e) for r in check_entities(self.db, "tester") for e in r.errors]
                assert failed == [], f"bean-check: {failed[:5]}"
        finally:
            self._db_context.__exit__(None, None, None)
            shutil.rmtree(self.folder, ignore_errors=True)

    def _try(self, action: Callable[[], T]) -> T | None:
        """The service's answer, or None when it refused (a refusal is a legitimate outcome). Tallied per step in
        `outcomes`, for the long run's report of what was done and what was refused."""
        step = sys._getframe(1).f_code.co_name
        try:
            result = action()
        except AssetLedgerError:
            OUTCOMES[(step, "refused")] += 1
            return None
        OUTCOMES[(step, "done")] += 1
        return result

    # --- steps ---------------------------------------------------------------------------------------------------

    @rule(
        target=assets,
        village=st.sampled_from(VILLAGES),
        register=st.sampled_from([Register.OPERATING, Register.PUBLIC_BENEFIT]),
        value=amounts,
        dated=st.one_of(st.none(), days, st.integers(2015, 2025)),
        confirmed=st.one_of(st.none(), days),
    )
    def register(
        self, village: str, register: Register, value: Decimal, dated: dt.date | int | None, confirmed: dt.date | None
    ) -> Any:
        asset_id = f"M-{next(self.serial)}"
        operating = register is Register.OPERATING
        draft = AssetDraft(
            asset_id=asset_id, name="光伏电站" if operating else "村组道路", register=register, region_code=village,
            original_value=value, funding=((FundSource.CENTRAL, value),),
            build_year=dated if isinstance(dated, int) else None,
            acquired_on=dated if isinstance(dated, dt.date) else None,
            ownership=Ownership(f"{village}股份经济合作社", OwnerKind.VILLAGE, confirmed) if confirmed else None,
            operating_mode=OperatingMode.LEASE if operating else None, operator="绿源公司" if operating else None,
        )  # fmt: skip
        done = self._try(lambda: register_asset(self.db, draft, ACTOR))
        return multiple() if done is None and not self._exists(asset_id) else asset_id

    @rule(asset=assets, on=days)
    def confirm(self, asset: str, on: dt.date) -> None:
        owner = Ownership("村股份经济合作社", OwnerKind.VILLAGE, on, "确〔2025〕1号")
        self._try(lambda: confirm_ownership(self.db, asset, owner, ACTOR))

    @rule(
        chosen=st.lists(assets, min_size=1, max_size=4, unique=True),
        kind=st.sampled_from(["confirm", "custodian", "status"]),
        on=days,
        status=st.sampled_from(["在用", "闲置", "毁损"]),
    )
    def bulk(self, chosen: list[str], kind: str, on: dt.date, status: str) -> None:
        """A file of changes (`asset bulk`) to some registered assets: confirmed to their village, a custodian, a
        status; all or nothing."""
        header, row = {
            "confirm": (["资产编号", "确权层级", "确权日期"], ["村", on.isoformat()]),
            "custodian": (["资产编号", "管护主体", "管护起始日期"], ["村民委员会", on.isoformat()]),
            "status": (["资产编号", "资产状态", "变更日期"], [status, on.isoformat()]),
        }[kind]
        path = self.folder / f"bulk-{next(self.serial)}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *([asset, *row] for asset in chosen)])
        self._try(lambda: apply_file(self.db, kind, path, ACTOR))

    @rule(
        target=entries,
        asset=assets,
        revenue=st.booleans(),
        amount=amounts,
        on=recent_days,
        ref=st.one_of(st.none(), st.sampled_from(["PZ-1", "PZ-2", "PZ-3"])),
    )
    def post(self, asset: str, revenue: bool, amount: Decimal, on: dt.date, ref: str | None) -> Any:
        posting = AssetPosting(asset, on, "revenue" if revenue else "expense", "rent" if revenue else "maintenance",
                               amount, ref=ref)  # fmt: skip
        result = self._try(lambda: journal.post_for_asset(self.db, posting, ACTOR))
        return multiple(*result.posted) if result is not None else multiple()

    @rule(entry=entries, later=st.integers(0, 60))
    def reverse(self, entry: int, later: int) -> None:
        with self.db.reading() as session:
            original = session.get(Entry, entry)
            on = min(original.date + dt.timedelta(days=later), LAST_DAY) if original else LAST_DAY
        self._try(lambda: journal.reverse(self.db, entry, "更正", ACTOR, on=on))

    @rule(asset=assets, on=recent_days, proceeds=st.integers(0, 200_000))
    def dispose(self, asset: str, on: dt.date, proceeds: int) -> None:
        request = DisposalRequest(
            asset, DisposalMethod.AUCTION, on, Decimal(proceeds), "县〔2025〕9号", ApprovalLevel.COUNTY
        )
        self._try(lambda: dispose(self.db, request, ACTOR))

    @rule(
        village=st.sampled_from(VILLAGES),
        period=st.sampled_from(PERIODS),
        late=st.one_of(st.none(), st.integers(1, 40)),
    )
    def distribute(self, village: str, period: str, late: int | None) -> None:
        end = Period.parse(period).end
        on = None if late is None else end + dt.timedelta(days=late)
        if on is None:
            self.undated.add(f"V{village}")
        self._try(lambda: distribution.distribute(self.db, village, period, ACTOR, on=on))

    @rule(
        village=st.sampled_from(VILLAGES),
        period=st.sampled_from(PERIODS),
        later=st.one_of(st.none(), st.integers(0, 10)),
    )
    def publish(self, village: str, period: str, later: int | None) -> None:
        """Publish the notice (公示): dated as the distribution (None) or `later` days after the newest one."""
        with self.db.reading() as session:
            made = session.scalar(
                select(func.max(Distribution.distributed_on)).where(Distribution.village_code == village)
            )
        on = None if later is None else min((made or LAST_DAY) + dt.timedelta(days=later), LAST_DAY)
        self._try(lambda: public_notices.publish(self.db, village, period, ACTOR, on))

    @rule(village=st.sampled_from(VILLAGES), period=st.sampled_from(PERIODS), after=st.integers(0, 20))
    def pay(self, village: str, period: str, after: int) -> None:
        with self.db.reading() as session:
            made = session.scalar(
                select(func.max(Distribution.distributed_on)).where(Distribution.village_code == village)
            )
        on = min((made or LAST_DAY) + dt.timedelta(days=after), LAST_DAY)
        self._try(lambda: distribution_settlement.pay(self.db, village, period, on, ACTOR))

    @rule(village=st.sampled_from(VILLAGES), period=st.sampled_from(PERIODS))
    def take_back(self, village: str, period: str) -> None:
        self._try(
            lambda: distribution_settlement.reverse_distribution(
                self.db, village, period, "收入录错", ACTOR, on=LAST_DAY
            )
        )

    @rule(village=st.sampled_from(VILLAGES), through=recent_days)
    def close(self, village: str, through: dt.date) -> None:
        self._try(lambda: journal.close_period(self.db, f"V{village}", through, ACTOR))

    @precondition(lambda self: not getattr(self, "inventoried", False))
    @rule(missing=st.integers(0, 3), closed_on=recent_days)
    def inventory(self, missing: int, closed_on: dt.date) -> None:
        """The 2025 year-end inventory of the county: the first assets counted present, `missing` of them short."""
        self.inventoried = True
        opened = self._try(
            lambda: open_inventory(self.db, 2025, parse_scope(f"county:{COUNTY}"), ACTOR, dt.date(2025, 12, 1))
        )
        if opened is None:
            return
        with self.db.reading() as session:
            from assetledger.store.inventory_models import InventoryItem

            items = session.execute(
                select(InventoryItem.asset_id, InventoryItem.place_code)
                .where(InventoryItem.inventory_id == opened.inventory_id)
                .order_by(InventoryItem.asset_id)
            ).all()
        if not items:
            return
        sheet = self.folder / "sheets" / "counted.csv"
        with sheet.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["清查编号", "区划代码", "资产编号", "结果", "清查日期", "清查人", "备注"])
            for n, (asset_id, place) in enumerate(items):
                result = "盘亏" if n < missing else "在用"
                writer.writerow([opened.inventory_id, place, asset_id, result, "2025-12-20", "清查组", ""])
        if self._try(lambda: record_counts(self.db, sheet, ACTOR, today=dt.date(2025, 12, 31))) is None:
            return
        self._try(lambda: close_inventory(self.db, opened.inventory_id, "县财〔2026〕2号", ACTOR, closed_on))

    # --- invariants ----------------------------------------------------------------------------------------------

    @invariant()
    def every_entry_balances(self) -> None:
        with self.db.reading() as session:
            unbalanced = session.execute(
                select(PostingRow.entry_id).group_by(PostingRow.entry_id).having(func.sum(PostingRow.amount) != 0)
            ).all()
        assert not unbalanced, f"entries that do not balance: {unbalanced}"

    @invariant()
    def no_village_month_is_shared_twice(self) -> None:
        for village in VILLAGES:
            with self.db.reading() as session:
                standing = distribution.standing_distributions(session, village)
            for a, b in itertools.combinations(standing, 2):
                clash = a.period.overlaps(b.period) and pools_overlap(a.assets, b.assets)
                assert not clash, f"{village}: {a.period.label} (#{a.id}) and {b.period.label} (#{b.id}) share months"

    @invariant()
    def nothing_stands_after_a_disposal(self) -> None:
        with self.db.reading() as session:
            disposed = session.execute(select(Asset.asset_id, Asset.disposed_on).where(Asset.disposed_on.is_not(None)))
            for asset_id, on in disposed.all():
                assert on is not None
                later = entries_after(session, [asset_id], on)
                assert not later, f"{asset_id} disposed of on {on}, entries after it stand: {later}"

    @invariant()
    def households_are_paid_after_the_notice(self) -> None:
        with self.db.reading() as session:
            rows = session.execute(
                select(Payout.paid_on, NoticePublication.published_on, DistributionRuleRow.body)
                .join(Distribution, Distribution.id == Payout.distribution_id)
                .join(DistributionRuleRow, DistributionRuleRow.id == Distribution.rule_id)
                .outerjoin(NoticePublication, NoticePublication.distribution_id == Distribution.id)
            ).all()
        for paid_on, published, body in rows:
            assert published is not None, f"paid on {paid_on}, its notice never published"
            allowed = distribution.rule_from_json(body).first_payout_day(published)
            assert paid_on >= allowed, f"paid on {paid_on}, before the notice of {published} had run ({allowed})"

    @invariant()
    def household_payables_agree_with_the_dues(self) -> None:
        """Each household's payable in the books is its unpaid standing shares less what it was paid beyond its
        settled ones (services/household_dues.py): the record and the books tell one story of who is owed what."""
        for village in VILLAGES:
            with self.db.reading() as session:
                unpaid: dict[str, Decimal] = {}
                for due in household_dues.dues(session, village):
                    unpaid[due.household_id] = unpaid.get(due.household_id, Decimal(0)) + due.share
                over = household_dues.overpaid(session, village)
            books = {
                r.name: -r.balance for r in balances(self.db, f"V{village}", actor=ACTOR)
                if r.name.startswith("Liabilities:DistributionPayable:")
            }  # fmt: skip
            expected = {
                distribution.payable_account(h): unpaid.get(h, Decimal(0)) - over.get(h, Decimal(0))
                for h in unpaid.keys() | over.keys()
            }
            assert books == {a: v for a, v in expected.items() if v}, f"{village}: payables {books}, dues {expected}"

    @invariant()
    def nothing_is_dated_by_the_clock(self) -> None:
        """No entry is dated after every date the machine gave, but on the first open day of books closed through
        the last of them (a registration into closed books is entered on the day after the close), or today for a
        distribution the machine made without a date (the act is today's)."""
        with self.db.reading() as session:
            closed = dict(
                session.execute(select(PeriodClose.entity_code, func.max(PeriodClose.through)).group_by(
                    PeriodClose.entity_code)).all()
            )  # fmt: skip
            later = session.execute(
                select(Entry.entity_code, Entry.date, Entry.kind).where(Entry.date > LAST_DAY)
            ).all()
        today = dt.date.today()
        clocked = [
            (e, d) for e, d, kind in later
            if (e not in closed or d != closed[e] + dt.timedelta(days=1))
            and not (kind == EntryKind.DISTRIBUTION and e in self.undated and d == today)  # asked to, as of today
        ]  # fmt: skip
        assert not clocked, f"entries dated after every date the machine gave: dated by the clock: {clocked}"

    @invariant()
    def register_and_books_reconcile(self) -> None:
        mismatches = reconcile(self.db, "tester")
        assert mismatches == [], f"register and books disagree: {mismatches}"

    @invariant()
    def every_report_runs(self) -> None:
        for row in entities(self.db, ACTOR):
            balances(self.db, row.code, actor=ACTOR)
        income_by_asset(self.db, None, dt.date(2025, 1, 1), dt.date(2026, 12, 31), actor=ACTOR)
        for level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
            register_summary(self.db, level, ACTOR)
        scan(self.db, dt.date(2026, 11, 30), ACTOR)
        self.checks += 1
        if self.checks % AWARDS_EVERY == 0:  # its indicators run side by side in threads: the costliest check
            evaluate_year(self.db, 2025, AWARDS, ACTOR)

    @invariant()
    def the_record_verifies(self) -> None:
        found = list(verify(self.db, "tester", bean_check=False))
        assert found == [], f"audit verify: {found}"

    def _exists(self, asset_id: str) -> bool:
        with self.db.reading() as session:
            return session.get(Asset, asset_id) is not None
