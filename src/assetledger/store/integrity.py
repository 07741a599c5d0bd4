"""Tamper evidence: every row of every table of record is sealed into a hash chain when its transaction commits.

Sealing runs inside the writing transaction, after the writer lock is held (SQLite: BEGIN IMMEDIATE; PostgreSQL:
a transaction-level advisory lock), so rows are sealed in commit order and the chain is total. Each commit writes,
per table it added rows to, one seal (`chain_seals`): the range of row ids, a 16-byte BLAKE2b digest of every row
as the database stores it, and a sha256 chained to the seal before. One seal per table and commit instead of one
link per row is what lets bulk posting and imports seal hundreds of thousands of rows a second.

An out-of-band UPDATE changes a row's digest, a DELETE leaves a sealed id without its row, an INSERT leaves a row
no seal covers, and rewriting a seal breaks the chain — `audit verify` names each, row by row.

Tables updated in place (assets, funding, households, regions, entities) are sealed in the same chain by
store/state_seals.py: per commit, the rows changed, by key, with their digests before and after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import uuid
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Date, DateTime, Numeric, Table, insert, select, text

from assetledger.store.integrity_models import ChainLink, ChainSeal
from assetledger.store.schema import Base
from assetledger.store.tables import table_of

CHAIN_SEALS = table_of(ChainSeal)
_INSERT_SEAL = insert(CHAIN_SEALS)
GENESIS = "0" * 64
WRITER_LOCK_KEY = 0x41535345  # pg_advisory_xact_lock key shared by every assetledger writer
# Append-only tables whose rows are sealed. Tables added later are sealed as soon as they are listed here.
SEALED_TABLES = (
    "import_batches", "asset_events", "custodian_assignments", "accounts", "entries", "postings",
    "period_closes", "household_events", "distribution_rules", "distributions", "distribution_lines", "payouts",
    "governance_decisions", "disposals", "maintenance_applications", "user_grants", "user_passwords",
    "inventories", "inventory_items", "inventory_counts", "inventory_closes", "distribution_reversals",
    "documents", "document_links", "contracts", "contract_assets", "contract_terminations",
    "rectification_cases", "rectification_events", "asset_households", "award_policy_versions",
    "notice_publications", "asset_acceptances", "notice_objections", "notice_objection_decisions",
    "governance_policy_versions", "disposal_policies",
)  # fmt: skip
DIGEST_SIZE = 16
STATE_DIGEST_SIZE = 2 * DIGEST_SIZE  # a state seal holds each row's digest before and after its commit
# The per-row links of revisions 0006-0007 (version 0.1.0, never released) are not read: a database holding any is
# named once by verify rather than checked with a chain format nobody else uses.
LINKS_UNREAD = (
    "links of the per-row chain of version 0.1.0 (never released), which this version does not check: "
    "the rows they cover are reported as not in the chain"
)
SEAL_ROWS = 100_000  # rows per seal at most (a 1.6 MB digest blob)
STREAM_ROWS = 50_000


@dataclass(frozen=True)
class Tamper:
    table: str
    row_id: int | str | None  # a row id, or the key of a current-state row as "column=value, ..."
    what: str

    def __str__(self) -> str:
        if isinstance(self.row_id, str):
            return f"{self.table} {self.row_id}: {self.what}"
        where = f"{self.table} id {self.row_id}" if self.row_id is not None else self.table
        return f"{where}: {self.what}"


# --- canonical rows and digests ----------------------------------------------------------------------------------


def canonical_select(conn: Connection, table: Table, columns: Sequence[str] | None = None) -> str:
    """SELECT of every column in column order, as values that read back the same on every connection: JSON as
    its stored text, and on PostgreSQL dates, times and decimals as text (timestamps in UTC, whatever the session's
    TimeZone), so that the digest does not depend on how a driver version builds Python objects. `columns` keeps
    only those (still in the table's order): for a migration that runs before later columns exist."""
    quote = conn.dialect.identifier_preparer.quote
    postgres = conn.dialect.name == "postgresql"
    cols = []
    for c in table.c:
        if columns is not None and c.name not in columns:
            continue
        name = quote(c.name)
        if postgres and isinstance(c.type, DateTime) and c.type.timezone:
            cols.append(f"CAST(({name} AT TIME ZONE 'UTC') AS TEXT)")
        elif isinstance(c.type, JSON) or (postgres and isinstance(c.type, (Date, DateTime, Numeric))):
            cols.append(f"CAST({name} AS TEXT)")
        else:
            cols.append(name)
    return f"SELECT {', '.join(cols)} FROM {quote(table.name)}"


def row_digests(rows: Iterable[Sequence[Any]]) -> bytes:
    """16-byte BLAKE2b of each row's repr, concatenated. repr of a tuple of str/int/bytes/None runs in C."""
    blake = hashlib.blake2b
    return b"".join([blake(repr(row).encode(), digest_size=DIGEST_SIZE).digest() for row in rows])


def seal_step(
    previous: str, table: str, first: int, last: int, count: int, row_ids: bytes | None, digests: bytes
) -> str:
    step = hashlib.sha256(f"{previous}\x1f{table}\x1f{first}\x1f{last}\x1f{count}\x1f".encode())
    step.update(hashlib.sha256(row_ids or b"").digest())
    step.update(hashlib.sha256(digests).digest())
    return step.hexdigest()


def pack_ids(ids: Sequence[int]) -> bytes:
    packed = array("q", ids)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_ids(blob: bytes) -> list[int]:
    packed = array("q")
    packed.frombytes(blob)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tolist()


# --- tables ------------------------------------------------------------------------------------------------------

_PRESENT: dict[str, frozenset[str]] = {}


def _present_tables(conn: Connection) -> frozenset[str]:
    """Table names of the database, looked up once per URL and schema (sealing runs on every commit)."""
    key = f"{conn.engine.url}|{conn.engine.dialect.default_schema_name}"
    if key not in _PRESENT or "chain_seals" not in _PRESENT[key]:
        _PRESENT[key] = frozenset(conn.dialect.get_table_names(conn))
    return _PRESENT[key]


def state_seals_enabled(conn: Connection) -> bool:
    """Whether the database seals its current-state tables (revision 0010c added `chain_seals.row_keys`)."""
    key = f"{conn.engine.url}|{conn.engine.dialect.default_schema_name}"
    if key not in _STATE_SEALED:
        if "chain_seals" not in _present_tables(conn):
            return False
        if "row_keys" not in {c["name"] for c in conn.dialect.get_columns(conn, "chain_seals")}:
            return False  # not cached: the database may be upgraded while this process runs
        _STATE_SEALED.add(key)
    return True


_STATE_SEALED: set[str] = set()


def sealed_tables(conn: Connection) -> list[Table]:
    present = _present_tables(conn)
    tables = [Base.metadata.tables[name] for name in SEALED_TABLES if name in present and name in Base.metadata.tables]
    return [t for t in tables if "id" in t.c]


def take_writer_lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _stamp(conn: Connection) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _raw_rows(conn: Connection, sql: str, *, server_side: bool = False) -> Iterator[list[tuple[Any, ...]]]:
    """Rows as the DB-API driver returns them (plain tuples), in chunks, inside the connection's transaction.
    `server_side` streams from a PostgreSQL cursor so a whole table never sits in memory."""
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    postgres = conn.dialect.name == "postgresql"
    cursor = dbapi.cursor(name=f"al_{uuid.uuid4().hex[:12]}") if postgres and server_side else dbapi.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(STREAM_ROWS):
            yield rows
    finally:
        cursor.close()


# --- sealing -----------------------------------------------------------------------------------------------------


def _unsealed(conn: Connection, tables: Sequence[Table]) -> dict[str, tuple[int, int]]:
    """Tables with rows above their last sealed id -> (that id, 0 when none; their highest id), in one round trip
    of index lookups."""
    marks = " UNION ALL ".join(
        f"SELECT '{t.name}', (SELECT MAX(id) FROM {t.name}), "
        f"(SELECT MAX(last_id) FROM chain_seals WHERE table_name = '{t.name}')"
        for t in tables
    )
    found: dict[str, tuple[int, int]] = {}
    for name, top, sealed in conn.exec_driver_sql(marks):
        if top is not None and (sealed is None or top > sealed):
            found[name] = (int(sealed or 0), int(top))
    return found


def _head(conn: Connection) -> str:
    return conn.execute(select(ChainSeal.chain).order_by(ChainSeal.seq.desc()).limit(1)).scalar() or GENESIS


def seal(conn: Connection, inserted: Mapping[str, KeptRows] | None = None) -> int:
    """Seal every row of the sealed tables above each table's last sealed id. Returns the rows sealed.

    `inserted` holds the rows the transaction inserted, as `keep_inserted` kept them (ids and digests): a table
    whose unsealed rows are exactly those is sealed from them, without reading it back; any other table is read
    back."""
    if "chain_seals" not in _present_tables(conn):
        return 0  # a database not yet upgraded to the chain (revision 0008)
    tables = sealed_tables(conn)
    if not tables:
        return 0
    todo = _unsealed(conn, tables)
    if not todo:
        return 0
    head, stamp, total = _head(conn), _stamp(conn), 0
    for table in tables:
        if table.name not in todo:
            continue
        sealed, top = todo[table.name]
        id_at = list(table.c.keys()).index("id")
        kept = _kept_rows(inserted, table.name, sealed, top)
        if kept is not None:
            batches: Iterable[KeptRows] = [kept]
        else:
            batches = (
                KeptRows(list(map(itemgetter(id_at), rows)), bytearray(row_digests(rows)))
                for rows in _raw_rows(conn, f"{canonical_select(conn, table)} WHERE id > {sealed} ORDER BY id")
            )
        pending = KeptRows()
        for rows in batches:
            pending.ids += rows.ids
            pending.digests += rows.digests
            while len(pending.ids) >= SEAL_ROWS:
                head = _write_seal(conn, table.name, pending.ids[:SEAL_ROWS], pending.digests, head, stamp)
                total += SEAL_ROWS
                pending = KeptRows(pending.ids[SEAL_ROWS:], pending.digests[SEAL_ROWS * DIGEST_SIZE :])
        if pending.ids:
            head = _write_seal(conn, table.name, pending.ids, pending.digests, head, stamp)
            total += len(pending.ids)
    return total


def _write_seal(conn: Connection, table: str, ids: Sequence[int], digests: bytes | bytearray, head: str,
                stamp: dt.datetime) -> str:  # fmt: skip
    """One seal of the rows `ids` (ascending), whose digests are the first of `digests`."""
    first, last, count = ids[0], ids[-1], len(ids)
    row_ids = None if last - first + 1 == count else pack_ids(ids)  # ORDER BY id: contiguous iff no gap
    digests = bytes(digests[: count * DIGEST_SIZE])
    chain = seal_step(head, table, first, last, count, row_ids, digests)
    insert_seal(conn, table_name=table, first_id=first, last_id=last, row_count=count, row_ids=row_ids, digests=digests,
                chain=chain, sealed_at=stamp)  # fmt: skip
    return chain


def insert_seal(conn: Connection, **values: Any) -> None:
    """One row of `chain_seals`: only the columns given (a migration may run before `row_keys` exists)."""
    conn.execute(_INSERT_SEAL, values)


# --- rows kept as inserted ---------------------------------------------------------------------------------------

INSERTED = "assetledger.inserted_rows"  # key in Session.info: table name -> KeptRows


@dataclass
class KeptRows:
    """Rows of one table a transaction inserted, as the seal needs them: their ids, ascending, and their digests
    (DIGEST_SIZE bytes each, in the same order). The rows themselves are not kept: a bulk posting's hundreds of
    thousands of tuples would otherwise live, and be traversed by the garbage collector, until the commit."""

    ids: list[int] = field(default_factory=list)
    digests: bytearray = field(default_factory=bytearray)


def keep_inserted(info: dict[Any, Any], conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> bool:
    """Keep the ids and digests of `rows`, just inserted as bound (every column of `table`, in its order, ids
    ascending), for the seal at commit to use instead of reading them back.

    Only on SQLite, and only when SQLite stores every value exactly as bound, so that the digest equals the one
    `audit verify` computes from the stored row: integers in INTEGER columns, text in TEXT columns, and in NUMERIC
    columns (DATE, DATETIME, JSON) integers or text that SQLite cannot take for a number (it would convert it).
    Rows not kept leave a gap, and the seal reads such a table back as before. Returns whether they were kept."""
    if not _is_sqlite(conn) or table.name not in SEALED_TABLES or not rows:
        return False
    for i, column in enumerate(table.c):
        if not _stored_as_bound(_affinity(column.type.compile(dialect=conn.dialect)), list(map(itemgetter(i), rows))):
            return False
    kept = info.setdefault(INSERTED, {}).setdefault(table.name, KeptRows())
    kept.ids += map(itemgetter(list(table.c.keys()).index("id")), rows)
    kept.digests += row_digests(rows)
    return True


def _affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (its documented rules, in their order)."""
    name = declared.upper()
    if "INT" in name:
        return "integer"
    if "CHAR" in name or "CLOB" in name or "TEXT" in name:
        return "text"
    if "BLOB" in name or not name:
        return "blob"
    if "REAL" in name or "FLOA" in name or "DOUB" in name:
        return "real"
    return "numeric"


_NONE = type(None)


def _stored_as_bound(affinity: str, values: Sequence[Any]) -> bool:
    kinds = set(map(type, values))  # exact types: a bool is stored as 1 and would read back as int
    if affinity == "integer":
        return kinds <= {int, _NONE}
    if affinity == "text":
        return kinds <= {str, _NONE}
    if affinity == "blob":
        return kinds <= {bytes, str, int, _NONE}
    if affinity == "numeric" and kinds <= {int, str, _NONE}:
        return str not in kinds or not any(map(_looks_numeric, {v for v in values if type(v) is str}))
    return kinds <= {_NONE}


def _looks_numeric(text: str) -> bool:
    """Whether SQLite might store this text as a number in a NUMERIC column (erring towards yes)."""
    try:
        float(text)  # not money: only whether SQLite could read the text as a number
    except ValueError:
        return False
    return True


def _kept_rows(inserted: Mapping[str, KeptRows] | None, table: str, sealed: int, top: int) -> KeptRows | None:
    """The kept rows of `table` if they are exactly its rows above `sealed` (ids sealed + 1 ... top, in order)."""
    rows = (inserted or {}).get(table)
    if rows is None or len(rows.ids) != top - sealed or rows.ids != list(range(sealed + 1, top + 1)):
        return None
    return rows


# --- verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SealRange:
    seq: int
    first: int
    last: int
    count: int


def verify_chain(conn: Connection) -> Iterator[Tamper]:
    """Recompute every seal and every sealed row; yield each difference, named by table and row id.

    Seals are checked in sequence order, each against the one before, so a removed, changed or re-ordered seal
    breaks the chain at the next one. Gaps in the sequence numbers are not findings: PostgreSQL sequences skip
    the numbers of a writer that was killed before it committed.
    """
    present = _present_tables(conn)
    head = GENESIS
    if "chain_links" in present and conn.execute(select(ChainLink.seq).limit(1)).first() is not None:
        yield Tamper("chain_links", None, LINKS_UNREAD)
    ranges: dict[str, list[_SealRange]] = {}
    if "chain_seals" in present:
        # State seals (store/state_seals.py) name their rows by key, in row_keys, and hold two digests a row.
        keys = f", {_blob(conn, 'row_keys')}" if state_seals_enabled(conn) else ", NULL"
        columns = f"seq, table_name, first_id, last_id, row_count, {_blobs(conn)}, chain{keys}"
        for rows in _raw_rows(conn, f"SELECT {columns} FROM chain_seals ORDER BY seq", server_side=True):
            for seq, table, first, last, count, row_ids, digests, chain, row_keys in rows:
                rows_named, digests = _bytes(row_ids if row_keys is None else row_keys), _bytes(digests)
                step = seal_step(head, table, first, last, count, rows_named, digests)
                width = DIGEST_SIZE if row_keys is None else STATE_DIGEST_SIZE
                if step != chain:
                    yield Tamper("chain_seals", seq, "chain broken: a seal was changed, removed or re-ordered")
                    step = chain  # resynchronise so one break is reported once
                elif len(digests) != count * width:
                    yield Tamper("chain_seals", seq, "seal malformed: its digests do not match its row count")
                head = step
                if row_keys is None:
                    ranges.setdefault(table, []).append(_SealRange(seq, first, last, count))
    for table in sealed_tables(conn):
        yield from _verify_sealed_rows(conn, table, ranges.get(table.name, []))


def _blobs(conn: Connection) -> str:
    """The seal's two blobs; on SQLite cast back to BLOB, since a tampered value may have been stored as text."""
    return f"{_blob(conn, 'row_ids')}, {_blob(conn, 'digests')}"


def _blob(conn: Connection, column: str) -> str:
    return f"CAST({column} AS BLOB)" if _is_sqlite(conn) else column


def _bytes(value: Any) -> bytes:
    return bytes(value) if value is not None else b""  # psycopg gives memoryview for bytea


def _sealed_ids(conn: Connection, ranges: Sequence[_SealRange]) -> Iterator[tuple[int, bytes]]:
    """(row id, digest) of every row the table's seals cover, ascending; one seal's blobs in memory at a time."""
    query = text(f"SELECT {_blobs(conn)} FROM chain_seals WHERE seq = :seq")
    for r in sorted(ranges, key=lambda r: r.first):
        blob_ids, digests = conn.execute(query, {"seq": r.seq}).one()
        ids: Iterable[int] = unpack_ids(_bytes(blob_ids)) if blob_ids is not None else range(r.first, r.last + 1)
        digests = _bytes(digests)
        for i, row_id in enumerate(ids):
            yield row_id, digests[i * DIGEST_SIZE : (i + 1) * DIGEST_SIZE]


def _verify_sealed_rows(conn: Connection, table: Table, ranges: Sequence[_SealRange]) -> Iterator[Tamper]:
    """Merge the table's rows (ascending id) with the ids its seals cover (ascending): a row no seal covers was
    inserted out of band, a sealed id without its row was deleted, a digest that differs was changed."""
    name = table.name
    id_at = list(table.c.keys()).index("id")
    expected = _sealed_ids(conn, ranges)
    want = next(expected, None)
    sql = f"{canonical_select(conn, table)} ORDER BY id"
    for rows in _raw_rows(conn, sql, server_side=True):
        digests = row_digests(rows)
        for i, row in enumerate(rows):
            row_id = row[id_at]
            while want is not None and want[0] < row_id:
                yield Tamper(name, want[0], "row deleted after it was recorded")
                want = next(expected, None)
            if want is not None and want[0] == row_id:
                if want[1] != digests[i * DIGEST_SIZE : (i + 1) * DIGEST_SIZE]:
                    yield Tamper(name, row_id, "row changed after it was recorded")
                want = next(expected, None)
            else:
                yield Tamper(name, row_id, "row not in the chain (inserted outside assetledger?)")
    while want is not None:
        yield Tamper(name, want[0], "row deleted after it was recorded")
        want = next(expected, None)


# --- the head ----------------------------------------------------------------------------------------------------


def chain_head(conn: Connection) -> tuple[int, str]:
    """(sequence number, hash) of the newest seal."""
    if "chain_seals" in _present_tables(conn):
        row = conn.execute(select(ChainSeal.seq, ChainSeal.chain).order_by(ChainSeal.seq.desc()).limit(1)).first()
        if row:
            return row[0], row[1]
    return 0, GENESIS


def chain_head_sealed(conn: Connection) -> tuple[int, str, dt.datetime | None]:
    """`chain_head` with the time its seal was written (None before the first seal)."""
    if "chain_seals" in _present_tables(conn):
        row = conn.execute(
            select(ChainSeal.seq, ChainSeal.chain, ChainSeal.sealed_at).order_by(ChainSeal.seq.desc()).limit(1)
        ).first()
        if row:
            return row[0], row[1], row[2]
    return 0, GENESIS, None


def chain_contains(conn: Connection, head: str) -> bool:
    """Is a previously published head still a seal of the chain, i.e. history not rewritten since?"""
    if "chain_seals" not in _present_tables(conn):
        return False
    return conn.execute(select(ChainSeal.seq).where(ChainSeal.chain == head)).first() is not None
