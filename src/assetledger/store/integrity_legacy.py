"""The first form of the hash chain: one link per row in `chain_links` (revisions 0006-0007).

Databases sealed before revision 0008 keep these links; `audit verify` checks them as they are, and a database not
yet upgraded to 0008 is still sealed this way, so its chain never has a hole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, select

from assetledger.store.integrity_models import ChainLink

BATCH = 20_000


def raw_select(conn: Connection, table: Table) -> str:
    """SELECT of every column as the database stores it (JSON as its text), in column order."""
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


def last_linked(conn: Connection, tables: Sequence[Table]) -> dict[str, int]:
    """Each table's highest row id with a link (one round trip; each subquery is an index lookup)."""
    if not tables:
        return {}
    marks = " UNION ALL ".join(
        f"SELECT '{t.name}', (SELECT MAX(row_id) FROM chain_links WHERE table_name = '{t.name}')" for t in tables
    )
    return {name: int(last) for name, last in conn.exec_driver_sql(marks) if last is not None}


def link_rows(conn: Connection, tables: Sequence[Table], head: str, stamp: object) -> int:
    """Link every row above each table's last linked id, one link per row (databases before revision 0008)."""
    total = 0
    last_sealed = last_linked(conn, tables)
    for table in tables:
        last = last_sealed.get(table.name)
        id_at = list(table.c.keys()).index("id")
        sql = raw_select(conn, table) + (f" WHERE id > {int(last)}" if last is not None else "") + " ORDER BY id"
        links: list[tuple[object, ...]] = []
        for row in conn.exec_driver_sql(sql):
            digest = row_digest(table.name, row)
            head = chain_step(head, table.name, row[id_at], digest)
            links.append((table.name, row[id_at], digest, head, stamp))
            if len(links) >= BATCH:
                total += _write_links(conn, links)
                links = []
        total += _write_links(conn, links)
    return total


def _write_links(conn: Connection, links: list[tuple[object, ...]]) -> int:
    if not links:
        return 0
    marker = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = (
        "INSERT INTO chain_links (table_name, row_id, digest, chain, sealed_at) "
        f"VALUES ({marker}, {marker}, {marker}, {marker}, {marker})"
    )
    conn.exec_driver_sql(sql, links)
    return len(links)


def verify_links(conn: Connection, genesis: str) -> tuple[list[tuple[str, int, str]], str]:
    """Recompute every link in sequence order: the (table, seq, what) findings and the head the seals continue.

    Links are checked each against the one before, so a removed or re-ordered link breaks the chain at the next.
    Gaps in the sequence numbers are not findings: PostgreSQL sequences skip the numbers of a killed writer.
    """
    head, found = genesis, []
    for link in conn.execute(select(ChainLink).order_by(ChainLink.seq)).mappings():
        step = chain_step(head, link["table_name"], link["row_id"], link["digest"])
        if step != link["chain"]:
            found.append(("chain_links", link["seq"], "chain broken: a link was changed, removed or re-ordered"))
            step = link["chain"]  # resynchronise so one break is reported once
        head = step
    return found, head


def verify_linked_rows(conn: Connection, table: Table, through: int) -> Iterator[tuple[str, int, str]]:
    """Rows of `table` with ids up to `through` (the linked era) against their links."""
    known = {
        row_id: digest
        for row_id, digest in conn.execute(
            select(ChainLink.row_id, ChainLink.digest).where(ChainLink.table_name == table.name)
        )
    }
    seen: set[int] = set()
    id_at = list(table.c.keys()).index("id")
    for row in conn.exec_driver_sql(raw_select(conn, table) + f" WHERE id <= {int(through)} ORDER BY id"):
        row_id = row[id_at]
        seen.add(row_id)
        digest = known.get(row_id)
        if digest is None:
            yield (table.name, row_id, "row not in the chain (inserted outside assetledger?)")
        elif digest != row_digest(table.name, row):
            yield (table.name, row_id, "row changed after it was recorded")
    for row_id in sorted(set(known) - seen):
        yield (table.name, row_id, "row deleted after it was recorded")
