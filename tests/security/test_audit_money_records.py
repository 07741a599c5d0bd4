"""The records that decide money or assets are read by auditors through views scoped to their region (red-team
review): contracts, disposals, inventories with their counts and write-offs, maintenance-fund records, custodians and
user grants. Two counties, each with every kind of record, built through the services on the real SQLite file and on
PostgreSQL: a county's auditor reads its own rows of each view and none of the other county's, the grants show no
password and no other county's users, the base tables stay refused, and the package carries what the views show."""

from __future__ import annotations

import json
import re
from datetime import date as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from assetledger.domain.access import Role
from assetledger.services.audit_records import FILES, labels, view_columns
from assetledger.store.audit_role import ReaderNames
from assetledger.store.audit_views import VIEWS, column_comments
from assetledger.store.db import Database
from assetledger.store.models import Asset
from assetledger.web import create_app
from tests.builders import regions, user
from tests.builders.distribution import database_of
from tests.builders.governance import contract, disposed, inventory
from tests.builders.states import (
    applied,
    approved,
    assets_file,
    contributed,
    counts_file,
    custodian,
    inventory_closed,
    password,
    spent,
    terminated,
)
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row
from tests.web.conftest import login

COUNTY, OTHER_COUNTY = "360921", "360922"
HONGQI, DONGSHAN = "360921101201", "360922101201"
REGIONS = [
    ["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
    ["示范县", COUNTY, "东风镇", "360921101", "红旗村", HONGQI],
    ["东山县", OTHER_COUNTY, "东山镇", "360922101", "东山村", DONGSHAN],
]
NEW_VIEWS = (
    "v_contracts",
    "v_disposals",
    "v_inventories",
    "v_inventory_counts",
    "v_inventory_write_offs",
    "v_maintenance_applications",
    "v_custodian_assignments",
    "v_user_grants",
)
PASSPHRASE = "a long enough passphrase"
CREDENTIAL = re.compile(r"\$argon2|password|session", re.IGNORECASE)


def _county_records(db: Database, prefix: str, county: str, village: str) -> None:
    """In one county: a contract (terminated), a disposal, a custodian, the maintenance fund (applied, approved,
    spent) and a closed inventory with a shortage written off. Asset ids start with `prefix`."""
    place = {"县": "示范县", "乡镇": "东风镇", "村": "红旗村"} if county == COUNTY else {
        "县": "东山县", "乡镇": "东山镇", "村": "东山村"}  # fmt: skip
    owner = f"{place['村']}股份经济合作社"
    rows = [
        ASSET_HEADER,
        asset_row(f"{prefix}OP", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司",
                  确权主体=owner, **place),
        asset_row(f"{prefix}RD", 确权主体=owner, **place),
        asset_row(f"{prefix}OLD", 资产名称="旧仓库", 确权主体=owner, **place),
        asset_row(f"{prefix}LOST", 资产名称="太阳能路灯", 确权主体=owner, **place),
    ]  # fmt: skip
    assets_file(db, f"{prefix}assets.csv", rows, actor="root")
    contract(db, f"{prefix}HT-1", f"{prefix}OP", "绿源公司", "lease", D(2024, 1, 1), D(2026, 12, 31), "10000",
             deposit="500", actor="root")  # fmt: skip
    terminated(db, f"{prefix}HT-1", D(2025, 6, 30), "协商解除", actor="root")
    disposed(db, f"{prefix}OLD", D(2025, 3, 1), "county", method="scrap", approval=f"{prefix}处置批复", actor="root")
    custodian(db, f"{prefix}RD", "养护队", D(2025, 1, 1), duties="巡查", actor="root")
    contributed(db, county, "10000", D(2025, 1, 1), actor="root")
    application = applied(db, f"{prefix}RD", "8000", "水毁", D(2025, 2, 1), actor="root")
    approved(db, application, D(2025, 2, 3), actor="root")
    spent(db, application, "5000", D(2025, 2, 4), actor="root")
    number = inventory(db, 2025, f"county:{county}", D(2025, 12, 1), actor="root").inventory_id
    counts = [["清查编号", "区划代码", "资产编号", "结果", "清查日期", "资产名称", "资产类别", "资产原值（元）", "数量",
               "单位", "管护主体"],
              [number, village, f"{prefix}RD", "在用", "2025-12-10"],
              [number, village, f"{prefix}LOST", "盘亏", "2025-12-10"],
              [number, village, "", "", "2025-12-11", "抽水泵", "公益性", "8000", "2.5", "台",
               "村委会"]]  # fmt: skip
    counts_file(db, f"{prefix}counts.csv", counts, actor="root")
    inventory_closed(db, number, f"{prefix}核销批复", D(2026, 1, 10), allow_uncounted=True, actor="root")


@pytest.fixture
def counties(run: Cli) -> Cli:
    """The built state `counties` (tests/conftest.py), in the test's own database: see `build_counties`."""
    return run


def build_counties(run: Cli) -> None:
    """示范县 (assets S…) with its auditor wang and accountant li; 东山县 (assets D…) with its auditor dong and
    accountant zhu; every user with a password (so that hashes exist to be kept out). Built through the services on
    the database of `run`."""
    db = database_of(run)
    regions(db, REGIONS)
    user(db, "root", Role.FINANCE, "*")
    for name, role, scope in [("wang", "auditor", COUNTY), ("li", "village-accountant", HONGQI),
                              ("dong", "auditor", OTHER_COUNTY), ("zhu", "village-accountant", DONGSHAN)]:  # fmt: skip
        user(db, name, role, scope, actor="root")
    for name in ("root", "wang", "li", "dong", "zhu"):
        password(db, name, PASSPHRASE, actor="root")
    _county_records(db, "S", COUNTY, HONGQI)
    _county_records(db, "D", OTHER_COUNTY, DONGSHAN)


def sql(run: Cli, query: str, user: str) -> list[dict[str, Any]]:
    result = run("audit", "sql", query, "--format", "json", user=user)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def county_of(view: str, row: dict[str, Any], counties: dict[str, str]) -> str:
    """Which county a row of a view belongs to: by its region code, else by its asset's county (`counties`)."""
    code = {"v_inventories": "scope_code", "v_inventory_counts": "place_code", "v_user_grants": "scope"}.get(view)
    if code is not None:
        return str(row[code])[:6]
    return counties[str(row["asset_id"])]


def asset_counties(db: Database) -> dict[str, str]:
    """Asset id -> county code, read from the base table (surpluses registered at the close included)."""
    with db.reading() as session:
        return {str(a): str(c) for a, c in session.execute(select(Asset.asset_id, Asset.county_code))}


def test_a_county_auditor_reads_its_own_rows_of_each_view(counties: Cli, db: Database) -> None:
    places = asset_counties(db)
    assert sum(1 for a in places if a.startswith("PY")) == 2  # a surplus registered in each county
    for view in NEW_VIEWS:
        mine = sql(counties, f"SELECT * FROM {view}", "wang")
        theirs = sql(counties, f"SELECT * FROM {view}", "dong")
        assert mine and theirs, view
        assert {county_of(view, r, places) for r in mine} == {COUNTY}, (view, mine)
        assert {county_of(view, r, places) for r in theirs} == {OTHER_COUNTY}, (view, theirs)
        assert list(mine[0]) == list(view_columns(view)) == [c for c, _ in labels_of(view)]
    contract = sql(counties, "SELECT code, asset_id, amount_fen, deposit_fen, terminated_on, termination_reason "
                             "FROM v_contracts", "wang")  # fmt: skip
    assert contract == [{"code": "SHT-1", "asset_id": "SOP", "amount_fen": 1000000, "deposit_fen": 50000,
                         "terminated_on": "2025-06-30", "termination_reason": "协商解除"}]  # fmt: skip
    disposed = sql(counties, "SELECT asset_id, method, approval_doc FROM v_disposals", "dong")
    assert disposed == [{"asset_id": "DOLD", "method": "scrap", "approval_doc": "D处置批复"}]
    counted = sql(counties, "SELECT asset_id, result, name, value_fen FROM v_inventory_counts ORDER BY id", "wang")
    assert counted == [{"asset_id": "SRD", "result": "in_use", "name": None, "value_fen": None},
                       {"asset_id": "SLOST", "result": "missing", "name": None, "value_fen": None},
                       {"asset_id": None, "result": "in_use", "name": "抽水泵", "value_fen": 800000}]  # fmt: skip
    closed = sql(counties, "SELECT scope_code, closed_on, approval_doc FROM v_inventories", "wang")
    assert closed == [{"scope_code": COUNTY, "closed_on": "2026-01-10", "approval_doc": "S核销批复"}]
    written_off = sql(counties, "SELECT asset_id, written_off_on, sum(amount_fen) AS fen FROM v_inventory_write_offs "
                                "GROUP BY asset_id, written_off_on", "wang")  # fmt: skip
    assert [(r["asset_id"], r["written_off_on"], int(r["fen"])) for r in written_off] == [  # PG: sum is numeric
        ("SLOST", "2026-01-10", 10000000)]  # fmt: skip
    maintained = sql(counties, "SELECT decision, amount_fen FROM v_maintenance_applications ORDER BY id", "dong")
    assert maintained == [{"decision": None, "amount_fen": 800000}, {"decision": "approved", "amount_fen": 800000},
                          {"decision": "spent", "amount_fen": 500000}]  # fmt: skip
    custody = sql(counties, "SELECT custodian, duties FROM v_custodian_assignments WHERE asset_id = 'SRD'", "wang")
    assert {"custodian": "养护队", "duties": "巡查"} in custody


def labels_of(view: str) -> tuple[tuple[str, str], ...]:
    return next(v for v in VIEWS if v.name == view).labels


def test_the_grants_show_no_password_and_no_other_countys_users(counties: Cli) -> None:
    listed = counties("audit", "sql", "SELECT * FROM v_user_grants ORDER BY id", "--format", "json", user="wang")
    assert not CREDENTIAL.search(listed.stdout), listed.stdout
    grants = json.loads(listed.stdout)
    assert [(g["name"], g["role"], g["scope"], g["granted_by"]) for g in grants] == [
        ("wang", "auditor", COUNTY, "root"), ("li", "village-accountant", HONGQI, "root")]  # fmt: skip
    assert all(not CREDENTIAL.search(column) for column in grants[0])
    assert [g["name"] for g in sql(counties, "SELECT name FROM v_user_grants ORDER BY id", "dong")] == ["dong", "zhu"]
    for query in ["SELECT name, password_hash FROM user_passwords", "SELECT * FROM web_sessions",
                  "SELECT g.name FROM v_user_grants g JOIN user_passwords p ON p.name = g.name"]:  # fmt: skip
        refused = counties("audit", "sql", query, user="wang", ok=False)
        assert refused.exit_code == 2 and not re.search(r"\$argon2", refused.output), (query, refused.output)


def test_the_web_auditor_page_reads_them_alike(counties: Cli, db: Database) -> None:
    web = create_app(db, secret_key=b"t" * 32)
    web.config["TESTING"] = True
    client, token = login(web, "wang", PASSPHRASE)
    for query, shown, hidden in [
        ("SELECT name, scope FROM v_user_grants", [COUNTY, HONGQI], [OTHER_COUNTY, DONGSHAN, "$argon2"]),
        ("SELECT asset_id, approval_doc FROM v_disposals", ["SOLD", "S处置批复"], ["DOLD", "D处置批复"]),
        ("SELECT code, operator FROM v_contracts", ["SHT-1"], ["DHT-1"]),
    ]:
        response = client.post("/audit/", data={"kind": "sql", "csrf_token": token, "query": query})
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert all(word in page for word in shown) and not any(word in page for word in hidden), (query, page)


def test_the_base_tables_stay_out_of_reach(counties: Cli) -> None:
    tables = ("contracts", "contract_assets", "contract_terminations", "disposals", "inventories", "inventory_items",
              "inventory_counts", "inventory_closes", "maintenance_applications", "custodian_assignments",
              "user_grants", "user_passwords", "web_sessions")  # fmt: skip
    for query in [
        *(f"SELECT * FROM {table}" for table in tables),
        "WITH v_user_grants AS (SELECT * FROM user_passwords) SELECT * FROM v_user_grants",
        "SELECT count(*) FROM v_disposals d WHERE EXISTS (SELECT 1 FROM disposals)",
    ]:
        refused = counties("audit", "sql", query, user="wang", ok=False)
        assert refused.exit_code == 2 and "拒绝：只能读取审计视图" in refused.output, (query, refused.output)


COMMENT = (
    "SELECT a.attname, col_description(c.oid, a.attnum) FROM pg_class c JOIN pg_namespace n ON "
    "n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = :schema AND c.relname = :view "
    "AND a.attnum > 0 ORDER BY a.attnum"
)


def test_postgresql_names_every_column_of_the_new_views(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("column comments are PostgreSQL's")
    with db.engine.connect() as conn:
        schema = ReaderNames.current(conn).schema
        for view in NEW_VIEWS:
            found = dict(conn.execute(text(COMMENT), {"schema": schema, "view": view}).all())
            assert found == column_comments(next(v for v in VIEWS if v.name == view)) == dict(labels_of(view))
            assert all(comment and not comment.isascii() for comment in found.values()), found


def test_the_package_carries_them_as_the_views_show_them(counties: Cli, db: Database, tmp_path: Path) -> None:
    places = asset_counties(db)
    out = tmp_path / "package"
    counties("audit", "export", "--scope", COUNTY, "--out", str(out), user="wang")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for file, view in FILES.items():
        if view not in NEW_VIEWS:
            continue
        lines = (out / file).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        viewed = sql(counties, f"SELECT * FROM {view}", "wang")
        assert rows and len(rows) == len(viewed), file
        assert [list(r) for r in rows] == [list(r) for r in viewed], file
        times = ("recorded_at", "closed_at", "granted_at")  # the same times, as each driver writes them
        assert _without(rows, times) == _without(viewed, times), file
        assert {county_of(view, r, places) for r in rows} == {COUNTY}, file
        assert file in manifest["files"] and manifest["columns"][file] == labels(file)
        assert not CREDENTIAL.search((out / file).read_text(encoding="utf-8"))


def _without(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[tuple[str, str], ...]]:
    """Rows without the time columns, as sorted comparable tuples (values as JSON text)."""
    return sorted(tuple((k, json.dumps(v, ensure_ascii=False)) for k, v in r.items() if k not in columns) for r in rows)
