"""The tests' PostgreSQL databases are put back as they were made (tests/postgres_databases.py): a test never sees
what the test before it wrote, and a database whose triggers a test changed is dropped, not taken again."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, make_url, text

from assetledger.store.audit_role import ReaderNames
from assetledger.store.db import Database
from tests.conftest import PG_ENV, pg_base_url
from tests.postgres_databases import Databases

pytestmark = pytest.mark.skipif(not pg_base_url(), reason=f"{PG_ENV} not set")

BATCH = (
    "INSERT INTO import_batches (kind, source_name, checksum, row_count, actor, recorded_at) "
    "VALUES ('assets', 'a.csv', 'x', 0, 'tester', now()) RETURNING id"
)


def _run(url: str, *statements: str) -> list[object]:
    database = Database(url)
    try:
        with database.engine.begin() as conn:
            results = [conn.execute(text(statement)) for statement in statements]
            return [result.scalar() if result.returns_rows else None for result in results]
    finally:
        database.dispose()


def _exists(admin: Engine, name: str) -> bool:
    with admin.connect() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}))


def test_a_database_put_back_has_its_rows_and_sequences_as_made(postgres_admin: Engine, postgres_template: str) -> None:
    held = Databases(postgres_admin, str(pg_base_url()))
    try:
        first = held.take(postgres_template, postgres_template)
        (made_login,) = _run(first, "SELECT count(*) FROM public_audit.reader_login")
        (first_id,) = _run(first, BATCH)
        held.give_back(postgres_template, first)

        second = held.take(postgres_template, postgres_template)
        assert make_url(second).database == make_url(first).database  # the same database, taken again ...
        assert second != first  # ... under a URL of the test's own
        name = str(make_url(second).database)
        role = ReaderNames.of(name, "public").role
        counts = _run(
            second,
            "SELECT count(*) FROM import_batches",
            f"SELECT count(*) FROM public_audit.reader_login WHERE role_name = '{role}'",
            "SELECT count(*) FROM public_audit.reader_login",
        )
        assert counts == [0, 1, made_login]  # what the first test wrote is gone; the auditor's login is kept
        assert _run(second, BATCH) == [first_id]  # the sequence runs from where it was made
        held.give_back(postgres_template, second)
    finally:
        held.drain()
    assert not _exists(postgres_admin, name)


def test_a_database_whose_triggers_were_changed_is_dropped(postgres_admin: Engine, postgres_template: str) -> None:
    held = Databases(postgres_admin, str(pg_base_url()))
    try:
        url = held.take(postgres_template, postgres_template)
        _run(url, "DROP TRIGGER entries_no_truncate ON entries")
        held.give_back(postgres_template, url)
        assert held.idle[postgres_template] == []
    finally:
        held.drain()
    assert not _exists(postgres_admin, str(make_url(url).database))
