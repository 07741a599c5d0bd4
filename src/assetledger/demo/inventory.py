"""Demo year-end inventory (清查) of the main county: sheets counted in the field come back with a few shortages,
damaged and idle items; the inventory is closed with the county's approval."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import select

from assetledger.domain.inventory import parse_scope
from assetledger.io.output import write_csv
from assetledger.services.asset_books import entries_after
from assetledger.services.inventory import open_inventory, write_sheets
from assetledger.services.inventory_close import close_inventory
from assetledger.services.inventory_counts import record_counts
from assetledger.store.db import Database
from assetledger.store.inventory_models import InventoryItem

RESULTS = [("盘亏", 3), ("毁损", 5), ("闲置", 4)]  # (result, how many) among the counted assets; the rest 在用
CLOSED_ON = dt.date(2026, 1, 10)


def run_inventory(db: Database, folder: Path, county: str, seed: int, actor: str) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    opened = open_inventory(db, 2025, parse_scope(f"county:{county}"), actor, dt.date(2025, 12, 1))
    write_sheets(db, opened.inventory_id, folder / "sheets", actor)
    with db.reading() as session:
        items = session.execute(
            select(InventoryItem.asset_id, InventoryItem.place_code)
            .where(InventoryItem.inventory_id == opened.inventory_id)
            .order_by(InventoryItem.asset_id)
        ).all()
        # An asset written off on the close date may have no posting after it (DOMAIN rule 16): shortages are
        # found among the assets whose books are quiet after the close.
        busy = entries_after(session, [a for a, _ in items], CLOSED_ON)
    rng = random.Random(seed)
    quiet = [a for a, _ in items if a not in busy]
    missing = rng.sample(quiet, RESULTS[0][1])
    others = [result for result, n in RESULTS[1:] for _ in range(n)]
    special = dict.fromkeys(missing, RESULTS[0][0])
    special.update(zip(rng.sample([a for a, _ in items if a not in special], len(others)), others, strict=True))
    counted: list[list[object]] = [["清查编号", "区划代码", "资产编号", "结果", "清查日期", "清查人", "备注"]]
    for asset_id, place in items:
        result = special.get(asset_id, "在用")
        note = {"盘亏": "现场未找到", "毁损": "设备损坏", "闲置": "停用"}.get(result, "")
        counted.append([opened.inventory_id, place, asset_id, result, "2025-12-20", "清查组", note])
    filled = write_csv(folder / "counted.csv", counted)
    record_counts(db, filled, actor, today=dt.date(2025, 12, 31))
    close_inventory(db, opened.inventory_id, "县财〔2026〕2号", actor, CLOSED_ON)
    return {"items": len(items), **{result: n for result, n in RESULTS}}
