"""The tests' PostgreSQL databases: each test's own copy of the run's migrated template (or of a state built on it),
emptied and given the template's rows again when the test ends, for the next test on that template to take.

CREATE DATABASE … TEMPLATE and DROP DATABASE open, create or remove a file for every relation, the catalogs'
included (about 700): on this machine a pair costs the server about half a second of system time, most of what a
PostgreSQL test costs. Putting a database back costs a few statements. It is taken again only when its schema,
triggers, functions, grants and roles are as they were made (`fingerprint`): a test that changed any of them
(the guard and tamper tests drop triggers) leaves its database to be dropped. Each test's URL names the test's own
`application_name`, so nothing the product keys by URL carries over from one test to the next.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import Engine, make_url, text

from assetledger.store import audit_role
from assetledger.store.audit_role import ReaderNames
from assetledger.store.db import Database, resolve_url

USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"

# What a test may change besides rows. Rendered by name, never by OID: equal text, equal database.
FINGERPRINT = f"""
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
  SELECT format('relation %s.%s %s %s %s', n.nspname, c.relname, c.relkind, c.relacl, c.relrowsecurity) AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER_SCHEMAS}
  UNION ALL SELECT format('column %s %s %s %s %s %s', a.attrelid::regclass, a.attname, a.atttypid::regtype,
                          a.attnotnull, a.attisdropped, a.attacl)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attnum > 0 AND {USER_SCHEMAS}
  UNION ALL SELECT format('trigger %s %s %s %s', t.tgrelid::regclass, t.tgname, t.tgenabled, t.tgfoid::regprocedure)
    FROM pg_trigger t
  UNION ALL SELECT format('function %s %s %s', p.oid::regprocedure, md5(p.prosrc), p.proacl)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {USER_SCHEMAS}
  UNION ALL SELECT format('constraint %s %s %s', c.conrelid::regclass, c.conname, c.convalidated) FROM pg_constraint c
  UNION ALL SELECT format('rule %s %s', r.ev_class::regclass, r.rulename) FROM pg_rewrite r
  UNION ALL SELECT format('policy %s %s', p.polrelid::regclass, p.polname) FROM pg_policy p
  UNION ALL SELECT format('schema %s %s', nspname, nspacl) FROM pg_namespace
  UNION ALL SELECT format('default privileges %s', defaclacl) FROM pg_default_acl
  UNION ALL SELECT format('settings %s', setconfig) FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL SELECT format('role %s %s %s %s', rolname, rolcanlogin, rolinherit, rolconfig) FROM pg_roles
    WHERE starts_with(rolname, current_database())
  UNION ALL SELECT format('member %s %s', m.roleid::regrole, m.member::regrole) FROM pg_auth_members m
    JOIN pg_roles r ON r.oid IN (m.roleid, m.member) WHERE starts_with(r.rolname, current_database())
) items
"""


def conninfo(url: str) -> str:
    """libpq's form of a test database URL (SQLAlchemy's names its driver)."""
    return make_url(resolve_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def database_url(base: str, name: str, application: str | None = None) -> str:
    url = make_url(resolve_url(base)).set(database=name)
    if application is not None:
        url = url.update_query_dict({"application_name": application})
    return url.render_as_string(hide_password=False)


def fingerprint(conn: psycopg.Connection) -> str:
    found = conn.execute(FINGERPRINT).fetchone()
    assert found is not None
    return str(found[0])


@dataclass(frozen=True)
class Snapshot:
    """A database's rows and sequences as made: a copy of its template, with its own auditor role's login."""

    tables: tuple[str, ...]  # qualified and quoted, as the server names them
    rows: dict[str, tuple[int, bytes]]  # the tables that have rows: how many, in COPY's binary form
    sequences: tuple[tuple[str, int | None], ...]  # qualified name, last value (None: never used)

    @classmethod
    def of(cls, conn: psycopg.Connection) -> Snapshot:
        query = f"""SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n
                    ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND {USER_SCHEMAS} ORDER BY 1"""
        tables = tuple(str(name) for (name,) in conn.execute(query))
        rows: dict[str, tuple[int, bytes]] = {}
        with conn.cursor() as cursor:
            for table in tables:
                with cursor.copy(sql.SQL(f"COPY {table} TO STDOUT (FORMAT binary)")) as copy:
                    data = b"".join(bytes(block) for block in copy)
                if cursor.rowcount:
                    rows[table] = (cursor.rowcount, data)
        sequences = conn.execute("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences")
        return cls(tables, rows, tuple((str(name), last) for name, last in sequences))

    def restore(self, conn: psycopg.Connection) -> bool:
        """Every table holds the template's rows again, every sequence its value; False if a table does not."""
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")  # no guard triggers, no foreign keys
            for table in self.tables:
                conn.execute(sql.SQL(f"DELETE FROM {table}"))  # not TRUNCATE: that makes new files
            with conn.cursor() as cursor:
                for table, (_, data) in self.rows.items():
                    with cursor.copy(sql.SQL(f"COPY {table} FROM STDIN (FORMAT binary)")) as copy:
                        copy.write(data)
            for name, last in self.sequences:
                if last is None:
                    conn.execute("SELECT setval(%s::regclass, seqstart, false) FROM pg_sequence WHERE seqrelid = "
                                 "%s::regclass", (name, name))  # fmt: skip
                else:
                    conn.execute("SELECT setval(%s::regclass, %s, true)", (name, last))
            counts = ", ".join(f"(SELECT count(*) FROM {table})" for table in self.tables)
            found = conn.execute(sql.SQL(f"SELECT {counts}")).fetchone()
        expected = tuple(self.rows[table][0] if table in self.rows else 0 for table in self.tables)
        return found is not None and tuple(found) == expected


class Databases:
    """One process's PostgreSQL test databases: taken for a test, put back after it, dropped at the end.

    Drops run in a thread of their own: DROP DATABASE waits on the server's disk and nothing needs the database
    afterwards. The template a copy came from keeps its auditor role until its copies are gone (they hold grants to
    it): whoever drops a template calls `drain` first, which fails if a drop failed."""

    def __init__(self, admin: Engine, base: str) -> None:
        self.admin = admin
        self.base = base
        self.idle: defaultdict[str, list[str]] = defaultdict(list)  # template: its databases, put back
        self.made_as: dict[str, tuple[str, Snapshot]] = {}  # database: its fingerprint and rows when made
        self.dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-test-databases")
        self.drops: list[Future[None]] = []

    def take(self, template: str, empty: str) -> str:
        """A URL for a test: a database with the rows of `template` (the run's `empty` template or a state built on
        it), of the test's own until it is given back."""
        if self.idle[template]:
            name = self.idle[template].pop()
        else:
            name = f"{empty.rsplit('_tpl_', 1)[0]}_{uuid.uuid4().hex[:12]}"
            copy_database(self.admin, template, name)
            database = Database(database_url(self.base, name))
            try:
                audit_role.install_role(database.engine)  # the auditor role is named after its database: the copy's
            finally:
                database.dispose()
            with psycopg.connect(conninfo(database_url(self.base, name)), autocommit=True) as conn:
                self.made_as[name] = (fingerprint(conn), Snapshot.of(conn))
        return database_url(self.base, name, application=f"test_{uuid.uuid4().hex[:12]}")

    def give_back(self, template: str, url: str) -> None:
        """Put the database back as its template has it, for the next test; drop it if it cannot be."""
        name = str(make_url(url).database)
        try:
            with psycopg.connect(conninfo(database_url(self.base, name)), autocommit=True) as conn:
                others = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                conn.execute(others + "AND pid <> pg_backend_pid()")  # a test's leftover sessions
                schema, rows = self.made_as[name]
                reusable = rows.restore(conn) and fingerprint(conn) == schema
        except psycopg.Error:
            reusable = False
        if reusable:
            self.idle[template].append(name)
        else:
            self.drop(name)

    def drop(self, name: str) -> None:
        self.made_as.pop(name, None)
        self.drops.append(self.dropper.submit(drop_database, self.admin, name))

    def drain(self) -> None:
        """Drop the databases put back, and wait until every database dropped is gone."""
        for names in self.idle.values():
            for name in names:
                self.drop(name)
        self.idle.clear()
        failures = [exc for exc in (drop.exception() for drop in self.drops) if exc is not None]
        self.drops.clear()
        if failures:
            raise failures[0]


def copy_database(admin: Engine, template: str, name: str) -> None:
    """Database `name` as a copy of `template` (replacing it if it exists). CREATE DATABASE … TEMPLATE refuses while
    anyone is connected to the template, so stray connections to it (a test's leftover pool) are ended first."""
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        others = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :t AND pid <> pg_backend_pid()"
        conn.execute(text(others), {"t": template})
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))


def drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{ReaderNames.of(name, "public").role}"'))
