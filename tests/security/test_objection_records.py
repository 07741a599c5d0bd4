"""Objections to a notice (异议) and their decisions are read by auditors like every other act of record: audit views
scoped to the reader's regions, Chinese column labels, a place in the audit package, append-only guards, and `audit
verify` naming a row changed or deleted behind assetledger's back."""

from __future__ import annotations

import json
from datetime import date as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from assetledger.domain.access import Role
from assetledger.domain.objections import Outcome
from assetledger.services.audit_records import FILES, labels, view_columns
from assetledger.store.audit_role import ReaderNames
from assetledger.store.audit_views import VIEWS as ALL_VIEWS
from assetledger.store.audit_views import column_comments
from assetledger.store.db import Database
from tests.builders import user
from tests.builders.distribution import database_of
from tests.builders.states import decided, objection
from tests.conftest import Cli
from tests.helpers import drop_append_only_guards
from tests.security.test_audit_records import COMMENT
from tests.web.conftest import OTHER_VILLAGE, VILLAGE

TABLES = ("notice_objections", "notice_objection_decisions")
VIEWS = ("v_notice_objections", "v_notice_objection_decisions")


def build_objections(run: Cli) -> Cli:
    """On the published county (notices of 2025Q2 published in 红旗村 on 07-02 and in 向阳村 on 07-03): two
    objections in 红旗村 (one dismissed) and one in 向阳村 (upheld), and an auditor of 向阳村 only (zhou). The built
    state `objections` (tests/conftest.py), built through the services on the database of `run`."""
    db = database_of(run)
    raised = [
        objection(db, VILLAGE, "2025Q2", D(2025, 7, 3), "人口数有误", household="H1", actor="li"),
        objection(db, VILLAGE, "2025Q2", D(2025, 7, 4), "未纳入", name="张三", actor="li"),
        objection(db, OTHER_VILLAGE, "2025Q2", D(2025, 7, 5), "金额有误", household="X1", actor="zhang"),
    ]
    assert [o.id for o in raised] == [1, 2, 3], raised  # the tests name them by number
    decided(db, 1, D(2025, 7, 5), Outcome.DISMISSED, "无误", actor="li")
    decided(db, 3, D(2025, 7, 6), Outcome.UPHELD, "属实", actor="zhang")
    user(db, "zhou", Role.AUDITOR, OTHER_VILLAGE, actor="zhang")
    return run


def sql(run: Cli, query: str, user: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run("audit", "sql", query, "--format", "json", user=user).stdout)
    return rows


def test_the_views_are_scoped_and_labelled(objections: Cli) -> None:
    raised = "SELECT village_code, period, raised_on, household_id, raised_by, text FROM v_notice_objections"
    raised += " ORDER BY id"
    assert sql(objections, raised, "wang") == [
        {"village_code": VILLAGE, "period": "2025Q2", "raised_on": "2025-07-03", "household_id": "H1",
         "raised_by": None, "text": "人口数有误"},
        {"village_code": VILLAGE, "period": "2025Q2", "raised_on": "2025-07-04", "household_id": None,
         "raised_by": "张三", "text": "未纳入"},
        {"village_code": OTHER_VILLAGE, "period": "2025Q2", "raised_on": "2025-07-05", "household_id": "X1",
         "raised_by": None, "text": "金额有误"},
    ]  # fmt: skip
    assert [r["text"] for r in sql(objections, raised, "zhou")] == ["金额有误"]
    decided = "SELECT objection_id, village_code, decided_on, outcome, reason FROM v_notice_objection_decisions"
    assert sql(objections, decided + " ORDER BY id", "zhou") == [
        {"objection_id": 3, "village_code": OTHER_VILLAGE, "decided_on": "2025-07-06", "outcome": "upheld",
         "reason": "属实"}
    ]  # fmt: skip
    assert len(sql(objections, decided, "wang")) == 2
    for view in VIEWS:  # the views hold what their labels name, nothing more
        shown = sql(objections, f"SELECT * FROM {view}", "wang")
        labelled = [c for c, _ in next(v.labels for v in ALL_VIEWS if v.name == view)]
        assert list(shown[0]) == list(view_columns(view)) == labelled
    for table in TABLES:
        refused = objections("audit", "sql", f"SELECT * FROM {table}", user="zhou", ok=False)
        assert refused.exit_code == 2 and "拒绝：只能读取审计视图" in refused.output


def test_the_package_carries_them_as_the_views_show_them(objections: Cli, tmp_path: Path) -> None:
    out = tmp_path / "package"
    objections("audit", "export", "--scope", OTHER_VILLAGE, "--out", str(out), user="wang")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for file in ("notice_objections.jsonl", "notice_objection_decisions.jsonl"):
        rows = [json.loads(line) for line in (out / file).read_text(encoding="utf-8").splitlines()]
        viewed = sql(objections, f"SELECT * FROM {FILES[file]} ORDER BY id", "zhou")
        assert all(r.pop("recorded_at") for r in (*rows, *viewed))  # the same time, as each driver writes it
        assert rows == viewed and len(rows) == 1, file
        assert file in manifest["files"] and manifest["columns"][file] == labels(file)
    assert manifest["columns"]["notice_objections.jsonl"]["text"] == "异议内容 objection"


@pytest.mark.parametrize("table", TABLES)
def test_the_tables_refuse_update_and_delete(objections: Cli, db: Database, table: str) -> None:
    for statement in (f"UPDATE {table} SET actor = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_row_changed_or_deleted_behind_the_apps_back_is_named(objections: Cli, db: Database) -> None:
    assert "the record verifies clean" in objections("audit", "verify", "--skip-bean-check", user="wang").output
    for table in TABLES:
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE notice_objections SET text = '无异议' WHERE id = 1")
        conn.exec_driver_sql("DELETE FROM notice_objection_decisions WHERE objection_id = 3")
    found = objections("audit", "verify", "--skip-bean-check", user="wang", ok=False)
    assert found.exit_code == 1
    named = sorted(line for line in found.output.splitlines() if line.startswith("[integrity]"))
    assert named == [
        "[integrity] notice_objection_decisions id 2: row deleted after it was recorded",
        "[integrity] notice_objections id 1: row changed after it was recorded",
    ], found.output
    guards = [line for line in found.output.splitlines() if line.startswith("[guards]")]
    assert len(guards) == (4 if db.is_sqlite else 2)  # the triggers dropped are named too


def test_postgresql_names_every_column(county: Cli, db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("column comments are PostgreSQL's")
    with db.engine.connect() as conn:
        schema = ReaderNames.current(conn).schema
        for view in VIEWS:
            found = dict(conn.execute(text(COMMENT), {"schema": schema, "view": view}).all())
            assert found == column_comments(next(v for v in ALL_VIEWS if v.name == view)), view
    assert found["outcome"] == "处理结果 outcome (upheld 成立 / dismissed 不成立)"
