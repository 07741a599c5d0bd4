"""Demo contracts and documents: the main county's operating assets get their contracts (合同台账, most renewed,
some expired, expiring, over the legal term or far below their value, a few with none), and one village gets its
paper trail (approval, acceptance, handover, ownership, photos) as a ZIP attached by asset id, with certificates
and QR labels printed."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from assetledger.domain.contracts import add_months
from assetledger.domain.enums import AssetStatus, OperatingMode, Register
from assetledger.io.output import write_xlsx
from assetledger.services.contracts import import_contracts
from assetledger.services.documents import attach_batch
from assetledger.store.certificate_repo import assets_in
from assetledger.store.db import Database
from assetledger.store.document_files import documents_place
from assetledger.store.document_repo import asset_regions, links_within
from assetledger.store.models import Asset

AS_OF = dt.date(2026, 10, 31)  # the demo's "today"
BOOKS_START = dt.date(2024, 1, 1)  # the demo's books begin here: rent before it was settled (已缴至)
DAY = dt.timedelta(days=1)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def write_contracts(db: Database, folder: Path, county: str, seed: int) -> Path:
    """The county's contracts file, from its operating register (quarterly rent as the books post it; shares pay
    their dividend once a year)."""
    rng = random.Random(seed)
    with db.reading() as session:
        assets = session.execute(
            select(Asset.asset_id, Asset.operator, Asset.operating_mode, Asset.contract_start, Asset.contract_end,
                   Asset.contract_annual_income, Asset.current_value)
            .where(Asset.county_code == county, Asset.register == Register.OPERATING,
                   Asset.status != AssetStatus.DISPOSED, Asset.operating_mode.is_not(None),
                   Asset.contract_start.is_not(None))
            .order_by(Asset.asset_id)
        ).all()  # fmt: skip
    rows: list[dict[str, object]] = []
    expiring_left, long_lease_left = 2, 1
    for n, a in enumerate(assets):
        if n % 25 == 7:
            continue  # run without a contract: a finding
        shares = a.operating_mode == OperatingMode.SHARES.value
        start = dt.date(a.contract_start.year, 1, 1) if shares else _quarter_start(a.contract_start)
        years = max(3, a.contract_end.year - a.contract_start.year)
        annual = a.contract_annual_income or Decimal(rng.randrange(20_000, 120_000))
        if a.operating_mode == OperatingMode.LEASE.value and long_lease_left:
            long_lease_left, years = 0, 30  # void beyond 20 years
        end = add_months(start, 12 * years) - DAY
        code = f"HT{start.year}-{n + 1:04d}"
        rows.append(_row(code, a, start, end, annual, shares, None))
        renewals = 0
        while end < AS_OF + dt.timedelta(days=120) and n % 9 != 4:  # most are renewed; some have expired
            if end > AS_OF and expiring_left:
                expiring_left -= 1  # ends within the warning period, no renewal yet
                break
            renewals += 1
            previous, start = code, end + DAY
            end = add_months(start, 12 * 5) - DAY
            code = f"HT{start.year}-{n + 1:04d}-{renewals}"
            cut = Decimal("0.6") if n % 17 == 3 else Decimal(1)  # renewed far below the previous rent
            rows.append(_row(code, a, start, end, (annual * cut).quantize(Decimal(4)), shares, previous))
    path = folder / "contracts.xlsx"
    write_xlsx(path, {"合同台账": rows}, title="经营合同台账")
    return path


def _row(code: str, a: Any, start: dt.date, end: dt.date, annual: Decimal, shares: bool,
         renews: str | None) -> dict[str, object]:  # fmt: skip
    each = annual if shares else (annual / 4).quantize(Decimal("0.01"))
    return {
        "合同编号": code, "资产编号": a.asset_id, "经营主体": a.operator,
        "经营方式": OperatingMode(a.operating_mode).label, "签订日期": start - dt.timedelta(days=15),
        "合同起始日期": start, "合同截止日期": end, "每期金额": each, "支付周期": "按年" if shares else "按季",
        "支付方式": "后付", "已缴至": BOOKS_START - DAY if start < BOOKS_START else None,
        "保证金": (annual / 4).quantize(Decimal(1)), "续签合同编号": renews,
    }  # fmt: skip


def run_contracts(db: Database, folder: Path, county: str, seed: int, actor: str) -> int:
    result = import_contracts(db, write_contracts(db, folder, county, seed), actor)
    return result.contracts


KINDS = (("立项批复", "approval"), ("验收报告", "acceptance"), ("移交书", "handover"), ("确权书", "ownership"))


def run_documents(db: Database, folder: Path, village: str, actor: str) -> tuple[int, Path]:
    """A village's paper trail as a ZIP (file names start with the asset id), attached in one batch."""
    with db.reading() as session:
        assets = session.execute(
            select(Asset.asset_id, Asset.name, Asset.project_name, Asset.owner_name, Asset.confirmed_on,
                   Asset.handed_over_on)
            .where(Asset.village_code == village)
            .order_by(Asset.asset_id)
        ).all()  # fmt: skip
    archive = folder / f"documents-{village}.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i, a in enumerate(assets):
            for title, _ in KINDS[: 2 + i % 3]:
                z.writestr(f"{a.asset_id}_{title}.pdf", _pdf(title, a))
            if i % 2 == 0:
                z.writestr(f"{a.asset_id}/现场照片.png", _photo(i))
    result = attach_batch(db, documents_place(db.url), archive, actor)
    return result.attached, archive


def _pdf(title: str, a: Any) -> bytes:
    """A one-page document with its title and the asset's facts, set in the built-in Chinese font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setFont("STSong-Light", 20)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 80, f"{a.name}{title}")
    canvas.setFont("STSong-Light", 12)
    lines = [f"资产编号：{a.asset_id}", f"项目名称：{a.project_name or ''}", f"确权主体：{a.owner_name or '未确权'}",
             f"日期：{a.handed_over_on or a.confirmed_on or ''}"]  # fmt: skip
    for n, line in enumerate(lines):
        canvas.drawString(72, A4[1] - 130 - 22 * n, line)
    canvas.save()
    return buffer.getvalue()


def _photo(seed: int) -> bytes:
    """A small PNG standing in for a site photo."""
    from PIL import Image

    image = Image.new("RGB", (160, 120), (60 + seed * 23 % 150, 120, 90 + seed * 37 % 120))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def papers_example(db: Database) -> tuple[str, str]:
    """The village whose documents the demo attached, and its first confirmed asset (it has a certificate)."""
    with db.reading() as session:
        link = next(iter(links_within(session, None)), None)
        if link is None:
            return "", ""
        village = asset_regions(session, [link.asset_id])[link.asset_id]
        confirmed = [a.asset_id for a in assets_in(session, region=village) if a.owner_kind]
    return village, confirmed[0] if confirmed else link.asset_id
