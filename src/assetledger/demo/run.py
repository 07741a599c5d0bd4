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
from assetledger.domain.award_lines import side_by_side
from assetledger.domain.enums import AssetStatus, OwnerKind
from assetledger.io.output import write_csv, write_xlsx
from assetledger.io.tabular import read_table
from assetledger.reports.public_page import export_page
from assetledger.services import assets as asset_svc
from assetledger.services.access import region_name
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
            raise SystemExit(
                f"{db.url} 中已有资产，演示需要空数据库 "
                f"({db.url} already holds assets; the demo needs an empty database)"
            )
    migrate.upgrade(db.url)
    step = _bilingual(say)
    step("1/11 写入演示输入文件", "writing demo input files (regions.csv, assets.xlsx) ...")
    files = write_inputs(folder)
    step("2/11 导入行政区划", "importing the administrative hierarchy ...")
    import_regions(db, read_table(files.regions_csv), ACTOR)
    step("3/11 导入三本台账", "importing the registers (三本台账) ...")
    asset_svc.import_assets(db, files.assets_xlsx, ACTOR)
    step(
        "4/11 确权、变更管护责任人、标记闲置和毁损资产",
        "confirming, reassigning custodians, marking idle and damaged assets ...",
    )
    _history(db)
    step("5/11 记入两年的收入和支出", "posting two years of revenue and costs ...")
    posted = post_demo_books(db, SEED, ACTOR)
    step(f"    已记账 {posted} 笔分录", f"{posted} entries posted")
    step(
        "6/11 受益对象、收益分配方案、按季收益分配和发放",
        "beneficiaries, distribution rules, quarterly distributions and payouts ...",
    )
    done = run_distributions(db, folder / "distribution", SEED, ACTOR)
    step(
        f"    {done['villages']} 个村共 {done['distributions']} 次收益分配，{done['payouts']} 次发放，"
        f"{done['objections']} 件公示异议已处理",
        f"{done['distributions']} distributions in {done['villages']} villages, {done['payouts']} payouts, "
        f"{done['objections']} objection(s) to a notice decided",
    )
    step("7/11 分配收益的村 2024 年结账", "closing 2024 in the books of the distributing villages ...")
    villages = sorted({p.stem.split("-")[1] for p in (folder / "distribution").glob("rule-*.toml")})
    for village in villages:
        close_period(db, f"V{village}", dt.date(2024, 12, 31), ACTOR)
    step(
        "8/11 闲置亏损资产治理：排查、盘活、处置、再投入、运维基金",
        "governance: scan, revitalise, dispose, reinvest, maintenance fund ...",
    )
    gov = run_governance(db, ACTOR, villages)
    step(
        f"    查出闲置或亏损资产 {gov['found']} 项；盘活 {gov['revitalised']} 项，处置 {gov['disposed']} 项，"
        f"再投入 {gov['reinvested']} 笔",
        f"{gov['found']} idle/loss-making found; {gov['revitalised']} revitalised, {gov['disposed']} disposed, "
        f"{gov['reinvested']} reinvestments",
    )
    step(
        "9/11 主县 2025 年末资产清查：盘点表、盘点、结束清查",
        "year-end inventory 2025 of the main county: sheets, counts, close ...",
    )
    counted = run_inventory(db, folder / "inventory", "360921", SEED, ACTOR)
    step(
        f"    已盘点 {counted['items']} 项资产：盘亏 {counted['盘亏']} 项（已核销），毁损 {counted['毁损']} 项，"
        f"闲置 {counted['闲置']} 项",
        f"{counted['items']} assets counted: {counted['盘亏']} missing (written off), {counted['毁损']} damaged, "
        f"{counted['闲置']} idle",
    )
    step(
        "10/11 2025 年度奖励：先市级自评，再按省级两项评价结果由市支付",
        "awards 2025: the city's own evaluation, then the province's two evaluations, paid by the city ...",
    )
    awards = run_awards(db, folder / "awards", policies_folder(), ACTOR)
    for r in awards.own.results:
        step(
            f"    市级自评：{r.name} 得分 {r.score}，等次 {r.grade}，第 {r.rank} 名",
            f"city's own evaluation: {r.name} ({r.code}): score {r.score}, grade {r.grade}, rank {r.rank}",
        )
    for unit in side_by_side(awards.paid):
        lines = "; ".join(
            f"{e.policy.code} {line.grade or '-'}" + (f" 第{line.rank}名" if line.rank else "") + f" {line.award:,.2f}"
            for e, line in zip(awards.paid, unit.lines, strict=True)
            if line is not None
        )
        step(
            f"    按省级评价结果支付：{unit.name} 合计 {unit.total:,.2f} 元",
            f"paid by the province's results: {unit.name} ({unit.code}): {lines}; total {unit.total:,.2f}",
        )
    total = sum((o.total for o in awards.posted), Decimal("0.00"))
    count = sum(len(o.posted) for o in awards.posted)
    step(
        f"    宜春市财政局支付奖励 {count} 笔，共 {total:,.2f} 元",
        f"{count} awards, {total:,.2f} paid from S360900 (宜春市财政局)",
    )
    step(
        "11/11 经营合同台账、一个村的档案、确权证书和二维码标签",
        "operating contracts (合同台账), a village's documents (档案), certificates and QR labels ...",
    )
    contracts = run_contracts(db, folder, "360921", SEED, ACTOR)
    attached, _ = run_documents(db, folder, villages[0], ACTOR)
    certificates, labels = print_papers(db, folder, villages[0])
    with db.reading() as session:
        village_name = region_name(session, villages[0])
    step(
        f"    合同 {contracts} 份；{village_name}附加档案 {attached} 份；{certificates.name}，{labels.name}",
        f"{contracts} contracts; {attached} documents attached in {villages[0]}; {certificates.name}, {labels.name}",
    )
    page = export_page(public_village(db, villages[0]), folder / "public")  # 村务公开: the published notices
    step(
        f"    {page.name}：{village_name}村务公开页（已发布的公示、资产、收益）",
        f"{page.name}: the village's public page (published notices, assets, revenue; /public/{villages[0]})",
    )
    return files


def _bilingual(say: Callable[[str], None]) -> Callable[[str, str], None]:
    """A progress line in Chinese with the English beside it, "中文 (English)", through the caller's `say`."""

    def step(chinese: str, english: str) -> None:
        say(f"{chinese} ({english})")

    return step


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
                .where(Asset.status == AssetStatus.IN_USE, Asset.custodian.is_not(None))
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
