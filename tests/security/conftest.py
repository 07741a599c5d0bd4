"""The security tests replay attacks on the county the web tests build (tests/web/conftest.py), through the real
CLI, the Flask test client and headless Chromium, on SQLite and PostgreSQL."""

from __future__ import annotations

from assetledger.store.db import Database
from assetledger.store.schema import NOT_OF_RECORD
from tests.hardening.harness import table_checksums
from tests.web.conftest import app  # noqa: F401  (a fixture shared with the web tests)
from tests.web.test_browser import browser, live  # noqa: F401


def record(db: Database) -> dict[str, str]:
    """A checksum of every table of record (not the web sessions, which logging in opens, nor the login throttle's
    counters)."""
    return {name: digest for name, digest in table_checksums(db).items() if name not in NOT_OF_RECORD}
