"""Out-of-band tampering with the facts that decide money, scope and ownership (issue #18, item 4).

A small record is built through the CLI and verifies clean; then one fact is changed the way someone with the
database's credentials but without assetledger would — a connection of their own, foreign keys and the append-only
triggers out of the way — and the verification must name the table and the row's key. Each tampering runs in a
transaction on that connection, is verified there (the same functions `audit verify` runs) and rolled back, so one
record per backend serves every case; the tests after them tamper for real and verify through the service and CLI.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, create_engine, func, select, text

from assetledger.cli.main import cli
from assetledger.services.audit import verify
from assetledger.store import audit_role, migrate
from assetledger.store.db import Database, resolve_url
from assetledger.store.integrity import verify_chain
from assetledger.store.integrity_models import ChainSeal
from assetledger.store.models import Asset
from assetledger.store.schema import Base
from assetledger.store.state_seals import STATE_TABLES, UncapturedWrite, verify_state
from tests.conftest import BACKENDS, PG_ENV, Cli, pg_base_url
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv

VILLAGE, OTHER_VILLAGE, EMPTY_VILLAGE = "360921101201", "360921101202", "360921102201"
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]


def _record(run: Cli) -> None:
    """Regions, four assets (public, operating, household-level, another village's), their funding, an owner, a
    custodian, a status, the books they opened, and a roster with a household that left."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [
        ASSET_HEADER,
        asset_row("A-1"),
        asset_row("A-2", 资产名称="冷库", 资产类别="经营性", 经营方式="出租", 经营主体="冷链公司"),
        asset_row("B-1", 村="向阳村", 确权主体="向阳村股份经济合作社"),
        asset_row("H-1", 资产名称="能繁母牛", 资产类别="到户类", 户编号="H1", 户主姓名="王一", 确权主体="王一",
                  确权级别="农户", 管护主体=None),
    ]  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    run("asset", "custodian", "A-1", "--name", "张三", "--from", "2025-01-01")
    run("asset", "status", "A-2", "idle", "--date", "2025-03-01", "--reason", "停产")
    roster = [
        ROSTER_HEADER,
        ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "", ""],
        ["H2", VILLAGE, "王二", "2", "监测户", "无劳动能力", "2024-01-01", "2025-05-20", "死亡"],
    ]
    run("beneficiary", "import", str(write_csv(run.cwd / "roster.csv", roster)))


def _integrity(db: Database) -> list[str]:
    return [what for check, what in verify(db, "tester", bean_check=False) if check == "integrity"]


def _tamper(db: Database, *statements: str) -> None:
    """SQL committed on a connection of its own, as a database client (psql, sqlite3) would run it."""
    engine = create_engine(db.engine.url)
    try:
        with engine.begin() as conn:
            kept = _guards(conn)
            _out_of_the_way(conn)
            for statement in statements:
                conn.exec_driver_sql(statement)
            for guard in kept:  # put back, as a careful tamperer would: verify reports a missing guard
                conn.exec_driver_sql(guard)
    finally:
        engine.dispose()


def _guards(conn: Connection) -> list[str]:
    """The SQL of the SQLite triggers `_out_of_the_way` drops."""
    if conn.dialect.name == "postgresql":
        return []
    query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('entities', 'chain_seals')"
    return [str(sql) for (sql,) in conn.exec_driver_sql(query)]


def _out_of_the_way(conn: Connection) -> None:
    """SQLite: a bare connection enforces no foreign keys; the append-only triggers in the way are dropped.
    PostgreSQL: session_replication_role = replica skips foreign keys and triggers (as a superuser may)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    else:
        for table in ("entities", "chain_seals"):
            for action in ("update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


@pytest.fixture(scope="module", params=BACKENDS)
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The record, built once per backend for the module (PostgreSQL: a schema of its own, dropped afterwards)."""
    folder = tmp_path_factory.mktemp("recorded")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'test.db'}"
    else:
        base = pg_base_url()
        if base is None:
            pytest.skip(f"{PG_ENV} not set")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(resolve_url(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        _record(Cli(db.url, folder))
        assert list(verify(db, "tester", bean_check=False)) == [], "the untouched record verifies clean"
        yield db
    finally:
        db.dispose()
        if request.param != "sqlite":
            with admin.connect() as conn:
                audit_role.drop(conn, schema)  # the auditor role `db upgrade` made for this schema, as db_url does
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


def _copy_of(table: str, where: str, **changed: str) -> str:
    """INSERT of a copy of one row with some columns changed (SQL literals)."""
    columns = list(Base.metadata.tables[table].columns.keys())
    picked = ", ".join(changed.get(c, c) for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {picked} FROM {table} WHERE {where}"


CHANGED, DELETED, INSERTED = (
    "row changed after it was recorded",
    "row deleted after it was recorded",
    "row not in the chain (inserted outside assetledger?)",
)
A1, A2, B1, H1 = "assets asset_id=A-1", "assets asset_id=A-2", "assets asset_id=B-1", "assets asset_id=H-1"
A1_CENTRAL, A1_COUNTY = "asset_funding asset_id=A-1, source=central", "asset_funding asset_id=A-1, source=county"
HOUSEHOLD1, HOUSEHOLD2 = "households household_id=H1", "households household_id=H2"
V_ENTITY = f"entities code=V{VILLAGE}"

CASES: dict[str, tuple[list[str], list[str]]] = {
    # asset_funding: what paid for an asset, and so what its books and a county's fund reports hold
    "funding source": (["UPDATE asset_funding SET source = 'donation' WHERE asset_id = 'A-1' AND source = 'county'"],
                       [f"{A1_COUNTY}: {DELETED}", f"asset_funding asset_id=A-1, source=donation: {INSERTED}"]),
    "funding amount": (["UPDATE asset_funding SET amount = amount + 100 WHERE asset_id = 'A-1' AND source = 'central'"],
                       [f"{A1_CENTRAL}: {CHANGED}"]),
    "funding deleted": (["DELETE FROM asset_funding WHERE asset_id = 'A-1' AND source = 'central'"],
                        [f"{A1_CENTRAL}: {DELETED}"]),
    "funding inserted": (["INSERT INTO asset_funding (asset_id, source, amount) VALUES ('A-1', 'bond', 500)"],
                         [f"asset_funding asset_id=A-1, source=bond: {INSERTED}"]),
    # households: who shares in revenue, and by how much
    "household persons": (["UPDATE households SET persons = persons + 3 WHERE household_id = 'H1'"],
                          [f"{HOUSEHOLD1}: {CHANGED}"]),
    "household category": (["UPDATE households SET category = 'other' WHERE household_id = 'H1'"],
                           [f"{HOUSEHOLD1}: {CHANGED}"]),
    "household factors": ([f"UPDATE households SET factors = '{json.dumps(['disabled'])}' WHERE household_id = 'H1'"],
                          [f"{HOUSEHOLD1}: {CHANGED}"]),
    "household joined": (["UPDATE households SET joined_on = '2020-01-01' WHERE household_id = 'H1'"],
                         [f"{HOUSEHOLD1}: {CHANGED}"]),
    "household left": (["UPDATE households SET left_on = NULL, left_reason = NULL WHERE household_id = 'H2'"],
                       [f"{HOUSEHOLD2}: {CHANGED}"]),
    "household village": ([f"UPDATE households SET village_code = '{OTHER_VILLAGE}' WHERE household_id = 'H1'"],
                          [f"{HOUSEHOLD1}: {CHANGED}"]),
    "household deleted": (["DELETE FROM households WHERE household_id = 'H2'"], [f"{HOUSEHOLD2}: {DELETED}"]),
    "household inserted": ([_copy_of("households", "household_id = 'H1'", household_id="'H7'")],
                           [f"households household_id=H7: {INSERTED}"]),
    # regions: the hierarchy that decides every scope check and every roll-up
    "region parent": ([f"UPDATE regions SET parent_code = '360921102' WHERE code = '{VILLAGE}'"],
                      [f"regions code={VILLAGE}: {CHANGED}"]),
    "region level": ([f"UPDATE regions SET level = 'township' WHERE code = '{VILLAGE}'"],
                     [f"regions code={VILLAGE}: {CHANGED}"]),
    "region county": ([f"UPDATE regions SET county_code = '360922' WHERE code = '{VILLAGE}'"],
                      [f"regions code={VILLAGE}: {CHANGED}"]),
    "region deleted": ([f"DELETE FROM regions WHERE code = '{EMPTY_VILLAGE}'"],
                       [f"regions code={EMPTY_VILLAGE}: {DELETED}"]),
    "region inserted": ([_copy_of("regions", f"code = '{VILLAGE}'", code="'360921101299'")],
                        [f"regions code=360921101299: {INSERTED}"]),
    # entities: whose books an asset's money is in
    "entity region": ([f"UPDATE entities SET region_code = '{OTHER_VILLAGE}' WHERE code = 'V{VILLAGE}'"],
                      [f"{V_ENTITY}: {CHANGED}"]),
    "entity county": ([f"UPDATE entities SET county_code = '360922' WHERE code = 'V{VILLAGE}'"],
                      [f"{V_ENTITY}: {CHANGED}"]),
    "entity kind": ([f"UPDATE entities SET kind = 'township' WHERE code = 'V{VILLAGE}'"], [f"{V_ENTITY}: {CHANGED}"]),
    "entity inserted": ([_copy_of("entities", f"code = 'V{VILLAGE}'", code=f"'V{EMPTY_VILLAGE}'",
                                  region_code=f"'{EMPTY_VILLAGE}'")],
                        [f"entities code=V{EMPTY_VILLAGE}: {INSERTED}"]),
    # assets: every column, not only those the events replay
    "asset operator": (["UPDATE assets SET operator = '别的公司' WHERE asset_id = 'A-2'"], [f"{A2}: {CHANGED}"]),
    "asset operating mode": (["UPDATE assets SET operating_mode = 'shares' WHERE asset_id = 'A-2'"],
                             [f"{A2}: {CHANGED}"]),
    "asset contract income": (["UPDATE assets SET contract_annual_income = 99900 WHERE asset_id = 'A-2'"],
                              [f"{A2}: {CHANGED}"]),
    "asset current value": (["UPDATE assets SET current_value = current_value * 2 WHERE asset_id = 'A-1'"],
                            [f"{A1}: {CHANGED}"]),
    "asset original value": (["UPDATE assets SET original_value = 1 WHERE asset_id = 'A-1'"], [f"{A1}: {CHANGED}"]),
    "asset status": (["UPDATE assets SET status = 'in_use' WHERE asset_id = 'A-2'"], [f"{A2}: {CHANGED}"]),
    "asset owner": (["UPDATE assets SET owner_name = '某公司', owner_kind = 'enterprise' WHERE asset_id = 'B-1'"],
                    [f"{B1}: {CHANGED}"]),
    "asset custodian": (["UPDATE assets SET custodian = '李四' WHERE asset_id = 'A-1'"], [f"{A1}: {CHANGED}"]),
    "asset village": ([f"UPDATE assets SET village_code = '{OTHER_VILLAGE}' WHERE asset_id = 'A-1'"],
                      [f"{A1}: {CHANGED}"]),
    "asset township and county": (["UPDATE assets SET township_code = '360921102', county_code = '360922' "
                                   "WHERE asset_id = 'B-1'"], [f"{B1}: {CHANGED}"]),
    "asset household": (["UPDATE assets SET household_id = 'H2', household_head = '王二' WHERE asset_id = 'H-1'"],
                        [f"{H1}: {CHANGED}"]),
    "asset disposed on": (["UPDATE assets SET disposed_on = '2025-01-01' WHERE asset_id = 'A-1'"],
                          [f"{A1}: {CHANGED}"]),
    "asset deleted": (["DELETE FROM asset_funding WHERE asset_id = 'B-1'", "DELETE FROM assets WHERE asset_id = 'B-1'"],
                      [f"{B1}: {DELETED}", f"asset_funding asset_id=B-1, source=central: {DELETED}",
                       f"asset_funding asset_id=B-1, source=county: {DELETED}"]),
    "asset inserted": ([_copy_of("assets", "asset_id = 'A-1'", asset_id="'A-9'")],
                       [f"assets asset_id=A-9: {INSERTED}"]),
}  # fmt: skip


def _verified_after(db: Database, *statements: str) -> list[str]:
    """What verify finds with `statements` run out of band, in a transaction rolled back afterwards."""
    engine = create_engine(db.engine.url)
    try:
        with engine.connect() as conn:
            kept = _guards(conn)
            conn.rollback()  # the read above began a transaction
            tamper = conn.begin()
            try:
                _out_of_the_way(conn)
                for statement in statements:
                    conn.exec_driver_sql(statement)
                return [str(t) for t in (*verify_chain(conn), *verify_state(conn))]
            finally:
                tamper.rollback()
                with conn.begin():  # pysqlite commits DDL at once: the dropped guards are put back for the next case
                    for guard in kept:
                        conn.exec_driver_sql(guard.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    finally:
        engine.dispose()


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_with_a_fact_of_record_is_named(recorded: Database, case: str) -> None:
    statements, expected = CASES[case]
    assert sorted(_verified_after(recorded, *statements)) == sorted(expected)


def test_a_row_changed_together_with_its_state_seal_breaks_the_chain(recorded: Database) -> None:
    """Rewriting the seal that vouches for a row, to cover a change to it, breaks the chain at that seal."""
    with recorded.reading() as session:
        seq = session.scalar(select(func.max(ChainSeal.seq)).where(ChainSeal.table_name == "assets"))
    found = _verified_after(
        recorded,
        "UPDATE assets SET operator = '别的公司' WHERE asset_id = 'A-2'",
        f"UPDATE chain_seals SET digests = digests || digests WHERE seq = {seq}",
    )
    assert f"chain_seals id {seq}: chain broken: a seal was changed, removed or re-ordered" in found
    assert f"{A2}: {CHANGED}" in found


def test_the_untouched_record_verifies_clean(recorded: Database, tmp_path: Path) -> None:
    assert "the record verifies clean" in Cli(recorded.url, tmp_path)("audit", "verify", "--skip-bean-check").output


def test_a_tampered_row_changed_again_by_assetledger_is_still_named(run: Cli, db: Database) -> None:
    """The next legitimate change seals the row as it then is: the seal's "before" shows the tampering."""
    _record(run)
    _tamper(db, "UPDATE assets SET operator = '别的公司' WHERE asset_id = 'A-2'",
            "UPDATE households SET persons = 9 WHERE household_id = 'H1'")  # fmt: skip
    run("asset", "revitalise", "A-2", "--date", "2025-06-01", "--operator", "县农投公司", "--mode", "entrusted")
    roster = [ROSTER_HEADER, ["H1", VILLAGE, "王一", "4", "脱贫户", "", "2024-01-01", "", ""]]
    run("beneficiary", "import", str(write_csv(run.cwd / "roster-2.csv", roster)), "--date", "2025-06-01")
    found = _integrity(db)
    assert len(found) == 2, found
    assert found[0].startswith(f"{A2}: row changed outside assetledger before the change sealed by seal ")
    assert found[1].startswith(f"{HOUSEHOLD1}: row changed outside assetledger before the change sealed by seal ")
    shown = run("audit", "verify", "--skip-bean-check", ok=False)
    assert shown.exit_code == 1 and f"[integrity] {found[0]}" in shown.output and "2 finding(s)" in shown.output


def test_legitimate_changes_verify_clean_and_are_sealed(run: Cli, db: Database) -> None:
    """Every kind of writer of the current-state tables, then verify: clean, and every table has state seals."""
    _record(run)
    more = [["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"], ["示范县", "360921", "青山乡", "360921102", "白云村",
                                                              "360921102202"]]  # fmt: skip
    run("region", "import", str(write_csv(run.cwd / "more-regions.csv", more)))
    run("asset", "register", "--id", "N-1", "--name", "冷库", "--register", "operating", "--region", VILLAGE,
        "--value", "500000", "--fund", "central=300000", "--fund", "provincial=200000", "--operating-mode", "lease",
        "--operator", "冷链公司")  # fmt: skip
    run("asset", "confirm", "N-1", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date",
        "2025-01-10", "--handover-date", "2025-01-12")  # fmt: skip
    run("asset", "custodian", "N-1", "--name", "李四", "--from", "2025-01-12", "--duties", "日常巡查")
    run("asset", "status", "A-1", "damaged", "--date", "2025-02-01", "--reason", "水毁")
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "30000", "--date", "2025-06-30")
    run("asset", "revitalise", "A-2", "--date", "2025-06-01", "--operator", "县农投公司", "--mode", "entrusted")
    run("asset", "decide-dispose", "A-1", "--date", "2025-07-01", "--note", "无法修复")
    run("asset", "dispose", "A-1", "--method", "auction", "--date", "2025-07-20", "--proceeds", "90000",
        "--approval", "县〔2025〕3号", "--approved-by", "county")  # fmt: skip
    run("reinvest", "--asset", "A-2", "--amount", "5000", "--date", "2025-08-01", "--from", "restricted")
    run("reinvest", "--asset", "N-2", "--new", "--name", "新冷库", "--register", "operating", "--village", VILLAGE,
        "--value", "80000", "--date", "2025-08-02", "--from", "restricted")  # fmt: skip
    roster = [
        ROSTER_HEADER,
        ["H1", VILLAGE, "王一", "4", "脱贫户", "老年", "2024-01-01", "", ""],
        ["H3", OTHER_VILLAGE, "王三", "2", "脱贫户", "", "2025-03-01", "", ""],
    ]
    run("beneficiary", "import", str(write_csv(run.cwd / "roster-2.csv", roster)), "--date", "2025-06-01")
    run("beneficiary", "remove", "H3", "--date", "2025-09-01", "--reason", "exit")
    assert list(verify(db, "tester", bean_check=False)) == []
    with db.reading() as session:
        sealed = set(session.scalars(select(ChainSeal.table_name).where(ChainSeal.row_keys.is_not(None))))
    assert sealed == set(STATE_TABLES)


@pytest.mark.long
def test_the_demo_verifies_clean(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole demo county (imports, history, books, distributions, governance, inventory, awards)."""
    if db_url.startswith("sqlite"):
        pytest.skip("tests/cli/test_demo.py runs the demo on SQLite and asserts that it verifies clean")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--db", db_url, "demo", "--dir", "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    db = Database(db_url)
    try:
        assert list(verify(db, "tester", bean_check=False)) == []
    finally:
        db.dispose()


def test_sql_text_that_writes_a_state_table_is_refused_inside_a_sealed_transaction(run: Cli, db: Database) -> None:
    """A writer that bypassed the capture would leave rows no seal vouches for: it fails at once instead."""
    _record(run)
    with pytest.raises(UncapturedWrite), db.transaction() as session:
        session.execute(text("UPDATE assets SET operator = 'x' WHERE asset_id = 'A-2'"))
    with pytest.raises(UncapturedWrite), db.transaction() as session:
        session.connection().exec_driver_sql("DELETE FROM households WHERE household_id = 'H2'")
    assert list(verify(db, "tester", bean_check=False)) == []


def test_an_upgraded_database_seals_the_state_it_had(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Revision 0010c seals the current-state rows that existed before state seals: clean after the upgrade, and
    tampering after it is named."""
    monkeypatch.chdir(tmp_path)
    migrate.upgrade(db_url, "0010b")  # the revision before 0010c that the code of today writes to
    db = Database(db_url)
    try:
        _record(Cli(db.url, tmp_path))
        migrate.upgrade(db_url)
        assert list(verify(db, "tester", bean_check=False)) == []
        _tamper(db, "UPDATE asset_funding SET amount = amount - 1 WHERE asset_id = 'A-1' AND source = 'central'")
        assert _integrity(db) == [f"{A1_CENTRAL}: {CHANGED}"]
    finally:
        db.dispose()


def test_a_value_outside_a_closed_vocabulary_is_reported_not_a_crash(run: Cli, db: Database) -> None:
    """The register's closed vocabularies read back as their enums (store/types.EnumText); a text written around
    the product that is none of them is read back as that text, and verify names the asset, as for any change."""
    _record(run)
    _tamper(db, "UPDATE assets SET status = 'stolen', owner_kind = 'nobody' WHERE asset_id = 'A-2'")
    found = list(verify(db, "tester", bean_check=False))
    assert ("integrity", f"{A2}: {CHANGED}") in found
    assert any(check == "register" and "A-2" in what and "'stolen'" in what for check, what in found), found
    with db.reading() as session:
        asset = session.get(Asset, "A-2")
        assert asset is not None and asset.status == "stolen" and asset.owner_kind == "nobody"
