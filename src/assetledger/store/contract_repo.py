"""The SQL of the operating contracts register: contracts with their assets and terminations, the operating assets
a scan looks at, and the revenue the books hold for each contract's assets and term."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.contracts import Frequency, Terms, Timing
from assetledger.domain.enums import AssetStatus, OperatingMode, Register
from assetledger.domain.money import ZERO
from assetledger.store.bulk import chunks
from assetledger.store.contract_models import Contract, ContractAsset, ContractTermination
from assetledger.store.journal_models import Account, Entry, PostingRow
from assetledger.store.models import Asset
from assetledger.store.region_tree import asset_within

NOT_REVENUE = ("disposal", "inventory")  # a disposal gain or an inventory surplus is not what a contract pays
WINDOWS_PER_QUERY = 200


@dataclass(frozen=True)
class StoredContract:
    id: int
    code: str
    asset_ids: tuple[str, ...]
    operator: str
    signed_on: dt.date | None
    terms: Terms
    deposit: Decimal | None
    renews_id: int | None
    renews_code: str | None
    note: str | None
    termination_reason: str | None
    actor: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class OperatingAsset:
    asset_id: str
    name: str
    county_code: str
    township_code: str | None
    village_code: str | None
    status: str
    operating_mode: str | None
    operator: str | None
    value: Decimal
    register_contract_end: dt.date | None  # the register's own column, for assets whose contract is not recorded

    @property
    def region(self) -> str:
        return self.village_code or self.township_code or self.county_code


def within(region: str | None) -> list[Any]:
    return [asset_within(region)] if region else []


def load_contracts(
    session: Session, *, asset_ids: Sequence[str] | None = None, region: str | None = None
) -> list[StoredContract]:
    """Contracts covering any of `asset_ids` (or any asset of `region`, or all), by start date and code."""
    query = select(ContractAsset.contract_id).join(Asset, Asset.asset_id == ContractAsset.asset_id)
    if region:
        query = query.where(*within(region))
    ids: set[int] = set()
    if asset_ids is not None:
        for part in chunks(sorted(set(asset_ids))):
            ids.update(session.scalars(query.where(ContractAsset.asset_id.in_(part))))
    else:
        ids.update(session.scalars(query))
    return _contracts(session, sorted(ids))


def contract_by_code(session: Session, code: str) -> StoredContract | None:
    found = session.scalar(select(Contract.id).where(Contract.code == code))
    return None if found is None else _contracts(session, [found])[0]


def codes_taken(session: Session, codes: Sequence[str]) -> dict[str, int]:
    taken: dict[str, int] = {}
    for part in chunks(sorted(set(codes))):
        taken.update(session.execute(select(Contract.code, Contract.id).where(Contract.code.in_(part))).all())
    return taken


def _contracts(session: Session, ids: Sequence[int]) -> list[StoredContract]:
    assets: dict[int, list[str]] = {}
    ended: dict[int, tuple[dt.date, str]] = {}
    rows: list[Contract] = []
    for part in chunks(list(ids)):
        for contract_id, asset_id in session.execute(
            select(ContractAsset.contract_id, ContractAsset.asset_id)
            .where(ContractAsset.contract_id.in_(part))
            .order_by(ContractAsset.id)
        ):
            assets.setdefault(contract_id, []).append(asset_id)
        for t in session.scalars(select(ContractTermination).where(ContractTermination.contract_id.in_(part))):
            ended[t.contract_id] = (t.terminated_on, t.reason)
        rows += session.scalars(select(Contract).where(Contract.id.in_(part)))
    codes = {c.id: c.code for c in rows}
    missing = {c.renews_id for c in rows if c.renews_id and c.renews_id not in codes}
    for part in chunks(sorted(missing)):
        codes.update(session.execute(select(Contract.id, Contract.code).where(Contract.id.in_(part))).all())
    out = []
    for c in rows:
        terminated, reason = ended.get(c.id, (None, None))
        terms = Terms(OperatingMode(c.mode), c.start_on, c.end_on, c.amount, Frequency(c.frequency),
                      Timing(c.timing), c.paid_through, terminated)  # fmt: skip
        out.append(
            StoredContract(c.id, c.code, tuple(assets.get(c.id, ())), c.operator, c.signed_on, terms, c.deposit,
                           c.renews_id, codes.get(c.renews_id) if c.renews_id else None, c.note, reason, c.actor,
                           c.recorded_at)
        )  # fmt: skip
    out.sort(key=lambda s: (s.terms.start, s.code))
    return out


def operating_assets(
    session: Session, region: str | None, asset_ids: Sequence[str] | None = None, *, disposed: bool = False
) -> list[OperatingAsset]:
    """Operating assets not disposed of (with `disposed`, those disposed of too), in a region (or all), by id."""
    kept = [] if disposed else [Asset.status != AssetStatus.DISPOSED.value]
    query = (
        select(Asset.asset_id, Asset.name, Asset.county_code, Asset.township_code, Asset.village_code, Asset.status,
               Asset.operating_mode, Asset.operator, Asset.current_value, Asset.contract_end)
        .where(Asset.register == Register.OPERATING.value, *kept, *within(region))
        .order_by(Asset.asset_id)
    )  # fmt: skip
    if asset_ids is None:
        return [_operating(row) for row in session.execute(query)]
    found = []
    for part in chunks(sorted(set(asset_ids))):
        found += [_operating(row) for row in session.execute(query.where(Asset.asset_id.in_(part)))]
    return sorted(found, key=lambda a: a.asset_id)


def _operating(row: Any) -> OperatingAsset:
    return OperatingAsset(*tuple(row))


@dataclass(frozen=True)
class AssetFacts:
    asset_id: str
    register: str
    status: str
    region: str
    value: Decimal
    start: dt.date | None  # the latest recorded contract's start, for keeping the asset's columns in step


def asset_facts(session: Session, asset_ids: Sequence[str]) -> dict[str, AssetFacts]:
    found: dict[str, AssetFacts] = {}
    for part in chunks(sorted(set(asset_ids))):
        for a in session.execute(
            select(Asset.asset_id, Asset.register, Asset.status, Asset.village_code, Asset.township_code,
                   Asset.county_code, Asset.current_value, Asset.contract_start)
            .where(Asset.asset_id.in_(part))
        ):  # fmt: skip
            found[a[0]] = AssetFacts(a[0], a[1], a[2], str(a[3] or a[4] or a[5]), a[6], a[7])
    return found


def revenue_in_windows(session: Session, windows: Sequence[tuple[int, str, dt.date, dt.date]]) -> dict[int, Decimal]:
    """Revenue the books hold against each window's asset and dates, summed by the window's key: (key, asset,
    first, last). Income postings of the asset's entries in any entity's books, through the (asset, date) index."""
    totals: dict[int, Decimal] = {}
    for part in chunks(list(windows), WINDOWS_PER_QUERY):
        by_asset: dict[str, list[tuple[int, dt.date, dt.date]]] = {}
        for key, asset_id, first, last in part:
            by_asset.setdefault(asset_id, []).append((key, first, last))
            totals.setdefault(key, ZERO)
        if not by_asset:
            continue
        # One IN list over the part's assets and the span of its windows (each window is applied below): a
        # condition per asset costs more to build than the few extra rows it would keep out.
        first = min(w[1] for ws in by_asset.values() for w in ws)
        last = max(w[2] for ws in by_asset.values() for w in ws)
        rows = session.execute(
            select(Entry.asset_id, Entry.date, func.sum(-PostingRow.amount))
            .join(PostingRow, PostingRow.entry_id == Entry.id)
            .join(Account, Account.id == PostingRow.account_id)
            .where(
                Entry.asset_id.in_(sorted(by_asset)),
                Entry.date.between(first, last),
                Entry.kind.not_in(NOT_REVENUE),
                Account.name.like("Income:%"),
            )
            .group_by(Entry.asset_id, Entry.date)
        )
        for entry_asset, on, amount in rows:
            for key, first, last in by_asset.get(entry_asset or "", ()):
                if first <= on <= last:
                    totals[key] += amount
    return totals


def add_contract(session: Session, values: dict[str, Any], asset_ids: Sequence[str]) -> int:
    contract = Contract(**values)
    session.add(contract)
    session.flush()
    for asset_id in asset_ids:
        session.add(ContractAsset(contract_id=contract.id, asset_id=asset_id))
    return contract.id


def add_termination(session: Session, contract_id: int, on: dt.date, reason: str, actor: str, at: Any) -> None:
    session.add(ContractTermination(contract_id=contract_id, terminated_on=on, reason=reason, actor=actor,
                                    recorded_at=at))  # fmt: skip


def terminated(session: Session, contract_id: int) -> dt.date | None:
    return session.scalar(
        select(ContractTermination.terminated_on).where(ContractTermination.contract_id == contract_id)
    )


def keep_asset_in_step(session: Session, asset_id: str, values: dict[str, Any]) -> None:
    """The asset's operator, mode and contract columns, from its latest contract."""
    asset = session.get(Asset, asset_id, with_for_update=True)
    if asset is not None:
        for name, value in values.items():
            setattr(asset, name, value)


@dataclass(frozen=True)
class RegisterContract:
    """The contract facts an operating asset's register columns hold."""

    asset_id: str
    region: str
    operator: str | None
    operating_mode: str
    contract_start: dt.date
    contract_end: dt.date
    contract_annual_income: Decimal | None


def register_contracts(session: Session, region: str | None) -> list[RegisterContract]:
    """Operating assets not disposed of whose register gives a mode and a contract term, by id."""
    rows = session.execute(
        select(Asset.asset_id, Asset.village_code, Asset.township_code, Asset.county_code, Asset.operator,
               Asset.operating_mode, Asset.contract_start, Asset.contract_end, Asset.contract_annual_income)
        .where(Asset.register == Register.OPERATING.value, Asset.status != AssetStatus.DISPOSED.value,
               Asset.operating_mode.is_not(None), Asset.contract_start.is_not(None), Asset.contract_end.is_not(None),
               *within(region))
        .order_by(Asset.asset_id)
    )  # fmt: skip
    return [RegisterContract(a, str(v or t or c), op, str(mode), start, end, annual)
            for a, v, t, c, op, mode, start, end, annual in rows if mode and start and end]  # fmt: skip
