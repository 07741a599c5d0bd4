"""Roles and scopes, the audit trail and queries, tamper detection by `audit verify`, the export package."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from assetledger.store.audit_role import ReaderNames
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, drop_append_only_guards, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER

RULE = Path(__file__).parents[2] / "ledgers" / "rules" / "example-village-rule.toml"
VILLAGE, OTHER_VILLAGE, COUNTY = "360921101201", "360921101202", "360921"


def _setup(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, asset_row("A-1"), asset_row("A-2", 资产类别="经营性", 经营方式="出租", 经营主体="公司"),
            asset_row("B-1", 村="向阳村")]  # fmt: off
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    run("user", "add", "zhang", "--role", "finance", "--scope", COUNTY, user="setup")
    run("user", "add", "li", "--role", "village-accountant", "--scope", VILLAGE, user="zhang")
    run("user", "add", "wang", "--role", "auditor", "--scope", COUNTY, user="zhang")
    run("user", "add", "zhao", "--role", "inventory", "--scope", COUNTY, user="zhang")


WRITES = [
    ["region", "import", "regions.csv"],
    ["asset", "import", "more.csv"],
    ["asset", "register", "--id", "N-1", "--name", "路", "--register", "public_benefit", "--region", VILLAGE,
     "--value", "10"],
    ["asset", "confirm", "A-1", "--owner", "x", "--owner-kind", "village", "--date", "2025-01-01"],
    ["asset", "handover", "A-2", "--date", "2025-01-01"],
    ["asset", "custodian", "A-1", "--name", "x", "--from", "2025-01-01"],
    ["asset", "status", "A-1", "idle", "--date", "2025-01-01"],
    ["asset", "revitalise", "A-2", "--date", "2025-01-01"],
    ["asset", "decide-dispose", "A-2", "--date", "2025-01-01"],
    ["asset", "dispose", "A-2", "--method", "scrap", "--date", "2026-01-01", "--approval", "x", "--approved-by",
     "county"],
    ["ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-01-01"],
    ["ledger", "import-entries", "entries.csv"],
    ["ledger", "close", "--entity", f"V{VILLAGE}", "--through", "2024-12-31"],
    ["ledger", "reverse", "1", "--reason", "x"],
    ["beneficiary", "import", "roster.csv"],
    ["beneficiary", "add", "--id", "H9", "--village", VILLAGE, "--head", "x", "--persons", "1", "--category", "脱贫户",
     "--joined", "2025-01-01"],
    ["distribute", "rule", "add", str(RULE)],
    ["reinvest", "--asset", "A-2", "--amount", "1", "--date", "2025-01-01"],
    ["maintenance", "contribute", "--county", COUNTY, "--amount", "1", "--date", "2025-01-01"],
    ["maintenance", "apply", "A-1", "--amount", "1", "--reason", "x", "--date", "2025-01-01"],
    ["user", "add", "eve", "--role", "finance", "--scope", COUNTY],
]  # fmt: skip


@pytest.mark.parametrize("command", WRITES, ids=lambda c: " ".join(c[:2]))
def test_auditor_writes_nothing(run: Cli, db: Database, command: list[str]) -> None:
    _setup(run)
    write_csv(run.cwd / "more.csv", [ASSET_HEADER, asset_row("M-1")])
    write_csv(run.cwd / "entries.csv", [ENTRY_HEADER, ["2025-01-31", "A-2", "收入", "租金", "1", "", ""]])
    write_csv(run.cwd / "roster.csv", [["户编号", "村", "户主", "人口", "类别", "纳入日期"],
                                       ["H1", VILLAGE, "王", "1", "脱贫户", "2024-01-01"]])  # fmt: off
    before = table_counts(db)
    result = run(*command, user="wang", ok=False)
    assert result.exit_code == 6, result.output
    assert "wang" in result.output
    assert table_counts(db) == before


def test_village_accountant_only_in_own_village(run: Cli, db: Database) -> None:
    _setup(run)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", "2025-03-01", user="li")
    other = run("ledger", "post", "--asset", "B-1", "--expense", "maintenance", "--amount", "1", "--date",
                "2025-03-01", user="li", ok=False)  # fmt: off
    assert other.exit_code == 6 and "may not act on 向阳村" in other.output and OTHER_VILLAGE not in other.output
    register = run("asset", "status", "A-1", "idle", user="li", ok=False)
    said = "li（村会计）无权办理台账 (li (village accountant) may not change the registers)"
    assert register.exit_code == 6 and said in register.output
    stranger = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-03-02",
                   user="nobody", ok=False)  # fmt: off
    assert stranger.exit_code == 6 and "not known" in stranger.output
    # a rule already in force is recorded after the fact (补录): the county's, not the village's own
    late = run("distribute", "rule", "add", str(RULE), user="li", ok=False)
    assert late.exit_code == 6 and "补录" in late.output
    run("distribute", "rule", "add", str(RULE), user="zhang")
    run("user", "revoke", "li", user="zhang")
    revoked = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-03-03",
                  user="li", ok=False)  # fmt: off
    assert revoked.exit_code == 6
    users = {u["name"]: u for u in json.loads(run("user", "list", "--format", "json", user="zhang").output)}
    assert users["li"]["revoked"] is True and users["zhang"]["scope"] == COUNTY


def test_trail_query_and_read_only_sql(run: Cli) -> None:
    _setup(run)
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", "2025-03-01", user="li")
    run("asset", "status", "A-2", "idle", "--date", "2025-04-01", user="zhang")
    items = json.loads(run("audit", "trail", "A-2", "--format", "json", user="wang").output)
    assert [(i["area"], i["what"]) for i in items] == [
        ("register", "registered"), ("books", "opening"), ("books", "revenue"), ("register", "status_changed")
    ]  # fmt: skip
    rows = json.loads(run("audit", "sql", "SELECT asset_id, original_value_fen FROM v_assets ORDER BY asset_id",
                          "--format", "json", user="wang").output)  # fmt: off
    assert rows[0] == {"asset_id": "A-1", "original_value_fen": 10000000}
    refused = run("audit", "sql", "DELETE FROM assets", user="wang", ok=False)
    assert refused.exit_code == 2
    sneaky = run("audit", "sql", "WITH x AS (SELECT 1) INSERT INTO regions SELECT * FROM regions", user="wang",
                 ok=False)  # fmt: off
    assert sneaky.exit_code != 0
    bql = json.loads(run("audit", "query", "--entity", f"V{VILLAGE}", "--format", "json",
                         "SELECT sum(number) AS n WHERE account ~ '^Income'", user="wang").output)  # fmt: off
    assert bql[0]["n"] == "-100.00"


@pytest.mark.parametrize(
    ("table", "statement", "expected"),
    [
        ("postings", "UPDATE postings SET amount = amount + 1 WHERE id = 3", "postings id 3: row changed"),
        ("postings", "DELETE FROM postings WHERE id = 4", "postings id 4: row deleted"),
        ("asset_events", "UPDATE asset_events SET id = 999 WHERE id = 2", "asset_events id 2: row deleted"),
        ("asset_events", "UPDATE asset_events SET event_date = '2020-01-01' WHERE id = 4",
         "asset_events id 4: row changed"),
        ("assets", "UPDATE assets SET name = '别的名字' WHERE asset_id = 'A-1'", "A-1: name is '别的名字'"),
        ("chain_seals", "UPDATE chain_seals SET digests = digests || digests WHERE seq = 2", "chain broken"),
    ],
)  # fmt: skip
def test_verify_finds_tampering(run: Cli, db: Database, table: str, statement: str, expected: str) -> None:
    _setup(run)
    run("asset", "status", "A-1", "idle", "--date", "2025-04-01", user="zhang")
    run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", "2025-03-01", user="li")
    clean = run("audit", "verify", "--skip-bean-check", user="wang")
    assert "verifies clean" in clean.output
    if table != "assets":
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    found = run("audit", "verify", "--skip-bean-check", user="wang", ok=False)
    assert found.exit_code == 1
    assert expected in found.output, found.output


def test_export_package_with_manifest(run: Cli, tmp_path: Path) -> None:
    _setup(run)
    run("audit", "export", "--scope", COUNTY, "--out", str(tmp_path / "pkg"), user="wang")
    manifest = json.loads((tmp_path / "pkg" / "manifest.json").read_text(encoding="utf-8"))
    expected = {
        f"ledgers/V{VILLAGE}.beancount",
        f"ledgers/V{OTHER_VILLAGE}.beancount",
        "registers.xlsx",
        "events.jsonl",
        "asset_households.jsonl",  # the acts of record beside the registers, empty here but always there
        "notice_publications.jsonl",
        "asset_acceptances.jsonl",
        "notice_objections.jsonl",
        "notice_objection_decisions.jsonl",
        "contracts.jsonl",
        "disposals.jsonl",
        "inventories.jsonl",
        "inventory_counts.jsonl",
        "inventory_write_offs.jsonl",
        "maintenance_applications.jsonl",
        "custodian_assignments.jsonl",
        "user_grants.jsonl",
    }
    assert set(manifest["files"]) == expected
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / "pkg" / name).read_bytes()).hexdigest() == digest
    head = manifest["chain_head"]["hash"]
    assert "verifies clean" in run("audit", "verify", "--expect-head", head, user="wang").output
    outside = run("audit", "export", "--scope", "360921102", "--out", str(tmp_path / "x"), user="li", ok=False)
    assert outside.exit_code == 6


def test_postgres_auditor_role_is_read_only(run: Cli, db: Database) -> None:
    """The database role for auditors that `db upgrade` keeps (README, Security model), logged in from elsewhere
    (say psql): it reads the audit views only, sees none of their rows (no scope was granted to its connection by
    the application), and changes nothing."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL roles")
    _setup(run)
    with db.engine.connect() as conn:
        names = ReaderNames.current(conn)
        password = conn.scalar(text(f'SELECT password FROM "{names.schema}".reader_login'))
    auditor = create_engine(make_url(db.url).set(username=names.role, password=password, query={}))
    base = f'"{names.base_schema}"'
    try:
        with auditor.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM v_assets")).scalar() == 0
        for statement in [f"SELECT count(*) FROM {base}.assets", f"SELECT password_hash FROM {base}.user_passwords"]:
            with pytest.raises(DBAPIError, match="permission denied"), auditor.connect() as conn:
                conn.execute(text(statement))
        with pytest.raises(DBAPIError), auditor.begin() as conn:
            conn.execute(text(f"INSERT INTO {base}.import_batches (kind, source_name, checksum, row_count, actor, "
                              "recorded_at) VALUES ('x', 'x', 'x', 0, 'x', now())"))  # fmt: off
    finally:
        auditor.dispose()
    assert json.loads(run("audit", "sql", "SELECT count(*) AS n FROM v_assets", "--format", "json",
                          user="wang").output) == [{"n": 3}]  # fmt: off


def test_an_asset_registered_idle_verifies_clean(run: Cli, db: Database) -> None:
    """A register file may bring assets in as idle (资产状态 闲置): the registration event says so, and verify agrees
    with the register; a later out-of-band status edit is still caught."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [[*ASSET_HEADER, "资产状态"], [*asset_row("I-1"), "闲置"], [*asset_row("I-2"), ""]]
    run("asset", "import", str(write_csv(run.cwd / "idle.csv", rows)))
    shown = json.loads(run("asset", "show", "I-1", "--format", "json").output)
    assert shown["asset"]["status"] == "idle"
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check").output
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE assets SET status = 'in_use' WHERE asset_id = 'I-1'")
    found = run("audit", "verify", "--skip-bean-check", ok=False)
    assert "asset I-1: status is 'in_use' but its events say 'idle'" in found.output, found.output
