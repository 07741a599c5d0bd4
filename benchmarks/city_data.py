"""City-scale data through the bulk paths of the services: regions, registers, five years of books, beneficiaries,
distributions and a governance campaign. Deterministic (same scale, same data) and resumable: every stage skips
what an earlier run already recorded, so an interrupted run continues where it stopped.

- Registers: one CSV per county written from `assetledger.demo.generate` (the mix of one published district:
  ~80% public-benefit, ~5.5% operating, ~14.5% household-level) and imported with `import_assets`, which also
  posts every opening entry. About 3% of operating assets and 0.2% of public-benefit ones go idle (闲置) in
  2024-2025 (a status change each, through the service).
- Books, 2021-2025, one month per transaction through `Books.post` (sealed into the hash chain at commit):
  operating assets earn monthly rent / contract fees / operating income (equity stakes a December dividend) and
  carry monthly operating costs and maintenance every other month; ~8% lose money (costs above revenue), the idle
  ones and another ~2% stop earning in 2024-2025; public-benefit assets have maintenance every other month.
  Postings start when the asset enters the books.
- Every 10th village has beneficiaries (100-300 households, some leaving), an approved rule and yearly
  distributions 2021-2024, paid out; 2025 is left for the benchmark to distribute.
- Governance: per county a few assets found by the scan are revitalised and two idle ones disposed of.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from assetledger.demo import generate
from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.booking import BOOKS_START, books_of, entity_code, expense_entry, revenue_entry
from assetledger.domain.enums import AssetStatus, OperatingMode, Register
from assetledger.domain.governance import DisposalMethod, FlaggedAsset
from assetledger.domain.journal import JournalEntry
from assetledger.io.tabular import read_table
from assetledger.services import beneficiaries, distribution, distribution_settlement, public_notices
from assetledger.services.asset_books import load_booked
from assetledger.services.assets import change_status, import_assets
from assetledger.services.books import Books, Located
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.governance import Revitalisation, decide_disposal, revitalise, scan
from assetledger.services.regions import import_regions
from assetledger.store import migrate
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, Household, Payout
from assetledger.store.governance_models import GovernanceDecision
from assetledger.store.journal_models import Entry
from assetledger.store.models import Asset, AssetEvent, Region

SEED = 20260101
ACTOR = "city-generator"
YEARS = (2021, 2022, 2023, 2024, 2025)
MONTHS = [(y, m) for y in YEARS for m in range(1, 13)]
DISTRIBUTED_YEARS = ("2021", "2022", "2023", "2024")  # 2025 is left for the benchmark
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]
CATEGORIES = ("脱贫户", "脱贫户", "脱贫户", "监测户", "其他困难户")
FACTORS = ("", "", "", "无劳动能力", "老年", "患病", "残疾", "老年、患病")
RULE = """code = "R{village}"
version = 1
village = "{village}"
effective_from = 2021-01-01
base = "revenue"

[purposes]
household_shares = 45
public_welfare_jobs = 20
maintenance_reserve = 10
village_public_goods = 10
reinvestment = 10
risk_reserve = 5

[households]
basis = "{basis}"
join_counts_from = "join_month"

[households.category_weights]
poverty_exited = 1.0
monitored = 1.2
other = 0.8

[households.factor_weights]
no_labour = 1.5
elderly = 1.2
sick = 1.3
disabled = 1.5

[approval]
body = "{name}村民代表大会"
date = 2020-12-05
document = "{name}〔2020〕1号"

[notice]
start = 2020-12-06
days = 7
"""


@dataclass(frozen=True)
class Scale:
    counties: int
    townships: int
    villages: int  # per township
    per_village: int  # assets
    beneficiary_every: int = 10  # every n-th village has beneficiaries and a distribution rule
    households: tuple[int, int] = (100, 300)


SCALES = {
    "tiny": Scale(1, 2, 3, 40, beneficiary_every=3, households=(10, 20)),
    "county": Scale(1, 20, 10, 100),
    "city": Scale(10, 20, 10, 100),
}


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Progress:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say, self.started = say, time.perf_counter()

    def __call__(self, text: str) -> None:
        took = time.perf_counter() - self.started
        self.say(f"[{took:7.1f} s, peak {peak_mib():6.0f} MiB] {text}")


# --- regions and registers -------------------------------------------------------------------------------------


def places(scale: Scale) -> list[generate.RegionRow]:
    return generate.regions(SEED, scale.counties, scale.townships, scale.villages)


def write_regions(path: Path, rows: list[generate.RegionRow]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"])
        for p in rows:
            writer.writerow([p.county, p.county_code, p.township, p.township_code, p.village, p.village_code])


def county_rows(scale: Scale, county: list[generate.RegionRow], n: int) -> Iterator[dict[str, object]]:
    return generate.asset_rows(SEED + 1000 + n, county, scale.per_village)


def write_county_csv(path: Path, scale: Scale, county: list[generate.RegionRow], n: int) -> list[tuple[str, dt.date]]:
    """The county's register file; returns the assets that go idle later, with the date (some operating assets
    and a few public-benefit ones)."""
    rng = random.Random(SEED + n)
    idle: list[tuple[str, dt.date]] = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([f"{county[0].county}扶贫项目资产台账"])
        writer.writerow(generate.COLUMNS)
        for row in county_rows(scale, county, n):
            writer.writerow(["" if row[k] is None else str(row[k]) for k in generate.COLUMNS])
            chance = {"经营性": 0.03, "公益性": 0.002}.get(str(row["资产类别"]), 0)
            if rng.random() < chance:
                idle.append((str(row["资产编号"]), dt.date(rng.choice((2024, 2025)), rng.randint(1, 6), 1)))
    return idle


def load_registers(db: Database, scale: Scale, folder: Path, progress: Progress) -> None:
    rows = places(scale)
    with db.reading() as session:
        have_regions = session.scalar(select(func.count()).select_from(Region)) or 0
    if not have_regions:
        write_regions(folder / "regions.csv", rows)
        import_regions(db, read_table(folder / "regions.csv"), ACTOR)
        progress(f"{len(rows):,} villages in {scale.counties} counties")
    by_county: dict[str, list[generate.RegionRow]] = {}
    for p in rows:
        by_county.setdefault(p.county_code, []).append(p)
    for n, (code, county) in enumerate(sorted(by_county.items())):
        path = folder / f"assets-{code}.csv"
        idle = write_county_csv(path, scale, county, n)
        result = import_assets(db, path, ACTOR)
        state = "already imported" if result.already_imported else f"{result.rows:,} assets imported"
        with db.reading() as session:
            marked = set(
                session.scalars(
                    select(Asset.asset_id).where(Asset.county_code == code, Asset.status == AssetStatus.IDLE.value)
                )
            )
        for asset_id, on in idle:  # one service call each: going idle is a register event with its date
            if asset_id not in marked:
                change_status(db, asset_id, AssetStatus.IDLE, on, ACTOR, reason="停产闲置")
        progress(f"county {code}: {state}, {len(idle)} went idle in 2024-2025")


# --- books -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """What the generator needs to know of an asset in the books."""

    asset_id: str
    entity: str
    register: str
    mode: str | None
    annual_fen: int
    start: tuple[int, int]  # first (year, month) with postings
    stops: tuple[int, int] | None  # revenue stops from this month (idle)
    losing: bool
    slot: int  # odd or even months: when its maintenance falls


def booked_assets(db: Database) -> list[Booked]:
    rng = random.Random(SEED + 7)
    out: list[Booked] = []
    with db.reading() as session:
        rows = session.execute(
            select(Asset.asset_id, Asset.register, Asset.operating_mode, Asset.contract_annual_income, Asset.status,
                   Asset.current_value, Asset.handed_over_on, Asset.confirmed_on, Asset.build_year,
                   Asset.registered_at, Asset.contract_start)
            .where(Asset.register != Register.HOUSEHOLD.value)
            .order_by(Asset.asset_id)
        ).all()  # fmt: off
        ids = [r.asset_id for r in rows]
        went_idle = dict(
            session.execute(
                select(AssetEvent.asset_id, func.max(AssetEvent.event_date))
                .where(AssetEvent.kind == "status_changed")
                .group_by(AssetEvent.asset_id)
            ).all()
        )
        entities: dict[str, str] = {}
        for start in range(0, len(ids), 20_000):
            for asset_id, asset in load_booked(session, ids[start : start + 20_000]).items():
                place = books_of(asset)
                if place is not None:
                    entities[asset_id] = entity_code(*place)
    for i, r in enumerate(rows):
        entity = entities.get(r.asset_id)
        if entity is None:
            continue
        on = entry_date(r)
        if r.contract_start and r.contract_start > on:
            on = r.contract_start
        first = max((on.year, on.month + 1) if on.month < 12 else (on.year + 1, 1), MONTHS[0])
        operating = r.register == Register.OPERATING.value
        annual = r.contract_annual_income or (r.current_value * Decimal("0.07"))
        stops: tuple[int, int] | None = None
        idle_on = went_idle.get(r.asset_id)
        if operating and idle_on is not None:
            stops = (idle_on.year, idle_on.month)
        elif operating and rng.random() < 0.02:  # stops earning, nobody marks it idle: the scan finds it
            stops = (rng.choice((2024, 2025)), rng.randint(1, 6))
        out.append(
            Booked(r.asset_id, entity, r.register, r.operating_mode, int(annual * 100), first, stops,
                   operating and rng.random() < 0.08, i % 2)
        )  # fmt: off
    return out


def entry_date(r: Any) -> dt.date:
    """When an asset enters the books (as the registration's opening entry dates it): handover, confirmation, the
    end of its build year, else its registration."""
    on = getattr(r, "handed_over_on", None) or getattr(r, "confirmed_on", None)
    if on is None:
        year = getattr(r, "build_year", None)
        on = dt.date(year, 12, 31) if year else r.registered_at.date()
    return max(on, BOOKS_START)


REVENUE_TYPE = {
    OperatingMode.LEASE.value: "rent",
    OperatingMode.CONTRACT_OUT.value: "contract",
    OperatingMode.SHARES.value: "dividend",
}


def fen(amount: int) -> Decimal:
    return Decimal(max(amount, 1)).scaleb(-2)


def month_entries(assets: list[Booked], index: int) -> list[JournalEntry]:
    """Every entry of one month, deterministic from the month alone (so a resumed run makes the same ones)."""
    year, month = MONTHS[index]
    on = month_end(year, month)
    rng = random.Random(SEED * 100 + index)
    rand, randint = rng.random, rng.randint
    entries: list[JournalEntry] = []
    rent_text = f"{year}年{month}月资产收益"
    cost_text = f"{year}年{month}月运营支出"
    upkeep_text = f"{year}年{month}月维修养护"
    dividend_text = f"{year}年度股金分红"
    for a in assets:
        if (year, month) < a.start:
            continue
        if month % 2 == a.slot:  # maintenance every other month
            entries.append(
                expense_entry(a.entity, a.asset_id, on, "maintenance", fen(randint(50_000, 1_200_000)),
                              narration=upkeep_text)
            )  # fmt: off
        if a.register != Register.OPERATING.value:
            continue
        earning = a.stops is None or (year, month) < a.stops
        monthly = a.annual_fen // 12
        if a.mode == OperatingMode.SHARES.value:
            if month == 12 and earning:
                entries.append(
                    revenue_entry(a.entity, a.asset_id, on, "dividend", fen(a.annual_fen), narration=dividend_text)
                )
            continue
        if earning:
            amount = fen(monthly * randint(85, 115) // 100)
            entries.append(
                revenue_entry(a.entity, a.asset_id, on, REVENUE_TYPE.get(a.mode or "", "operating"), amount,
                              narration=rent_text)
            )  # fmt: off
        share = randint(110, 160) if a.losing else randint(15, 45)
        if earning or rand() < 0.3:
            entries.append(
                expense_entry(a.entity, a.asset_id, on, "operating", fen(monthly * share // 100), narration=cost_text)
            )
    if entries:  # the month's marker: a resumed run skips the months already posted
        first = entries[0]
        entries[0] = JournalEntry(first.entity, first.date, first.narration, first.postings, first.kind,
                                  first.asset_id, f"city-month:{year}-{month:02d}", meta=first.meta)  # fmt: off
    return entries


def post_books(db: Database, progress: Progress, months: int | None = None) -> int:
    assets = booked_assets(db)
    progress(f"{len(assets):,} assets in the public books; posting {len(MONTHS)} months")
    with db.reading() as session:
        done = set(session.scalars(select(Entry.ref).where(Entry.ref.like("city-month:%"))))
    total = 0
    for index in range(len(MONTHS) if months is None else months):
        year, month = MONTHS[index]
        if f"city-month:{year}-{month:02d}" in done:
            continue
        started = time.perf_counter()
        entries = month_entries(assets, index)
        with db.transaction() as session:
            Books(session, ACTOR).post(entries, [Located("city generator")] * len(entries))
        took = time.perf_counter() - started
        total += len(entries)
        progress(f"{year}-{month:02d}: {len(entries):,} entries in {took:.1f} s ({len(entries) / took:,.0f}/s)")
    return total


# --- beneficiaries and distributions ---------------------------------------------------------------------------


def beneficiary_villages(scale: Scale) -> list[generate.RegionRow]:
    return places(scale)[:: scale.beneficiary_every]


def write_roster(path: Path, scale: Scale, villages: list[generate.RegionRow]) -> int:
    rng = random.Random(SEED + 3)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ROSTER_HEADER)
        for v in villages:
            for i in range(rng.randint(*scale.households)):
                left = ["", ""]
                if rng.random() < 0.04:
                    left = [f"{rng.randint(2022, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                            rng.choice(("退出", "死亡"))]  # fmt: off
                writer.writerow(
                    [f"{v.village_code}{i + 1:04d}", v.village_code, generate.person(rng), rng.randint(1, 6),
                     rng.choice(CATEGORIES), rng.choice(FACTORS), "2020-12-01", *left]
                )  # fmt: off
                count += 1
    return count


def distribute_all(db: Database, scale: Scale, folder: Path, progress: Progress) -> None:
    villages = beneficiary_villages(scale)
    with db.reading() as session:
        have = session.scalar(select(func.count()).select_from(Household)) or 0
    if not have:
        for start in range(0, len(villages), 20):  # rosters of 20 villages a file, as counties hand them in
            path = folder / f"roster-{start:05d}.csv"
            write_roster(path, scale, villages[start : start + 20])
            beneficiaries.import_roster(db, path, ACTOR)
        progress(f"beneficiaries of {len(villages):,} villages imported")
    with db.reading() as session:
        done = {(v, p) for v, p in session.execute(select(Distribution.village_code, Distribution.period))}
        paid = set(
            session.execute(
                select(Distribution.village_code, Distribution.period).join(
                    Payout, Payout.distribution_id == Distribution.id
                )
            ).all()
        )
    for n, v in enumerate(villages):
        rule = folder / f"rule-{v.village_code}.toml"
        rule.write_text(
            RULE.format(village=v.village_code, name=v.village, basis="per_person" if n % 3 else "per_household"),
            encoding="utf-8",
        )
        distribution.register_rule(db, rule, ACTOR)
        for period in DISTRIBUTED_YEARS:
            if (v.village_code, period) not in done:
                # dated when it was made, a week after the year ended, so its payout follows its notice period
                distribution.distribute(db, v.village_code, period, ACTOR, on=dt.date(int(period) + 1, 1, 10))
            if (v.village_code, period) not in paid:
                public_notices.publish(db, v.village_code, period, ACTOR)  # 公示, dated the distribution's date
                distribution_settlement.pay(db, v.village_code, period, dt.date(int(period) + 1, 1, 20), ACTOR)
        if n % 20 == 19 or n == len(villages) - 1:
            progress(f"rules, distributions {'-'.join(DISTRIBUTED_YEARS[::3])} and payouts: {n + 1} villages")


# --- governance ------------------------------------------------------------------------------------------------


def govern(db: Database, scale: Scale, progress: Progress) -> None:
    with db.reading() as session:
        if session.scalar(select(func.count()).select_from(GovernanceDecision)):
            return
    found = scan(db, dt.date(2025, 12, 31), ACTOR)
    progress(f"scan 2025-12-31: {len(found):,} idle or loss-making assets")
    by_county: dict[str, list[FlaggedAsset]] = {}
    for r in found:
        if r.register == Register.OPERATING.value and r.village_code:
            by_county.setdefault(r.county_code, []).append(r)
    revitalised = disposed = 0
    for _county, rows in sorted(by_county.items()):
        for r in rows[:8]:
            plan = Revitalisation("县农业发展投资有限公司", OperatingMode.ENTRUSTED, dt.date(2025, 12, 20), "委托运营")
            revitalise(db, r.asset_id, plan, ACTOR)
            revitalised += 1
        for r, factor in zip(rows[8:10], (Decimal("1.10"), Decimal("0.20")), strict=False):
            asset_id = r.asset_id
            decide_disposal(db, asset_id, dt.date(2025, 12, 10), "无法盘活", ACTOR)
            proceeds = (r.book_value * factor).quantize(Decimal("0.01"))
            request = DisposalRequest(
                asset_id,
                DisposalMethod.AUCTION,
                dt.date(2025, 12, 31),
                proceeds,
                "县农业农村局〔2025〕9号",
                ApprovalLevel.COUNTY,
            )
            dispose(db, request, ACTOR)
            disposed += 1
    progress(f"governance: {revitalised} revitalised, {disposed} disposed of")


# --- the whole run ---------------------------------------------------------------------------------------------


def generate_city(url: str, scale: Scale, folder: Path, say: Callable[[str], None] = print) -> dict[str, int]:
    """Build (or finish building) the data set in the database at `url`; returns counts of what it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    progress = Progress(say)
    migrate.upgrade(url)
    db = Database(url)
    try:
        load_registers(db, scale, folder, progress)
        post_books(db, progress)
        distribute_all(db, scale, folder, progress)
        govern(db, scale, progress)
        if not db.is_sqlite:  # fresh statistics after a bulk load, as autovacuum would gather them a little later
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        with db.reading() as session:
            counts = {
                "assets": session.scalar(select(func.count()).select_from(Asset)) or 0,
                "entries": session.scalar(select(func.count()).select_from(Entry)) or 0,
                "households": session.scalar(select(func.count()).select_from(Household)) or 0,
                "distributions": session.scalar(select(func.count()).select_from(Distribution)) or 0,
            }
        progress(", ".join(f"{v:,} {k}" for k, v in counts.items()))
        return counts
    finally:
        db.dispose()
