"""Tamper evidence: every row of every table of record is sealed into a hash chain when its transaction commits.

Sealing runs inside the writing transaction, after the writer lock is held (SQLite: BEGIN IMMEDIATE; PostgreSQL:
a transaction-level advisory lock), so row ids are sealed in commit order and the chain is total. An out-of-band
UPDATE changes a row's digest, a DELETE leaves a link without its row, an INSERT leaves a row without a link, and
rewriting links breaks the chain — `audit verify` names each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, Table, select

from assetledger.store.integrity_models import ChainLink
from assetledger.store.schema import Base

GENESIS = "0" * 64
WRITER_LOCK_KEY = 0x41535345  # pg_advisory_xact_lock key shared by every assetledger writer
# Append-only tables whose rows are sealed. Tables added later are sealed as soon as they are listed here.
SEALED_TABLES = (
    "import_batches", "asset_events", "custodian_assignments", "accounts", "entries", "postings",
    "period_closes", "household_events", "distribution_rules", "distributions", "distribution_lines", "payouts",
    "governance_decisions", "disposals", "maintenance_applications", "user_grants",
    "inventories", "inventory_items", "inventory_counts", "inventory_closes",
)  # fmt: skip
BATCH = 20_000


def _raw_select(conn: Connection, table: Table) -> str:
    """SELECT of every column as the database stores it (JSON as its text), in column order: reading raw values
    is several times faster than typed rows, and a digest only has to be stable within one database."""
    cols = []
    for c in table.c:
        name = conn.dialect.identifier_preparer.quote(c.name)
        cols.append(f"CAST({name} AS TEXT)" if isinstance(c.type, JSON) else name)
    return f"SELECT {', '.join(cols)} FROM {conn.dialect.identifier_preparer.quote(table.name)}"


def _text(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


def row_digest(table: str, row: Sequence[Any]) -> str:
    """sha256 of a row's stored values in column order."""
    return hashlib.sha256(("\x1f".join([table, *map(_text, row)])).encode()).hexdigest()


def chain_step(previous: str, table: str, row_id: int, digest: str) -> str:
    return hashlib.sha256(f"{previous}\x1f{table}\x1f{row_id}\x1f{digest}".encode()).hexdigest()


_PRESENT: dict[str, frozenset[str]] = {}


def _present_tables(conn: Connection) -> frozenset[str]:
    """Table names of the database, looked up once per URL and schema (sealing runs on every commit)."""
    key = f"{conn.engine.url}|{conn.engine.dialect.default_schema_name}"
    if key not in _PRESENT or "chain_links" not in _PRESENT[key]:
        _PRESENT[key] = frozenset(conn.dialect.get_table_names(conn))
    return _PRESENT[key]


def sealed_tables(conn: Connection) -> list[Table]:
    present = _present_tables(conn)
    tables = [Base.metadata.tables[name] for name in SEALED_TABLES if name in present and name in Base.metadata.tables]
    return [t for t in tables if "id" in t.c]


def take_writer_lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


def seal(conn: Connection) -> int:
    """Link every row of the sealed tables that has no link yet (rows above each table's last sealed id)."""
    if "chain_links" not in _present_tables(conn):
        return 0  # a database not yet upgraded to the chain
    head = conn.execute(select(ChainLink.chain).order_by(ChainLink.seq.desc()).limit(1)).scalar() or GENESIS
    sealed_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # Stored as SQLAlchemy stores DateTime on each backend: a naive UTC string on SQLite, aware on PostgreSQL.
    stamp: object = sealed_at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if _is_sqlite(conn) else sealed_at
    total = 0
    tables = sealed_tables(conn)
    # One round trip for every table's last sealed row (each subquery is an index lookup).
    marks = " UNION ALL ".join(
        f"SELECT '{t.name}', (SELECT MAX(row_id) FROM chain_links WHERE table_name = '{t.name}')" for t in tables
    )
    last_sealed: dict[str, int | None] = {name: last for name, last in conn.exec_driver_sql(marks)} if tables else {}
    for table in tables:
        last = last_sealed.get(table.name)
        id_at = list(table.c.keys()).index("id")
        sql = _raw_select(conn, table) + (f" WHERE id > {int(last)}" if last is not None else "") + " ORDER BY id"
        links: list[tuple[object, ...]] = []
        name = table.name
        for row in conn.exec_driver_sql(sql):
            digest = row_digest(name, row)
            head = chain_step(head, name, row[id_at], digest)
            links.append((name, row[id_at], digest, head, stamp))
            if len(links) >= BATCH:
                total += _write_links(conn, links)
                links = []
        total += _write_links(conn, links)
    return total


@dataclass(frozen=True)
class Tamper:
    table: str
    row_id: int | None
    what: str

    def __str__(self) -> str:
        where = f"{self.table} id {self.row_id}" if self.row_id is not None else self.table
        return f"{where}: {self.what}"


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _write_links(conn: Connection, links: list[tuple[object, ...]]) -> int:
    """Plain DB-API executemany: the chain is written for every row of record, so it must be cheap."""
    if not links:
        return 0
    marker = "?" if _is_sqlite(conn) else "%s"
    sql = (
        "INSERT INTO chain_links (table_name, row_id, digest, chain, sealed_at) "
        f"VALUES ({marker}, {marker}, {marker}, {marker}, {marker})"
    )
    conn.exec_driver_sql(sql, links)
    return len(links)


def verify_chain(conn: Connection) -> Iterator[Tamper]:
    """Recompute every link and every sealed row; yield each difference, named.

    Links are checked in sequence order, each against the one before, so a removed or re-ordered link breaks the
    chain at the next one. Gaps in the sequence numbers themselves are not findings: PostgreSQL sequences skip the
    numbers of a writer that was killed before it committed.
    """
    head = GENESIS
    links: dict[str, dict[int, str]] = {}
    for link in conn.execute(select(ChainLink).order_by(ChainLink.seq)).mappings():
        step = chain_step(head, link["table_name"], link["row_id"], link["digest"])
        if step != link["chain"]:
            yield Tamper("chain_links", link["seq"], "chain broken: a link was changed, removed or re-ordered")
            step = link["chain"]  # resynchronise so one break is reported once
        head = step
        links.setdefault(link["table_name"], {})[link["row_id"]] = link["digest"]
    for table in sealed_tables(conn):
        known = links.get(table.name, {})
        seen: set[int] = set()
        id_at = list(table.c.keys()).index("id")
        for row in conn.exec_driver_sql(_raw_select(conn, table) + " ORDER BY id"):
            row_id = row[id_at]
            seen.add(row_id)
            digest = known.get(row_id)
            if digest is None:
                yield Tamper(table.name, row_id, "row not in the chain (inserted outside assetledger?)")
            elif digest != row_digest(table.name, row):
                yield Tamper(table.name, row_id, "row changed after it was recorded")
        for row_id in sorted(set(known) - seen):
            yield Tamper(table.name, row_id, "row deleted after it was recorded")


def chain_head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(ChainLink.seq, ChainLink.chain).order_by(ChainLink.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)
