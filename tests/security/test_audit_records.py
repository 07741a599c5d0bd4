"""Households attached to household-level assets, published notices and acceptances are read by auditors like every
other table of record: audit views scoped to the reader's regions (SQLite and PostgreSQL), Chinese column labels, a
place in the audit package, and `audit verify` naming a row changed or deleted behind assetledger's back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from assetledger.services.audit_records import FILES, labels, view_columns
from assetledger.store.audit_role import ReaderNames
from assetledger.store.audit_views import VIEWS, column_comments
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import drop_append_only_guards
from tests.web.conftest import OTHER_VILLAGE, VILLAGE

NEW_VIEWS = ("v_asset_households", "v_notice_publications", "v_asset_acceptances")
BUILT = ("asset_households.jsonl", "notice_publications.jsonl", "asset_acceptances.jsonl")  # objections: their own test


def sql(run: Cli, query: str, user: str) -> list[dict[str, Any]]:
    result = run("audit", "sql", query, "--format", "json", user=user)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_the_views_are_scoped_like_the_others(records: Cli) -> None:
    attached = "SELECT asset_id, household_id, head FROM v_asset_households ORDER BY id"
    assert sql(records, attached, "wang") == [
        {"asset_id": "H-7", "household_id": "H1", "head": "王一"},
        {"asset_id": "H-7", "household_id": "H2", "head": "王二"},
        {"asset_id": "X-7", "household_id": "X1", "head": "赵六六"},
    ]
    assert sql(records, attached, "zhou") == [{"asset_id": "X-7", "household_id": "X1", "head": "赵六六"}]
    published = "SELECT village_code, period, published_on FROM v_notice_publications ORDER BY id"
    assert sql(records, published, "wang") == [
        {"village_code": VILLAGE, "period": "2025Q2", "published_on": "2025-07-02"},
        {"village_code": OTHER_VILLAGE, "period": "2025Q2", "published_on": "2025-07-03"},
    ]
    assert sql(records, published, "zhou") == [
        {"village_code": OTHER_VILLAGE, "period": "2025Q2", "published_on": "2025-07-03"}
    ]
    accepted = "SELECT asset_id, accepted_on, document FROM v_asset_acceptances ORDER BY id"
    assert [r["asset_id"] for r in sql(records, accepted, "wang")] == ["A-9", "A-9", "Y-1"]
    mine = [{"asset_id": "Y-1", "accepted_on": "2025-04-01", "document": "县验〔2025〕2号"}]
    assert sql(records, accepted, "zhou") == mine
    for view in NEW_VIEWS:  # the views hold what their labels name, nothing more
        shown = records("audit", "sql", f"SELECT * FROM {view}", "--format", "json", user="wang").stdout
        assert list(json.loads(shown)[0]) == list(view_columns(view)) == [c for c, _ in labels_of(view)]


def labels_of(view: str) -> tuple[tuple[str, str], ...]:
    return next(v for v in VIEWS if v.name == view).labels


def test_a_base_table_behind_a_new_view_stays_out_of_reach(records: Cli) -> None:
    for query in [
        "SELECT * FROM asset_households",
        "SELECT * FROM notice_publications",
        "SELECT * FROM asset_acceptances",
        "WITH v_asset_households AS (SELECT * FROM asset_households) SELECT * FROM v_asset_households",
    ]:
        refused = records("audit", "sql", query, user="zhou", ok=False)
        assert refused.exit_code == 2 and "拒绝：只能读取审计视图" in refused.output, (query, refused.output)


COMMENT = (
    "SELECT a.attname, col_description(c.oid, a.attnum) FROM pg_class c JOIN pg_namespace n ON "
    "n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = :schema AND c.relname = :view "
    "AND a.attnum > 0 ORDER BY a.attnum"
)


def test_postgresql_names_every_column_of_the_new_views(county: Cli, db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("column comments are PostgreSQL's")
    with db.engine.connect() as conn:
        schema = ReaderNames.current(conn).schema
        for view in NEW_VIEWS:
            found = dict(conn.execute(text(COMMENT), {"schema": schema, "view": view}).all())
            assert found == column_comments(next(v for v in VIEWS if v.name == view)), view
            assert all(comment and not comment.isascii() for comment in found.values()), found
    assert found["accepted_on"] == "验收日期 accepted on"


def test_the_package_carries_them_as_the_views_show_them(records: Cli, tmp_path: Path) -> None:
    out = tmp_path / "package"
    records("audit", "export", "--scope", OTHER_VILLAGE, "--out", str(out), user="wang")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for file in BUILT:
        view = FILES[file]
        lines = (out / file).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        viewed = sql(records, f"SELECT * FROM {view} ORDER BY id", "zhou")
        assert all(r.pop("recorded_at") for r in (*rows, *viewed))  # the same time, as each driver writes it
        assert rows == viewed, file
        assert rows and all(r.get("village_code") == OTHER_VILLAGE for r in rows), rows
        assert file in manifest["files"] and manifest["columns"][file] == labels(file)
    assert manifest["columns"]["asset_households.jsonl"]["head"] == "户主 head of household"
    whole = tmp_path / "whole"
    records("audit", "export", "--out", str(whole), user="wang")
    counts = {f: len((whole / f).read_text(encoding="utf-8").splitlines()) for f in BUILT}
    assert counts == {"asset_households.jsonl": 3, "notice_publications.jsonl": 2, "asset_acceptances.jsonl": 3}
    refused = records("audit", "export", "--scope", VILLAGE, "--out", str(tmp_path / "not-mine"), user="zhou", ok=False)
    assert refused.exit_code == 6 and not (tmp_path / "not-mine" / "asset_households.jsonl").exists()


def test_a_row_changed_or_deleted_behind_the_apps_back_is_named(records: Cli, db: Database) -> None:
    assert "the record verifies clean" in records("audit", "verify", "--skip-bean-check", user="wang").output
    for table in ("asset_households", "notice_publications", "asset_acceptances"):
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        ids = {
            table: [int(i) for i in conn.exec_driver_sql(f"SELECT id FROM {table} ORDER BY id").scalars()]
            for table in ("asset_households", "notice_publications", "asset_acceptances")
        }
        first_attached, second_attached, *_ = ids["asset_households"]
        conn.exec_driver_sql(f"UPDATE asset_households SET attached_on = '2023-01-01' WHERE id = {first_attached}")
        conn.exec_driver_sql(f"DELETE FROM asset_households WHERE id = {second_attached}")
        first_notice, second_notice = ids["notice_publications"]
        conn.exec_driver_sql(f"UPDATE notice_publications SET published_on = '2025-06-01' WHERE id = {first_notice}")
        conn.exec_driver_sql(f"DELETE FROM notice_publications WHERE id = {second_notice}")
        first_accepted, corrected, _ = ids["asset_acceptances"]
        conn.exec_driver_sql(f"UPDATE asset_acceptances SET document = '县验〔2025〕9号' WHERE id = {first_accepted}")
        conn.exec_driver_sql(f"DELETE FROM asset_acceptances WHERE id = {corrected}")
    found = records("audit", "verify", "--skip-bean-check", user="wang", ok=False)
    assert found.exit_code == 1
    named = sorted(line for line in found.output.splitlines() if line.startswith("[integrity]"))
    assert named == sorted([
        f"[integrity] asset_households id {first_attached}: row changed after it was recorded",
        f"[integrity] asset_households id {second_attached}: row deleted after it was recorded",
        f"[integrity] notice_publications id {first_notice}: row changed after it was recorded",
        f"[integrity] notice_publications id {second_notice}: row deleted after it was recorded",
        f"[integrity] asset_acceptances id {first_accepted}: row changed after it was recorded",
        f"[integrity] asset_acceptances id {corrected}: row deleted after it was recorded",
    ]), found.output  # fmt: skip
