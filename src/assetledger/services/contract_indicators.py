"""Performance indicators fed by the operating contracts (for award policies): how many operating assets run under
a contract at year end, and how much of the rent the contracts made due in the year the books hold.

Contracts are few beside postings (one or two per operating asset), so their schedules are read into Python; the
revenue is summed inside the database, per contract, through the (asset, date) index."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assetledger.domain.awards import Measure
from assetledger.domain.contracts import (
    NO_CONTRACT_MODES,
    ContractPolicy,
    due_between,
    in_force,
    schedule,
)
from assetledger.domain.enums import AssetStatus, Register
from assetledger.domain.indicator_causes import Cause
from assetledger.domain.money import ZERO
from assetledger.store import contract_repo
from assetledger.store.models import Asset

if TYPE_CHECKING:
    from assetledger.services.indicators import Year

POLICY = ContractPolicy()


def _operating_units(session: Session, y: Year, level: str) -> dict[str, str]:
    """asset id -> unit of the operating assets active at year end (self-run ones have no contract to have)."""
    unit = {"county": Asset.county_code, "township": Asset.township_code, "village": Asset.village_code}[level]
    rows = session.execute(
        select(Asset.asset_id, unit).where(
            Asset.register == Register.OPERATING,
            or_(Asset.status != AssetStatus.DISPOSED, Asset.disposed_on > y.end),
            or_(Asset.build_year.is_(None), Asset.build_year <= y.year),
            or_(Asset.operating_mode.is_(None), Asset.operating_mode.not_in([m.value for m in NO_CONTRACT_MODES])),
            unit.is_not(None),
        )
    )
    return {asset_id: code for asset_id, code in rows if code}


def contract_coverage(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    """Operating assets under a contract in force at year end / operating assets active then (合同覆盖率)."""
    units = _operating_units(session, y, level)
    covered = {a for c in contract_repo.load_contracts(session) if in_force(c.terms, POLICY, y.end)
               for a in c.asset_ids}  # fmt: skip
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for asset_id, code in units.items():
        counts[code][1] += 1
        counts[code][0] += asset_id in covered
    return {code: Measure.ratio(n, d, Cause.NO_OPERATING_ASSET) for code, (n, d) in counts.items()}


def rent_collection(session: Session, y: Year, level: str, _: Mapping[str, int]) -> dict[str, Measure]:
    """Revenue the books hold against contracted assets in the year / rent the contracts made due in it
    (合同租金收缴率); each contract counts in the unit of its first asset, and its revenue from its start (or the
    year's) until the asset's next contract starts (or the year ends), so a late payment still counts."""
    units = _operating_units(session, y, level)
    expected: dict[str, Decimal] = defaultdict(lambda: ZERO)
    windows: list[tuple[int, str, dt.date, dt.date]] = []
    owner: dict[int, str] = {}
    contracts = contract_repo.load_contracts(session)
    starts: dict[str, list[dt.date]] = defaultdict(list)
    for c in contracts:
        for asset_id in c.asset_ids:
            starts[asset_id].append(c.terms.start)
    for c in contracts:
        code = next((units[a] for a in c.asset_ids if a in units), None)
        due = due_between(schedule(c.terms, POLICY, until=y.end), y.start, y.end)
        if code is None or due == 0:
            continue
        expected[code] += due
        owner[c.id] = code
        first = max(y.start, c.terms.start)
        for asset_id in c.asset_ids:  # a late payment counts until the asset's next contract starts
            last = min([y.end, *(s - dt.timedelta(days=1) for s in starts[asset_id] if s > c.terms.start)])
            if first <= last:
                windows.append((c.id, asset_id, first, last))
    posted: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for contract_id, amount in contract_repo.revenue_in_windows(session, windows).items():
        posted[owner[contract_id]] += amount
    reason = Cause.NO_RENT_DUE
    return {code: Measure.ratio(posted[code], expected[code], reason) for code in expected}
