"""Tamper evidence for the tables of current state: the rows that decide money, scope and ownership.

Assets, their funding, households, regions and entities are updated in place (an asset's status, owner, operator or
current value; a household's persons or exit), so the seals of the append-only tables, which cover rows by id
once, cannot cover them. Instead each writing transaction notes the key of every row of these tables it inserts,
updates or deletes, together with the row's digest before its first change; at commit one seal per table
(`chain_seals` with `row_keys`) records, for each such key, the digest before and the digest at commit (ABSENT for
a row that does not exist), chained like every other seal.

`audit verify` replays the seals key by key. A row whose current digest is not its last sealed one was changed
out of band, a row no seal names was inserted out of band, a sealed row that is gone was deleted out of band. A
seal whose "before" differs from the previous seal's "after" means the row was changed out of band and then again
by assetledger, whose seal would otherwise have taken in the tampering. Each finding names the table and the key.

The keys are captured here, not by the services: `Database.transaction` turns tracking on for its connection, and
 - every Core or ORM statement on these tables (ORM flushes included) passes `_before_execute`: an INSERT's keys
   are in its parameters; an UPDATE's or DELETE's are selected with its own WHERE clause before it runs;
 - the bulk path (store/bulk.py) notes the keys of the rows it inserts by executemany or COPY, and
   store/bulk_update.py those of the rows it updates by executemany (with each row's digest before);
 - any other SQL that writes these tables inside a sealed transaction is refused (`UncapturedWrite`), so a new
   writer cannot bypass the seal by accident.
Mistakes fail loud: a change the capture missed, or a "before" wrongly taken as ABSENT, shows as a finding.

A migration that changes the columns of one of these tables changes every row's digest: it must call
`seal_tables` for it after the change (as 0010c did for the rows that existed before state seals).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, event, select
from sqlalchemy.sql.dml import UpdateBase

from assetledger.store import integrity
from assetledger.store.integrity import (
    DIGEST_SIZE,
    SEAL_ROWS,
    Tamper,
    canonical_select,
    row_digests,
    seal_step,
)
from assetledger.store.schema import Base

# Tables of current state and the columns that name a row (the primary key, or for funding its natural key).
STATE_TABLES: dict[str, tuple[str, ...]] = {
    "regions": ("code",),
    "entities": ("code",),
    "assets": ("asset_id",),
    "asset_funding": ("asset_id", "source"),
    "households": ("household_id",),
}
ABSENT = bytes(DIGEST_SIZE)  # the "digest" of a row that does not exist
READ_KEYS = 20_000  # keys per query when rows are read back by key

Key = tuple[str, ...]
_CHANGES = "assetledger.state_changes"  # Connection.info: table -> {key: digest before the transaction}
_BULK = "assetledger.state_bulk_write"  # Connection.info: set while the bulk path writes rows it noted
_WRITES = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?|COPY)"
    rf"\s+(?:\w+\.)?\"?(?:{'|'.join(STATE_TABLES)})\"?(?!\w)",
    re.IGNORECASE,
)


class UncapturedWrite(RuntimeError):
    """SQL that writes a current-state table in a way whose rows cannot be told: a programming error."""


# --- capture -----------------------------------------------------------------------------------------------------


def track(engine: Engine) -> None:
    """Install the capture on an engine (store/db.py does, for every engine it makes)."""
    event.listen(engine, "before_execute", _before_execute)
    event.listen(engine, "before_cursor_execute", _refuse_uncaptured)
    event.listen(engine, "rollback", _stop)


@contextmanager
def tracking(conn: Connection) -> Iterator[None]:
    """Capture the changes to current-state tables made on `conn` until the block ends or the transaction rolls
    back (a dry run), whichever comes first."""
    info = conn.info  # the DB-API connection's: still reachable after a rollback has released it
    info[_CHANGES] = {}
    try:
        yield
    finally:
        info.pop(_CHANGES, None)
        info.pop(_BULK, None)


def _stop(conn: Connection) -> None:
    conn.info.pop(_CHANGES, None)
    conn.info.pop(_BULK, None)


@contextmanager
def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Iterator[None]:
    """Note the keys of rows the bulk path is about to insert (plain INSERT or COPY: none existed before)."""
    changes: dict[str, dict[Key, bytes]] | None = conn.info.get(_CHANGES)
    if changes is None or table.name not in STATE_TABLES:
        yield
        return
    noted = changes.setdefault(table.name, {})
    for key in _key_reader([list(columns).index(c) for c in STATE_TABLES[table.name]])(rows):
        noted.setdefault(key, ABSENT)
    conn.info[_BULK] = True
    try:
        yield
    finally:
        conn.info.pop(_BULK, None)


@contextmanager
def bulk_update(conn: Connection, table: Table, keys: Sequence[Key]) -> Iterator[None]:
    """Note the keys of rows the bulk path is about to update by executemany (store/bulk_update.py), each with its
    row's digest before its first change in this transaction, read for all of them at once."""
    changes: dict[str, dict[Key, bytes]] | None = conn.info.get(_CHANGES)
    if changes is None or table.name not in STATE_TABLES:
        yield
        return
    noted = changes.setdefault(table.name, {})
    noted.update(_digests_by_key(conn, table.name, [key for key in dict.fromkeys(keys) if key not in noted]))
    conn.info[_BULK] = True
    try:
        yield
    finally:
        conn.info.pop(_BULK, None)


def _before_execute(
    conn: Connection, clause: Any, multiparams: Sequence[Mapping[str, Any]], params: Mapping[str, Any], _: Any
) -> None:
    changes: dict[str, dict[Key, bytes]] | None = conn.info.get(_CHANGES)
    if changes is None or not isinstance(clause, UpdateBase):
        return
    name = getattr(getattr(clause, "table", None), "name", None)
    if name not in STATE_TABLES:
        return
    param_sets = list(multiparams) or [params]
    noted = changes.setdefault(name, {})
    if isinstance(clause, Insert):
        for key in _inserted_keys(conn, clause, param_sets, name):
            noted.setdefault(key, ABSENT)  # a plain INSERT fails on an existing key
        return
    touched = _selected_keys(conn, clause, param_sets, name)
    fresh = [key for key in touched if key not in noted]
    noted.update(_digests_by_key(conn, name, fresh))  # the rows as they were before this transaction changed them


def _inserted_keys(conn: Connection, clause: Insert, param_sets: Sequence[Mapping[str, Any]], name: str) -> list[Key]:
    columns = STATE_TABLES[name]
    if clause.select is not None:
        raise UncapturedWrite(f"INSERT ... SELECT into {name}: its rows cannot be told before it runs")
    inline: Mapping[str, Any] | None = None
    keys = []
    for given in param_sets:
        if not all(c in given for c in columns):
            inline = inline if inline is not None else clause.compile(dialect=conn.dialect).params
            given = {**inline, **given}
            if not all(given.get(c) is not None for c in columns):
                raise UncapturedWrite(f"INSERT into {name} without its key columns {columns}")
        keys.append(tuple(_text(given[c]) for c in columns))
    return keys


def _text(value: Any) -> str:
    """A key value as the database stores it: an enum (a fund source) by its value."""
    return str(value.value if isinstance(value, Enum) else value)


def _selected_keys(
    conn: Connection, clause: UpdateBase, param_sets: Sequence[Mapping[str, Any]], name: str
) -> list[Key]:
    """The keys of the rows an UPDATE or DELETE is about to change: its own WHERE clause, run as a SELECT with its
    parameters (an executemany's every set), before it runs."""
    table = Base.metadata.tables[name]
    query = select(*(table.c[c] for c in STATE_TABLES[name]))
    where = getattr(clause, "whereclause", None)
    if where is not None:
        query = query.where(where)
    binds = set(query.compile(dialect=conn.dialect).binds)
    keys: dict[Key, None] = {}
    for given in param_sets:
        wanted = {k: v for k, v in given.items() if k in binds}
        for row in conn.execute(query, wanted) if wanted else conn.execute(query):
            keys[tuple(str(v) for v in row)] = None
    return list(keys)


def _refuse_uncaptured(
    conn: Connection, _cursor: Any, statement: str, _parameters: Any, context: Any, _executemany: bool
) -> None:
    """Inside a sealed transaction, SQL text that writes a current-state table is refused unless the bulk path noted
    its rows: statements built by SQLAlchemy were seen by `_before_execute`, text was not."""
    if _CHANGES not in conn.info or conn.info.get(_BULK):
        return
    compiled = getattr(context, "compiled", None)
    if compiled is not None and isinstance(compiled.statement, UpdateBase):
        return
    if _WRITES.search(statement):
        raise UncapturedWrite(f"SQL text writes a current-state table inside a sealed transaction: {statement[:200]}")


# --- reading rows by key -----------------------------------------------------------------------------------------


def _digests_by_key(conn: Connection, name: str, keys: Iterable[Key]) -> dict[Key, bytes]:
    """Digest of each key's row as stored now (ABSENT when there is none), read back as `audit verify` reads it."""
    keys = list(keys)
    if not keys:
        return {}
    table = Base.metadata.tables[name]
    first = conn.dialect.identifier_preparer.quote(STATE_TABLES[name][0])
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        sql = f"{canonical_select(conn, table)} WHERE {first} = ANY(%s)"
    else:
        sql = f"{canonical_select(conn, table)} WHERE {first} IN (SELECT value FROM json_each(?))"
    key_of = _key_reader(_key_positions(table, name))
    found: dict[Key, bytes] = {}
    leading = list(dict.fromkeys(key[0] for key in keys))
    for start in range(0, len(leading), READ_KEYS):
        part = leading[start : start + READ_KEYS]
        rows = _fetch(conn, sql, (part if postgres else json.dumps(part, ensure_ascii=False),))
        found.update(zip(key_of(rows), _split(row_digests(rows)), strict=True))
    return {key: found.get(key, ABSENT) for key in keys}


def _key_reader(at: Sequence[int]) -> Callable[[Sequence[Sequence[Any]]], list[Key]]:
    """Rows -> their keys (tuples of text), in one C-level pass."""
    if len(at) == 1:
        pick = itemgetter(at[0])
        return lambda rows: [(str(v),) for v in map(pick, rows)]
    picks = itemgetter(*at)
    return lambda rows: [tuple(map(str, k)) for k in map(picks, rows)]


def _split(digests: bytes) -> list[bytes]:
    return [digests[i : i + DIGEST_SIZE] for i in range(0, len(digests), DIGEST_SIZE)]


def _key_positions(table: Table, name: str) -> list[int]:
    names = list(table.c.keys())
    return [names.index(c) for c in STATE_TABLES[name]]


def _fetch(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows as the DB-API driver returns them, as `integrity` digests them, inside the connection's transaction."""
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


# --- sealing -----------------------------------------------------------------------------------------------------


def seal_state(conn: Connection) -> int:
    """Seal the rows of current-state tables changed in this transaction (before commit). Returns the rows sealed."""
    changes: dict[str, dict[Key, bytes]] | None = conn.info.get(_CHANGES)
    if not changes or not integrity.state_seals_enabled(conn):
        return 0
    conn.info[_CHANGES] = {}
    total = 0
    for name in STATE_TABLES:
        before = changes.get(name)
        if before:
            after = _digests_by_key(conn, name, before)
            total += _seal(conn, name, [(key, before[key], now) for key, now in after.items() if now != before[key]])
    return total


def seal_tables(conn: Connection, names: Iterable[str] = STATE_TABLES) -> int:
    """Seal every row of the named tables as it is now, after what the chain last said of each (a migration's
    step: 0010c seals the state that existed before state seals did). Returns the rows sealed."""
    integrity.take_writer_lock(conn)
    present = {c["name"] for c in conn.dialect.get_columns(conn, "chain_seals")}
    last = _replay(conn, []) if "row_keys" in present else {}
    total = 0
    for name in names:
        table = Base.metadata.tables[name]
        stored = {c["name"] for c in conn.dialect.get_columns(conn, name)}
        selected = [c.name for c in table.c if c.name in stored]  # as canonical_select orders them
        key_of = _key_reader([selected.index(c) for c in STATE_TABLES[name]])
        now: dict[Key, bytes] = {}
        for rows in integrity._raw_rows(conn, canonical_select(conn, table, selected), server_side=True):
            now.update(zip(key_of(rows), _split(row_digests(rows)), strict=True))
        sealed = last.get(name, {})
        changed = [(key, sealed.get(key, ABSENT), now.get(key, ABSENT)) for key in sorted(set(now) | set(sealed))]
        total += _seal(conn, name, [change for change in changed if change[1] != change[2]])
    return total


def _seal(conn: Connection, name: str, changes: Sequence[tuple[Key, bytes, bytes]]) -> int:
    """Write the seals of one table's changed rows, (key, digest before, digest after) each, at most SEAL_ROWS a
    seal, chained after the head."""
    if not changes:
        return 0
    head, stamp = integrity._head(conn), integrity._stamp(conn)
    marker = "?" if conn.dialect.name == "sqlite" else "%s"
    number = conn.exec_driver_sql(f"SELECT MAX(last_id) FROM chain_seals WHERE table_name = {marker}", (name,)).scalar()
    number = int(number or 0)
    for start in range(0, len(changes), SEAL_ROWS):
        part = changes[start : start + SEAL_ROWS]
        number += 1
        row_keys = json.dumps([key for key, _, _ in part], ensure_ascii=False, separators=(",", ":")).encode()
        digests = b"".join([before + after for _, before, after in part])
        head = seal_step(head, name, number, number, len(part), row_keys, digests)
        conn.exec_driver_sql(
            "INSERT INTO chain_seals (table_name, first_id, last_id, row_count, row_ids, row_keys, digests, chain, "
            f"sealed_at) VALUES ({', '.join([marker] * 9)})",
            (name, number, number, len(part), None, row_keys, digests, head, stamp),
        )
    return len(changes)


# --- verification ------------------------------------------------------------------------------------------------


def verify_state(conn: Connection) -> Iterator[Tamper]:
    """Replay the state seals and compare each current-state table with what they say; yield each difference,
    named by table and key. Nothing on a database that does not seal state yet (before revision 0010c)."""
    if not integrity.state_seals_enabled(conn):
        return
    found: list[Tamper] = []
    last = _replay(conn, found)
    yield from found
    for name in STATE_TABLES:
        yield from _compare(conn, name, last.get(name, {}))


def _replay(conn: Connection, found: list[Tamper]) -> dict[str, dict[Key, bytes]]:
    """Each key's digest as its latest state seal left it (ABSENT entries dropped), in seal order; a seal whose
    "before" is not the previous "after" goes to `found`. Chain breaks are `integrity.verify_chain`'s to report."""
    last: dict[str, dict[Key, bytes]] = {name: {} for name in STATE_TABLES}
    blob = "CAST({} AS BLOB)" if conn.dialect.name == "sqlite" else "{}"
    sql = (
        f"SELECT seq, table_name, {blob.format('row_keys')}, {blob.format('digests')} FROM chain_seals "
        "WHERE row_keys IS NOT NULL ORDER BY seq"
    )
    for rows in integrity._raw_rows(conn, sql, server_side=True):
        for seq, name, raw_keys, raw_digests in rows:
            sealed = last.get(name)
            keys = _keys(bytes(raw_keys))
            pairs = _split(bytes(raw_digests))
            if sealed is None or keys is None or len(pairs) != 2 * len(keys):
                found.append(Tamper("chain_seals", seq, "state seal unreadable"))
                continue
            befores, afters = pairs[0::2], pairs[1::2]
            get = sealed.get
            for key, before in zip(keys, befores, strict=True):
                if before != get(key, ABSENT):
                    found.append(
                        Tamper(
                            name,
                            _label(name, key),
                            f"row changed outside assetledger before the change sealed by seal {seq}",
                        )
                    )
            sealed.update(zip(keys, afters, strict=True))
            if ABSENT in afters:  # deleted rows
                for key, after in zip(keys, afters, strict=True):
                    if after == ABSENT:
                        del sealed[key]
    return last


def _keys(blob: bytes) -> list[Key] | None:
    """A state seal's keys, or None when they are not a JSON list of lists (the chain check says why)."""
    try:
        keys = list(map(tuple, json.loads(blob)))
        hash(tuple(keys))  # every part hashable (text, as written; anything else matches no row and is reported)
    except (ValueError, TypeError):
        return None
    return keys


def _compare(conn: Connection, name: str, sealed: dict[Key, bytes]) -> Iterator[Tamper]:
    table = Base.metadata.tables[name]
    key_of = _key_reader(_key_positions(table, name))
    found: list[tuple[Key, str]] = []
    for rows in integrity._raw_rows(conn, canonical_select(conn, table), server_side=True):
        for key, digest in zip(key_of(rows), _split(row_digests(rows)), strict=True):
            want = sealed.pop(key, None)
            if want is None:
                found.append((key, "row not in the chain (inserted outside assetledger?)"))
            elif want != digest:
                found.append((key, "row changed after it was recorded"))
    found += [(key, "row deleted after it was recorded") for key in sealed]
    for key, what in sorted(found):
        yield Tamper(name, _label(name, key), what)


def _label(name: str, key: Key) -> str:
    return ", ".join(f"{column}={value}" for column, value in zip(STATE_TABLES[name], key, strict=True))
