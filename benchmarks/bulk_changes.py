"""Bulk confirmation of registered assets from a file (issue 20 item 4), against floors measured in the same run.

    python benchmarks/bulk_changes.py [--assets 10000] [--one-by-one 20] [--keep DIR] [--db postgresql://...]

A register of generated assets (benchmarks/generate.py, the demo's generators) is imported without its ownership
columns into a migrated SQLite file, or the empty PostgreSQL database --db names (not timed), so that every
asset is registered and unconfirmed. A confirmation
file of `--assets` rows (资产编号, 确权层级, 确权主体, 确权日期, 确权文件: the register's own ownership facts) is then
applied by the service `asset bulk confirm` uses (`services.asset_changes.apply_file`): parse, check every row,
update the register, write the events, move each asset to its owner's books (a transfer out of the county's books
and into the village's or township's), seal. Timed: the dry run, the run, and the same file again (a no-op).

Floors, in the same run and on the same machine:
- `pandas.read_csv` of the confirmation file (reading the file alone);
- raw `sqlite3` executemany (SQLite only), on a copy of the database before the run, of the register updates and
  the events of the same rows (UPDATE assets ... WHERE asset_id = ?, INSERT INTO asset_events), in one transaction:
  the least any writer of these changes pays, without the books, the checks or the seals.
And for scale: `--one-by-one` assets confirmed one call at a time through the same service (`confirm_ownership`).

Printed with `uptime` (the load of the machine while it ran). Not run by CI.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from assetledger.domain.assets import Ownership
from assetledger.domain.enums import OwnerKind
from assetledger.io.tabular import read_table
from assetledger.services import asset_changes, assets, regions
from assetledger.store import migrate
from assetledger.store.db import Database

try:
    from benchmarks import generate
except ImportError:  # run as a script: benchmarks/ itself is first on sys.path
    import generate  # type: ignore[no-redef, import-not-found]

OWNERSHIP = ("确权主体", "确权级别", "确权日期", "确权文件")
ACTOR = "bench"


CPU: dict[float, float] = {}  # wall seconds of a timed call -> its CPU seconds (this process)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds and the result; the CPU seconds are kept in CPU (the machine is shared: wall time waits)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall = time.perf_counter() - start
    CPU[wall] = time.process_time() - cpu
    return wall, result


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "uptime unavailable"


def write_files(folder: Path, wanted: int, extra: int) -> tuple[Path, Path, Path, list[dict[str, object]]]:
    """Regions, the register without ownership, and the confirmation file of `wanted` public/operating assets
    (household-level ones are owned by their household from registration). Returns the rows confirmed one by one
    too (`extra`, not in the file)."""
    total = (wanted + extra) * 2
    places = generate.places_for(total)
    rows = generate.rows_for(total, places)
    regions_csv = folder / "regions.csv"
    generate.write_regions(regions_csv, places)
    confirmable = [r for r in rows if r["资产类别"] != "到户类" and r["确权级别"]][: wanted + extra]
    if len(confirmable) < wanted + extra:
        raise SystemExit("not enough confirmable rows generated")
    chosen = {r["资产编号"] for r in confirmable}
    cell = generate._csv_cell
    register = folder / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(generate.generate.COLUMNS)
        for r in rows:
            if r["资产编号"] in chosen:
                writer.writerow([None if k in OWNERSHIP else cell(r[k]) for k in generate.generate.COLUMNS])
    confirm = folder / "确权.csv"
    with confirm.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["资产编号", "确权层级", "确权主体", "确权日期", "确权文件"])
        for r in confirmable[:wanted]:
            writer.writerow([r["资产编号"], r["确权级别"], r["确权主体"], r["确权日期"], r["确权文件"]])
    return regions_csv, register, confirm, confirmable[wanted:]


def raw_floor(base: Path, confirm: Path) -> float:
    """The register updates and events of the file's rows by plain sqlite3 executemany, on a copy of `base`."""
    copy = base.with_name("floor.db")
    con = sqlite3.connect(base)
    con.execute("VACUUM INTO ?", (str(copy),))
    con.close()
    with confirm.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    at = dt.datetime.now(dt.UTC).isoformat()
    con = sqlite3.connect(copy, isolation_level=None)
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"):
        con.execute(pragma)
    start = time.perf_counter()
    con.execute("BEGIN")
    con.executemany(
        "UPDATE assets SET owner_name = ?, owner_kind = ?, confirmed_on = ?, confirm_doc = ? WHERE asset_id = ?",
        [(owner, kind, on, doc, asset_id) for asset_id, kind, owner, on, doc in rows],
    )
    con.executemany(
        "INSERT INTO asset_events (asset_id, kind, event_date, payload, actor, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (asset_id, "ownership_confirmed", on, json.dumps({"owner": o, "owner_kind": k, "doc": d}), ACTOR, at)
            for asset_id, k, o, on, d in rows
        ],
    )
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000, help="rows of the confirmation file")
    parser.add_argument("--one-by-one", type=int, default=20, help="assets confirmed one call at a time")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--db", help="an empty PostgreSQL database to run on instead of a SQLite file")
    args = parser.parse_args(argv)
    holder = None if args.keep else tempfile.TemporaryDirectory(prefix="bulk-changes-")
    folder = args.keep or Path(holder.name)  # type: ignore[union-attr]
    folder.mkdir(parents=True, exist_ok=True)
    print(f"before: {uptime()}")
    regions_csv, register, confirm, singles = write_files(folder, args.assets, args.one_by_one)
    path = folder / "bench.db"
    url = args.db or f"sqlite:///{path}"
    migrate.upgrade(url)
    db = Database(url)
    regions.import_regions(db, read_table(regions_csv), ACTOR)
    assets.import_assets(db, register, ACTOR)
    read_s, frame = timed(lambda: pd.read_csv(confirm, dtype=str))
    floor_s = None if args.db else raw_floor(path, confirm)
    dry_s, dry = timed(lambda: asset_changes.apply_file(db, "confirm", confirm, ACTOR, dry_run=True))
    run_s, done = timed(lambda: asset_changes.apply_file(db, "confirm", confirm, ACTOR))
    again_s, again = timed(lambda: asset_changes.apply_file(db, "confirm", confirm, ACTOR))
    one_s = 0.0
    for r in singles:
        ownership = Ownership(
            str(r["确权主体"]), OwnerKind.parse(str(r["确权级别"])),
            dt.date.fromisoformat(str(r["确权日期"])), str(r["确权文件"] or "") or None,
        )  # fmt: skip
        elapsed, _ = timed(lambda o=ownership, a=str(r["资产编号"]): assets.confirm_ownership(db, a, o, ACTOR))
        one_s += elapsed
    per_call = one_s / max(1, len(singles))
    db.dispose()
    print(f"after:  {uptime()}")
    print(f"confirmation file: {len(frame):,} rows; dry run {dry.applied:,} would apply")
    print(f"bulk confirm (apply_file)       {run_s:7.2f} s  (CPU {CPU[run_s]:.2f} s)  applied {done.applied:,}")
    print(f"  dry run                       {dry_s:7.2f} s  (CPU {CPU[dry_s]:.2f} s)")
    print(f"  same file again (no-op)       {again_s:7.2f} s  (CPU {CPU[again_s]:.2f} s)  already {again.already:,}")
    print(f"floor: pandas.read_csv          {read_s:7.2f} s  ratio {run_s / read_s:6.1f}x")
    if floor_s is not None:
        print(f"floor: sqlite3 executemany      {floor_s:7.2f} s  ratio {run_s / floor_s:6.1f}x  (updates + events)")
    print(f"database: {url.split('://')[0]}")
    print(f"one by one (confirm_ownership)  {per_call:7.3f} s per call, {len(singles)} calls; "
          f"{args.assets:,} would take {per_call * args.assets:,.0f} s")  # fmt: skip
    if holder is not None:
        holder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
