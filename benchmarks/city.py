"""City scale (issue 8): generate a county or a city of data through the bulk paths, and measure on it.

    python benchmarks/city.py generate --scale city            # SQLite: benchmarks/data/city-city.db
    python benchmarks/city.py generate --scale city --db postgresql://postgres@127.0.0.1:5432/al_city
    python benchmarks/city.py measure --db sqlite:///benchmarks/data/city-city.db \\
        --db postgresql://postgres@127.0.0.1:5432/al_city                    # side by side; table into README.md

Scales: tiny (1 county, 6 villages, for tests), county (1 county, 200 villages, ~20k assets), city (10 counties,
2,000 villages, ~200k assets, ~5M entries). `generate` is resumable: run it again after an interruption. On
PostgreSQL the database must exist (createdb al_city); benchmarks/city_copy.py copies a generated SQLite city into
PostgreSQL instead. `measure` writes its table into the section of benchmarks/README.md between the `city` markers
(--no-readme: print only), with the last results of a backend not measured this time (benchmarks/data/
city-results.json), so one backend can be measured again on its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from benchmarks import city_data
except ImportError:  # run as a script: benchmarks/ itself is first on sys.path
    import city_data  # type: ignore[no-redef, import-not-found]

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def default_url(scale: str) -> str:
    return f"sqlite:///{DATA / f'city-{scale}.db'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="build (or finish building) a data set")
    gen.add_argument("--scale", choices=sorted(city_data.SCALES), default="city")
    gen.add_argument("--db", help="database URL (default: a SQLite file under benchmarks/data/)")
    gen.add_argument("--files", type=Path, help="folder for the generated CSV/TOML inputs")
    meas = commands.add_parser("measure", help="measure on generated databases; write the table to README.md")
    meas.add_argument("--db", action="append", required=True, help="database URL (repeat for side by side)")
    meas.add_argument("--sample", type=int, default=20, help="entities exported for the Beancount baseline")
    meas.add_argument("--no-readme", action="store_true", help="print only; leave benchmarks/README.md alone")
    meas.add_argument("--only", action="append", help="measure only this (repeat; 'plans' for the query plans)")
    args = parser.parse_args(argv)
    if args.command == "generate":
        url = args.db or default_url(args.scale)
        tag = "pg" if url.startswith("postgres") else "sqlite"
        folder = args.files or DATA / f"city-{args.scale}-{tag}-inputs"
        city_data.generate_city(url, city_data.SCALES[args.scale], folder, lambda s: print(s, flush=True))
        return 0
    try:
        from benchmarks import city_report
    except ImportError:
        import city_report  # type: ignore[no-redef, import-not-found]
    return city_report.run(args.db, args.sample, write=not args.no_readme, only=args.only)


if __name__ == "__main__":
    sys.exit(main())
