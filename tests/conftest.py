"""Fixtures: a fresh, migrated database per test — a SQLite file always, PostgreSQL when configured.

PostgreSQL isolation: a migrated database is a database of the test's own, created beside the one named by
ASSETLEDGER_TEST_DATABASE_URL from the run's template and dropped afterwards; an empty one (`db_url`) is a schema of
its own inside that database. Runs, tests and pytest-xdist's workers never see each other's data (every name made
here has a random part).
"""

from __future__ import annotations

import os
import queue
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, make_url, text

from assetledger.cli.main import cli
from assetledger.services import password_gate
from assetledger.store import audit_role, migrate
from assetledger.store.audit_role import ReaderNames
from assetledger.store.db import Database, resolve_url

PG_ENV = "ASSETLEDGER_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]


def pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


# Argon2id as in production, at its cheapest parameters: the tests hash and check passwords hundreds of times, and
# what they check is who may log in, not the cost of guessing. Only the test process uses these (see
# test_production_keeps_the_rfc_9106_parameters); the product's defaults stay in services/password_gate.py.
CHEAP_ARGON2 = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_argon2() -> Iterator[PasswordHasher]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(password_gate, "HASHER", CHEAP_ARGON2)
        yield CHEAP_ARGON2


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs on: SQLite always, PostgreSQL when ASSETLEDGER_TEST_DATABASE_URL is set."""
    if request.param == "postgresql" and pg_base_url() is None:
        pytest.skip(f"{PG_ENV} not set")
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a new SQLite file, or a PostgreSQL schema of the test's own."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = str(pg_base_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(resolve_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            audit_role.drop(conn, schema)  # the auditor role and views `db upgrade` made for this schema
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


# A migration costs most of a second on SQLite and over two on PostgreSQL, and most tests need only a migrated
# database: the run migrates one template per backend (`alembic upgrade head`, as users get it) and each test gets a
# copy. tests/store/test_migrations.py and the tests on `db_url` still run the migrations themselves.


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    admin = create_engine(resolve_url(str(pg_base_url())), isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


def _database_url(base: str, name: str) -> str:
    return make_url(resolve_url(base)).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{ReaderNames.of(name, "public").role}"'))


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: Engine) -> Iterator[str]:
    """A PostgreSQL database migrated once, that each test's database is created from (CREATE DATABASE … TEMPLATE
    copies it in tens of milliseconds). Needs the CREATEDB privilege, as the README says."""
    base = str(pg_base_url())
    name = f"{make_url(resolve_url(base)).database}_tpl_{uuid.uuid4().hex[:8]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(_database_url(base, name))
        yield name
    finally:
        drain_drops()  # its copies first: they hold grants to its auditor role
        _drop_database(postgres_admin, name)


def copy_postgres_database(admin: Engine, template: str, name: str) -> None:
    """Database `name` as a copy of `template` (replacing it if it exists). CREATE DATABASE … TEMPLATE refuses while
    anyone is connected to the template, so stray connections to it (a test's leftover pool) are ended first."""
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        others = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :t AND pid <> pg_backend_pid()"
        conn.execute(text(others), {"t": template})
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))


def postgres_copy_url(name: str) -> str:
    return _database_url(str(pg_base_url()), name)


class Dropper:
    """Drops the tests' PostgreSQL databases in a thread of its own. DROP DATABASE waits on the server's disk for
    most of a second, and nothing needs the database after its test: the next test need not wait. The template a
    copy came from keeps its auditor role until its copies are gone (the copies hold grants to it), so whoever drops
    a template drains the drops first (`drain`), and fails there if one failed."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.names: queue.Queue[str] = queue.Queue()
        self.failures: list[BaseException] = []
        threading.Thread(target=self._work, name="drop-test-databases", daemon=True).start()

    def drop(self, name: str) -> None:
        self.names.put(name)

    def drain(self) -> None:
        self.names.join()
        if self.failures:
            raise self.failures[0]

    def _work(self) -> None:
        while True:
            name = self.names.get()
            try:
                _drop_database(self.admin, name)
            except Exception as exc:  # reported by drain()
                self.failures.append(exc)
            finally:
                self.names.task_done()


_DROPPER: list[Dropper] = []  # one per process, made at the first drop


def drop_later(admin: Engine, name: str) -> None:
    if not _DROPPER:
        _DROPPER.append(Dropper(admin))
    _DROPPER[0].drop(name)


def drain_drops() -> None:
    """Wait until every database handed to `drop_later` is gone."""
    for dropper in _DROPPER:
        dropper.drain()


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database of the test's own, copied from the run's migrated template (or from the built county,
    for a test that asks for `county`)."""
    county = "county" in request.fixturenames
    if backend == "sqlite":
        path = tmp_path / "test.db"
        if county:  # SQLite's backup API: the built county's last writes may still be in its write-ahead log
            built = request.getfixturevalue("county_file")
            with closing(sqlite3.connect(built)) as source, closing(sqlite3.connect(path)) as copy:
                source.backup(copy)
        else:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    empty = request.getfixturevalue("postgres_template")
    template = request.getfixturevalue("county_postgres") if county else empty
    name = f"{empty.rsplit('_tpl_', 1)[0]}_{uuid.uuid4().hex[:12]}"
    copy_postgres_database(admin, template, name)
    database = Database(postgres_copy_url(name))
    try:
        audit_role.install(database.engine)  # the auditor role is named after its database: this copy's own
        yield database
    finally:
        database.dispose()
        drop_later(admin, name)


@dataclass
class Cli:
    """Runs the real `assetledger` command group against one database."""

    url: str
    cwd: Path

    def __call__(self, *args: str, user: str = "tester", ok: bool = True) -> Result:
        runner = CliRunner()
        result = runner.invoke(cli, ["--db", self.url, "--user", user, *args], catch_exceptions=False)
        if ok and result.exit_code != 0:
            raise AssertionError(f"assetledger {' '.join(args)} failed ({result.exit_code}):\n{result.output}")
        return result


@pytest.fixture
def run(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.chdir(tmp_path)
    return Cli(db.url, tmp_path)
