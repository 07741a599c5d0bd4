"""Build the demo county end to end through the same services the CLI uses."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from assetledger.demo import generate
from assetledger.demo.awards import run_awards
from assetledger.demo.books import post_demo_books
from assetledger.demo.distribution import run_distributions
from assetledger.demo.governance import run_governance
from assetledger.demo.inventory import run_inventory
from assetledger.demo.papers import run_contracts, run_documents
from assetledger.domain.assets import Custody, Ownership
from assetledger.domain.enums import AssetStatus, OwnerKind
from assetledger.io.output import write_csv, write_xlsx
from assetledger.io.tabular import read_table
from assetledger.reports.public_page import export_page
from assetledger.services import assets as asset_svc
from assetledger.services.awards import side_by_side
from assetledger.services.journal import close_period
from assetledger.services.public_notices import public_village
from assetledger.services.regions import import_regions
from assetledger.store import migrate
from assetledger.store.db import Database
from assetledger.store.models import Asset, Region

T = TypeVar("T")
SEED = 20251231
ACTOR = "演示程序"  # the actor of the demo's records, shown on every page of their history (issue 22)


@dataclass(frozen=True)
class DemoFiles:
    regions_csv: Path
    assets_xlsx: Path


NEIGHBOURS = 2  # smaller counties of the same city, so the city's evaluation has counties to compare
CITY = ("宜春市", "360900")  # the city above the counties: it pays the awards from its own books (S360900)


def write_inputs(folder: Path, townships: int = 10, villages: int = 10, per_village: int = 30) -> DemoFiles:
    folder.mkdir(parents=True, exist_ok=True)
    places = generate.regions(SEED, townships=townships, villages_per_township=villages)
    neighbours = generate.regions(
        SEED + 1, counties=NEIGHBOURS, townships=4, villages_per_township=5, county_base=360902
    )
    levels = ("county", "county_code", "township", "township_code", "village", "village_code")
    region_rows: list[list[object]] = [["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"]]
    region_rows += [[*CITY, *(asdict(p)[k] for k in levels)] for p in places + neighbours]
    regions_csv = write_csv(folder / "regions.csv", region_rows)
    rows = list(generate.asset_rows(SEED, places, per_village))
    rows += list(generate.asset_rows(SEED + 1, neighbours, per_village - 10))
    assets_xlsx = write_xlsx(folder / "assets.xlsx", {"台账": rows}, title=f"{places[0].county}等扶贫项目资产台账")
    return DemoFiles(regions_csv, assets_xlsx)


def build(db: Database, folder: Path, say: Callable[[str], None] = print) -> DemoFiles:
    """Create the schema, load the hierarchy and the registers, then live a little register history."""
    with db.reading() as session:
        if migrate.current_revision(db.engine) and session.scalar(select(func.count()).select_from(Asset)):
            raise SystemExit(f"{db.url} already holds assets; the demo needs an empty database")
    migrate.upgrade(db.url)
    say("1/11 writing demo input files (regions.csv, assets.xlsx) ...")
    files = write_inputs(folder)
    say("2/11 importing the administrative hierarchy ...")
    import_regions(db, read_table(files.regions_csv), ACTOR)
    say("3/11 importing the registers (三本台账) ...")
    asset_svc.import_assets(db, files.assets_xlsx, ACTOR)
    say("4/11 confirming, reassigning custodians, marking idle and damaged assets ...")
    _history(db)
    say("5/11 posting two years of revenue and costs ...")
    posted = post_demo_books(db, SEED, ACTOR)
    say(f"    {posted} entries posted")
    say("6/11 beneficiaries, distribution rules, quarterly distributions and payouts ...")
    done = run_distributions(db, folder / "distribution", SEED, ACTOR)
    say(
        f"    {done['distributions']} distributions in {done['villages']} villages, {done['payouts']} payouts, "
        f"{done['objections']} objection(s) to a notice decided"
    )
    say("7/11 closing 2024 in the books of the distributing villages ...")
    villages = sorted({p.stem.split("-")[1] for p in (folder / "distribution").glob("rule-*.toml")})
    for village in villages:
        close_period(db, f"V{village}", dt.date(2024, 12, 31), ACTOR)
    say("8/11 governance: scan, revitalise, dispose, reinvest, maintenance fund ...")
    gov = run_governance(db, ACTOR, villages)
    say(
        f"    {gov['found']} idle/loss-making found; {gov['revitalised']} revitalised, {gov['disposed']} disposed, "
        f"{gov['reinvested']} reinvestments"
    )
    say("9/11 year-end inventory 2025 of the main county: sheets, counts, close ...")
    counted = run_inventory(db, folder / "inventory", "360921", SEED, ACTOR)
    say(
        f"    {counted['items']} assets counted: {counted['盘亏']} missing (written off), {counted['毁损']} damaged, "
        f"{counted['闲置']} idle"
    )
    say("10/11 awards 2025: the city's own evaluation, then the province's two evaluations, paid by the city ...")
    awards = run_awards(db, folder / "awards", policies_folder(), ACTOR)
    for r in awards.own.results:
        say(f"    city's own evaluation: {r.name} ({r.code}): score {r.score}, grade {r.grade}, rank {r.rank}")
    for unit in side_by_side(awards.paid):
        lines = "; ".join(
            f"{e.policy.code} {line.grade or '-'}" + (f" 第{line.rank}名" if line.rank else "") + f" {line.award:,.2f}"
            for e, line in zip(awards.paid, unit.lines, strict=True)
            if line is not None
        )
        say(f"    paid by the province's results: {unit.name} ({unit.code}): {lines}; total {unit.total:,.2f}")
    total = sum((o.total for o in awards.posted), Decimal("0.00"))
    say(f"    {sum(len(o.posted) for o in awards.posted)} awards, {total:,.2f} paid from S360900 (宜春市财政局)")
    say("11/11 operating contracts (合同台账), a village's documents (档案), certificates and QR labels ...")
    contracts = run_contracts(db, folder, "360921", SEED, ACTOR)
    attached, _ = run_documents(db, folder, villages[0], ACTOR)
    certificates, labels = print_papers(db, folder, villages[0])
    say(
        f"    {contracts} contracts; {attached} documents attached in {villages[0]}; {certificates.name}, {labels.name}"
    )
    page = export_page(public_village(db, villages[0]), folder / "public")  # 村务公开: the published notices
    say(f"    {page.name}: the village's public page (published notices, assets, revenue; /public/{villages[0]})")
    return files


def print_papers(db: Database, folder: Path, village: str) -> tuple[Path, Path]:
    """The village's ownership certificates (HTML to print) and QR labels (PDF)."""
    from assetledger.reports.papers import certificates_html
    from assetledger.reports.papers_pdf import cjk_font, labels_pdf
    from assetledger.services.certificates import certificates, labels

    certificate_file = folder / f"certificates-{village}.html"
    certificate_file.write_text(certificates_html(certificates(db, ACTOR, within=village).papers), encoding="utf-8")
    return certificate_file, labels_pdf(
        labels(db, ACTOR, within=village).papers, folder / f"labels-{village}.pdf", cjk_font()
    )


def policies_folder() -> Path:
    from assetledger.ledger.chart import chart_template_path

    return chart_template_path().parent / "policy"


def _history(db: Database) -> None:
    rng = random.Random(SEED)
    with db.reading() as session:
        names = dict(session.execute(select(Region.code, Region.name)).all())
        unconfirmed = session.execute(
            select(Asset.asset_id, Asset.village_code, Asset.county_code)
            .where(Asset.owner_kind.is_(None))
            .order_by(Asset.asset_id)
        ).all()
        in_use = (
            session.execute(
                select(Asset.asset_id)
                .where(Asset.status == AssetStatus.IN_USE.value, Asset.custodian.is_not(None))
                .order_by(Asset.asset_id)
            )
            .scalars()
            .all()
        )
    for row in _sample(rng, unconfirmed, len(unconfirmed) // 3):
        if row.village_code:
            owner = Ownership(
                f"{names[row.village_code]}股份经济合作社",
                OwnerKind.VILLAGE,
                dt.date(2025, 6, 30),
                "确权补录",
            )
        else:
            owner = Ownership(f"{names[row.county_code]}水利局", OwnerKind.DEPARTMENT, dt.date(2025, 6, 30), "确权补录")
        asset_svc.confirm_ownership(db, row.asset_id, owner, ACTOR)
    picked = _sample(rng, in_use, 60)
    for asset_id in picked[:20]:
        custody = Custody(f"护路员{generate.person(rng)}", dt.date(2025, 3, 1), "日常巡查、小修")
        asset_svc.assign_custodian(db, asset_id, custody, ACTOR)
    for asset_id in picked[20:50]:
        asset_svc.change_status(db, asset_id, AssetStatus.IDLE, dt.date(2025, 4, 1), ACTOR, reason="停产闲置")
    for asset_id in picked[50:]:
        asset_svc.change_status(db, asset_id, AssetStatus.DAMAGED, dt.date(2025, 7, 20), ACTOR, reason="汛期水毁")


def _sample(rng: random.Random, items: Sequence[T], n: int) -> list[T]:
    return rng.sample(list(items), min(n, len(items)))
