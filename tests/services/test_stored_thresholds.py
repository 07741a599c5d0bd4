"""The thresholds of the governance scan, the county report, the contract alerts and the supervision warnings are
those of the governance policy stored for each asset's county (`asset policy store`, finance), as for a disposal:
no file a user gives can raise the arrears tolerance or the idle months and so hide arrears or idle assets from the
reports of record, and a scan over two counties judges each county's assets by its own county's policy."""

from __future__ import annotations

import json
from typing import Any

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER

WEST, EAST = "360921", "360922"
REGIONS = [
    ["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"],
    ["示范县", WEST, "东风镇", "360921101", "红旗村", "360921101201"],
    ["东山县", EAST, "东山镇", "360922101", "东山村", "360922101201"],
]
OP = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
EASTERN = {"县": "东山县", "乡镇": "东山镇", "村": "东山村", "确权主体": "东山村股份经济合作社"}
CONTRACT_HEADER = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金",
                   "支付周期", "支付方式", "保证金", "续签合同编号", "已缴至"]  # fmt: skip


def _two_counties(run: Cli) -> None:
    """In each county: a leased asset whose rent (10,000 a quarter, in arrears) was posted for the first quarter
    of 2025 only — 20,000 short by mid-November — and an asset whose last revenue was on 2025-04-28 (idle by the end
    of 2025 under six idle months, not under twelve)."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [
        ASSET_HEADER,
        asset_row("W-LEASE", 资产名称="冷库", **OP),
        asset_row("W-QUIET", 资产名称="大棚", **OP),
        asset_row("E-LEASE", 资产名称="厂房", **OP, **EASTERN),
        asset_row("E-QUIET", 资产名称="仓库", **OP, **EASTERN),
    ]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    contracts = [CONTRACT_HEADER,
                 ["HT-W", "W-LEASE", "甲", "出租", "2025-01-01", "2029-12-31", "40000", "按季", "后付", "", "", ""],
                 ["HT-E", "E-LEASE", "乙", "出租", "2025-01-01", "2029-12-31", "40000", "按季", "后付", "", "", ""],
                 ["HT-Q", "W-QUIET", "丙", "出租", "2024-01-01", "2024-12-31", "1000", "", "", "", "", ""],
                 ["HT-R", "E-QUIET", "丁", "出租", "2024-01-01", "2024-12-31", "1000", "", "", "", "", ""]]  # fmt: skip
    run("contract", "import", str(write_csv(run.cwd / "contracts.csv", contracts)))
    entries = [ENTRY_HEADER]
    for asset in ("W-LEASE", "E-LEASE"):
        entries.append(["2025-03-31", asset, "收入", "租金", "10000", "", ""])
    for asset in ("W-QUIET", "E-QUIET"):
        entries.append(["2024-12-31", asset, "收入", "租金", "1000", "", ""])
        entries.append(["2025-04-28", asset, "收入", "租金", "500", "", ""])
    run("ledger", "import-entries", str(write_csv(run.cwd / "entries.csv", entries)))
    run("user", "add", "root", "--role", "finance", "--scope", "*")
    run("user", "add", "zhang", "--role", "finance", "--scope", WEST, user="root")
    run("user", "add", "zhao", "--role", "finance", "--scope", EAST, user="root")
    run("user", "add", "wang", "--role", "auditor", "--scope", WEST, user="root")


def _store(run: Cli, user: str, name: str, text: str) -> None:
    path = run.cwd / name
    path.write_text(text, encoding="utf-8")
    run("asset", "policy", "store", str(path), user=user)


def _json(run: Cli, *args: str, user: str = "root") -> Any:
    return json.loads(run(*args, "--format", "json", user=user).output)


def _arrears(run: Cli, user: str, on: str = "2025-11-15") -> dict[str, str]:
    rows = _json(run, "contract", "alerts", "--as-of", on, user=user)
    return {r["contract"]: r["amount"] for r in rows if r["finding"] == "arrears"}


def test_a_file_with_a_larger_tolerance_can_no_longer_hide_the_arrears(run: Cli, db: Database) -> None:
    _two_counties(run)
    _store(run, "zhang", "county.toml", "[contracts]\narrears_tolerance = 5000\n")
    lax = run.cwd / "lax.toml"
    lax.write_text("[scan]\nidle_months = 1200\n[contracts]\narrears_tolerance = 50000\n", encoding="utf-8")
    before = table_counts(db)
    for args, option in (
        (("contract", "alerts", "--as-of", "2025-11-15"), "--policy"),
        (("asset", "scan", "--as-of", "2025-11-15"), "--policy"),
        (("report", "governance", "--year", "2025"), "--policy"),
        (("supervise", "warnings", "--as-of", "2025-11-15"), "--governance-policy"),
        (("supervise", "indicators", "--year", "2025"), "--governance-policy"),
    ):
        refused = run(*args, option, str(lax), user="wang", ok=False)
        assert refused.exit_code == 2 and option in refused.output, (args, refused.output)
    assert table_counts(db) == before
    # the county's stored tolerance (5,000) judges: 20,000 short is listed, wherever the reader looks
    assert _arrears(run, "wang") == {"HT-W": "20000.00"}
    scan = run("asset", "scan", "--as-of", "2025-11-15", user="wang").output
    assert "HT-W" in scan and "欠缴租金/收益" in scan and "判定依据 judged by：示范县 第1版 (v1)" in scan, scan
    (county,) = _json(run, "report", "governance", "--year", "2025", user="wang")
    assert (county["arrears"], county["arrears_amount"]) == (1, "20000.00")
    # only finance's next stored version changes what is listed, and it is kept with who stored it
    _store(run, "zhang", "county-v2.toml", "[contracts]\narrears_tolerance = 25000\n")
    assert _arrears(run, "wang") == {}
    shown = _json(run, "asset", "policy", "show", user="zhang")
    assert [r["policy"] for r in shown[:2]] == [f"{WEST} 第2版 (v2)", f"{WEST} 第1版 (v1)"]


def test_two_counties_are_each_judged_by_their_own_stored_policy(run: Cli) -> None:
    _two_counties(run)
    _store(run, "zhang", "west.toml", "[scan]\nidle_months = 6\n[contracts]\narrears_tolerance = 0\n")
    _store(run, "zhao", "east.toml", "[scan]\nidle_months = 12\n[contracts]\narrears_tolerance = 30000\n")
    rows = {r["asset_id"]: r for r in _json(run, "asset", "scan", "--as-of", "2025-12-31")}
    assert "W-QUIET" in rows and "E-QUIET" not in rows  # last revenue 2025-04-28: idle under 6 months, not 12
    assert (rows["W-QUIET"]["policy"], rows["W-QUIET"]["idle_months"]) == ("示范县 第1版 (v1)", 6)
    assert all(r["policy"] == "东山县 第1版 (v1)" for r in rows.values() if r["county_code"] == EAST)
    # 20,000 short in each county: over the west's tolerance (0), within the east's (30,000)
    assert _arrears(run, "root") == {"HT-W": "20000.00"}
    report = {r["county_code"]: r for r in _json(run, "report", "governance", "--year", "2025")}
    assert (report[WEST]["arrears"], report[WEST]["arrears_amount"]) == (1, "20000.00")
    assert report.get(EAST, {}).get("arrears", 0) == 0
    assert report[WEST]["idle_open"] >= 1 and report.get(EAST, {}).get("idle_open", 0) == 0
    # the supervision warnings follow the same stored policies, and so does a case opened and closed on them
    warned = _json(run, "supervise", "warnings", "--as-of", "2025-12-31", "--rule", "idle")
    idle = {w["subject"]: w for w in warned}
    assert "W-QUIET" in idle and "E-QUIET" not in idle
    assert "近 6 个月无收益" in idle["W-QUIET"]["evidence"] and idle["W-QUIET"]["since"] == "2025-06-30"
    # each county's finance sees the same judgement in its own scope
    assert {r["asset_id"] for r in _json(run, "asset", "scan", "--as-of", "2025-12-31", user="zhao")} == {
        a for a, r in rows.items() if r["county_code"] == EAST
    }
    # the east raises its idle months no further than it stores: a stricter version lists its quiet asset too
    _store(run, "zhao", "east-v2.toml", "[scan]\nidle_months = 6\n[contracts]\narrears_tolerance = 30000\n")
    again = {r["asset_id"]: r for r in _json(run, "asset", "scan", "--as-of", "2025-12-31")}
    assert again["E-QUIET"]["policy"] == "东山县 第2版 (v2)" and again["W-QUIET"]["policy"] == "示范县 第1版 (v1)"
