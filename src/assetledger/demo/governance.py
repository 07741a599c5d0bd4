"""Demo governance campaign: scan, revitalise some assets, dispose of others at a gain and at a loss, reinvest,
and use the maintenance fund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.enums import OFF_BOOKS_VALUES, OperatingMode, Register
from assetledger.domain.governance import DisposalMethod
from assetledger.services import maintenance
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.governance import Revitalisation, decide_disposal, revitalise, scan
from assetledger.services.reinvest import available, reinvest_existing
from assetledger.store.db import Database
from assetledger.store.models import Asset

AS_OF = dt.date(2026, 10, 31)


def run_governance(db: Database, actor: str, distributing_villages: list[str]) -> dict[str, int]:
    found = scan(db, AS_OF, actor)
    operating = [r for r in found if r.register == Register.OPERATING.value]
    done = {"found": len(found), "revitalised": 0, "disposed": 0, "reinvested": 0}
    for r in operating[:3]:
        plan = Revitalisation(
            "县农业发展投资有限公司", OperatingMode.ENTRUSTED, dt.date(2026, 11, 10), "委托国有公司运营"
        )
        revitalise(db, r.asset_id, plan, actor)
        done["revitalised"] += 1
    for r, (method, factor) in zip(
        operating[3:5],
        [(DisposalMethod.AUCTION, Decimal("1.15")), (DisposalMethod.SCRAP, Decimal("0.05"))],
        strict=False,
    ):
        decide_disposal(db, r.asset_id, dt.date(2026, 11, 8), "无法盘活", actor)
        proceeds = (r.book_value * factor).quantize(Decimal("0.01"))
        request = DisposalRequest(
            r.asset_id, method, dt.date(2026, 11, 20), proceeds, "县农业农村局〔2026〕3号", ApprovalLevel.COUNTY
        )
        dispose(db, request, actor)
        done["disposed"] += 1
    richest = sorted(distributing_villages, key=lambda v: available(db, v, actor), reverse=True)[:2]
    with db.reading() as session:
        targets = [
            (village, session.scalar(
                select(Asset.asset_id)
                .where(Asset.village_code == village, Asset.register == Register.OPERATING,
                       Asset.status.not_in(OFF_BOOKS_VALUES), Asset.owner_kind == "village")
                .order_by(Asset.asset_id)
                .limit(1)
            ))
            for village in richest
        ]  # fmt: off
        public = session.execute(
            select(Asset.asset_id, Asset.county_code)
            .where(Asset.register == Register.PUBLIC_BENEFIT, Asset.status == "damaged")
            .order_by(Asset.asset_id)
            .limit(1)
        ).first()
    for village, asset_id in targets:
        amount = (available(db, village, actor) / 2).quantize(Decimal("1"))
        if asset_id and amount >= 100:
            reinvest_existing(db, asset_id, amount, dt.date(2026, 11, 15), "reserve", actor, "设施改造升级")
            done["reinvested"] += 1
    if public is not None:
        maintenance.contribute(db, public.county_code, Decimal("200000.00"), dt.date(2026, 3, 1), actor)
        application = maintenance.apply(db, public.asset_id, Decimal("36000.00"), "汛期水毁，路基塌方", AS_OF, actor)
        maintenance.decide(db, application, True, dt.date(2026, 11, 5), actor)
        maintenance.spend(db, application, Decimal("34850.00"), dt.date(2026, 11, 18), actor)
    return done
