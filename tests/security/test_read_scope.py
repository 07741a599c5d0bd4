"""Issue #18, item 3: every read checks the reader's scope, in the service, for the CLI and the web alike.

Two counties: 示范县 (东风镇 with 红旗村 and 向阳村; 青山乡 with its own 红旗村) and 东山县 (东山镇, 东山村), one asset
and one household in each village. Readers: an unknown name (nobody), the 东风镇 township auditor (sun), the county
auditor (wang) and the village accountant of 东风镇红旗村 (li). Out of scope, a named region, entity, asset or village
is refused (exit 6 / 403, in Chinese and English) and nothing is written; a list with no region named shows the
reader's scope only. Runs on SQLite, and on PostgreSQL when it is configured."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from flask import Flask

from assetledger.errors import PermissionDenied
from assetledger.services.audit import verify
from assetledger.services.indicators import Request, compute
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from assetledger.web import create_app
from assetledger.web.awards import EXAMPLES
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, write_csv
from tests.security.conftest import record
from tests.security.test_tamper import _tamper
from tests.web.conftest import PASSWORD, login, set_password

COUNTY, TOWNSHIP, OTHER_TOWNSHIP, OTHER_COUNTY = "360921", "360921101", "360921102", "360922"
HONGQI, XIANGYANG, QINGSHAN, DONGSHAN = "360921101201", "360921101202", "360921102201", "360922101201"
MINE = {f"V{HONGQI}", f"V{XIANGYANG}"}  # the books of 东风镇's villages
REGIONS = [
    ["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
    ["示范县", COUNTY, "东风镇", TOWNSHIP, "红旗村", HONGQI],
    ["示范县", COUNTY, "东风镇", TOWNSHIP, "向阳村", XIANGYANG],
    ["示范县", COUNTY, "青山乡", OTHER_TOWNSHIP, "红旗村", QINGSHAN],
    ["东山县", OTHER_COUNTY, "东山镇", "360922101", "东山村", DONGSHAN],
]
ROSTER = [
    ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"],
    ["H1", HONGQI, "王一", "3", "脱贫户", "", "2024-01-01", "", ""],
    ["H2", XIANGYANG, "李二", "2", "监测户", "", "2024-01-01", "", ""],
    ["H9", QINGSHAN, "赵九", "4", "脱贫户", "患病", "2024-01-01", "", ""],
    ["D1", DONGSHAN, "东一", "1", "脱贫户", "", "2024-01-01", "", ""],
]
REFUSED = "不在其范围内"  # the Chinese half of the refusal; the English half says "outside"


@pytest.fixture
def towns(run: Cli) -> Cli:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [
        ASSET_HEADER,
        asset_row("A-1", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
        asset_row("B-1", 村="向阳村", 确权主体="向阳村股份经济合作社"),
        asset_row("Q-1", 资产名称="水窖", 乡镇="青山乡", 确权主体="青山乡红旗村股份经济合作社"),
        asset_row("D-1", 县="东山县", 乡镇="东山镇", 村="东山村", 确权主体="东山村股份经济合作社"),
    ]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    run("beneficiary", "import", str(write_csv(run.cwd / "roster.csv", ROSTER)))
    run("user", "add", "root", "--role", "finance", "--scope", "*")
    run("user", "add", "wang", "--role", "auditor", "--scope", COUNTY, user="root")
    run("user", "add", "sun", "--role", "auditor", "--scope", TOWNSHIP, user="root")
    run("user", "add", "li", "--role", "village-accountant", "--scope", HONGQI, user="root")
    return run


def refused(result: object, *names: str) -> None:
    exit_code, output = result.exit_code, result.output  # type: ignore[attr-defined]
    assert exit_code == 6, output
    assert "Traceback" not in output
    for name in names:
        assert name in output, output


# --- ledger export / ledger query / audit query --------------------------------------------------------------


def test_ledger_export_outside_the_scope_writes_nothing(towns: Cli, db: Database) -> None:
    out = towns.cwd / "books.beancount"
    before = record(db)
    refused(towns("ledger", "export", "--entity", f"V{DONGSHAN}", "--out", str(out), user="nobody", ok=False), "nobody")
    refused(towns("ledger", "export", "--entity", f"V{QINGSHAN}", "--out", str(out), user="sun", ok=False), REFUSED)
    assert not out.exists() and record(db) == before
    towns("ledger", "export", "--entity", f"V{XIANGYANG}", "--out", str(out), user="sun")
    assert "Assets:PublicBenefit:B-1" in out.read_text(encoding="utf-8")


def test_fava_outside_the_scope_is_refused(towns: Cli) -> None:
    refused(towns("ledger", "fava", "--entity", f"V{DONGSHAN}", user="sun", ok=False), REFUSED)
    refused(towns("ledger", "fava", "--entity", f"V{DONGSHAN}", user="nobody", ok=False), "nobody")


@pytest.mark.parametrize("group", ["ledger", "audit"])
def test_bql_outside_the_scope_is_refused(towns: Cli, group: str) -> None:
    bql = "SELECT account, sum(position) GROUP BY account"
    refused(towns(group, "query", "--entity", f"V{DONGSHAN}", bql, user="nobody", ok=False), "nobody")
    refused(towns(group, "query", "--entity", f"V{DONGSHAN}", bql, user="sun", ok=False), REFUSED, "outside")
    refused(towns(group, "query", "--entity", f"V{XIANGYANG}", bql, user="li", ok=False), REFUSED)
    shown = towns(group, "query", "--entity", f"V{HONGQI}", bql, "--format", "json", user="li")
    assert "Assets:FixedAssets:A-1" in shown.output


def test_ledger_check_and_reconcile_keep_to_the_scope(towns: Cli) -> None:
    for command in ("check", "reconcile"):
        refused(towns("ledger", command, user="nobody", ok=False), "nobody")
        refused(towns("ledger", command, "--within", OTHER_COUNTY, user="sun", ok=False), REFUSED)
    assert "2 entities (2 entries) checked" in towns("ledger", "check", user="sun").output
    assert "4 entities (4 entries) checked" in towns("ledger", "check", user="root").output
    assert "3 entities" in towns("ledger", "check", "--within", COUNTY, user="wang").output
    assert "0 mismatch(es)" in towns("ledger", "reconcile", user="sun").output


def test_books_against_the_register_name_only_the_assets_in_scope(towns: Cli, db: Database) -> None:
    """A book value in the register changed behind the product's back, in 红旗村 and in 东山县: the township
    auditor's reconcile and verify name the asset of its scope only; the finance bureau's name both."""
    _tamper(db, "UPDATE assets SET current_value = 1 WHERE asset_id IN ('A-1', 'D-1')")
    assert [m.asset_id for m in reconcile(db, "sun")] == ["A-1"]
    assert [m.asset_id for m in reconcile(db, "root")] == ["A-1", "D-1"]
    assert [m.asset_id for m in reconcile(db, "root", within=OTHER_COUNTY)] == ["D-1"]
    said = [what for check, what in verify(db, "sun", bean_check=False) if check == "reconcile"]
    assert len(said) == 1 and "A-1" in said[0]
    with pytest.raises(PermissionDenied):
        reconcile(db, "sun", within=OTHER_COUNTY)
    with pytest.raises(PermissionDenied):
        list(verify(db, "nobody", bean_check=False))


def test_indicators_measure_only_the_units_in_scope(towns: Cli, db: Database) -> None:
    """Units outside the reader's scope are counted, never named or measured."""
    wanted = [Request("confirmed", "ownership_confirmed", {})]
    villages = compute(db, "wang", 2025, "village", wanted)
    assert [code for code, _ in villages.units] == [HONGQI, XIANGYANG, QINGSHAN] and villages.hidden == 1
    assert set(villages.measures) == {HONGQI, XIANGYANG, QINGSHAN}
    counties = compute(db, "sun", 2025, "county", wanted)
    assert counties.units == [] and counties.measures == {} and counties.hidden == 2
    every = compute(db, "root", 2025, "village", wanted)
    assert len(every.units) == 4 and every.hidden == 0


def test_region_list_shows_the_scope_and_verify_wants_a_known_user(towns: Cli) -> None:
    refused(towns("region", "list", user="nobody", ok=False), "nobody")
    listed = {row["code"] for row in json.loads(towns("region", "list", "--format", "json", user="sun").output)}
    assert listed == {TOWNSHIP, HONGQI, XIANGYANG}
    villages = json.loads(towns("region", "list", "--level", "village", "--format", "json", user="root").output)
    assert {row["code"] for row in villages} == {HONGQI, XIANGYANG, QINGSHAN, DONGSHAN}
    refused(towns("audit", "verify", "--skip-bean-check", user="nobody", ok=False), "nobody")
    assert "verifies clean" in towns("audit", "verify", "--skip-bean-check", user="sun").output


# --- asset list / asset show ---------------------------------------------------------------------------------


def _listed(run: Cli, *args: str, user: str) -> set[str]:
    result = run("asset", "list", "--format", "json", *args, user=user)
    return {row["asset_id"] for row in json.loads(result.output)}


def test_asset_list_shows_the_scope_and_refuses_a_region_outside_it(towns: Cli) -> None:
    refused(towns("asset", "list", user="nobody", ok=False), "nobody")
    assert _listed(towns, user="sun") == {"A-1", "B-1"}  # no region named: the township's own
    assert _listed(towns, user="wang") == {"A-1", "B-1", "Q-1"}
    assert _listed(towns, user="li") == {"A-1"}
    assert _listed(towns, "--region", XIANGYANG, user="sun") == {"B-1"}
    assert _listed(towns, user="root") == {"A-1", "B-1", "Q-1", "D-1"}
    for region in (OTHER_TOWNSHIP, OTHER_COUNTY, COUNTY, DONGSHAN):  # another place, or one above the scope
        refused(towns("asset", "list", "--region", region, user="sun", ok=False), REFUSED, "范围：东风镇")


def test_asset_show_outside_the_scope_is_refused(towns: Cli) -> None:
    for asset_id in ("Q-1", "D-1"):
        result = towns("asset", "show", asset_id, user="sun", ok=False)
        refused(result, REFUSED)
        assert "水窖" not in result.output and "东山村" not in result.output
    refused(towns("asset", "show", "A-1", user="nobody", ok=False), "nobody")
    assert "光伏电站" in towns("asset", "show", "A-1", user="sun").output


# --- beneficiary list ----------------------------------------------------------------------------------------


def test_beneficiary_list_outside_the_scope_is_refused(towns: Cli) -> None:
    refused(towns("beneficiary", "list", "--village", HONGQI, user="nobody", ok=False), "nobody")
    for village in (QINGSHAN, DONGSHAN):
        result = towns("beneficiary", "list", "--village", village, user="sun", ok=False)
        refused(result, REFUSED)
        assert "赵九" not in result.output and "东一" not in result.output
    refused(towns("beneficiary", "list", "--village", XIANGYANG, user="li", ok=False), REFUSED)
    assert "王一" in towns("beneficiary", "list", "--village", HONGQI, user="sun").output


# --- reports -------------------------------------------------------------------------------------------------


def test_register_summary_and_household_history_keep_to_the_scope(towns: Cli) -> None:
    refused(towns("report", "registers", user="nobody", ok=False), "nobody")
    shown = towns("report", "registers", "--level", "village", "--format", "json", user="sun").output
    assert {row["region_code"] for row in json.loads(shown) if row["region_code"]} == {HONGQI, XIANGYANG}
    refused(towns("report", "registers", "--within", OTHER_COUNTY, user="sun", ok=False), REFUSED)
    for household in ("H9", "D1"):
        result = towns("report", "household", household, user="sun", ok=False)
        refused(result, REFUSED)
        assert "赵九" not in result.output and "东一" not in result.output
    assert "王一" in towns("report", "household", "H1", user="sun").output


def test_book_reports_keep_to_the_scope(towns: Cli) -> None:
    refused(towns("report", "books", user="nobody", ok=False), "nobody")
    for options in (["--balances", "--entity", f"V{QINGSHAN}"], ["--by-asset", "--entity", f"V{DONGSHAN}"]):
        refused(towns("report", "books", *options, user="sun", ok=False), REFUSED)
    towns(
        "ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "100", "--date", "2025-06-30", user="root"
    )
    towns("ledger", "post", "--asset", "D-1", "--expense", "maintenance", "--amount", "7", "--date", "2025-06-30",
          user="root")  # fmt: skip
    for options in ([], ["--by-asset"]):
        shown = json.loads(towns("report", "books", *options, "--format", "json", user="sun").output)
        assert {row["entity_code"] for row in shown} == {f"V{HONGQI}"}
        everything = json.loads(towns("report", "books", *options, "--format", "json", user="root").output)
        assert {row["entity_code"] for row in everything} == {f"V{HONGQI}", f"V{DONGSHAN}"}
    balances = json.loads(towns("report", "books", "--balances", "--entity", f"V{HONGQI}", "--format", "json",
                                user="sun").output)  # fmt: skip
    assert any(row["name"].startswith("Income") for row in balances)


def test_governance_keeps_to_the_scope(towns: Cli) -> None:
    towns("asset", "status", "Q-1", "idle", "--date", "2025-03-01", user="root")
    towns("asset", "status", "B-1", "idle", "--date", "2025-03-01", user="root")
    refused(towns("asset", "scan", "--as-of", "2025-12-31", user="nobody", ok=False), "nobody")
    found = json.loads(towns("asset", "scan", "--as-of", "2025-12-31", "--format", "json", user="sun").output)
    assert {row["asset_id"] for row in found} == {"A-1", "B-1"}  # operating, no revenue
    everything = json.loads(towns("asset", "scan", "--as-of", "2025-12-31", "--format", "json", user="root").output)
    assert {row["asset_id"] for row in everything} == {"A-1", "B-1", "Q-1"}
    refused(towns("asset", "scan", "--as-of", "2025-12-31", "--within", OTHER_TOWNSHIP, user="sun", ok=False),
            REFUSED)  # fmt: skip
    report = json.loads(towns("report", "governance", "--year", "2025", "--format", "json", user="wang").output)
    assert [row["county_code"] for row in report] == [COUNTY]  # not 东山县
    assert json.loads(towns("report", "governance", "--year", "2025", "--format", "json", user="sun").output) == []


def test_distribution_notice_outside_the_scope_is_refused(towns: Cli) -> None:
    result = towns("distribute", "notice", "--village", QINGSHAN, "--period", "2025Q2", "--out", "n", user="sun",
                   ok=False)  # fmt: skip
    refused(result, REFUSED)
    assert not (towns.cwd / "n").exists()


# --- the audit package ---------------------------------------------------------------------------------------


def _bean_check(path: Path) -> None:
    checked = subprocess.run([str(Path(sys.executable).parent / "bean-check"), str(path)], capture_output=True,
                             text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("scope", [[], ["--scope", TOWNSHIP]], ids=["own scope", "named"])
def test_township_auditors_package_holds_the_books_of_its_scope(towns: Cli, scope: list[str]) -> None:
    folder = towns.cwd / "package"
    towns("audit", "export", *scope, "--out", str(folder), user="sun")
    books = {p.stem for p in (folder / "ledgers").glob("*.beancount")}
    assert books == MINE
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scope"] == TOWNSHIP
    packaged = {name for name in manifest["files"] if name.startswith("ledgers/")}
    assert packaged == {f"ledgers/{b}.beancount" for b in MINE}
    events = (folder / "events.jsonl").read_text(encoding="utf-8")
    assert '"A-1"' in events and '"Q-1"' not in events and '"D-1"' not in events
    for path in (folder / "ledgers").glob("*.beancount"):
        _bean_check(path)


def test_package_outside_the_scope_is_refused(towns: Cli) -> None:
    for scope in (OTHER_TOWNSHIP, COUNTY):
        refused(towns("audit", "export", "--scope", scope, "--out", str(towns.cwd / "x"), user="sun", ok=False),
                REFUSED)  # fmt: skip
    refused(towns("audit", "export", "--out", str(towns.cwd / "x"), user="nobody", ok=False), "nobody")
    assert not (towns.cwd / "x").exists()
    folder = towns.cwd / "county"
    towns("audit", "export", "--out", str(folder), user="wang")
    assert {p.stem for p in (folder / "ledgers").glob("*.beancount")} == MINE | {f"V{QINGSHAN}"}


# --- awards --------------------------------------------------------------------------------------------------


def test_awards_are_read_by_those_who_award_or_audit(towns: Cli) -> None:
    policy = str(Path(__file__).parents[2] / "ledgers" / "policy" / "awards-city-example.toml")
    refused(towns("awards", "compute", "--year", "2025", "--policy", policy, user="nobody", ok=False), "nobody")
    refused(towns("awards", "compute", "--year", "2025", "--policy", policy, user="li", ok=False), "awards")
    refused(towns("awards", "assets", "--year", "2025", user="li", ok=False), "awards")
    refused(towns("awards", "assets", "--year", "2025", "--within", OTHER_TOWNSHIP, user="sun", ok=False), REFUSED)
    assert "A-1" in towns("awards", "assets", "--year", "2025", "--format", "json", user="sun").output


# --- the web -------------------------------------------------------------------------------------------------


@pytest.fixture
def web(towns: Cli, db: Database) -> Flask:
    for name in ("root", "wang", "sun", "li"):
        set_password(towns, name, PASSWORD, actor="root")
    policies = Path(__file__).parents[2] / "ledgers" / "policy"  # as `serve --awards-policy` gives them
    app = create_app(db, secret_key=b"t" * 32, awards_policies=[str(policies / name) for name in EXAMPLES])
    app.config["TESTING"] = True
    return app


def test_township_auditor_on_the_awards_page_sees_its_scope_only(web: Flask) -> None:
    """The evaluations rank counties against each other: read whole, by a reader of every unit, or not at all."""
    sun, _ = login(web, "sun")
    for path in ("/awards?year=2025",):  # the chart is drawn in the page (inline SVG): no request of its own
        response = sun.get(f"{path}&lang=zh")
        page = response.get_data(as_text=True)
        assert response.status_code == 403 and "不在其范围内" in page, page
        english = sun.get(f"{path}&lang=en")  # the page's language only: the refusal in English under ?lang=en
        assert english.status_code == 403 and "outside the scope" in english.get_data(as_text=True)
        for outside in ("东山县", OTHER_COUNTY, "示范县", "青山乡", "D-1"):
            assert outside not in page
    li, _ = login(web, "li")
    assert li.get("/awards?year=2025").status_code == 403
    root, _ = login(web, "root")
    page = root.get("/awards?year=2025").get_data(as_text=True)
    assert "示范县" in page and "东山县" in page


def test_web_reads_outside_the_scope_are_refused(web: Flask, db: Database) -> None:
    sun, token = login(web, "sun")
    before = record(db)
    assert sun.get("/assets/Q-1").status_code == 403
    assert sun.get(f"/assets?region={OTHER_TOWNSHIP}").status_code == 403
    listed = sun.get("/assets").get_data(as_text=True)
    assert "A-1" in listed and "B-1" in listed and "Q-1" not in listed and "D-1" not in listed
    bql = {"kind": "bql", "csrf_token": token, "entity": f"V{QINGSHAN}", "query": "SELECT account"}
    assert sun.post("/audit/", data=bql).status_code == 403
    fava = {"csrf_token": token, "entity": f"V{DONGSHAN}"}
    assert sun.post("/audit/fava", data=fava).status_code == 403
    assert sun.get(f"/fava/V{DONGSHAN}/").status_code == 403
    assert sun.get(f"/dashboard?region={OTHER_COUNTY}").status_code == 403
    dashboard = sun.get("/dashboard?level=village").get_data(as_text=True)
    assert "红旗村" in dashboard and "东山村" not in dashboard and "青山乡" not in dashboard
    audit_page = sun.get("/audit/").get_data(as_text=True)
    assert f"V{HONGQI}" in audit_page and f"V{QINGSHAN}" not in audit_page and f"V{DONGSHAN}" not in audit_page
    assert sun.get(f"/audit/package?scope={OTHER_TOWNSHIP}").status_code == 403
    package = sun.get("/audit/package")
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        books = {Path(n).stem for n in archive.namelist() if "/ledgers/" in n}
    assert books == MINE
    assert record(db) == before


# --- user list / maintenance list ----------------------------------------------------------------------------


def test_the_user_list_shows_the_users_within_the_readers_scope(towns: Cli) -> None:
    def names(user: str) -> set[str]:
        return {u["name"] for u in json.loads(towns("user", "list", "--format", "json", user=user).output)}

    assert names("root") == {"root", "wang", "sun", "li"}
    assert names("wang") == {"wang", "sun", "li"}  # the county's users, not the province's
    assert names("sun") == {"sun", "li"}
    assert names("li") == {"li"}
    refused(towns("user", "list", user="nobody", ok=False), "nobody")


def test_maintenance_applications_are_listed_within_the_scope(towns: Cli) -> None:
    for asset in ("B-1", "Q-1", "D-1"):  # the public-benefit assets of three places
        towns("maintenance", "apply", asset, "--amount", "100", "--reason", "水毁", "--date", "2025-07-01", user="root")

    def assets(user: str) -> set[str]:
        return {a["asset_id"] for a in json.loads(towns("maintenance", "list", "--format", "json", user=user).output)}

    assert assets("root") == {"B-1", "Q-1", "D-1"}
    assert assets("wang") == {"B-1", "Q-1"}
    assert assets("sun") == {"B-1"}
    refused(towns("maintenance", "list", user="nobody", ok=False), "nobody")


# --- a city bureau (市财政局) reads its counties ------------------------------------------------------------------

CITY_REGIONS = [
    ["市", "市代码", "县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
    *[["示范市", "3609", *row] for row in REGIONS[1:]],
]


def test_a_city_reader_reaches_the_assets_of_its_counties(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", CITY_REGIONS)))
    rows = [
        ASSET_HEADER,
        asset_row("A-1", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
        asset_row(
            "D-1",
            县="东山县",
            乡镇="东山镇",
            村="东山村",
            资产类别="经营性",
            经营方式="出租",
            经营主体="某公司",
            确权主体="东山村股份经济合作社",
        ),
    ]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    run("user", "add", "chen", "--role", "finance", "--scope", "3609")
    run("user", "add", "wang", "--role", "auditor", "--scope", COUNTY, user="chen")

    def ids(*args: str, user: str = "chen", key: str = "asset_id") -> set[str]:
        found = json.loads(run(*args, "--format", "json", user=user).output)
        return {a for row in found for a in (row[key] if isinstance(row[key], list) else [row[key]])}

    for within in ([], ["--within", "3609"]):
        assert ids(
            "contract",
            "alerts",
            "--as-of",
            "2026-06-30",
            *within,
        ) == {"A-1", "D-1"}
        assert ids("asset", "scan", "--as-of", "2026-06-30", *within) == {"A-1", "D-1"}  # no revenue: idle
    assert ids("asset", "list", "--region", "3609") == {"A-1", "D-1"}
    assert ids("asset", "scan", "--as-of", "2026-06-30", user="wang") == {"A-1"}
    refused(run("asset", "scan", "--as-of", "2026-06-30", "--within", "3609", user="wang", ok=False), "范围：示范县")
