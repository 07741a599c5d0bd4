"""The `user` and `audit` commands, and the awards and contract commands of tests/services/test_audit.py,
test_contracts.py, test_awards*.py and test_indicator_page.py (which hold what the services do): the words each
command prints, its options, formats and files, and the exit code of each refusal (2 bad input, 3 not found,
5 refused by a rule, 6 not allowed: cli/main.py maps the services' errors)."""

from __future__ import annotations

import json
from pathlib import Path

from assetledger.domain.enums import AssetStatus
from assetledger.store.db import Database
from tests.builders import assets, regions, user
from tests.builders.audit import entries, post, status
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards, table_counts, write_csv
from tests.services.test_audit import COUNTY, VILLAGE
from tests.services.test_audit import _setup as _audit_county
from tests.services.test_contracts import HEADER as CONTRACT_HEADER
from tests.services.test_contracts import OP
from tests.services.test_contracts import _county as _contract_county
from tests.services.test_journal import ENTRY_HEADER


def test_a_write_refused_for_who_acts_exits_6_and_names_them(run: Cli, db: Database) -> None:
    _audit_county(db)
    before = table_counts(db)
    for args, name in [
        (["ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-01-01"], "wang"),
        (["user", "add", "eve", "--role", "finance", "--scope", COUNTY], "wang"),
        (["asset", "status", "A-1", "idle"], "li"),  # --date: today by default
        (["ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-03-02"], "nobody"),
    ]:
        refused = run(*args, user=name, ok=False)
        assert refused.exit_code == 6 and name in refused.output, refused.output
        assert "Traceback" not in refused.output
    said = "li（村会计）无权办理台账 (li (village accountant) may not change the registers)"
    assert said in run("asset", "status", "A-1", "idle", user="li", ok=False).output
    assert table_counts(db) == before
    users = {u["name"]: u for u in json.loads(run("user", "list", "--format", "json", user="zhang").output)}
    assert users["li"]["revoked"] is False and users["zhang"]["scope"] == COUNTY


def test_trail_sql_and_query_print_json_and_refuse_with_exit_2(run: Cli, db: Database) -> None:
    _audit_county(db)
    post(db, "A-2", "100", "2025-03-01", actor="li")
    status(db, "A-2", AssetStatus.IDLE, "2025-04-01", actor="zhang")
    items = json.loads(run("audit", "trail", "A-2", "--format", "json", user="wang").output)
    assert [(i["area"], i["what"]) for i in items] == [
        ("register", "registered"), ("books", "opening"), ("books", "revenue"), ("register", "status_changed")
    ]  # fmt: skip
    rows = json.loads(run("audit", "sql", "SELECT asset_id, original_value_fen FROM v_assets ORDER BY asset_id",
                          "--format", "json", user="wang").output)  # fmt: off
    assert rows[0] == {"asset_id": "A-1", "original_value_fen": 10000000}
    assert run("audit", "sql", "DELETE FROM assets", user="wang", ok=False).exit_code == 2
    sneaky = run("audit", "sql", "WITH x AS (SELECT 1) INSERT INTO regions SELECT * FROM regions", user="wang",
                 ok=False)  # fmt: off
    assert sneaky.exit_code == 2
    bql = json.loads(run("audit", "query", "--entity", f"V{VILLAGE}", "--format", "json",
                         "SELECT sum(number) AS n WHERE account ~ '^Income'", user="wang").output)  # fmt: off
    assert bql[0]["n"] == "-100.00"


def test_verify_says_clean_or_each_finding_with_exit_1(run: Cli, db: Database) -> None:
    _audit_county(db)
    post(db, "A-2", "100", "2025-03-01", actor="li")
    clean = run("audit", "verify", "--skip-bean-check", user="wang")
    assert "verifies clean" in clean.output and "链头 chain head" in clean.output
    drop_append_only_guards(db, "postings")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE postings SET amount = amount + 1 WHERE id = 3")
    found = run("audit", "verify", "--skip-bean-check", user="wang", ok=False)
    assert found.exit_code == 1
    assert "postings id 3: row changed" in found.output and "finding(s)" in found.output, found.output


def test_export_writes_the_package_and_verify_takes_its_head(run: Cli, db: Database, tmp_path: Path) -> None:
    _audit_county(db)
    done = run("audit", "export", "--scope", COUNTY, "--out", str(tmp_path / "pkg"), user="wang")
    assert "manifest.json" in done.output
    manifest = json.loads((tmp_path / "pkg" / "manifest.json").read_text(encoding="utf-8"))
    head = manifest["chain_head"]["hash"]
    assert "verifies clean" in run("audit", "verify", "--expect-head", head, user="wang").output
    cut = run("audit", "verify", "--skip-bean-check", "--expect-head", "0" * 64, user="wang", ok=False)
    assert cut.exit_code == 1 and "不在链中" in cut.output
    outside = run("audit", "export", "--scope", "360921102", "--out", str(tmp_path / "x"), user="li", ok=False)
    assert outside.exit_code == 6


def test_asset_show_says_an_asset_registered_idle_and_verify_names_an_edit(run: Cli, db: Database) -> None:
    regions(db)
    assets(db, [[*ASSET_HEADER, "资产状态"], [*asset_row("I-1"), "闲置"]])
    shown = json.loads(run("asset", "show", "I-1", "--format", "json").output)
    assert shown["asset"]["status"] == "idle"
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE assets SET status = 'in_use' WHERE asset_id = 'I-1'")
    found = run("audit", "verify", "--skip-bean-check", ok=False)
    assert "asset I-1: status is 'in_use' but its events say 'idle'" in found.output, found.output


def test_contract_commands_say_what_they_did_and_exit_by_refusal(run: Cli, db: Database) -> None:
    _contract_county(db)
    row = ["HT-1", "OP-1", "绿源公司", "出租", "2023-01-01", "2027-12-31", "40000", "按季", "后付", "5000", "", ""]
    path = str(write_csv(run.cwd / "c.csv", [CONTRACT_HEADER, row]))
    assert "imported 1 contracts on 1 assets" in run("contract", "import", path).output
    assert "already imported" in run("contract", "import", path).output
    shown = json.loads(run("asset", "show", "OP-1", "--format", "json").output)
    assert (shown["asset"]["operating_mode"], shown["asset"]["contract_end"]) == ("lease", "2027-12-31")
    (contract,) = shown["contracts"]
    assert (contract["amount"], contract["frequency"], contract["timing"]) == ("10000.00", "quarterly", "arrears")
    listed = json.loads(run("contract", "list", "--format", "json").output)
    assert [(c["code"], c["assets"], c["annual"]) for c in listed] == [("HT-1", "OP-1", "40000.00")]
    alerts = json.loads(run("contract", "alerts", "--as-of", "2025-06-30", "--format", "json").output)
    assert {(r["finding"], r["asset_id"]) for r in alerts} >= {("no_contract", "OP-2")}
    refused = run("contract", "terminate", "HT-1", "--date", "2030-01-01", "--reason", "违约", ok=False)
    assert refused.exit_code == 5 and "outside it" in refused.output
    bad = write_csv(run.cwd / "bad.csv", [CONTRACT_HEADER, ["HT-2", "NO-SUCH", "乙", "出租", "2024-01-01",
                                                            "2026-12-31", "1000", "", "", "", "", ""]])  # fmt: skip
    wrong = run("contract", "import", str(bad), ok=False)
    assert wrong.exit_code == 2 and "第2行 (row 2)，列「资产编号」 (column)，值「NO-SUCH」 (value)" in wrong.output
    user(db, "zhang", "finance", "360921")
    user(db, "wang", "auditor", "360921101", actor="zhang")
    assert run("contract", "list", "--within", "360921102", user="wang", ok=False).exit_code == 6
    assert run("contract", "list", user="nobody", ok=False).exit_code == 6


def test_asset_scan_lists_the_contract_alerts_and_adopt_says_how_many(run: Cli, db: Database) -> None:
    regions(db)
    header = [*ASSET_HEADER, "合同起始日期", "合同截止日期", "年收益"]
    assets(db, [header, [*asset_row("R-1", **OP), "2024-01-01", "2026-12-31", "30000"]])
    entries(db, [ENTRY_HEADER, ["2024-12-31", "R-1", "收入", "租金", "12000", "", ""]])
    assert "would record 1 contracts" in run("contract", "adopt", "--dry-run").output
    assert "recorded 1 contracts" in run("contract", "adopt", "--paid-through", "2024-12-31").output
    assert "recorded 0 contracts" in run("contract", "adopt").output  # once
    table = run("asset", "scan", "--as-of", "2026-03-31").output
    assert "经营合同预警 contract alerts" in table and "欠缴租金/收益" in table
