"""Issue #18, items 1 and 2: every attack on audit SQL, replayed through the CLI (`audit sql`) and the web auditor
page, on SQLite and on PostgreSQL. Each is refused (or stopped at the time limit) as a finding — never a traceback
or a 500 —, nothing changes, and a writer can post right after."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Sequence
from itertools import count
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from assetledger.domain.access import Role
from assetledger.store import audit_role
from assetledger.store.audit_role import ReaderNames
from assetledger.store.db import Database, resolve_url
from assetledger.store.integrity import WRITER_LOCK_KEY
from tests.builders import roster, user
from tests.builders.distribution import database_of
from tests.builders.states import assets_file, password
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, table_counts
from tests.web.conftest import login

OTHER_TOWNSHIP = "360921102"  # 青山乡: its own asset B-9 and household H9, and an auditor of its own, zhao
CREDENTIAL = re.compile(r"\$argon2")
_amounts = count(101)


@pytest.fixture
def county2(county: Cli) -> Cli:
    """The built state `county2` (tests/conftest.py), in the test's own database: see `build_county2`."""
    return county


def build_county2(county: Cli) -> None:
    """The web tests' county plus a second township with an asset, a household and a township auditor, built through
    the services on the database of `county`."""
    db = database_of(county)
    asset = asset_row("B-9", 资产名称="青山乡水窖", 乡镇="青山乡", 确权主体="青山乡红旗村股份经济合作社")
    assets_file(db, "qingshan.csv", [ASSET_HEADER, asset], actor="zhang")
    households = [["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"],
                  ["H9", f"{OTHER_TOWNSHIP}201", "赵九", "4", "脱贫户", "患病", "2024-01-01", "", ""]]  # fmt: skip
    roster(db, households, actor="zhang")
    user(db, "zhao", Role.AUDITOR, OTHER_TOWNSHIP, actor="zhang")
    password(db, "zhao", "another good passphrase", actor="zhang")


@pytest.fixture
def postgres_only(db_url: str) -> None:
    """Skips the SQLite run of a test about PostgreSQL roles before its county is built."""
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL roles")


def cli_sql(run: Cli, query: str, *options: str, user: str = "wang") -> Result:
    return run("audit", "sql", query, "--format", "json", *options, user=user, ok=False)


def web_sql(client: FlaskClient, token: str, query: str) -> tuple[int, str]:
    response = client.post("/audit/", data={"kind": "sql", "csrf_token": token, "query": query})
    return response.status_code, response.get_data(as_text=True)


class Record:
    """The row counts of every table of record, to show that the attacks changed nothing."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.counts = table_counts(db)

    def unchanged(self) -> None:
        assert table_counts(self.db) == self.counts


def writer_posts(run: Cli, record: Record) -> None:
    """Nothing changed, and the writers are not stopped: no advisory lock is left behind and a posting goes through
    at once (it is the only change: the counts are taken again after it)."""
    record.unchanged()
    if not record.db.is_sqlite:
        with record.db.engine.connect() as conn:
            held = conn.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                                    "(SELECT oid FROM pg_database WHERE datname = current_database())"))  # fmt: skip
        assert held == 0, "an advisory lock outlived the audit query"
    amount = str(next(_amounts))
    run("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", amount, "--date", "2025-03-01",
        user="zhang")  # fmt: skip
    record.counts = table_counts(record.db)


def assert_refused(result: Result, status: int, page: str, words: Sequence[str]) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not CREDENTIAL.search(result.output)
    assert status == 422, page
    assert not CREDENTIAL.search(page)
    for word in words:
        assert word in result.output and word in page


@pytest.fixture
def wang(app: Flask) -> tuple[FlaskClient, str]:
    return login(app, "wang")


@pytest.fixture
def record(county2: Cli, db: Database) -> Iterator[Record]:
    """Every table of record has the same rows after the attacks of a test as before them."""
    kept = Record(db)
    yield kept
    kept.unchanged()


READS_OUTSIDE_THE_VIEWS = [
    "SELECT name, password_hash FROM user_passwords",
    "SELECT count(*) FROM user_passwords",
    "SELECT name, role, scope FROM user_grants",
    "SELECT county_code, count(*) FROM assets GROUP BY 1",
    "SELECT * FROM households",
    "SELECT name FROM v_assets UNION ALL SELECT password_hash FROM user_passwords",
    "SELECT asset_id FROM v_assets WHERE EXISTS (SELECT 1 FROM user_passwords)",
    # a CTE named like a view is not the view
    "WITH v_assets AS (SELECT name, password_hash FROM user_passwords) SELECT * FROM v_assets",
    "WITH v_households AS (SELECT * FROM households) SELECT head FROM v_households",
]


def test_base_tables_and_credentials_are_out_of_reach(
    county2: Cli, wang: tuple[FlaskClient, str], record: Record
) -> None:
    for query in READS_OUTSIDE_THE_VIEWS:
        result = cli_sql(county2, query)
        status, page = web_sql(*wang, query)
        assert_refused(result, status, page, ["拒绝：只能读取审计视图"])
        assert "赵九" not in result.output and "赵九" not in page
        writer_posts(county2, record)


def test_a_township_auditor_sees_its_township_only(county2: Cli, db: Database, app: Flask, record: Record) -> None:
    def rows(query: str) -> list[dict[str, object]]:
        result = cli_sql(county2, query, user="zhao")
        assert result.exit_code == 0, result.output
        found: list[dict[str, object]] = json.loads(result.stdout)
        return found

    mine = [{"asset_id": "B-9", "township_code": OTHER_TOWNSHIP}]
    assert rows("SELECT asset_id, township_code FROM v_assets") == mine
    assert rows("SELECT household_id, head FROM v_households") == [{"household_id": "H9", "head": "赵九"}]
    assert {r["entity_code"] for r in rows("SELECT DISTINCT entity_code FROM v_postings")} == {f"V{OTHER_TOWNSHIP}201"}
    assert {r["code"] for r in rows("SELECT code FROM v_regions")} == {OTHER_TOWNSHIP, f"{OTHER_TOWNSHIP}201"}
    # what a notice shows, not why a household is poor or why it left
    assert set(rows("SELECT * FROM v_households")[0]) == {
        "household_id", "village_code", "head", "category", "persons", "joined_on", "left_on"
    }  # fmt: skip
    # An expression that fails on some value never gets to see the rows of other regions (no error oracle):
    # 光伏电站 is in the other township.
    fails = "abs(-9223372036854775807 - 1)" if db.is_sqlite else "CAST(name AS integer)"
    assert rows(f"SELECT asset_id FROM v_assets WHERE CASE WHEN name = '光伏电站' THEN {fails} ELSE 0 END = 0") == [
        {"asset_id": "B-9"}
    ]
    zhao, token = login(app, "zhao", "another good passphrase")
    status, page = web_sql(zhao, token, "SELECT asset_id, name FROM v_assets ORDER BY asset_id")
    assert status == 200 and "B-9" in page and "1 行" in page and "光伏电站" not in page


FILES_AND_EXTENSIONS = {
    "sqlite": [
        "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')",
        "SELECT readfile('/etc/passwd')",
        "SELECT * FROM pragma_table_info('user_passwords')",
        "SELECT name, sql FROM sqlite_master",
        "SELECT count(*) FROM sqlite_master",
        "WITH t AS (SELECT 1) SELECT * FROM pragma_database_list",
        "SELECT zeroblob(1000000000)",
    ],
    "postgresql": [
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT pg_ls_dir('.')",
        "SELECT lo_import('/etc/passwd')",
        "SELECT query_to_xml('SELECT name, password_hash FROM user_passwords', true, true, '')",
        "SELECT * FROM reader_login",
        "SELECT * FROM reader_scopes",
        "SELECT rolpassword FROM pg_authid",
    ],
}


def test_files_extensions_and_internals_are_refused(
    county2: Cli, db: Database, wang: tuple[FlaskClient, str], record: Record
) -> None:
    for query in FILES_AND_EXTENSIONS["sqlite" if db.is_sqlite else "postgresql"]:
        result = cli_sql(county2, query)
        status, page = web_sql(*wang, query)
        assert_refused(result, status, page, ["拒绝"])
        assert "root:" not in result.output and "root:" not in page
    writer_posts(county2, record)


def test_postgresql_sessions_cannot_become_anyone_else(
    postgres_only: None, county2: Cli, db: Database, record: Record
) -> None:
    with db.engine.connect() as conn:
        names = ReaderNames.current(conn)
    who = json.loads(cli_sql(county2, "SELECT session_user AS s, current_user AS c").stdout)
    assert who == [{"s": names.role, "c": names.role}]
    superuser = json.loads(cli_sql(county2, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").stdout)
    assert superuser == [{"rolsuper": False}]
    for query in [
        "SELECT set_config('role', 'postgres', false)",
        "SELECT set_config('session_authorization', 'postgres', false)",
        "SELECT set_config('role', 'postgres', true), query_to_xml('SELECT * FROM user_passwords', true, true, '')",
        "SELECT set_config('transaction_read_only', 'off', true), 1",
        "WITH x AS (INSERT INTO reader_scopes VALUES (pg_backend_pid(), now(), '*') RETURNING 1) SELECT * FROM x",
    ]:
        result = cli_sql(county2, query, user="zhao")
        assert result.exit_code == 2, (query, result.output)
    # the scope did not widen: the township auditor still sees its township only
    assert json.loads(cli_sql(county2, "SELECT count(*) AS n FROM v_assets", user="zhao").stdout) == [{"n": 1}]


def test_postgresql_role_has_the_views_and_nothing_else(postgres_only: None, county2: Cli, db: Database) -> None:
    with db.engine.connect() as conn:
        names = ReaderNames.current(conn)
        tables = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).all()
        may_read = text("SELECT has_table_privilege(:r, :t, 'SELECT')")
        readable = [t for t in tables if conn.scalar(may_read, {"r": names.role, "t": f'"{names.base_schema}"."{t}"'})]
        assert tables and readable == []
        role = conn.execute(text("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
                                 "WHERE rolname = :r"), {"r": names.role}).one()  # fmt: skip
        assert tuple(role) == (False, False, False, False)
        settings = conn.scalar(text("SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                                    "WHERE r.rolname = :r"), {"r": names.role})  # fmt: skip
        assert "default_transaction_read_only=on" in settings and "statement_timeout=10s" in settings
        assert "temp_file_limit=1GB" in settings  # the tests' PostgreSQL user is a superuser
        # a DBA gives the role more than it may have: audit SQL refuses to run until `db upgrade` puts it right
        conn.execute(text(f'GRANT pg_read_server_files TO "{names.role}"'))
        conn.commit()
    refused = cli_sql(county2, "SELECT count(*) FROM v_assets")
    assert refused.exit_code == 2 and "more rights" in refused.output
    county2("db", "upgrade")
    assert json.loads(cli_sql(county2, "SELECT count(*) AS n FROM v_assets").stdout) == [{"n": 4}]


LOCKS = [
    f"SELECT pg_advisory_lock({WRITER_LOCK_KEY})",
    f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})",
    f"SELECT pg_try_advisory_lock({WRITER_LOCK_KEY})",
    f"SELECT pg_advisory_lock_shared({WRITER_LOCK_KEY}), count(*) FROM v_postings",
]


def test_an_auditor_cannot_hold_the_writer_lock(county2: Cli, wang: tuple[FlaskClient, str], record: Record) -> None:
    for query in LOCKS:
        result = cli_sql(county2, query)
        writer_posts(county2, record)
        status, page = web_sql(*wang, query)
        writer_posts(county2, record)
        assert_refused(result, status, page, ["拒绝"])
        if not record.db.is_sqlite:
            assert "审计查询不得加锁" in result.output and "审计查询不得加锁" in page


RUNAWAY = {
    "sqlite": [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM v_postings a, v_postings b, v_postings c, n",
    ],
    "postgresql": [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM v_postings a, v_postings b, v_postings c, n",
        "SELECT pg_sleep(3600)",
        "SELECT set_config('statement_timeout', '0', false), pg_sleep(3600)",
    ],
}


def test_a_runaway_query_is_stopped_at_the_time_limit(county2: Cli, db: Database, app: Flask, record: Record) -> None:
    app.config["AUDIT_TIME_LIMIT"] = 0.25  # the queries never end: any limit stops them, a short one soonest
    client, token = login(app, "wang")
    for query in RUNAWAY["sqlite" if db.is_sqlite else "postgresql"]:
        result = cli_sql(county2, query, "--time-limit", "0.25")
        status, page = web_sql(client, token, query)
        assert_refused(result, status, page, ["超过时间限制，已停止"])
        writer_posts(county2, record)


def test_the_row_limit_is_stated(county2: Cli, app: Flask) -> None:
    many = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) SELECT i FROM n"
    client, token = login(app, "wang")
    status, page = web_sql(client, token, many)
    assert status == 200 and "前 2,000 行，共 2,500 行" in page
    assert page.count("<tr><td") == 2000  # the result's rows (numbers are cells of class "n")
    english = client.post("/audit/?lang=en", data={"kind": "sql", "csrf_token": token, "query": many})
    assert "first 2,000 of 2,500 rows" in english.get_data(as_text=True)
    result = cli_sql(county2, many, "--max-rows", "100")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 100
    assert "前 100 行，共 2,500 行 (first 100 of 2,500 rows)" in result.stderr
    whole = cli_sql(county2, many)
    assert len(json.loads(whole.stdout)) == 2500 and whole.stderr == ""
    # an endless result: the first rows come back, and counting the rest stops at the time limit
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n"
    result = cli_sql(county2, endless, "--max-rows", "5", "--time-limit", "1")
    assert result.exit_code == 0, result.output
    assert [r["i"] for r in json.loads(result.stdout)] == [1, 2, 3, 4, 5]
    assert "前 5 行，共超过" in result.stderr and "more than" in result.stderr


NOT_ONE_SELECT = [
    "DELETE FROM assets",
    "SELECT 1; DELETE FROM assets",
    "WITH x AS (SELECT 1) INSERT INTO regions SELECT * FROM regions",
    "/* SELECT */ UPDATE assets SET name = 'x'",
]


def test_anything_but_one_select_is_refused(county2: Cli, wang: tuple[FlaskClient, str], record: Record) -> None:
    for query in NOT_ONE_SELECT:
        result = cli_sql(county2, query)
        status, _ = web_sql(*wang, query)
        assert result.exit_code == 2 and status == 422, query
        assert "Traceback" not in result.output
        writer_posts(county2, record)


def test_the_auditors_legitimate_work_is_kept(county2: Cli, db: Database, app: Flask) -> None:
    documented = "SELECT register, count(*) AS n, sum(original_value_fen) AS fen FROM v_assets GROUP BY register"
    rows = json.loads(cli_sql(county2, documented).stdout)
    assert {r["register"]: (r["n"], int(r["fen"])) for r in rows} == {
        "operating": (2, 20000000), "public_benefit": (2, 20000000)
    }  # fmt: skip
    for view in (
        "v_postings",
        "v_events",
        "v_distributions",
        "v_payouts",
        "v_entities",
        "v_accounts",
        "v_regions",
        "v_asset_households",
        "v_notice_publications",
        "v_asset_acceptances",
        "v_contracts",
        "v_disposals",
        "v_inventories",
        "v_inventory_counts",
        "v_inventory_write_offs",
        "v_maintenance_applications",
        "v_custodian_assignments",
        "v_user_grants",
    ):
        assert cli_sql(county2, f"SELECT * FROM {view}").exit_code == 0, view
    plain_sql = (
        "SELECT asset_id, row_number() OVER (ORDER BY asset_id) AS n, substr(name, 1, 2) AS short, "
        "round(original_value_fen / 100.0, 2) AS yuan, coalesce(custodian, '') AS c, upper(register) AS r, "
        "CASE WHEN name LIKE '%电站' THEN 1 ELSE 0 END AS pv, CAST(build_year AS text) AS built FROM v_assets "
        "WHERE asset_id IN (SELECT asset_id FROM v_events) ORDER BY asset_id"
    )
    plain = json.loads(cli_sql(county2, plain_sql).stdout)
    expected = [("A-1", 1, 1), ("A-2", 2, 0), ("B-1", 3, 0), ("B-9", 4, 0)]
    assert [(r["asset_id"], r["n"], r["pv"]) for r in plain] == expected
    books = json.loads(cli_sql(county2, "SELECT sum(amount_fen) AS zero FROM v_postings").stdout)
    assert int(books[0]["zero"]) == 0  # every entry balances, to the fen
    with_literal = cli_sql(county2, "SELECT count(*) AS n FROM v_assets WHERE name LIKE '%电站;%' OR name = 'a;b';")
    assert json.loads(with_literal.stdout) == [{"n": 0}]
    client, token = login(app, "wang")
    status, page = web_sql(client, token, "SELECT a.asset_id, e.name FROM v_assets a "
                                          "JOIN v_entities e ON e.region_code = a.village_code ORDER BY 1")  # fmt: skip
    assert status == 200 and "4 行" in page and "B-9" in page
    bql = client.post("/audit/", data={"kind": "bql", "entity": "V360921101201", "csrf_token": token,
                                       "query": "SELECT account, sum(position) GROUP BY account"})  # fmt: skip
    assert bql.status_code == 200 and "Assets:FixedAssets" in bql.get_data(as_text=True)
    assert client.get("/audit/package").status_code == 200
    if not db.is_sqlite:
        county2("db", "upgrade")  # kept by db upgrade, again and again
        assert json.loads(cli_sql(county2, documented).stdout) == rows


def test_postgresql_without_createrole(postgres_only: None, db_url: str, tmp_path: Path) -> None:
    """`db upgrade` by a table owner that may not manage roles: the schema is upgraded, the operator is told, and
    audit SQL is refused (it never falls back to a privileged connection) until a DBA makes the role."""
    tag = uuid.uuid4().hex[:10]
    owner, schema = f"owner_{tag}", f"o_{tag}"
    admin = create_engine(resolve_url(db_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN NOCREATEROLE NOSUPERUSER"))
        conn.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}"))
        database = str(conn.scalar(text("SELECT current_database()")))
        conn.execute(text(f'GRANT CREATE ON DATABASE "{database}" TO {owner}'))  # as a database's owner has
        names = ReaderNames.of(database, schema)
    url = make_url(resolve_url(db_url)).set(username=owner, query={"options": f"-csearch_path={schema}"})
    run = Cli(url.render_as_string(hide_password=False), tmp_path)
    try:
        upgraded = run("db", "upgrade")
        assert f"the auditor role {names.role} was not created" in upgraded.stderr
        missing = cli_sql(run, "SELECT count(*) FROM v_regions")
        assert missing.exit_code == 2 and "is missing" in missing.output
        # what a DBA does instead (README, Security model): make the role, store its password for the application
        with admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {names.role} LOGIN NOINHERIT PASSWORD 'a-dba-chose-this'"))
        run("db", "upgrade")  # grants the views to the role
        with create_engine(url).begin() as conn:
            conn.execute(text(f"INSERT INTO {names.schema}.reader_login VALUES (:r, 'a-dba-chose-this')"),
                         {"r": names.role})  # fmt: skip
        assert json.loads(cli_sql(run, "SELECT count(*) AS n FROM v_regions").stdout) == [{"n": 0}]
        refused = cli_sql(run, "SELECT count(*) FROM regions")
        assert refused.exit_code == 2 and "拒绝" in refused.output
    finally:
        with admin.connect() as conn:
            audit_role.drop(conn, schema)
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            conn.execute(text(f"DROP OWNED BY {owner}"))
            conn.execute(text(f"DROP ROLE {owner}"))
        admin.dispose()
