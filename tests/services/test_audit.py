"""Roles and scopes, the audit trail and queries, tamper detection by `audit verify`, the export package."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from assetledger.domain.access import Role
from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.assets import AssetDraft, Custody, Handover, Ownership
from assetledger.domain.booking import AssetPosting
from assetledger.domain.enums import AssetStatus, OwnerKind, Register
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import InputError, PermissionDenied
from assetledger.io.household_rows import CATEGORIES, HouseholdRow
from assetledger.io.tabular import read_table
from assetledger.services import maintenance
from assetledger.services.asset_queries import show_asset
from assetledger.services.assets import (
    assign_custodian,
    change_status,
    confirm_ownership,
    import_assets,
    record_handover,
    register_asset,
)
from assetledger.services.audit import chain_contains, export_package, trail, verify
from assetledger.services.audit_sql import read_only_sql
from assetledger.services.beneficiaries import add_household, import_roster
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.distribution import register_rule
from assetledger.services.governance import Revitalisation, decide_disposal, revitalise
from assetledger.services.journal import close_period, import_entries, post_for_asset, reverse
from assetledger.services.ledger_files import query_entity
from assetledger.services.regions import import_regions
from assetledger.services.reinvest import reinvest_existing
from assetledger.services.users import grant, list_users, revoke
from assetledger.store.audit_role import ReaderNames
from assetledger.store.db import Database
from tests.builders import assets, regions, user
from tests.builders.audit import post, status
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, drop_append_only_guards, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER

RULE = Path(__file__).parents[2] / "ledgers" / "rules" / "example-village-rule.toml"
VILLAGE, OTHER_VILLAGE, COUNTY = "360921101201", "360921101202", "360921"
ON = dt.date(2025, 1, 1)


def _setup(db: Database) -> None:
    """红旗村's A-1 and A-2 (operating, leased) and 向阳村's B-1; zhang of the county's finance bureau, li the
    village accountant of 红旗村, wang the county's auditor, zhao its inventory group."""
    regions(db)
    leased = asset_row("A-2", 资产类别="经营性", 经营方式="出租", 经营主体="公司")
    rows: list[Sequence[object]] = [ASSET_HEADER, asset_row("A-1"), leased, asset_row("B-1", 村="向阳村")]
    assets(db, rows)
    user(db, "zhang", Role.FINANCE, COUNTY, actor="setup")
    user(db, "li", Role.VILLAGE_ACCOUNTANT, VILLAGE, actor="zhang")
    user(db, "wang", Role.AUDITOR, COUNTY, actor="zhang")
    user(db, "zhao", Role.INVENTORY, COUNTY, actor="zhang")


# Each write as its command calls its service, as the auditor wang; `folder` holds the files the commands read.
WRITES: dict[str, Callable[[Database, Path], object]] = {
    "region import": lambda db, folder: import_regions(db, read_table(folder / "regions.csv"), "wang"),
    "asset import": lambda db, folder: import_assets(db, folder / "more.csv", "wang"),
    "asset register": lambda db, _: register_asset(
        db, AssetDraft("N-1", "路", Register.PUBLIC_BENEFIT, VILLAGE, Decimal("10")), "wang"
    ),
    "asset confirm": lambda db, _: confirm_ownership(db, "A-1", Ownership("x", OwnerKind.VILLAGE, ON), "wang"),
    "asset handover": lambda db, _: record_handover(db, "A-2", Handover(ON), "wang"),
    "asset custodian": lambda db, _: assign_custodian(db, "A-1", Custody("x", ON), "wang"),
    "asset status": lambda db, _: change_status(db, "A-1", AssetStatus.IDLE, ON, "wang"),
    "asset revitalise": lambda db, _: revitalise(db, "A-2", Revitalisation(None, None, ON, None), "wang"),
    "asset decide-dispose": lambda db, _: decide_disposal(db, "A-2", ON, None, "wang"),
    "asset dispose": lambda db, _: dispose(
        db,
        DisposalRequest("A-2", DisposalMethod.SCRAP, dt.date(2026, 1, 1), Decimal("0"), "x", ApprovalLevel.COUNTY),
        "wang",
    ),
    "ledger post": lambda db, _: post_for_asset(db, AssetPosting("A-2", ON, "revenue", "rent", Decimal("1")), "wang"),
    "ledger import-entries": lambda db, folder: import_entries(db, folder / "entries.csv", "wang"),
    "ledger close": lambda db, _: close_period(db, f"V{VILLAGE}", dt.date(2024, 12, 31), "wang"),
    "ledger reverse": lambda db, _: reverse(db, 1, "x", "wang"),
    "beneficiary import": lambda db, folder: import_roster(db, folder / "roster.csv", "wang"),
    "beneficiary add": lambda db, _: add_household(
        db, HouseholdRow("H9", VILLAGE, "x", 1, CATEGORIES["脱贫户"], (), ON, None, None), VILLAGE, "wang"
    ),
    "distribute rule": lambda db, _: register_rule(db, RULE, "wang"),
    "reinvest --asset": lambda db, _: reinvest_existing(db, "A-2", Decimal("1"), ON, "reserve", "wang"),
    "maintenance contribute": lambda db, _: maintenance.contribute(db, COUNTY, Decimal("1"), ON, "wang"),
    "maintenance apply": lambda db, _: maintenance.apply(db, "A-1", Decimal("1"), "x", ON, "wang"),
    "user add": lambda db, _: grant(db, "eve", Role.FINANCE, COUNTY, "wang"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_auditor_writes_nothing(db: Database, tmp_path: Path, write: Callable[[Database, Path], object]) -> None:
    _setup(db)
    write_csv(tmp_path / "regions.csv", REGIONS)
    write_csv(tmp_path / "more.csv", [ASSET_HEADER, asset_row("M-1")])
    write_csv(tmp_path / "entries.csv", [ENTRY_HEADER, ["2025-01-31", "A-2", "收入", "租金", "1", "", ""]])
    write_csv(tmp_path / "roster.csv", [["户编号", "村", "户主", "人口", "类别", "纳入日期"],
                                        ["H1", VILLAGE, "王", "1", "脱贫户", "2024-01-01"]])  # fmt: off
    before = table_counts(db)
    with pytest.raises(PermissionDenied) as refused:
        write(db, tmp_path)
    assert refused.value.exit_code == 6
    assert "wang" in str(refused.value)
    assert table_counts(db) == before


def test_village_accountant_only_in_own_village(db: Database) -> None:
    _setup(db)
    post_for_asset(db, AssetPosting("A-2", dt.date(2025, 3, 1), "revenue", "rent", Decimal("100")), "li")
    maintenance_b1 = AssetPosting("B-1", dt.date(2025, 3, 1), "expense", "maintenance", Decimal("1"))
    with pytest.raises(PermissionDenied) as other:
        post_for_asset(db, maintenance_b1, "li")
    assert "may not act on 向阳村" in str(other.value) and OTHER_VILLAGE not in str(other.value)
    with pytest.raises(PermissionDenied) as register:
        change_status(db, "A-1", AssetStatus.IDLE, ON, "li")
    assert "li（村会计）无权办理台账 (li (village accountant) may not change the registers)" in str(register.value)
    with pytest.raises(PermissionDenied, match="not known"):
        post_for_asset(db, AssetPosting("A-2", dt.date(2025, 3, 2), "revenue", "rent", Decimal("1")), "nobody")
    # a rule already in force is recorded after the fact (补录): the county's, not the village's own
    with pytest.raises(PermissionDenied, match="补录"):
        register_rule(db, RULE, "li")
    register_rule(db, RULE, "zhang")
    revoke(db, "li", "zhang")
    with pytest.raises(PermissionDenied):
        post_for_asset(db, AssetPosting("A-2", dt.date(2025, 3, 3), "revenue", "rent", Decimal("1")), "li")
    users = {u.name: u for u in list_users(db, "zhang")}
    assert users["li"].revoked is True and users["zhang"].scope == COUNTY


def test_trail_query_and_read_only_sql(db: Database) -> None:
    _setup(db)
    post(db, "A-2", "100", "2025-03-01", actor="li")
    status(db, "A-2", AssetStatus.IDLE, "2025-04-01", actor="zhang")
    assert [(i.area, i.what) for i in trail(db, "A-2", "wang")] == [
        ("register", "registered"), ("books", "opening"), ("books", "revenue"), ("register", "status_changed")
    ]  # fmt: skip
    found = read_only_sql(db, "SELECT asset_id, original_value_fen FROM v_assets ORDER BY asset_id", "wang")
    assert dict(zip(found.columns, found.rows[0], strict=True)) == {"asset_id": "A-1", "original_value_fen": 10000000}
    with pytest.raises(InputError) as refused:
        read_only_sql(db, "DELETE FROM assets", "wang")
    assert refused.value.exit_code == 2
    with pytest.raises(InputError, match="only the audit views of your scope can be read"):
        read_only_sql(db, "WITH x AS (SELECT 1) INSERT INTO regions SELECT * FROM regions", "wang")
    columns, rows = query_entity(db, f"V{VILLAGE}", "SELECT sum(number) AS n WHERE account ~ '^Income'", "wang")
    assert columns == ["n"] and str(rows[0][0]) == "-100.00"


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
def test_verify_finds_tampering(db: Database, table: str, statement: str, expected: str) -> None:
    _setup(db)
    status(db, "A-1", AssetStatus.IDLE, "2025-04-01", actor="zhang")
    post(db, "A-2", "100", "2025-03-01", actor="li")
    assert list(verify(db, "wang", bean_check=False)) == []  # verifies clean
    if table != "assets":
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    found = list(verify(db, "wang", bean_check=False))
    assert any(expected in detail for _, detail in found), found


def test_export_package_with_manifest(db: Database, tmp_path: Path) -> None:
    _setup(db)
    written = export_package(db, tmp_path / "pkg", "wang", COUNTY)
    assert (written.folder, written.manifest) == (tmp_path / "pkg", tmp_path / "pkg" / "manifest.json")
    manifest = json.loads(written.manifest.read_text(encoding="utf-8"))
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
    assert chain_contains(db, head, "wang") and list(verify(db, "wang")) == []  # verifies clean, bean-check too
    with pytest.raises(PermissionDenied) as outside:
        export_package(db, tmp_path / "x", "li", "360921102")
    assert outside.value.exit_code == 6


def test_postgres_auditor_role_is_read_only(db: Database) -> None:
    """The database role for auditors that `db upgrade` keeps (README, Security model), logged in from elsewhere
    (say psql): it reads the audit views only, sees none of their rows (no scope was granted to its connection by
    the application), and changes nothing."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL roles")
    _setup(db)
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
    counted = read_only_sql(db, "SELECT count(*) AS n FROM v_assets", "wang")
    assert [dict(zip(counted.columns, r, strict=True)) for r in counted.rows] == [{"n": 3}]


def test_an_asset_registered_idle_verifies_clean(db: Database) -> None:
    """A register file may bring assets in as idle (资产状态 闲置): the registration event says so, and verify agrees
    with the register; a later out-of-band status edit is still caught."""
    regions(db)
    assets(db, [[*ASSET_HEADER, "资产状态"], [*asset_row("I-1"), "闲置"], [*asset_row("I-2"), ""]])
    assert show_asset(db, "I-1", "tester").asset["status"] == "idle"
    assert list(verify(db, "tester", bean_check=False)) == []
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE assets SET status = 'in_use' WHERE asset_id = 'I-1'")
    found = list(verify(db, "tester", bean_check=False))
    assert any("asset I-1: status is 'in_use' but its events say 'idle'" in detail for _, detail in found), found
