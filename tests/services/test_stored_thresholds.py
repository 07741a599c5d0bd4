"""The thresholds of the governance scan, the county report, the contract alerts and the supervision warnings are
those of the governance policy stored for each asset's county (`asset policy store`, finance), as for a disposal:
no file a user gives can raise the arrears tolerance or the idle months and so hide arrears or idle assets from the
reports of record, and a scan over two counties judges each county's assets by its own county's policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from assetledger.domain.contracts import AlertKind
from assetledger.domain.supervision import RuleKind, SupervisionPolicy
from assetledger.services.contract_alerts import contract_alerts
from assetledger.services.governance import governance_report, scan
from assetledger.services.governance_policies import policy_history
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from tests.builders import assets, regions, user
from tests.builders.governance import contracts, entries, policy
from tests.helpers import ASSET_HEADER, asset_row
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
MID_NOVEMBER, YEAR_END = dt.date(2025, 11, 15), dt.date(2025, 12, 31)


def _two_counties(db: Database) -> None:
    """In each county: a leased asset whose rent (10,000 a quarter, in arrears) was posted for the first quarter
    of 2025 only — 20,000 short by mid-November — and an asset whose last revenue was on 2025-04-28 (idle by the end
    of 2025 under six idle months, not under twelve)."""
    regions(db, REGIONS)
    rows: list[Sequence[object]] = [
        ASSET_HEADER,
        asset_row("W-LEASE", 资产名称="冷库", **OP),
        asset_row("W-QUIET", 资产名称="大棚", **OP),
        asset_row("E-LEASE", 资产名称="厂房", **OP, **EASTERN),
        asset_row("E-QUIET", 资产名称="仓库", **OP, **EASTERN),
    ]
    assets(db, rows)
    leases = [CONTRACT_HEADER,
              ["HT-W", "W-LEASE", "甲", "出租", "2025-01-01", "2029-12-31", "40000", "按季", "后付", "", "", ""],
              ["HT-E", "E-LEASE", "乙", "出租", "2025-01-01", "2029-12-31", "40000", "按季", "后付", "", "", ""],
              ["HT-Q", "W-QUIET", "丙", "出租", "2024-01-01", "2024-12-31", "1000", "", "", "", "", ""],
              ["HT-R", "E-QUIET", "丁", "出租", "2024-01-01", "2024-12-31", "1000", "", "", "", "", ""]]  # fmt: skip
    contracts(db, leases)
    booked = [ENTRY_HEADER]
    for asset in ("W-LEASE", "E-LEASE"):
        booked.append(["2025-03-31", asset, "收入", "租金", "10000", "", ""])
    for asset in ("W-QUIET", "E-QUIET"):
        booked.append(["2024-12-31", asset, "收入", "租金", "1000", "", ""])
        booked.append(["2025-04-28", asset, "收入", "租金", "500", "", ""])
    entries(db, booked)
    user(db, "root", "finance", "*")
    user(db, "zhang", "finance", WEST, actor="root")
    user(db, "zhao", "finance", EAST, actor="root")
    user(db, "wang", "auditor", WEST, actor="root")


def _arrears(db: Database, actor: str, on: dt.date = MID_NOVEMBER) -> dict[str | None, Decimal | None]:
    return {a.contract: a.amount for a in contract_alerts(db, on, actor) if a.kind is AlertKind.ARREARS}


def test_a_file_with_a_larger_tolerance_can_no_longer_hide_the_arrears(db: Database) -> None:
    """No service takes a governance policy file, and no command takes one (their --policy and
    --governance-policy are refused as usage errors: tests/cli/test_governance_commands.py)."""
    _two_counties(db)
    stored = policy(db, "[contracts]\narrears_tolerance = 5000\n", actor="zhang")
    assert stored.name == f"{WEST} 第1版 (v1)" and stored.policy.contracts.arrears_tolerance == Decimal("5000")
    # the county's stored tolerance (5,000) judges: 20,000 short is listed, wherever the reader looks
    assert _arrears(db, "wang") == {"HT-W": Decimal("20000.00")}
    rows = scan(db, MID_NOVEMBER, "wang")
    assert rows and {r.policy for r in rows} == {"示范县 第1版 (v1)"}
    (county,) = governance_report(db, 2025, "wang")
    assert (county.arrears, county.arrears_amount) == (1, Decimal("20000.00"))
    # only finance's next stored version changes what is listed, and it is kept with who stored it
    policy(db, "[contracts]\narrears_tolerance = 25000\n", actor="zhang")
    assert _arrears(db, "wang") == {}
    shown = policy_history(db, "zhang")
    assert [(p.name, p.actor) for p in shown[:2]] == [(f"{WEST} 第2版 (v2)", "zhang"), (f"{WEST} 第1版 (v1)", "zhang")]


def test_two_counties_are_each_judged_by_their_own_stored_policy(db: Database) -> None:
    _two_counties(db)
    policy(db, "[scan]\nidle_months = 6\n[contracts]\narrears_tolerance = 0\n", actor="zhang")
    policy(db, "[scan]\nidle_months = 12\n[contracts]\narrears_tolerance = 30000\n", actor="zhao")
    rows = {r.asset_id: r for r in scan(db, YEAR_END, "root")}
    assert "W-QUIET" in rows and "E-QUIET" not in rows  # last revenue 2025-04-28: idle under 6 months, not 12
    assert (rows["W-QUIET"].policy, rows["W-QUIET"].idle_months) == ("示范县 第1版 (v1)", 6)
    assert all(r.policy == "东山县 第1版 (v1)" for r in rows.values() if r.county_code == EAST)
    # 20,000 short in each county: over the west's tolerance (0), within the east's (30,000)
    assert _arrears(db, "root") == {"HT-W": Decimal("20000.00")}
    report = {r.county_code: r for r in governance_report(db, 2025, "root")}
    assert (report[WEST].arrears, report[WEST].arrears_amount) == (1, Decimal("20000.00"))
    assert EAST not in report or report[EAST].arrears == 0
    assert report[WEST].idle_open >= 1 and (EAST not in report or report[EAST].idle_open == 0)
    # the supervision warnings follow the same stored policies, and so does a case opened and closed on them
    idle = {w.subject: w for w in warnings(db, "root", YEAR_END, SupervisionPolicy(), rules=[RuleKind.IDLE])}
    assert "W-QUIET" in idle and "E-QUIET" not in idle
    assert "近 6 个月无收益" in idle["W-QUIET"].evidence and idle["W-QUIET"].since == dt.date(2025, 6, 30)
    # each county's finance sees the same judgement in its own scope
    assert {r.asset_id for r in scan(db, YEAR_END, "zhao")} == {a for a, r in rows.items() if r.county_code == EAST}
    # the east raises its idle months no further than it stores: a stricter version lists its quiet asset too
    policy(db, "[scan]\nidle_months = 6\n[contracts]\narrears_tolerance = 30000\n", actor="zhao")
    again = {r.asset_id: r for r in scan(db, YEAR_END, "root")}
    assert again["E-QUIET"].policy == "东山县 第2版 (v2)" and again["W-QUIET"].policy == "示范县 第1版 (v1)"
