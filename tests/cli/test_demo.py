"""`assetledger demo` end to end: the README's first command must keep working and its summary must be right."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assetledger.cli.main import cli
from assetledger.services.audit import verify
from assetledger.store.db import Database


def test_demo_builds_a_county_whose_books_check_and_reconcile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSETLEDGER_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["demo", "--dir", "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Beancount check: 0 with errors; registers vs books: 0 mismatches" in out
    assert "合计" in out and "丰和县" in out
    assert "assets counted: 3 missing (written off), 5 damaged, 4 idle" in out
    assert "grade A, rank 1" in out
    assert (tmp_path / "demo" / "assetledger.db").exists()
    db = Database(f"sqlite:///{tmp_path / 'demo' / 'assetledger.db'}")
    try:
        assert list(verify(db, bean_check=False)) == []
    finally:
        db.dispose()
