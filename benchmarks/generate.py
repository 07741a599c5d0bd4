"""Write scale input files for the benchmarks: a region hierarchy and one register (台账) as CSV and as XLSX.

The rows come from the deterministic generators the demo uses (`assetledger.demo.generate`), so the same seed and
size always give byte-identical CSV files. About 30 assets per village; counties of 20 townships × 17 villages
are added until there are enough villages for the requested number of assets, then the rows are cut to size.

    python benchmarks/generate.py --assets 100000            # -> benchmarks/data/
    python benchmarks/generate.py --assets 10000 --out bench-data
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import math
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assetledger.demo import generate

SEED = 20251231
PER_VILLAGE = 30
TOWNSHIPS = 20
VILLAGES_PER_TOWNSHIP = 17
DATA = Path(__file__).resolve().parent / "data"
REGION_HEADER = ["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"]


@dataclass(frozen=True)
class ScaleFiles:
    regions_csv: Path
    assets_csv: Path
    assets_xlsx: Path
    assets: int
    villages: int


def places_for(assets: int) -> list[generate.RegionRow]:
    """Enough villages for `assets` rows at ~30 per village (a little slack: the per-village count varies)."""
    villages = math.ceil(assets * 1.1 / PER_VILLAGE)
    counties = max(1, math.ceil(villages / (TOWNSHIPS * VILLAGES_PER_TOWNSHIP)))
    return generate.regions(SEED, counties, TOWNSHIPS, VILLAGES_PER_TOWNSHIP)


def rows_for(assets: int, places: list[generate.RegionRow]) -> list[dict[str, object]]:
    rows = list(itertools.islice(generate.asset_rows(SEED, places, PER_VILLAGE), assets))
    if len(rows) < assets:
        raise SystemExit(f"only {len(rows)} rows generated for {assets} wanted")  # cannot happen with the slack
    return rows


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, Decimal, int)):
        return str(value)
    return str(value)


def write_regions(path: Path, places: list[generate.RegionRow]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REGION_HEADER)
        for p in places:
            writer.writerow([p.county, p.county_code, p.township, p.township_code, p.village, p.village_code])


def write_assets_csv(path: Path, rows: list[dict[str, object]], title: str) -> None:
    """UTF-8 with BOM (as Excel saves it), a title row above the header as registers usually have."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([title])
        writer.writerow(generate.COLUMNS)
        for row in rows:
            writer.writerow([_csv_cell(row[k]) for k in generate.COLUMNS])


def write_assets_xlsx(path: Path, rows: list[dict[str, object]], title: str) -> None:
    """openpyxl write-only; amounts as numbers, dates as dates, codes as text — what an exported 台账 holds."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append([title])
    sheet.append(list(generate.COLUMNS))
    for row in rows:
        sheet.append([row[k] for k in generate.COLUMNS])
    book.save(path)


def write_files(assets: int, folder: Path, *, xlsx: bool = True) -> ScaleFiles:
    folder.mkdir(parents=True, exist_ok=True)
    places = places_for(assets)
    rows = rows_for(assets, places)
    title = f"{places[0].county}等{len({p.county for p in places})}县扶贫项目资产台账"
    files = ScaleFiles(
        folder / "regions.csv",
        folder / f"assets-{assets}.csv",
        folder / f"assets-{assets}.xlsx",
        assets,
        len(places),
    )
    write_regions(files.regions_csv, places)
    write_assets_csv(files.assets_csv, rows, title)
    if xlsx:
        write_assets_xlsx(files.assets_xlsx, rows, title)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=100_000, help="number of register rows (default 100000)")
    parser.add_argument("--out", type=Path, default=DATA, help=f"output folder (default {DATA})")
    parser.add_argument("--no-xlsx", action="store_true", help="write the CSV files only")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = write_files(args.assets, args.out, xlsx=not args.no_xlsx)
    took = time.perf_counter() - started
    print(f"{files.villages} villages -> {files.regions_csv}")
    print(f"{files.assets} assets -> {files.assets_csv}" + ("" if args.no_xlsx else f", {files.assets_xlsx}"))
    print(f"written in {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
