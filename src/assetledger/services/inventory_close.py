"""Closing an inventory with its approval: approved shortages (盘亏) written off, surpluses (盘盈) registered,
register statuses brought in line with the count — one transaction, as events and entries. Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.asset_events import AssetEventKind
from assetledger.domain.assets import AssetDraft, Custody, Ownership
from assetledger.domain.booking import BOOKS_START
from assetledger.domain.enums import OFF_BOOKS_VALUES, AssetStatus, FundSource, OwnerKind, RegionLevel, Register
from assetledger.domain.inventory import INVENTORY_LOSS_ACCOUNT, CountResult
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.domain.text import visible
from assetledger.errors import Finding, InputError, RuleRefusal, RuleViolation
from assetledger.services.access import region_name, require
from assetledger.services.asset_books import entries_after, later_entries_message
from assetledger.services.assets import register_in
from assetledger.services.books import ENTITY_SUFFIX, Books, Located
from assetledger.services.context import now
from assetledger.services.inventory import (
    closed_row,
    get_inventory,
    in_status_order,
    latest_counts,
    latest_surpluses,
)
from assetledger.services.regions import unknown_region_level
from assetledger.store import register_repo
from assetledger.store.bulk import chunks, insert_rows
from assetledger.store.db import Database
from assetledger.store.inventory_models import Inventory, InventoryClose, InventoryCount, InventoryItem
from assetledger.store.journal_models import Account, PostingRow
from assetledger.store.models import Asset, AssetEvent, Region
from assetledger.store.tables import table_of
from assetledger.store.text_rules import require_fits

LOSS_ACCOUNT = INVENTORY_LOSS_ACCOUNT
ZERO = Decimal("0.00")


@dataclass
class CloseResult:
    inventory_id: int
    closed_on: dt.date
    approval: str
    written_off: list[str] = field(default_factory=list)
    written_off_value: Decimal = ZERO
    surplus_assets: list[str] = field(default_factory=list)
    surplus_value: Decimal = ZERO
    # new status -> assets (written off included), in the order of services.inventory.in_status_order
    status_changes: dict[str, int] = field(default_factory=dict)
    uncounted: int = 0
    entries: int = 0
    already_closed: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "written_off": self.written_off, "written_off_value": str(self.written_off_value),
            "surplus_assets": self.surplus_assets, "surplus_value": str(self.surplus_value),
            "status_changes": self.status_changes, "uncounted": self.uncounted, "entries": self.entries,
        }  # fmt: off


def close_inventory(
    db: Database,
    inventory_id: int,
    approval: str,
    actor: str,
    on: dt.date | None = None,
    *,
    allow_uncounted: bool = False,
) -> CloseResult:
    """Close with the approval document: write off shortages, register surpluses, update statuses. Idempotent."""
    if not approval.strip():
        raise InputError(
            [
                Finding(
                    "inventory close", None, "--approval", approval, "须有批准文件 (the approval document is required)"
                )
            ]
        )
    require_fits("inventory close", ("--approval", approval, InventoryClose.approval_doc))
    on = on or dt.date.today()
    with db.transaction() as session:
        inventory = get_inventory(session, inventory_id, lock=True)
        for action in (Action.INVENTORY, Action.REGISTER, Action.BOOKS):  # writes off, registers and books
            require(session, actor, action, [inventory.scope_code])
        done = closed_row(session, inventory_id)
        if done is not None:
            return _already(done)
        ids = select(literal(inventory_id))
        latest = latest_counts(ids)
        query = select(InventoryCount.asset_id, InventoryCount.result).join(
            latest, latest.c.count_id == InventoryCount.id
        )
        results = {asset_id: found for asset_id, found in session.execute(query) if asset_id is not None}
        items = session.scalar(select(func.count()).where(InventoryItem.inventory_id == inventory_id)) or 0
        uncounted = items - len(results)
        if uncounted and not allow_uncounted:
            scope = region_name(session, inventory.scope_code)
            raise RuleViolation(
                f"{inventory.year} 年{scope}清查：{items} 项资产中有 {uncounted} 项尚未盘点，"
                "请录入盘点表，或加 --allow-uncounted 结束清查并保持其原状 "
                f"(inventory {inventory_id}: {uncounted} of {items} assets are not counted yet; record their sheets, "
                "or close with --allow-uncounted to leave them as they are)"
            )
        last_counted = session.scalar(
            select(func.max(InventoryCount.counted_on)).where(InventoryCount.inventory_id == inventory_id)
        )
        if last_counted is not None and on < last_counted:
            raise RuleViolation(
                f"结束日期 {on} 早于最后一次盘点日期 {last_counted} (the close date "
                f"{on} is before the last count ({last_counted}))"
            )
        unknown = _unknown_codes(session, inventory_id, results)
        if unknown:
            raise RuleRefusal(unknown)
        result = CloseResult(inventory_id, on, approval, uncounted=uncounted)
        books = Books(session, actor)
        active = _active_statuses(session, list(results))
        missing = [a for a, found in results.items() if found == CountResult.MISSING.value and a in active]
        later = entries_after(session, missing, on)
        if later:
            asset_id, entries = min(later.items())
            raise RuleViolation(
                f"盘亏核销 (writing off a shortage): {later_entries_message(on, entries)}", asset_id=asset_id
            )
        _write_off(books, inventory_id, missing, active, approval, on, result)
        _update_statuses(session, inventory_id, results, active, approval, on, actor, result)
        _register_surpluses(session, inventory, approval, on, actor, result)
        result.status_changes = in_status_order(result.status_changes)  # as it is stored, listed and reported
        session.add(
            InventoryClose(
                inventory_id=inventory_id, closed_on=on, approval_doc=approval, summary=result.summary(), actor=actor,
                recorded_at=now(),
            )
        )  # fmt: off
        return result


UNKNOWN_CODE = (
    "不是本版本认识的值，不能据此结束清查；请先运行 audit verify "
    "(no value this version knows: the close cannot decide from it; run `audit verify`)"
)


def _unknown_codes(session: Session, inventory_id: int, results: Mapping[str, str]) -> list[Finding]:
    """The stored texts the close would decide from that are none of their vocabularies (written around the product,
    or by a later version): an asset's latest count result, a surplus's result or register. Each named, so that the
    close refuses them all at once instead of failing on the first."""
    where = f"清查 {inventory_id} (inventory {inventory_id})"
    found = [
        Finding(f"{where}，资产 {asset_id} (asset)", None, "结果 result", visible(str(value)), UNKNOWN_CODE)
        for asset_id, value in sorted(results.items())
        if not isinstance(value, CountResult)
    ]
    latest = latest_surpluses(select(literal(inventory_id)))
    for c in session.scalars(
        select(InventoryCount).join(latest, latest.c.count_id == InventoryCount.id).order_by(InventoryCount.id)
    ):
        surplus = f"{where}，盘盈 {visible(c.name or '')} (surplus, count #{c.id})"
        if not isinstance(c.result, CountResult):
            found.append(Finding(surplus, None, "结果 result", visible(str(c.result)), UNKNOWN_CODE))
        if c.register is not None and c.register not in REGISTER_CODES:
            found.append(Finding(surplus, None, "资产类别 register", visible(c.register), UNKNOWN_CODE))
    return found


REGISTER_CODES = frozenset(r.value for r in Register)


def _already(done: InventoryClose) -> CloseResult:
    s = done.summary
    result = CloseResult(done.inventory_id, done.closed_on, done.approval_doc, already_closed=True)
    result.written_off = list(s.get("written_off", []))
    result.surplus_assets = list(s.get("surplus_assets", []))
    result.written_off_value = Decimal(str(s.get("written_off_value", "0.00")))
    result.surplus_value = Decimal(str(s.get("surplus_value", "0.00")))
    result.status_changes = in_status_order(s.get("status_changes", {}))
    result.uncounted = int(str(s.get("uncounted", 0)))
    result.entries = int(str(s.get("entries", 0)))
    return result


def _active_statuses(session: Session, asset_ids: Sequence[str]) -> dict[str, str]:
    """Current status of the counted assets that are still on the register (a disposal may have come first)."""
    found: dict[str, str] = {}
    for part in chunks(asset_ids):
        query = select(Asset.asset_id, Asset.status).where(
            Asset.asset_id.in_(part), Asset.status.not_in(OFF_BOOKS_VALUES)
        )
        found.update((asset_id, status) for asset_id, status in session.execute(query))
    return found


def _write_off(
    books: Books,
    inventory_id: int,
    missing: list[str],
    active: dict[str, str],
    approval: str,
    on: dt.date,
    result: CloseResult,
) -> None:
    """Approved shortages (盘亏): their full book value to loss, then off the register (written off 已核销, value 0:
    not disposed of, DOMAIN rule 19). Each is a status change, reported with the others."""
    if not missing:
        return
    session = books.session
    balances: list[tuple[str, str, str, Decimal]] = []
    for part in chunks(missing):
        balances += [
            (asset_id, entity, name, total)
            for asset_id, entity, name, total in session.execute(
                select(Account.asset_id, Account.entity_code, Account.name, func.sum(PostingRow.amount))
                .join(PostingRow, PostingRow.account_id == Account.id)
                .where(Account.asset_id.in_(part))
                .group_by(Account.asset_id, Account.entity_code, Account.name)
            )
            if total and asset_id is not None
        ]
    books.open_accounts({(entity, *LOSS_ACCOUNT, BOOKS_START, None) for _, entity, _, _ in balances})
    entries: list[JournalEntry] = []
    values: dict[str, Decimal] = dict.fromkeys(missing, ZERO)
    for asset_id, entity, account, balance in sorted(balances):
        values[asset_id] += balance
        entries.append(
            JournalEntry(
                entity, on, f"清查盘亏核销 {asset_id}（{approval}）",
                (Posting(LOSS_ACCOUNT[0], balance), Posting(account, -balance)), EntryKind.INVENTORY, asset_id,
                f"inventory:{inventory_id}:write-off:{asset_id}:{account}",
                meta={"inventory": str(inventory_id), "approval": approval},
            )
        )  # fmt: off
    posted = books.post(entries, [Located(f"inventory {inventory_id} close")] * len(entries)).posted
    register_repo.set_status(session, missing, AssetStatus.WRITTEN_OFF, disposed_on=on, current_value=ZERO)
    at = now()
    insert_rows(
        session,
        table_of(AssetEvent),
        [
            {
                "asset_id": a, "kind": AssetEventKind.INVENTORY_WRITTEN_OFF.value, "event_date": on,
                "actor": books.actor,
                "recorded_at": at,
                "payload": {"inventory": inventory_id, "result": CountResult.MISSING.value, "approval": approval,
                            "book_value": str(values[a]), "from": active[a]},
            }
            for a in missing
        ],
    )  # fmt: off
    result.written_off = sorted(missing)
    result.written_off_value = sum(values.values(), ZERO)
    result.status_changes[AssetStatus.WRITTEN_OFF.value] = len(missing)
    result.entries += len(posted)


def _update_statuses(
    session: Session,
    inventory_id: int,
    results: Mapping[str, str],
    active: dict[str, str],
    approval: str,
    on: dt.date,
    actor: str,
    result: CloseResult,
) -> None:
    """The register follows the count: found idle / damaged / in use. Same event as `asset status` records."""
    changes: dict[str, list[str]] = {}
    for asset_id, found in results.items():
        status = CountResult(found).status
        if status is not None and asset_id in active and active[asset_id] != status.value:
            changes.setdefault(status.value, []).append(asset_id)
    at = now()
    events = []
    for to, asset_ids in sorted(changes.items()):
        register_repo.set_status(session, asset_ids, AssetStatus(to))
        reason = f"清查 inventory {inventory_id}（{approval}）"
        events += [
            {
                "asset_id": a, "kind": AssetEventKind.STATUS_CHANGED.value, "event_date": on, "actor": actor,
                "recorded_at": at,
                "payload": {"from": active[a], "to": to, "reason": reason, "inventory": inventory_id},
            }
            for a in asset_ids
        ]  # fmt: off
        result.status_changes[to] = len(asset_ids)
    insert_rows(session, table_of(AssetEvent), events)


def _register_surpluses(
    session: Session, inventory: Inventory, approval: str, on: dt.date, actor: str, result: CloseResult
) -> None:
    """Surpluses (盘盈) become assets of the place where they were found, with opening entries (fund: other)."""
    latest = latest_surpluses(select(literal(inventory.id)))
    rows = session.scalars(
        select(InventoryCount).join(latest, latest.c.count_id == InventoryCount.id).order_by(InventoryCount.id)
    ).all()
    if not rows:
        return
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_({r.place_code for r in rows})))}
    kinds = {
        RegionLevel.VILLAGE.value: (OwnerKind.VILLAGE, EntityKind.VILLAGE),
        RegionLevel.TOWNSHIP.value: (OwnerKind.TOWNSHIP, EntityKind.TOWNSHIP),
        RegionLevel.COUNTY.value: (OwnerKind.COUNTY, EntityKind.COUNTY),
    }
    at = now()
    for c in rows:
        assert c.name is not None and c.register is not None and c.value is not None
        region = regions[c.place_code]
        if not isinstance(region.level, RegionLevel):  # no owner is decided from a stored level that is none
            raise unknown_region_level(region.code, region.level)
        owner_kind, entity_kind = kinds[region.level]
        asset_id = f"PY{inventory.year}-{c.place_code}-{c.id}"
        status = CountResult(c.result).status or AssetStatus.IN_USE
        draft = AssetDraft(
            asset_id=asset_id, name=c.name, register=Register(c.register), region_code=c.place_code,
            original_value=c.value, funding=((FundSource.OTHER, c.value),), category=c.category, location=c.location,
            quantity=c.quantity, unit=c.unit,
            ownership=Ownership(f"{region.name}{ENTITY_SUFFIX[entity_kind]}", owner_kind, on, approval),
            custody=Custody(c.custodian, on) if c.custodian else None,
        )  # fmt: off
        register_in(session, draft, actor)
        session.add(
            AssetEvent(
                asset_id=asset_id, kind=AssetEventKind.INVENTORY_SURPLUS.value, event_date=on, actor=actor,
                recorded_at=at,
                payload={"inventory": inventory.id, "count": c.id, "approval": approval, "value": str(c.value),
                         "counted_on": c.counted_on.isoformat(), "counted_by": c.counted_by},
            )
        )  # fmt: off
        if status is not AssetStatus.IN_USE:  # registered in use, then the status found, as its own event
            register_repo.set_status(session, [asset_id], status)
            session.add(
                AssetEvent(
                    asset_id=asset_id, kind=AssetEventKind.STATUS_CHANGED.value, event_date=on, actor=actor,
                    recorded_at=at,
                    payload={"from": AssetStatus.IN_USE.value, "to": status.value, "inventory": inventory.id,
                             "reason": f"清查 inventory {inventory.id}（{approval}）"},
                )
            )  # fmt: off
        result.surplus_assets.append(asset_id)
        result.surplus_value += c.value
        result.entries += 1
