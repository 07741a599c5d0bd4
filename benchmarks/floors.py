"""What SQLite alone costs to store the rows the two bulk paths write (issues 2 and 3), with no Python per row.

    python benchmarks/floors.py [--rows 100000] [--entries 50000] [--demo demo/assetledger.db]

Each path first runs through the real service on a copy A of a database (not timed). Then, on a second, untouched
copy B of the same database, every row A gained is stored again by SQLite itself: `INSERT INTO t SELECT * FROM
a.t WHERE rowid > (B's last rowid)`, table by table in dependency order, in one transaction with the application's
pragmas (WAL, synchronous=NORMAL, foreign keys on, 64 MiB cache) — every index, unique constraint, foreign key and
trigger of the schema is maintained, but nothing is parsed, validated, converted or bound from Python. That is a
lower bound for any implementation of the path on this schema and machine. On a third copy the same rows, read
beforehand in their stored form, are bound from Python by sqlite3's executemany: the floor of any Python writer.
Beside them: the hash chain's per-row digests of the same rows (the one piece of work per row the rules add that
the database cannot do), timed alone.

1. Register import: a 100k-row CSV (benchmarks/generate.py) imported with `import_assets` into a migrated database
   holding the region hierarchy.
2. Bulk posting: 50k revenue entries against random operating assets, posted by `Books.post` into a copy of the
   demo database (`assetledger demo`, made in a temporary folder when --demo is not given).

Results are printed and written to the section of benchmarks/README.md between the `floors` markers. Not run by CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetledger.services.books import Books, Located
from assetledger.store import migrate
from assetledger.store.db import Database
from assetledger.store.integrity import row_digests
from assetledger.store.schema import Base

try:
    from benchmarks import generate
    from benchmarks.books import revenue_entries
    from benchmarks.readme_sections import write_section
except ImportError:  # run as a script: benchmarks/ itself is first on sys.path
    import generate  # type: ignore[no-redef, import-not-found]
    from books import revenue_entries  # type: ignore[no-redef, import-not-found]
    from readme_sections import write_section  # type: ignore[no-redef, import-not-found]

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536")


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def copy_database(source: Path, target: Path) -> None:
    con = sqlite3.connect(source)
    con.execute("VACUUM INTO ?", (str(target),))  # a consistent copy, what is still in the WAL included
    con.close()


def replay(grown: Path, base: Path) -> dict[str, Any]:
    """Store in `base` every row `grown` has beyond it, in one transaction, twice and timed: by SQLite alone
    (INSERT ... SELECT), and bound from Python by sqlite3's executemany into a second copy of `base` (the rows
    already in stored form, read beforehand: no conversion, only the binding every Python writer pays)."""
    bound_copy = base.with_name(f"{base.stem}-bound.db")
    copy_database(base, bound_copy)
    con = _connect(base)
    con.execute("ATTACH DATABASE ? AS a", (str(grown),))
    tables = [t.name for t in Base.metadata.sorted_tables]
    present = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    plan = []
    for name in tables:
        if name not in present:
            continue
        last = con.execute(f'SELECT coalesce(max(rowid), 0) FROM main."{name}"').fetchone()[0]
        new = con.execute(f'SELECT count(*) FROM a."{name}" WHERE rowid > ?', (last,)).fetchone()[0]
        if new:
            plan.append((name, last, new))
    new_rows = {name: con.execute(f'SELECT * FROM a."{name}" WHERE rowid > ?', (last,)).fetchall()
                for name, last, _ in plan}  # fmt: skip
    wall, cpu = time.perf_counter(), time.process_time()
    con.execute("BEGIN IMMEDIATE")
    for name, last, _ in plan:
        con.execute(f'INSERT INTO main."{name}" SELECT * FROM a."{name}" WHERE rowid > ?', (last,))
    con.execute("COMMIT")
    stored = (time.perf_counter() - wall, time.process_time() - cpu)
    con.close()
    con = _connect(bound_copy)
    wall = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    for name, rows in new_rows.items():
        con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join(["?"] * len(rows[0]))})', rows)
    con.execute("COMMIT")
    bound_s = time.perf_counter() - wall
    con.close()
    digest_rows = [row for rows in new_rows.values() for row in rows]
    digest_wall, digest_cpu, _ = timed(lambda: row_digests(digest_rows))
    return {
        "tables": {name: new for name, _, new in plan},
        "rows": sum(new for _, _, new in plan),
        "store_s": stored[0],
        "store_cpu_s": stored[1],
        "bound_s": bound_s,
        "digest_s": digest_wall,
        "digest_cpu_s": digest_cpu,
    }


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        con.execute(pragma)
    return con


def import_floor(rows: int, work: Path) -> dict[str, Any]:
    from assetledger.io.tabular import read_table
    from assetledger.services.assets import import_assets
    from assetledger.services.regions import import_regions

    files = generate.write_files(rows, work / "files", xlsx=False)
    regions_csv, assets_csv = files.regions_csv, files.assets_csv
    base = work / "import-base.db"
    migrate.upgrade(f"sqlite:///{base}")
    import_regions(Database(f"sqlite:///{base}"), read_table(regions_csv), "floors")
    grown = work / "import-grown.db"
    copy_database(base, grown)
    db = Database(f"sqlite:///{grown}")
    service_wall, service_cpu, _ = timed(lambda: import_assets(db, assets_csv, "floors"))
    db.dispose()
    return {"service_s": service_wall, "service_cpu_s": service_cpu, **replay(grown, base)}


def posting_floor(entries: int, demo: Path, work: Path) -> dict[str, Any]:
    base = work / "posting-base.db"
    grown = work / "posting-grown.db"
    for target in (base, grown):
        copy_database(demo, target)
    db = Database(f"sqlite:///{grown}")
    journal = revenue_entries(db, entries, "floor")

    def post() -> int:
        with db.transaction() as session:
            return len(Books(session, "floors").post(journal, [Located("floors")] * len(journal)).posted)

    service_wall, service_cpu, posted = timed(post)
    db.dispose()
    assert posted == entries
    return {"service_s": service_wall, "service_cpu_s": service_cpu, **replay(grown, base)}


def make_demo(work: Path) -> Path:
    subprocess.run([sys.executable, "-m", "assetledger.cli.main", "demo"], cwd=work, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: off
    return work / "demo" / "assetledger.db"


def report(imported: dict[str, Any], posted: dict[str, Any], rows: int, entries: int) -> str:
    def line(label: str, r: dict[str, Any], unit: int, noun: str, target: str) -> list[str]:
        per = lambda s: f"{unit / s:,.0f} {noun}/s"  # noqa: E731
        floor = r["store_s"] + r["digest_cpu_s"]
        bound_floor = r["bound_s"] + r["digest_cpu_s"]
        service = f"{r['service_s']:.2f} s ({r['service_cpu_s']:.2f} s CPU)"
        store = f"{r['store_s']:.2f} s ({r['store_cpu_s']:.2f} s CPU)"
        return [
            f"| {label}: the service | {service} | {per(r['service_s'])} | {target} |",
            f"| {label}: SQLite alone stores the same {r['rows']:,} rows | {store} | {per(r['store_s'])} |  |",
            f"| {label}: sqlite3 executemany binds and stores them from Python | {r['bound_s']:.2f} s "
            f"| {per(r['bound_s'])} |  |",
            f"| {label}: their hash-chain digests alone | {r['digest_s']:.2f} s | |  |",
            f"| {label}: floor (SQLite alone + digests) | {floor:.2f} s | {per(floor)} |  |",
            f"| {label}: floor from Python (executemany + digests) | {bound_floor:.2f} s | {per(bound_floor)} |  |",
        ]

    out = [
        "## Floors (`benchmarks/floors.py`)",
        "",
        f"Taken {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on SQLite, {rows:,}-row register import and "
        f"{entries:,}-entry bulk posting. The service runs on a copy A; SQLite then stores A's new rows in an "
        "untouched copy B by `INSERT INTO t SELECT * FROM a.t` alone, with every index, constraint, foreign key "
        "and trigger of the schema (no Python per row), and the per-row hash-chain digests are timed alone: a lower "
        "bound for any implementation of the path on this schema and machine. The same rows, already in stored "
        "form, bound from Python by sqlite3's `executemany` into a third copy give the floor of any Python writer "
        "(nothing parsed, validated or converted).",
        "",
        "| path | time | rate | target |",
        "|---|---|---|---|",
        *line("register import", imported, rows, "rows", "≤ 3 s"),
        *line("bulk posting", posted, entries, "entries", "≥ 50,000 entries/s"),
        "",
        "Rows per table — import: " + ", ".join(f"{k} {v:,}" for k, v in imported["tables"].items()) + "; posting: "
        + ", ".join(f"{k} {v:,}" for k, v in posted["tables"].items()) + ".",
    ]  # fmt: skip
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--demo", type=Path, help="the demo database (default: `assetledger demo` in a temp folder)")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="al-floors-"))
    try:
        demo = args.demo or make_demo(work)
        posted = posting_floor(args.entries, demo, work)
        print(posted)
        imported = import_floor(args.rows, work)
        print(imported)
        section = report(imported, posted, args.rows, args.entries)
        print(section)
        if not args.no_readme:
            write_section("<!-- floors:start -->", "<!-- floors:end -->", section)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
