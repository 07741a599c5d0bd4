"""Fixtures: a fresh, migrated database per test — a SQLite file always, PostgreSQL when configured.

PostgreSQL isolation: every test gets its own schema (search_path) inside the database named by
ASSETLEDGER_TEST_DATABASE_URL, dropped afterwards, so runs and tests never see each other's data.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, make_url, text

from assetledger.cli.main import cli
from assetledger.services import password_gate
from assetledger.store import audit_role, migrate
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
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each backend (PostgreSQL is skipped when not configured)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = pg_base_url()
    if base is None:
        pytest.skip(f"{PG_ENV} not set")
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated by `alembic upgrade head` for the whole run; each test gets a copy of it (a migration
    costs most of a second, a copy a few milliseconds). tests/store/test_migrations.py still runs the migrations."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db(db_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database, as users get it: a copy of the migrated template on SQLite, `alembic upgrade head` in the
    test's own schema on PostgreSQL."""
    sqlite_file = make_url(db_url).database if db_url.startswith("sqlite") else None
    if sqlite_file and not Path(sqlite_file).exists():
        shutil.copyfile(request.getfixturevalue("sqlite_template"), sqlite_file)
    else:
        migrate.upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


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
