"""Publishing notices and exporting a village's public page (issue 24) through the real CLI: who may publish, when,
once; the record it leaves; the export is the web's page, with nothing unpublished or personal in it."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy.exc import DBAPIError

from assetledger.store.db import Database
from assetledger.web import create_app
from tests.conftest import Cli
from tests.helpers import drop_append_only_guards, table_counts
from tests.public_notices import SECRETS, build_published, public_files
from tests.web.conftest import VILLAGE


def test_publishing_is_by_the_village_or_finance_once_not_before_the_distribution(published: Cli, db: Database) -> None:
    before = table_counts(db)
    publish = ("distribute", "publish", "--village", VILLAGE)
    again = published(*publish, "--period", "2025Q2", user="li")
    assert "already published on 2025-07-02 by zhang" in again.output
    # not before the distribution (finance, who may record an earlier day's publication: 补录)
    assert published(*publish, "--period", "2025Q3", "--date", "2025-09-30", user="zhang", ok=False).exit_code == 5
    assert published(*publish, "--period", "2025Q3", "--date", "2999-01-01", user="li", ok=False).exit_code == 5
    assert published(*publish, "--period", "2024Q3", user="li", ok=False).exit_code == 3
    assert published(*publish, "--period", "2025Q9", user="li", ok=False).exit_code == 2
    assert published(*publish, "--period", "2025Q3", user="wang", ok=False).exit_code == 6  # an auditor
    outside = ("distribute", "publish", "--village", "360921101202", "--period", "2025Q2")
    assert published(*outside, user="li", ok=False).exit_code == 6  # another village's accountant
    late = published(*publish, "--period", "2025Q3", "--date", "2025-10-02", user="li", ok=False)
    assert late.exit_code == 6 and "补录" in late.output  # the village does not date its notice back
    assert table_counts(db) == before
    today = dt.date.today().isoformat()
    done = published(*publish, "--period", "2025Q3", "--date", today, user="li")
    assert f"2025Q3 HQ-2025: published on {today} by li" in done.output
    assert table_counts(db)["notice_publications"] == before["notice_publications"] + 1


def test_a_publication_is_of_record(published: Cli, db: Database) -> None:
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE notice_publications SET published_on = '2025-01-01'")
    assert "verifies clean" in published("audit", "verify", "--skip-bean-check", user="wang").output
    drop_append_only_guards(db, "notice_publications")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE notice_publications SET published_on = '2025-01-01'")
    found = published("audit", "verify", "--skip-bean-check", user="wang", ok=False)
    assert "notice_publications id 1: row changed" in found.output


def test_a_reversed_notice_stays_published_and_says_so(published: Cli, db: Database) -> None:
    published("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "收入录错", user="li")
    app = create_app(db, secret_key=b"t" * 32)
    page = app.test_client().get(f"/public/{VILLAGE}").get_data(as_text=True)
    assert "已于" in page and "冲销，原因：收入录错" in page


def test_export_writes_the_public_page_for_the_notice_board(county: Cli, db: Database) -> None:
    out = county.cwd / "公示"
    nothing = county("notice", "export", "--village", VILLAGE, "--out", str(out), ok=False)
    assert nothing.exit_code == 3 and not out.exists()
    build_published(county)
    county("notice", "export", "--village", VILLAGE, "--out", str(out), user="anyone")
    [page] = public_files(out)
    assert page.name == f"村务公开-{VILLAGE}.html"
    text = page.read_text(encoding="utf-8")
    web: Flask = create_app(db, secret_key=b"t" * 32)
    assert text == web.test_client().get(f"/public/{VILLAGE}").get_data(as_text=True)
    assert "2025年第2季度 扶贫项目资产收益分配公示" in text and "钱*多" in text
    for secret in SECRETS:
        assert secret not in text, secret
    assert "http" not in text.replace('lang="zh-CN"', "")  # nothing to fetch: it reads offline
