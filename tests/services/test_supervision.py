"""Supervision warnings on dated data: each rule raised by a situation and cleared by its fix."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from assetledger.domain.supervision import RuleKind, RuleSetting, SupervisionPolicy
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv
from tests.services.test_distribution import RULES, VILLAGE
from tests.services.test_inventory import DONGFENG, HONGQI, LAMP, QINGSHAN, XIANGYANG, _fill, _opened, _sheet
from tests.services.test_journal import ENTRY_HEADER

POLICY = Path(__file__).parents[2] / "ledgers" / "policy" / "supervision.toml"
OP = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}


def found(run: Cli, as_of: str, *rules: str, user: str = "tester") -> dict[str, dict[str, Any]]:
    args = ["supervise", "warnings", "--as-of", as_of, "--policy", str(POLICY), "--format", "json"]
    for rule in rules:
        args += ["--rule", rule]
    return {w["key"]: w for w in json.loads(run(*args, user=user).output)}


def _regions(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))


def _well(run: Cli) -> None:
    run("asset", "register", "--id", "U-1", "--name", "水井", "--register", "public_benefit", "--region", VILLAGE,
        "--year", "2025", "--acquired-on", "2025-03-01", "--value", "10000", "--fund", "central=10000")  # fmt: skip


def test_register_rules_raised_and_cleared_in_turn(run: Cli) -> None:
    _regions(run)
    _well(run)
    assert "unconfirmed:U-1" not in found(run, "2025-05-29")  # 89 days after its acquisition: within 90
    w = found(run, "2025-06-01")["unconfirmed:U-1"]
    assert w["since"] == "2025-03-01" and w["due"] == "2025-05-30" and w["overdue_days"] == 2
    assert "取得日期 acquired 2025-03-01" in w["evidence"] and "not confirmed 92 days" in w["evidence"]
    assert w["refs"][0].startswith("登记事件 registration event #")
    run("asset", "confirm", "U-1", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date", "2025-06-10")
    assert "unconfirmed:U-1" not in found(run, "2025-06-20")
    assert "not_handed_over:U-1" not in found(run, "2025-08-09")  # 60 days from 2025-06-10
    w = found(run, "2025-08-15")["not_handed_over:U-1"]
    assert "2025-06-10 确权给 红旗村股份经济合作社" in w["evidence"] and "确权事件" in w["refs"][0]
    run("asset", "handover", "U-1", "--date", "2025-08-20", "--from", "县水利局")
    after = found(run, "2025-08-21")
    assert "not_handed_over:U-1" not in after
    assert "移交后未落实管护主体" in after["no_custodian:U-1"]["evidence"]  # DOMAIN rule 3: no grace
    assert after["no_custodian:U-1"]["refs"][0].startswith("移交事件 handover event #")
    run("asset", "custodian", "U-1", "--name", "张三", "--from", "2025-08-21")
    assert not [k for k in found(run, "2025-08-22") if k.endswith(":U-1")]


def test_idle_loss_and_contract_rules(run: Cli) -> None:
    _regions(run)
    rows = [ASSET_HEADER, asset_row("SILENT", 资产名称="冷库", **OP), asset_row("LOSES", 资产名称="大棚", **OP),
            asset_row("BARE", 资产名称="厂房", **OP)]  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    entries = [ENTRY_HEADER, ["2025-01-28", "SILENT", "收入", "租金", "500", "", ""]]
    for month in range(1, 13):
        entries.append([f"2025-{month:02d}-28", "LOSES", "收入", "租金", "100", "", ""])
        entries.append([f"2025-{month:02d}-28", "LOSES", "支出", "经营成本", "150", "", ""])
        entries.append([f"2025-{month:02d}-28", "BARE", "收入", "租金", "1000", "", ""])
    run("ledger", "import-entries", str(write_csv(run.cwd / "entries.csv", entries)))
    now = found(run, "2025-12-31", "idle", "loss_making", "no_contract")
    assert set(now) == {"idle:SILENT", "loss_making:LOSES", "no_contract:SILENT", "no_contract:LOSES",
                        "no_contract:BARE"}  # fmt: skip
    assert "最近收益 2025-01-28" in now["idle:SILENT"]["evidence"]
    assert "收入 1,200.00，支出 1,800.00，亏损 600.00" in now["loss_making:LOSES"]["evidence"]
    assert "无经营合同" in now["no_contract:BARE"]["evidence"]
    more = [ENTRY_HEADER, ["2025-12-20", "SILENT", "收入", "租金", "500", "", ""],
            ["2025-12-30", "LOSES", "收入", "租金", "1000", "", ""]]  # fmt: skip
    run("ledger", "import-entries", str(write_csv(run.cwd / "more.csv", more)))
    run("contract", "add", "--code", "HT-1", "--asset", "BARE", "--operator", "某公司", "--mode", "lease",
        "--start", "2025-01-01", "--end", "2029-12-31", "--amount", "1000", "--frequency", "monthly")  # fmt: skip
    fixed = found(run, "2025-12-31", "idle", "loss_making", "no_contract")
    assert set(fixed) == {"no_contract:SILENT", "no_contract:LOSES"}


def test_books_not_closed_for_last_month(run: Cli) -> None:
    _regions(run)
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("A-1")])))
    key = "books_not_closed:V360921101201"
    w = found(run, "2025-07-15", "books_not_closed")[key]  # June is due by 07-15; May was due by 06-15
    assert "从未结账 never closed" in w["evidence"] and (w["since"], w["due"]) == ("2025-05-31", "2025-06-15")
    run("ledger", "close", "--entity", "V360921101201", "--through", "2025-05-31")
    assert found(run, "2025-07-15", "books_not_closed") == {}
    w = found(run, "2025-07-16", "books_not_closed")[key]
    assert "已结账至 2025-05-31" in w["evidence"] and (w["since"], w["due"]) == ("2025-06-30", "2025-07-15")
    run("ledger", "close", "--entity", "V360921101201", "--through", "2025-06-30")
    assert found(run, "2025-08-15", "books_not_closed") == {}
    assert "已结账至 2025-06-30" in found(run, "2025-08-16", "books_not_closed")[key]["evidence"]  # July's now due


@pytest.mark.usefixtures("village")  # revenue April to July 2025 in 红旗村's books
def test_undistributed_revenue_and_unpaid_household_shares(run: Cli) -> None:
    run("distribute", "rule", "add", str(RULES / "example-village-rule.toml"))
    key = f"undistributed:V{VILLAGE}"
    assert key not in found(run, "2025-07-29", "undistributed")  # April: 90 days after its end is 07-29
    w = found(run, "2025-08-10", "undistributed")[key]
    assert "2025-04 6,000.00" in w["evidence"] and w["since"] == "2025-04-30"
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-05")
    assert found(run, "2025-08-10", "undistributed") == {}  # July is not yet 90 days past
    assert "2025-07 9,999.00" in found(run, "2025-11-01", "undistributed")[key]["evidence"]
    unpaid = found(run, "2025-08-10", "unpaid")
    assert list(unpaid) == ["unpaid:1"] and "应付 4 户" in unpaid["unpaid:1"]["evidence"]
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2")
    run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-15")
    assert found(run, "2025-08-10", "unpaid") == {}


def test_inventory_differences_not_settled(run: Cli) -> None:
    folder = _opened(run)
    counts = {"A-1": ("在用", "2025-12-10"), "A-2": ("在用", "2025-12-10"), "A-3": ("盘亏", "2025-12-10", "找不到")}
    run("inventory", "record", str(_fill(_sheet(folder, HONGQI), run.cwd / "h.xlsx", counts, [LAMP])))
    run("inventory", "record", str(_fill(_sheet(folder, XIANGYANG), run.cwd / "x.xlsx", {"A-4": ("毁损", "2025-12-15")},
                                         [])))  # fmt: skip
    rest = [["清查编号", "区划代码", "资产编号", "结果", "清查日期"], ["1", QINGSHAN, "A-5", "在用", "2025-12-16"],
            ["1", DONGFENG, "A-6", "在用", "2025-12-16"]]  # fmt: skip
    run("inventory", "record", str(write_csv(run.cwd / "rest.csv", rest)))
    assert found(run, "2026-02-13", "inventory_unsettled") == {}  # 60 days after the last difference (12-15)
    w = found(run, "2026-02-14", "inventory_unsettled")["inventory_unsettled:1"]
    assert "盘亏 1、毁损 1、盘盈 1" in w["evidence"] and "A-3" in w["refs"]
    run("inventory", "close", "1", "--approval", "示政〔2026〕3号", "--date", "2026-01-10")
    assert found(run, "2026-02-14", "inventory_unsettled") == {}


def test_warnings_in_a_readers_scope_and_formats(run: Cli, db: Database) -> None:
    _regions(run)
    rows = [ASSET_HEADER, asset_row("A-1", 管护主体=None), asset_row("Q-1", 乡镇="青山乡", 管护主体=None)]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    cities = [
        ["区划代码", "名称", "级别", "上级代码"],
        ["360900", "宜春市", "市", ""],
        ["360921", "示范县", "县", "360900"],
    ]
    run("region", "import", str(write_csv(run.cwd / "cities.csv", cities)))
    run("user", "add", "shi", "--role", "finance", "--scope", "360900")  # a city's bureau covers its counties
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="shi")
    run("user", "add", "wang", "--role", "auditor", "--scope", "360921102", user="zhang")
    assert set(found(run, "2025-01-10", "no_custodian", user="shi")) == {"no_custodian:A-1", "no_custodian:Q-1"}
    assert set(found(run, "2025-01-10", "no_custodian", user="zhang")) == {"no_custodian:A-1", "no_custodian:Q-1"}
    assert set(found(run, "2025-01-10", "no_custodian", user="wang")) == {"no_custodian:Q-1"}
    refused = run("supervise", "warnings", "--region", VILLAGE, user="wang", ok=False)
    assert refused.exit_code == 6
    table = run("supervise", "warnings", "--as-of", "2025-01-10", "--rule", "no_custodian", user="zhang").output
    assert "未落实管护 no custodian" in table and "2 条预警" in table
    run("supervise", "warnings", "--as-of", "2025-01-10", "--format", "xlsx", "--out", "w.xlsx", user="zhang")
    assert (run.cwd / "w.xlsx").stat().st_size > 0
    bad = run("supervise", "warnings", "--rule", "nonsense", user="zhang", ok=False)
    assert bad.exit_code == 2 and "unknown rule" in bad.output
    # the library API returns frozen dataclasses, and a rule switched off is not run
    on = SupervisionPolicy()
    listed = warnings(db, "zhang", dt.date(2025, 1, 10), on, rules=[RuleKind.NO_CUSTODIAN])
    assert [w.key for w in listed] == ["no_custodian:A-1", "no_custodian:Q-1"] and listed[0].region_code == VILLAGE
    off = SupervisionPolicy("t", {**on.rules, RuleKind.NO_CUSTODIAN: RuleSetting(False, 0)})
    assert warnings(db, "zhang", dt.date(2025, 1, 10), off, rules=[RuleKind.NO_CUSTODIAN]) == []
