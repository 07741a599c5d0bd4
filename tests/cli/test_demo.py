"""`assetledger demo` end to end: the README's first command must keep working and its summary must be right."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetledger.cli.main import cli
from assetledger.services.audit import verify
from assetledger.store.db import Database


@pytest.mark.long
def test_demo_builds_a_county_whose_books_check_and_reconcile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSETLEDGER_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["demo", "--dir", "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Beancount check: 0 with errors; registers vs books: 0 mismatches" in out
    assert "合计" in out and "丰和县" in out
    assert "assets counted: 3 missing (written off), 5 damaged, 4 idle" in out
    assert "city's own evaluation: 丰和县 (360921): score" in out and "grade A, rank 1" in out
    # the city pays by the province's results, from its own books: 丰和县 is B in one evaluation and 优秀 in the
    # other, and the province ranks 利祥县 first whatever the city's own indicators say
    assert "丰和县 (360921): YC-FUND B 0.00; YC-CONSOL A 第2名 1,500,000.00; total 1,500,000.00" in out
    assert "利祥县 (360925): YC-FUND A 300,000.00; YC-CONSOL A 第1名 2,000,000.00; total 2,300,000.00" in out
    assert "4 awards, 4,100,000.00 paid from S360900 (宜春市财政局)" in out
    assert (tmp_path / "demo" / "assetledger.db").exists()
    [public] = (tmp_path / "demo" / "public").glob("村务公开-*.html")  # the published notices, not 2026Q3's
    page = public.read_text(encoding="utf-8")
    assert (
        page.count('class="notice"') == 10
        and "2026年第2季度 扶贫项目资产收益分配公示" in page
        and "2026年第3季度" not in page
    )
    tried = [shlex.split(line.strip())[1:] for line in out.splitlines() if " awards compute " in line]
    assert len(tried) == 2
    for args in tried:  # the awards commands the demo suggests run as written
        done = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert done.exit_code == 0, done.output
    assert "2 evaluations; awards total 4,100,000.00" in done.output
    db = Database(f"sqlite:///{tmp_path / 'demo' / 'assetledger.db'}")
    try:
        assert list(verify(db, "tester", bean_check=False)) == []
    finally:
        db.dispose()
