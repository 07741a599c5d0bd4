"""Indicators of the supervision page that the award indicators did not have: 移交率, 闲置率, 亏损率 (apart),
整改完成率. Each is one GROUP BY over the registers or the cases (or a reading of the one governance scan), by unit.

- handover_rate 移交率: value of active public-benefit and operating assets handed over by year end / their value;
- idle_share 闲置率 and loss_share 亏损率: value of active assets idle (loss-making) at year end / active value;
- rectification_completion 整改完成率: rectification cases opened by year end and closed by then / opened by then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import Session

from assetledger.domain.awards import Measure
from assetledger.domain.enums import OFF_BOOKS_VALUES, Register
from assetledger.domain.governance import FlaggedAsset
from assetledger.domain.indicator_causes import Cause
from assetledger.domain.supervision import CaseEventKind
from assetledger.store.models import Asset
from assetledger.store.supervision_models import RectificationCase, RectificationEvent
from assetledger.store.types import Money

if TYPE_CHECKING:
    from assetledger.services.indicators import Year

ZERO = Decimal("0.00")
ZERO_FEN = literal(ZERO, Money)
UNITS = {"county": "county_code", "township": "township_code", "village": "village_code"}


def _active(y: Year) -> Any:
    return and_(
        (Asset.status.not_in(OFF_BOOKS_VALUES)) | (Asset.disposed_on > y.end),
        (Asset.build_year.is_(None)) | (Asset.build_year <= y.year),
    )


def handover_rate(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    unit = getattr(Asset, UNITS[level])
    handed = and_(Asset.handed_over_on.is_not(None), Asset.handed_over_on <= y.end)
    rows = session.execute(
        select(unit, func.sum(case((handed, Asset.current_value), else_=ZERO_FEN)), func.sum(Asset.current_value))
        .where(_active(y), Asset.register.in_([Register.PUBLIC_BENEFIT, Register.OPERATING]))
        .group_by(unit)
    )
    reason = Cause.NO_CUSTODY_VALUE
    return {u: Measure.ratio(n or 0, d or 0, reason) for u, n, d in rows if u is not None}


def _flagged_share(session: Session, y: Year, level: str, found: Sequence[FlaggedAsset], idle: bool
                   ) -> dict[str, Measure]:  # fmt: skip
    """Value of the assets of the scan found idle (else: loss-making) / active asset value at year end."""
    unit = getattr(Asset, UNITS[level])
    flagged: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in found:
        code = r.code_at(level)
        if code and (r.idle if idle else r.loss_making):
            flagged[code] += r.book_value
    totals = session.execute(select(unit, func.sum(Asset.current_value)).where(_active(y)).group_by(unit))
    return {u: Measure.ratio(flagged.get(u, ZERO), v or ZERO, Cause.NO_ASSET_VALUE) for u, v in totals if u}


def idle_share(session: Session, y: Year, level: str, found: Sequence[FlaggedAsset]) -> dict[str, Measure]:
    return _flagged_share(session, y, level, found, idle=True)


def loss_share(session: Session, y: Year, level: str, found: Sequence[FlaggedAsset]) -> dict[str, Measure]:
    return _flagged_share(session, y, level, found, idle=False)


def rectification_completion(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    unit = getattr(RectificationCase, UNITS[level])
    closed = exists().where(RectificationEvent.case_id == RectificationCase.id,
                            RectificationEvent.kind == CaseEventKind.CLOSED,
                            RectificationEvent.event_date <= y.end)  # fmt: skip
    rows = session.execute(
        select(unit, func.sum(case((closed, 1), else_=0)), func.count())
        .where(RectificationCase.opened_on <= y.end)
        .group_by(unit)
    )
    return {u: Measure.ratio(n or 0, d or 0, Cause.NO_CASE) for u, n, d in rows if u}
