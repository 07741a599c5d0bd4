"""Copy a generated SQLite city into a fresh PostgreSQL database, row for row (COPY), so both backends are measured
on exactly the same data when there is no time to generate it twice through the services.

    python benchmarks/city_copy.py sqlite:///benchmarks/data/city-city.db \\
        postgresql://postgres@127.0.0.1:5432/al_city          # the database is dropped and created again

The schema is built by the migrations (`db upgrade`), then every table is copied in dependency order, each in id
order, with the values as SQLite stores them (ISO dates, UTC timestamps, integer fen, JSON text); sequences are
moved past the copied ids and the tables vacuumed and analysed (VACUUM ANALYZE: statistics, hint bits and the
visibility map, as autovacuum leaves a database in service). The hash chain's seals are copied as they are: they
digest SQLite's stored values, so `audit verify` of the copy is not meaningful; everything else is.
"""

from __future__ import annotations

import sqlite3
import sys
import time

import psycopg
from sqlalchemy import Column
from sqlalchemy.engine import make_url

from assetledger.store import migrate
from assetledger.store.db import resolve_url
from assetledger.store.schema import Base

BATCH = 50_000


def _is_integer(column: Column[object]) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def recreate(url: str) -> None:
    target = make_url(resolve_url(url))
    admin = target.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}"')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def copy(source: str, url: str) -> None:
    recreate(url)
    migrate.upgrade(url)
    lite = sqlite3.connect(source.removeprefix("sqlite:///"), isolation_level=None)
    lite.execute("BEGIN")  # one snapshot for every table, even while others write (WAL)
    dsn = resolve_url(url).replace("+psycopg", "")
    with psycopg.connect(dsn) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        present = {r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in Base.metadata.sorted_tables:
            if table.name not in present:
                continue
            columns = [c.name for c in table.c]
            order = ", ".join(c.name for c in table.primary_key.columns) or "rowid"
            started = time.perf_counter()
            rows = lite.execute(f"SELECT {', '.join(columns)} FROM {table.name} ORDER BY {order}")
            count = 0
            with pg.cursor().copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as out:
                while batch := rows.fetchmany(BATCH):
                    for row in batch:
                        out.write_row(row)
                    count += len(batch)
            for column in table.primary_key.columns:
                if _is_integer(column) and len(table.primary_key.columns) == 1:
                    pg.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"(SELECT COALESCE(MAX({column.name}), 0) + 1 FROM {table.name}), false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', '{column.name}') IS NOT NULL"
                    )
            pg.commit()
            print(f"{table.name}: {count:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")  # statistics, and the visibility map a database in service has
    lite.execute("ROLLBACK")
    lite.close()


if __name__ == "__main__":
    copy(sys.argv[1], sys.argv[2])
