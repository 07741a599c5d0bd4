"""Recording filled count sheets (清查表), all or nothing; counts are append-only and the latest one wins."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.inventory import CountResult
from assetledger.errors import Finding, InputError, RuleViolation, ScopeRefusal
from assetledger.io.count_sheets import INDEX, CountDraft, parse_counts, sheet_inventory_id
from assetledger.io.headers import map_header
from assetledger.io.tabular import Table, read_table, report_notes
from assetledger.io.totals import total_findings
from assetledger.services.access import RowPlace, region_name, rows_outside, write_scope
from assetledger.services.assets import file_checksum
from assetledger.services.context import now
from assetledger.services.context import today as context_today
from assetledger.services.inventory import closed_row, get_inventory
from assetledger.store.bulk import chunks, existing_keys, insert_rows, refresh_statistics
from assetledger.store.db import Database
from assetledger.store.inventory_models import Inventory, InventoryCount, InventoryItem
from assetledger.store.models import Asset, ImportBatch, Region
from assetledger.store.tables import table_of
from assetledger.store.text_rules import table_rules

COUNT_TEXT = table_rules(table_of(InventoryCount))


@dataclass(frozen=True)
class RecordResult:
    inventory_id: int
    source: str
    counted: int
    surpluses: int
    by_result: dict[CountResult, int]
    superseded: int  # assets counted before, whose earlier count this file supersedes
    batch_id: int | None
    already_recorded: bool = False
    # What the counter is told and nothing changes: each counted asset whose 数量 or 资产原值 on the sheet differs
    # from the register's (the register's stands), and a 合计 that does not add up. The CLI prints them as the
    # file's notes (io/tabular.report_notes); the web's count-sheet page lists them.
    notes: tuple[Finding, ...] = ()


def record_counts(
    db: Database,
    path: Path,
    actor: str,
    inventory_id: int | None = None,
    today: dt.date | None = None,
    *,
    sheet: str | None = None,
) -> RecordResult:
    """Record a filled sheet, all or nothing. A later count of an asset supersedes its earlier one (both kept).
    `sheet`: the workbook's sheet to read (else its one visible sheet with data). A counted asset whose 数量 or
    资产原值 on the sheet is not the register's is recorded, the register left as it is, and named in the result's
    `notes`, which whoever listens to the file's notes is told too (the CLI prints them, io/tabular.reporting_notes;
    the web's count-sheet page lists them)."""
    table = read_table(path, sheet=sheet)
    inventory_id = sheet_inventory_id(table, inventory_id)
    checksum = file_checksum(path, sheet)
    result = _record(db, table, path, actor, inventory_id, checksum, today)
    report_notes(result.notes)  # once recorded: a refused sheet's findings say all
    return result


def _record(
    db: Database, table: Table, path: Path, actor: str, inventory_id: int, checksum: str, today: dt.date | None
) -> RecordResult:
    with db.transaction() as session:
        scope = write_scope(session, actor, Action.INVENTORY)  # an unknown name or another role: refused outright
        inventory = get_inventory(session, inventory_id)
        drafts, findings = parse_counts(table, inventory.year, today or context_today(), COUNT_TEXT)
        # who may count where, before any row is compared with the inventory: a refused row names its own cell
        refused = rows_outside(session, scope, table.source, _row_places(session, inventory.id, drafts))
        if refused:
            raise ScopeRefusal(sorted(findings + refused, key=lambda f: f.row or 0))
        done = closed_row(session, inventory_id)
        if done is not None:
            name = region_name(session, inventory.scope_code)
            raise RuleViolation(
                f"{inventory.year} 年{name}清查已于 {done.closed_on} 结束，不再接受盘点 "
                f"(inventory {inventory_id} was closed on {done.closed_on}; it takes no more counts)"
            )
        kind = f"inventory:{inventory_id}"
        prior = session.scalar(select(ImportBatch.id).where(ImportBatch.kind == kind, ImportBatch.checksum == checksum))
        if prior is not None:
            return RecordResult(inventory_id, str(path), 0, 0, {}, 0, prior, already_recorded=True)
        findings += _before_opening(table, inventory, drafts)
        checked, _, drafts = _check_against_inventory(session, inventory, table.source, drafts)
        findings += checked
        if not drafts and not findings:
            findings.append(
                Finding(
                    table.source,
                    None,
                    "结果",
                    None,
                    "盘点表中还没有任何一行填写盘点结果 (no row of the sheet is counted yet)",
                )
            )
        if findings:
            findings.sort(key=lambda f: f.row or 0)
            raise InputError(findings)
        asset_ids = [d.asset_id for d in drafts if d.asset_id]
        before = existing_counts(session, inventory_id, asset_ids)
        batch = ImportBatch(
            kind=kind, source_name=path.name, checksum=checksum, row_count=len(drafts), actor=actor, recorded_at=now()
        )
        session.add(batch)
        session.flush()
        at = now()
        rows = [_count_row(inventory_id, batch.id, d, actor, at) for d in drafts]
        insert_rows(session, table_of(InventoryCount), rows)
        refresh_statistics(session, "inventory_counts", len(rows))
        by_result = Counter(d.result for d in drafts if d.asset_id)
        surpluses = sum(1 for d in drafts if d.surplus)
        notes = _register_notes(session, table, drafts)
        return RecordResult(
            inventory_id, str(path), len(asset_ids), surpluses, dict(by_result), len(before), batch.id, notes=notes
        )


def value_differs(sheet: Decimal, register: Decimal) -> str:
    return (
        f"清查表上的资产原值 {sheet:,.2f} 元与台账 {register:,.2f} 元不同：清查不改动台账原值，以台账为准，请核对 "
        f"(the sheet's value, {sheet:,.2f} yuan, differs from the register's, {register:,.2f} yuan: a count does not "
        "change the register, whose value stands; check which is right)"
    )


def quantity_differs(sheet: Decimal, register: Decimal | None, unit: str | None) -> str:
    """A counted asset's 数量 on the sheet that is not the register's (`register` None: the register has none). The
    sheet prints the register's 数量 for the team to check against; what the team found is said by its result
    (盘亏, 毁损…) and note, never by a changed quantity."""
    shown, unit = _quantity(sheet), f" {unit}" if unit else ""
    if register is None:
        return (
            f"清查表上填了数量 {shown}，台账未登记数量：清查不改动台账，请核对；实物短缺或毁损请在结果中填写盘亏或毁损 "
            f"(the sheet gives a quantity, {shown}, the register has none: a count does not change the register; "
            "check it, and record a shortage or damage in the result)"
        )
    return (
        f"清查表上的数量 {shown}{unit}与台账 {_quantity(register)}{unit}不同：清查不改动台账数量，以台账为准，请核对；"
        f"实物短缺或毁损请在结果中填写盘亏或毁损 (the sheet's quantity, {shown}{unit}, differs from the register's, "
        f"{_quantity(register)}{unit}: a count does not change the register, whose quantity stands; check which is "
        "right, and record a shortage or damage in the result)"
    )


def _quantity(amount: Decimal) -> str:
    """A quantity as written: 2, 2.5, 100 (never 1E+2 or 2.0000)."""
    return format(amount.normalize(), "f")


def _register_notes(session: Session, table: Table, drafts: Sequence[CountDraft]) -> tuple[Finding, ...]:
    """A note for each counted asset whose 数量 or 资产原值 on the sheet (when it gives one) is not the register's,
    and for a 合计 row whose amount is not the sum of the rows above it (io/totals.py; in a register that refuses
    the file, but a count sheet's values are the register's facts printed on it, never read into the register: a
    wrong hand total there does not make the team's counts wrong).

    The count records what the team found (在用, 盘亏…), not a new value or quantity: those are changed by the
    register's own procedure, so the register is left as it is. Nor does a difference refuse the sheet, whose counts
    are good; but it is never passed over in silence, since it may be a typing slip on the sheet, a register out of
    date, or a shortage the team wrote into the facts instead of its result."""
    given = {d.asset_id: d for d in drafts if d.asset_id and (d.value is not None or d.quantity is not None)}
    registered: dict[str, tuple[Decimal, Decimal | None, str | None]] = {}
    for part in chunks(sorted(given)):
        query = select(Asset.asset_id, Asset.original_value, Asset.quantity, Asset.unit).where(Asset.asset_id.in_(part))
        registered.update({a: (v, q, u) for a, v, q, u in session.execute(query)})
    columns = {c.field: c for c in map_header(table.header, INDEX)}
    value_header = columns["value"].header if "value" in columns else "资产原值"
    quantity_header = columns["quantity"].header if "quantity" in columns else "数量"
    notes = total_findings(table, columns["value"], value_header) if "value" in columns else []
    for asset_id, d in given.items():
        if asset_id not in registered:
            continue
        value, quantity, unit = registered[asset_id]
        if d.quantity is not None and d.quantity != quantity:
            reason = quantity_differs(d.quantity, quantity, unit)
            notes.append(Finding(table.source, d.row, quantity_header, _quantity(d.quantity), reason))
        if d.value is not None and d.value != value:
            notes.append(Finding(table.source, d.row, value_header, f"{d.value:.2f}", value_differs(d.value, value)))
    return tuple(sorted(notes, key=lambda n: n.row or 0))


def _row_places(session: Session, inventory_id: int, drafts: Sequence[CountDraft]) -> list[RowPlace]:
    """Each row's places: the 区划代码 it gives (when a region) and, for an asset of the inventory, the sheet it is
    counted on; a refusal names the row's own cell (its asset id, else its 区划代码), never the place looked up."""
    asset_ids = [d.asset_id for d in drafts if d.asset_id]
    items: dict[str, str] = {}
    for part in chunks(asset_ids):
        query = select(InventoryItem.asset_id, InventoryItem.place_code).where(
            InventoryItem.inventory_id == inventory_id, InventoryItem.asset_id.in_(part)
        )
        items.update({a: place for a, place in session.execute(query)})
    given = {d.place_code for d in drafts if d.place_code}
    known = {
        code
        for part in chunks(sorted(given))
        for code in session.scalars(select(Region.code).where(Region.code.in_(part)))
    }
    places = []
    for d in drafts:
        regions = tuple(c for c in (d.place_code if d.place_code in known else None, items.get(d.asset_id or "")) if c)
        column, value = ("资产编号", d.asset_id) if d.asset_id else ("区划代码", d.place_code)
        places.append(RowPlace(d.row, column, value, regions))
    return places


def _before_opening(table: Table, inventory: Inventory, drafts: Sequence[CountDraft]) -> list[Finding]:
    """A count dated before the inventory was opened counted nothing of it (one after today parse_counts refuses)."""
    header = next((c.header for c in map_header(table.header, INDEX) if c.field == "counted_on"), "清查日期")
    return [
        Finding(
            table.source,
            d.row,
            header,
            d.counted_on.isoformat(),
            f"清查日期早于本次清查开始的日期 {inventory.opened_on} "
            f"(a count cannot be dated before the inventory was opened on {inventory.opened_on})",
        )
        for d in drafts
        if d.counted_on < inventory.opened_on
    ]


def existing_counts(session: Session, inventory_id: int, asset_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(asset_ids):
        found.update(
            a
            for a in session.scalars(
                select(InventoryCount.asset_id)
                .where(InventoryCount.inventory_id == inventory_id, InventoryCount.asset_id.in_(part))
                .distinct()
            )
            if a is not None
        )
    return found


def _check_against_inventory(
    session: Session, inventory: Inventory, source: str, drafts: Sequence[CountDraft]
) -> tuple[list[Finding], set[str], list[CountDraft]]:
    """Every asset row must name an asset of this inventory; every surplus a place within its scope.
    Also returns the places (count sheets) the rows touch, for the permission check, and the drafts with each
    asset row's place: the one its inventory item is counted at (a sheet without 区划代码 needs no column)."""
    query = select(InventoryItem.asset_id, InventoryItem.place_code).where(InventoryItem.inventory_id == inventory.id)
    items = {asset_id: place for asset_id, place in session.execute(query)}
    outside = sorted({d.asset_id for d in drafts if d.asset_id and d.asset_id not in items})
    known = existing_keys(session, Asset.asset_id, outside)
    findings = []
    placed = []
    for d in drafts:
        if d.asset_id and d.asset_id not in items:
            reason = (
                f"资产在台账中，但不在本次清查范围内 (the asset is in the register but not in inventory {inventory.id})"
                if d.asset_id in known
                else "台账中没有这项资产 (unknown asset: not in the register)"
            )
            findings.append(Finding(source, d.row, "资产编号", d.asset_id, reason))
        elif d.asset_id and d.place_code not in (None, items[d.asset_id]):
            reason = (
                f"该资产应在{region_name(session, items[d.asset_id])}盘点，不在此处，请改正或留空 "
                f"(the asset is counted at {items[d.asset_id]}, not here: correct the cell or leave it empty)"
            )
            findings.append(Finding(source, d.row, "区划代码", d.place_code, reason))
        elif d.asset_id:
            d = replace(d, place_code=items[d.asset_id])
        placed.append(d)
    places = {d.place_code for d in drafts if d.surplus and d.place_code}
    regions = {
        r.code: r
        for part in chunks(sorted(places))
        for r in session.scalars(select(Region).where(Region.code.in_(part)))
    }
    within = {code for code, r in regions.items() if _region_within(session, r, inventory.scope_code)}
    for d in drafts:
        if d.surplus and d.place_code not in within:
            reason = (
                "区划代码不存在 (unknown region code)"
                if d.place_code not in regions
                else f"不在清查范围{region_name(session, inventory.scope_code)}内 "
                f"(outside the scope {inventory.scope_code})"
            )
            findings.append(Finding(source, d.row, "区划代码", d.place_code, reason))
    touched = {items[d.asset_id] for d in drafts if d.asset_id in items} | within
    return findings, touched, placed


def _region_within(session: Session, region: Region, scope_code: str) -> bool:
    node: Region | None = region
    while node is not None:
        if node.code == scope_code:
            return True
        node = session.get(Region, node.parent_code) if node.parent_code else None
    return False


def _count_row(inventory_id: int, batch_id: int, d: CountDraft, actor: str, at: dt.datetime) -> dict[str, Any]:
    s = d.surplus
    return {
        "inventory_id": inventory_id, "batch_id": batch_id, "source_row": d.row, "asset_id": d.asset_id,
        "place_code": d.place_code, "result": d.result.value, "condition": d.condition, "note": d.note,
        "counted_by": d.counted_by, "counted_on": d.counted_on,
        "surplus_key": s.key(d.place_code or "") if s else None, "name": s.name if s else None,
        "register": s.register.value if s else None, "category": s.category if s else None,
        "location": s.location if s else None, "quantity": s.quantity if s else None, "unit": s.unit if s else None,
        "value": s.value if s else None, "custodian": s.custodian if s else None, "actor": actor, "recorded_at": at,
    }  # fmt: off
