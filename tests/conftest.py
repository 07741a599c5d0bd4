"""Fixtures: a fresh, migrated database per test — a SQLite file always, PostgreSQL when configured.

PostgreSQL isolation: a migrated database is a database of the test's own, copied beside the one named by
ASSETLEDGER_TEST_DATABASE_URL from the run's template, and put back as the template has it for the next test
afterwards (tests/postgres_databases.py); an empty one (`db_url`) is a schema of
its own inside that database. Runs, tests and pytest-xdist's workers never see each other's data (every name made
here has a random part).
"""

from __future__ import annotations

import importlib
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Engine, create_engine, make_url, text

from assetledger.cli.common import App
from assetledger.cli.main import cli
from assetledger.services import password_gate
from assetledger.store import audit_role, migrate
from assetledger.store.db import Database, resolve_url
from tests.postgres_databases import Databases, copy_database, database_url, drop_database

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
    """The database a test runs on: SQLite always, PostgreSQL when ASSETLEDGER_TEST_DATABASE_URL is set (for the
    tests of parsing and rendering, SQLite only: see `pytest_collection_modifyitems`)."""
    if request.param == "postgresql" and pg_base_url() is None:
        pytest.skip(f"{PG_ENV} not set")
    return str(request.param)


# The tests of the CLI, the web and the file readers check parsing and rendering: what a command or page makes of
# its input and how it shows the result. They run on SQLite. The services they call run on both databases in
# tests/services, tests/security, tests/store and tests/hardening (the CLI and the web run no SQL of their own). A
# module among them that checks what the services do on the database marks itself `both_backends`.
SQLITE_ONLY = ("cli", "web", "io")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: a CLI, web or file test that also runs on PostgreSQL")
    config.addinivalue_line("markers", "long: a test of tens of seconds (the demo, the state machine): run first")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent
    skipped = [
        item
        for item in items
        if getattr(item, "callspec", None) is not None
        and item.callspec.params.get("backend") == "postgresql"  # type: ignore[attr-defined]
        and item.path.relative_to(tests).parts[0] in SQLITE_ONLY
        and item.get_closest_marker("both_backends") is None
    ]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        dropped = set(skipped)
        items[:] = [item for item in items if item not in dropped]
    # The long tests first, shared out among the workers with the rest: one started last would run on alone.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


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


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: Engine) -> Iterator[str]:
    """A PostgreSQL database migrated once, that each test's database is created from (CREATE DATABASE … TEMPLATE
    copies it in tens of milliseconds). Needs the CREATEDB privilege, as the README says."""
    base = str(pg_base_url())
    name = f"{make_url(resolve_url(base)).database}_tpl_{uuid.uuid4().hex[:8]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(database_url(base, name))
        yield name
    finally:
        drain_drops()  # its copies first: they hold grants to its auditor role
        for built in reversed(_BUILT_POSTGRES):  # then the built states, each before the state it was copied from
            drop_database(postgres_admin, built)
        _BUILT_POSTGRES.clear()
        drop_database(postgres_admin, name)


def postgres_copy_url(name: str) -> str:
    return database_url(str(pg_base_url()), name)


_DATABASES: list[Databases] = []  # one per process, made at the first test on PostgreSQL


def databases(admin: Engine) -> Databases:
    if not _DATABASES:
        _DATABASES.append(Databases(admin, str(pg_base_url())))
    return _DATABASES[0]


def drain_drops() -> None:
    """Wait until every test's database is gone."""
    for held in _DATABASES:
        held.drain()


# Built states. Many tests start from the same data, made through the services on the database of a Cli (the builders
# of tests/builders; the state machine's `prepare`): the web tests' county, a village with a quarter's revenue, ...
# Each such state is built once per run (per backend, per xdist worker) on a copy of the state it grows from, and each
# test that names it gets a copy of its own, made as the template is copied (SQLite's backup API, PostgreSQL's CREATE
# DATABASE ... TEMPLATE). A test names the state it starts from by asking for the fixture of that name (the fixtures
# below), or with @pytest.mark.usefixtures when it drives the CLI through `run`.


@dataclass(frozen=True)
class BuiltState:
    parent: str | None  # the state it is built on; None: the migrated template
    build: str  # "module:function(run: Cli)", imported when first built (the builders import this module)

    def builder(self) -> Callable[[Cli], object]:
        module, function = self.build.split(":")
        found: Callable[[Cli], object] = getattr(importlib.import_module(module), function)
        return found


STATES = {
    "county": BuiltState(None, "tests.web.conftest:build_county"),
    "published": BuiltState("county", "tests.public_notices:build_published"),
    "records": BuiltState("published", "tests.records:build_records"),
    "objections": BuiltState("published", "tests.security.test_objection_records:build_objections"),
    "village": BuiltState(None, "tests.services.test_distribution:_village_with_revenue"),
    "rule_ready": BuiltState("village", "tests.services.test_distribution_invariants:add_rule"),
    "distributed": BuiltState("rule_ready", "tests.services.test_notice_objections:distribute_q2"),
    "county2": BuiltState("county", "tests.security.test_audit_sql:build_county2"),
    "counties": BuiltState(None, "tests.security.test_audit_money_records:build_counties"),
    "machine": BuiltState(None, "tests.hardening.state_machine:prepare_with_cli"),  # the state machine's examples
}


def _lineage(state: str) -> list[str]:
    """The state and those it is built on, itself first."""
    parent = STATES[state].parent
    return [state, *(_lineage(parent) if parent else [])]


def starting_state(fixturenames: list[str]) -> str | None:
    """The built state a test starts from: the one it names, or the last of the states it names (a test on the
    published county may also ask for `app`, which asks for `county`)."""
    named = [s for s in STATES if s in fixturenames]
    if not named:
        return None
    last = max(named, key=lambda s: len(_lineage(s)))
    if not set(named) <= set(_lineage(last)):
        raise pytest.UsageError(f"a test starts from one built state, not {named}")
    return last


_BUILT_SQLITE: dict[str, Path] = {}
_BUILT_POSTGRES: list[str] = []  # in the order built: dropped in reverse (see `postgres_template`)
_BUILT_POSTGRES_BY_STATE: dict[str, str] = {}


def copy_sqlite_database(source: Path, path: Path) -> None:
    """SQLite's backup API: a built state's last writes may still be in its write-ahead log."""
    with closing(sqlite3.connect(source)) as built, closing(sqlite3.connect(path)) as copy:
        built.backup(copy)


def built_sqlite(state: str, template: Path, folders: pytest.TempPathFactory) -> Path:
    if state not in _BUILT_SQLITE:
        spec = STATES[state]
        folder = folders.mktemp(state)
        path = folder / f"{state}.db"
        if spec.parent is None:
            shutil.copyfile(template, path)
        else:
            copy_sqlite_database(built_sqlite(spec.parent, template, folders), path)
        commands = Cli(f"sqlite:///{path}", folder)
        try:
            spec.builder()(commands)
        finally:
            commands.close()
        _BUILT_SQLITE[state] = path
    return _BUILT_SQLITE[state]


def built_postgres(state: str, admin: Engine, template: str, folders: pytest.TempPathFactory) -> str:
    if state not in _BUILT_POSTGRES_BY_STATE:
        spec = STATES[state]
        source = template if spec.parent is None else built_postgres(spec.parent, admin, template, folders)
        name = f"{template.rsplit('_tpl_', 1)[0]}_{state}_{uuid.uuid4().hex[:8]}"
        _BUILT_POSTGRES.append(name)  # dropped at the end even if its build fails (and a later test builds it anew)
        copy_database(admin, source, name)
        database = Database(postgres_copy_url(name))
        try:
            audit_role.install_role(database.engine)  # the copy's own auditor role, granted the views it copied
        finally:
            database.dispose()
        commands = Cli(postgres_copy_url(name), folders.mktemp(state))
        try:
            spec.builder()(commands)
        finally:
            commands.close()
        _BUILT_POSTGRES_BY_STATE[state] = name
    return _BUILT_POSTGRES_BY_STATE[state]


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database of the test's own, copied from the run's migrated template, or from the built state the
    test starts from (`starting_state`)."""
    state = starting_state(request.fixturenames)
    folders: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    if backend == "sqlite":
        path = tmp_path / "test.db"
        template_file: Path = request.getfixturevalue("sqlite_template")
        if state is None:
            shutil.copyfile(template_file, path)
        else:
            copy_sqlite_database(built_sqlite(state, template_file, folders), path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    empty = request.getfixturevalue("postgres_template")
    template = empty if state is None else built_postgres(state, admin, empty, folders)
    with postgres_copy(admin, template, empty) as database:
        yield database


@contextmanager
def postgres_copy(admin: Engine, template: str, empty: str) -> Iterator[Database]:
    """A database of the caller's own with the rows of `template` (the run's `empty` template or a state built on
    it), put back for the next caller afterwards (tests/postgres_databases.py)."""
    held = databases(admin)
    url = held.take(template, empty)
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()
        held.give_back(template, url)


@dataclass
class Cli:
    """Runs the real `assetledger` command group against one database.

    Its commands share one `Database` (engine), as the commands of one process would: SQLAlchemy compiles each
    statement once per engine, and a test's tens of commands would otherwise each build an engine and compile
    every statement anew. Whoever makes a Cli closes it (`close`), or leaves it to the garbage collector."""

    url: str
    cwd: Path
    database: Database | None = field(default=None, repr=False)

    def __call__(self, *args: str, user: str = "tester", ok: bool = True) -> Result:
        runner = CliRunner()
        if self.database is None:
            self.database = Database(self.url)
        _LENT[self.database.url] = self.database
        try:
            result = runner.invoke(cli, ["--db", self.url, "--user", user, *args], catch_exceptions=False)
        finally:
            del _LENT[self.database.url]
        if ok and result.exit_code != 0:
            raise AssertionError(f"assetledger {' '.join(args)} failed ({result.exit_code}):\n{result.output}")
        return result

    def close(self) -> None:
        if self.database is not None:
            self.database.dispose()
            self.database = None


_LENT: dict[str, Database] = {}  # URL -> the Database of the Cli whose command runs now


class TemplateBytecode(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the test process. Nearly every test makes a web app of its
    own, whose Jinja environment would compile each template it renders anew: a third of the web tests' time. A
    template whose source changed is compiled again (Jinja checks the source's checksum)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(autouse=True, scope="session")
def apps_share_compiled_templates() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": TemplateBytecode()})
        yield


@pytest.fixture(autouse=True, scope="session")
def commands_share_the_clis_database() -> Iterator[None]:
    """`App.db` of a command a Cli runs is that Cli's Database (see Cli); any other command makes its own."""
    made = App.db

    def lent(self: App) -> Database:
        if self._db is None:
            self._db = _LENT.get(resolve_url(self.db_url))
        return self._db if self._db is not None else made.fget(self)  # type: ignore[attr-defined]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(App, "db", property(lent))
        yield


@pytest.fixture
def run(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    monkeypatch.chdir(tmp_path)
    commands = Cli(db.url, tmp_path)
    yield commands
    commands.close()


# The fixtures that name a built state (see STATES): each is the test's `run`, on its copy of the state.


@pytest.fixture
def county(run: Cli) -> Cli:
    """The web tests' county (tests/web/conftest.py): two villages, assets, a roster, a rule and three users."""
    return run


@pytest.fixture
def published(run: Cli) -> Cli:
    """The county with notices published in both villages and personal data kept off them (tests/public_notices.py)."""
    return run


@pytest.fixture
def records(run: Cli) -> Cli:
    """The published county with every act of record an auditor reads beside the registers (tests/records.py)."""
    return run


@pytest.fixture
def objections(run: Cli) -> Cli:
    """The published county with objections to its notices, decided and not
    (tests/security/test_objection_records.py)."""
    return run


@pytest.fixture
def village(run: Cli) -> Cli:
    """红旗村 with a quarter's revenue and four households (tests/services/test_distribution.py)."""
    return run


@pytest.fixture
def rule_ready(run: Cli) -> Cli:
    """The village with its distribution rule (tests/services/test_distribution_invariants.py)."""
    return run


@pytest.fixture
def distributed(run: Cli) -> Cli:
    """The village's 2025Q2 distributed on 2025-07-01, its notice not yet published
    (tests/services/test_notice_objections.py)."""
    return run
