"""The annual inventory (清查): open it for a year and a scope, print count sheets; the queries shared by recording
(services/inventory_counts.py), closing (services/inventory_close.py) and the reports (inventory_reports.py).

Selection is one SQL query classified in Python (pure rules in domain/inventory.py) and a bulk insert; sheets are
one query grouped by village.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action, covers
from assetledger.domain.enums import AssetStatus, RegionLevel
from assetledger.domain.inventory import DueReason, Scope, due
from assetledger.domain.journal import EntryKind
from assetledger.errors import DuplicateError, Finding, InputError, NotFoundError
from assetledger.io.count_sheets import SheetRow, write_sheet_xlsx
from assetledger.io.count_sheets import sheet_html as render_sheet_html
from assetledger.services.access import (
    reader,
    region_chain,
    regions_within,
    require,
    require_read,
    visible_regions,
)
from assetledger.services.context import now
from assetledger.services.governance_policies import PolicyInForce, policies_for_regions, policy_for_region
from assetledger.store.bulk import insert_rows, refresh_statistics
from assetledger.store.db import Database
from assetledger.store.inventory_models import Inventory, InventoryClose, InventoryCount, InventoryItem
from assetledger.store.journal_models import Account, Entry, PostingRow
from assetledger.store.models import Asset, Region
from assetledger.store.region_tree import asset_within
from assetledger.store.tables import table_of


def in_scope(scope_code: str) -> Any:
    return asset_within(scope_code)


def get_inventory(session: Session, inventory_id: int, *, lock: bool = False) -> Inventory:
    found = session.get(Inventory, inventory_id, with_for_update=lock)
    if found is None:
        raise NotFoundError("inventory", str(inventory_id))
    return found


def closed_row(session: Session, inventory_id: int) -> InventoryClose | None:
    return session.scalar(select(InventoryClose).where(InventoryClose.inventory_id == inventory_id))


def inventory_part(session: Session, actor: str, inventory: Inventory) -> set[str] | None:
    """The one rule of reading an inventory, for the CLI and the web alike: None when the reader's scope covers the
    inventory's (all of it is read); the region codes of the reader's scope when that scope lies inside the
    inventory's (a township's inventory team reads its own part of a county inventory: its status and sheets,
    filtered to those places, never the rest); else refused, as a read outside the scope is (require_read)."""
    user = reader(session, actor)
    if user is None or covers(user.scope, region_chain(session, inventory.scope_code)):
        return None
    if inventory.scope_code in region_chain(session, user.scope):
        return regions_within(session, user.scope)
    require_read(session, actor, inventory.scope_code)  # refuses, naming the reader's scope and not the inventory's
    return set()  # not reached


# --- open ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenResult:
    inventory_id: int
    year: int
    scope: Scope
    selected: int
    reasons: dict[DueReason, int]  # selected and not selected, by reason


def open_inventory(db: Database, year: int, scope: Scope, actor: str, on: dt.date | None = None) -> OpenResult:
    """Select the assets due in `year` within the scope, with the reason for each (and for those left out), by the
    `[inventory]` cycle of the governance policy stored for the scope (`policy_for_region`, as the scan and `asset
    dispose`; none stored: the shipped file), never a file the opener gives; the inventory records which version
    (and its sha256) selected it."""
    with db.transaction() as session:
        region = session.get(Region, scope.code)
        if region is None:
            raise NotFoundError("region", scope.code)
        if region.level != scope.level:
            level = str(region.level)  # a stored text that is no level (written around the product): as it is
            named = region.level.label if isinstance(region.level, RegionLevel) else level
            raise InputError(
                [
                    Finding(
                        "inventory open",
                        None,
                        "--scope",
                        str(scope),
                        f"{region.name}是{named}，不是{scope.level.label} ({scope.code} is a {level})",
                    )
                ]
            )
        require(session, actor, Action.INVENTORY, [scope.code])
        judged = policy_for_region(session, scope.code)
        prior = session.scalar(select(Inventory.id).where(Inventory.year == year, Inventory.scope_code == scope.code))
        if prior is not None:
            raise DuplicateError("inventory", f"{year} {scope} (id {prior})")
        last = (
            select(InventoryCount.asset_id, func.max(Inventory.year).label("year"))
            .join(Inventory, Inventory.id == InventoryCount.inventory_id)
            .where(Inventory.year < year, InventoryCount.asset_id.is_not(None))
            .group_by(InventoryCount.asset_id)
            .subquery()
        )
        taken = (
            select(InventoryItem.asset_id)
            .join(Inventory, Inventory.id == InventoryItem.inventory_id)
            .where(Inventory.year == year)
            .distinct()
            .subquery()
        )
        rows = session.execute(
            select(
                Asset.asset_id, Asset.status, Asset.owner_kind, Asset.register, Asset.county_code,
                Asset.township_code, Asset.village_code, Asset.current_value, last.c.year,
                taken.c.asset_id.label("taken"),
            )
            .outerjoin(last, last.c.asset_id == Asset.asset_id)
            .outerjoin(taken, taken.c.asset_id == Asset.asset_id)
            .where(in_scope(scope.code))
            .order_by(Asset.asset_id)
        ).all()  # fmt: off
        # Each asset by the [inventory] cycle of its own place's policy, as the scan judges it: a township that
        # stored its own inside a county-wide inventory is not judged by the county's.
        policies = policies_for_regions(session, [_place(r) for r in rows])
        reasons: Counter[DueReason] = Counter()
        items: list[dict[str, Any]] = []
        for r in rows:
            if r.status == AssetStatus.DISPOSED:
                reasons[DueReason.DISPOSED] += 1
                continue
            if r.status == AssetStatus.WRITTEN_OFF:
                reasons[DueReason.WRITTEN_OFF] += 1
                continue
            if r.taken is not None:
                reasons[DueReason.ALREADY_IN_INVENTORY] += 1
                continue
            selected, reason = due(r.owner_kind, r.register, r.year, year, policies[_place(r)].policy.inventory)
            reasons[reason] += 1
            if selected:
                place = _place(r)
                items.append(
                    {
                        "asset_id": r.asset_id, "reason": reason, "last_counted": r.year,
                        "county_code": r.county_code, "township_code": r.township_code,
                        "village_code": r.village_code, "place_code": place, "register_value": r.current_value,
                    }
                )  # fmt: off
        inventory = Inventory(
            year=year,
            scope_level=scope.level,
            scope_code=scope.code,
            county_code=region.county_code,
            opened_on=on or dt.date.today(),
            policy=_policies_used(judged, policies.values()),
            selected={reason.value: n for reason, n in sorted(reasons.items())},
            actor=actor,
            recorded_at=now(),
        )
        session.add(inventory)
        session.flush()
        for item in items:
            item["inventory_id"] = inventory.id
        insert_rows(session, table_of(InventoryItem), items)
        refresh_statistics(session, "inventory_items", len(items))
        return OpenResult(inventory.id, year, scope, len(items), dict(reasons))


@dataclass(frozen=True)
class InventoryListing:
    """An inventory (清查): its year, scope (level, code and name), the day it opened, how many items it counts, and
    its close (day and approval document) once closed."""

    id: int
    year: int
    scope_level: str
    scope_code: str
    scope_name: str
    opened_on: dt.date
    items: int
    closed_on: dt.date | None
    approval_doc: str | None


def list_inventories(db: Database, actor: str, year: int | None = None) -> list[InventoryListing]:
    """Inventories with their scope, size and close (those the reader may see)."""
    with db.reading() as session:
        visible = visible_regions(session, actor)
        user = reader(session, actor)
        above = set(region_chain(session, user.scope)) if user is not None and visible is not None else set()
        items = (
            select(InventoryItem.inventory_id, func.count().label("n")).group_by(InventoryItem.inventory_id).subquery()
        )
        query = (
            select(
                Inventory.id, Inventory.year, Inventory.scope_level, Inventory.scope_code,
                Region.name.label("scope_name"), Inventory.opened_on, func.coalesce(items.c.n, 0).label("items"),
                InventoryClose.closed_on, InventoryClose.approval_doc,
            )
            .join(Region, Region.code == Inventory.scope_code)
            .outerjoin(items, items.c.inventory_id == Inventory.id)
            .outerjoin(InventoryClose, InventoryClose.inventory_id == Inventory.id)
            .order_by(Inventory.year, Inventory.id)
        )  # fmt: off
        if year is not None:
            query = query.where(Inventory.year == year)
        rows = [
            r
            for r in session.execute(query)
            if visible is None or r.scope_code in visible or r.scope_code in above  # its part of a larger one
        ]
        parts = [r.id for r in rows if visible is not None and r.scope_code not in visible]
        counted = dict(
            session.execute(
                select(InventoryItem.inventory_id, func.count())
                .where(InventoryItem.inventory_id.in_(parts), InventoryItem.place_code.in_(sorted(visible or ())))
                .group_by(InventoryItem.inventory_id)
            ).all()
        ) if parts else {}  # fmt: skip
        return [
            InventoryListing(
                r.id,
                r.year,
                r.scope_level,
                r.scope_code,
                r.scope_name,
                r.opened_on,
                counted.get(r.id, 0) if r.id in parts else r.items,  # of a larger one, the items of its part
                r.closed_on,
                r.approval_doc,
            )
            for r in rows
        ]


# --- sheets --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetPlace:
    code: str
    name: str  # full: county, township, village
    rows: list[SheetRow]


def sheet_places(session: Session, inventory_id: int, part: set[str] | None = None) -> list[SheetPlace]:
    """The assets of the inventory grouped by count sheet (village, else township, else county), in id order;
    `part`: only the sheets of those places (inventory_part)."""
    names = {code: name for code, name in session.execute(select(Region.code, Region.name))}
    query = (
        select(
            InventoryItem.place_code, InventoryItem.county_code, InventoryItem.township_code,
            InventoryItem.village_code, Asset.asset_id, Asset.name, Asset.register, Asset.category, Asset.location,
            Asset.quantity, Asset.unit, Asset.original_value, Asset.custodian,
        )
        .join(Asset, Asset.asset_id == InventoryItem.asset_id)
        .where(InventoryItem.inventory_id == inventory_id)
        .order_by(InventoryItem.place_code, Asset.asset_id)
    )  # fmt: off
    if part is not None:
        query = query.where(InventoryItem.place_code.in_(sorted(part)))
    places: list[SheetPlace] = []
    for r in session.execute(query):
        if not places or places[-1].code != r.place_code:
            full = "".join(names.get(c, "") for c in (r.county_code, r.township_code, r.village_code) if c)
            places.append(SheetPlace(r.place_code, full, []))
        places[-1].rows.append(
            SheetRow(
                r.asset_id, r.name, r.register, r.category, r.location, r.quantity, r.unit, r.original_value,
                r.custodian,
            )
        )  # fmt: off
    return places


def sheet_names(db: Database, inventory_id: int, actor: str) -> list[tuple[str, str]]:
    """(place code, file name) of each count sheet `write_sheets` writes, for a reader of the inventory's scope (or
    of its part of it: inventory_part)."""
    with db.reading() as session:
        inventory = get_inventory(session, inventory_id)
        part = inventory_part(session, actor, inventory)
        names = {code: name for code, name in session.execute(select(Region.code, Region.name))}
        query = (
            select(InventoryItem.place_code, InventoryItem.county_code, InventoryItem.township_code,
                   InventoryItem.village_code)
            .where(InventoryItem.inventory_id == inventory_id,
                   *([] if part is None else [InventoryItem.place_code.in_(sorted(part))]))
            .group_by(InventoryItem.place_code, InventoryItem.county_code, InventoryItem.township_code,
                      InventoryItem.village_code)
            .order_by(InventoryItem.place_code)
        )  # fmt: skip
        places: dict[str, str] = {}
        for r in session.execute(query):  # the same names as sheet_places gives the files
            full = "".join(names.get(c, "") for c in (r.county_code, r.township_code, r.village_code) if c)
            places.setdefault(r.place_code, full)
    return [(code, f"{code}-{name}.xlsx") for code, name in places.items()]


def write_sheets(
    db: Database, inventory_id: int, out: Path, actor: str, *, html: bool = True, only: str | None = None
) -> list[Path]:
    """One XLSX (and one printable HTML) count sheet per village, named <region code>-<place>.xlsx (`only`: the
    sheet of that place code only)."""
    with db.reading() as session:
        inventory = get_inventory(session, inventory_id)
        part = inventory_part(session, actor, inventory)
        year = inventory.year
        places = [p for p in sheet_places(session, inventory_id, part) if only is None or p.code == only]
    written = []
    for place in places:
        title = f"{place.name} {year}年度扶贫项目资产清查表"
        stem = out / f"{place.code}-{place.name}"
        written.append(
            write_sheet_xlsx(stem.with_suffix(".xlsx"), title, inventory_id, (place.code, place.name), place.rows)
        )
        if html:
            meta = f"清查编号 {inventory_id} · 区划代码 {place.code} · 共 {len(place.rows)} 项资产"
            path = stem.with_suffix(".html")
            path.write_text(render_sheet_html(title, meta, place.rows), encoding="utf-8")
            written.append(path)
    return written


# --- latest results (shared with the reports) ----------------------------------------------------------------


def latest_counts(inventory_ids: Any) -> Any:
    """Subquery: the id of the latest count row of each (inventory, asset) — earlier rows are superseded."""
    return (
        select(
            InventoryCount.inventory_id,
            InventoryCount.asset_id,
            func.max(InventoryCount.id).label("count_id"),
        )
        .where(InventoryCount.inventory_id.in_(inventory_ids), InventoryCount.asset_id.is_not(None))
        .group_by(InventoryCount.inventory_id, InventoryCount.asset_id)
        .subquery()
    )


def latest_surpluses(inventory_ids: Any) -> Any:
    """Subquery: the id of the latest row of each surplus (same place, name and location) per inventory."""
    return (
        select(
            InventoryCount.inventory_id,
            InventoryCount.surplus_key,
            func.max(InventoryCount.id).label("count_id"),
        )
        .where(InventoryCount.inventory_id.in_(inventory_ids), InventoryCount.surplus_key.is_not(None))
        .group_by(InventoryCount.inventory_id, InventoryCount.surplus_key)
        .subquery()
    )


def book_values(asset_ids: Any) -> Any:
    """Subquery: each asset's book value before inventory write-offs — the sum of its value account(s) across the
    books (as reconcile sums them), leaving out inventory entries so a written-off shortage still shows what it was
    worth."""
    return (
        select(Account.asset_id, func.sum(PostingRow.amount).label("book_value"))
        .join(PostingRow, PostingRow.account_id == Account.id)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(Account.asset_id.in_(asset_ids), Entry.kind != EntryKind.INVENTORY.value)
        .group_by(Account.asset_id)
        .subquery()
    )


def in_status_order(changes: Mapping[str, Any]) -> dict[str, int]:
    """A close's status changes (new status -> assets) by the new status's code: the one order that `inventory
    close`, `inventory status`, the report and the inventory page list them in, whatever order a stored close
    summary kept them in (closes before this order wrote the write-offs first)."""
    return {status: int(n) for status, n in sorted(changes.items())}


def _place(row: Any) -> str:
    """An asset's own place: its village, else its township, else its county."""
    return str(row.village_code or row.township_code or row.county_code)


def _policies_used(scope: PolicyInForce, used: Iterable[PolicyInForce]) -> dict[str, Any]:
    """What the inventory records of the policies that selected it: the scope's, and any other version that judged
    some of its assets (a region inside the scope with a policy of its own)."""
    record: dict[str, Any] = {
        **scope.policy.inventory.as_dict(), "governance_policy": scope.name, "sha256": scope.sha256,
    }  # fmt: skip
    others = {p.sha256 + p.name: p for p in used if (p.name, p.sha256) != (scope.name, scope.sha256)}
    if others:
        record["also"] = [
            {**p.policy.inventory.as_dict(), "governance_policy": p.name, "sha256": p.sha256}
            for _, p in sorted(others.items())
        ]
    return record
