"""Supervision warnings on dated data: each rule raised by a situation and cleared by its fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from assetledger.domain.supervision import RuleKind, RuleSetting, SupervisionPolicy, SupervisionWarning
from assetledger.errors import PermissionDenied
from assetledger.rules.supervision_policy import load_policy
from assetledger.services.governance import decide_disposal
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from tests.builders import ACTOR, assets, regions, user
from tests.builders.governance import (
    books_closed,
    confirmed,
    contract,
    counts,
    custodian,
    distributed,
    entries,
    handed_over,
    inventory,
    inventory_closed,
    paid,
    published,
    rule,
    well,
)
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards
from tests.services.test_journal import ENTRY_HEADER

POLICY = Path(__file__).parents[2] / "ledgers" / "policy" / "supervision.toml"
SHIPPED = load_policy(POLICY)
RULES = Path(__file__).parents[2] / "ledgers" / "rules"  # the distribution rules' examples
VILLAGE = "360921101201"
OP = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
HONGQI, XIANGYANG, QINGSHAN, DONGFENG = "360921101201", "360921101202", "360921102201", "360921101"


def _found(db: Database, on: str, *rules: str, actor: str = ACTOR) -> dict[str, SupervisionWarning]:
    """The warnings as of a date by key, under ledgers/policy/supervision.toml (`supervise warnings --as-of --policy
    [--rule ...]`)."""
    kinds = [RuleKind.parse(r) for r in rules] or None
    return {w.key: w for w in warnings(db, actor, dt.date.fromisoformat(on), SHIPPED, rules=kinds)}


def test_register_rules_raised_and_cleared_in_turn(db: Database) -> None:
    regions(db)
    well(db, VILLAGE)
    assert "unconfirmed:U-1" not in _found(db, "2025-05-29")  # 89 days after its acquisition: within 90
    w = _found(db, "2025-06-01")["unconfirmed:U-1"]
    assert (w.since, w.due, w.overdue_days(dt.date(2025, 6, 1))) == (dt.date(2025, 3, 1), dt.date(2025, 5, 30), 2)
    assert "取得日期 acquired 2025-03-01" in w.evidence and "not confirmed 92 days" in w.evidence
    assert w.refs[0].startswith("登记事件 registration event #")
    confirmed(db, "U-1", "红旗村股份经济合作社", "village", dt.date(2025, 6, 10))
    assert "unconfirmed:U-1" not in _found(db, "2025-06-20")
    assert "not_handed_over:U-1" not in _found(db, "2025-08-09")  # 60 days from 2025-06-10
    w = _found(db, "2025-08-15")["not_handed_over:U-1"]
    assert "2025-06-10 确权给 红旗村股份经济合作社" in w.evidence and "确权事件" in w.refs[0]
    handed_over(db, "U-1", dt.date(2025, 8, 20), "县水利局")
    after = _found(db, "2025-08-21")
    assert "not_handed_over:U-1" not in after
    assert "移交后未落实管护主体" in after["no_custodian:U-1"].evidence  # DOMAIN rule 3: no grace
    assert after["no_custodian:U-1"].refs[0].startswith("移交事件 handover event #")
    custodian(db, "U-1", "张三", dt.date(2025, 8, 21))
    assert not [k for k in _found(db, "2025-08-22") if k.endswith(":U-1")]


def test_idle_loss_and_contract_rules(db: Database) -> None:
    regions(db)
    assets(db, [ASSET_HEADER, asset_row("SILENT", 资产名称="冷库", **OP), asset_row("LOSES", 资产名称="大棚", **OP),
                asset_row("BARE", 资产名称="厂房", **OP)])  # fmt: skip
    booked: list[Sequence[object]] = [ENTRY_HEADER, ["2025-01-28", "SILENT", "收入", "租金", "500", "", ""]]
    for month in range(1, 13):
        booked.append([f"2025-{month:02d}-28", "LOSES", "收入", "租金", "100", "", ""])
        booked.append([f"2025-{month:02d}-28", "LOSES", "支出", "经营成本", "150", "", ""])
        booked.append([f"2025-{month:02d}-28", "BARE", "收入", "租金", "1000", "", ""])
    entries(db, booked)
    now = _found(db, "2025-12-31", "idle", "loss_making", "no_contract")
    assert set(now) == {"idle:SILENT", "loss_making:LOSES", "no_contract:SILENT", "no_contract:LOSES",
                        "no_contract:BARE"}  # fmt: skip
    assert "最近收益 2025-01-28" in now["idle:SILENT"].evidence
    assert "收入 1,200.00，支出 1,800.00，亏损 600.00" in now["loss_making:LOSES"].evidence
    assert "无经营合同" in now["no_contract:BARE"].evidence
    entries(db, [ENTRY_HEADER, ["2025-12-20", "SILENT", "收入", "租金", "500", "", ""],
                 ["2025-12-30", "LOSES", "收入", "租金", "1000", "", ""]])  # fmt: skip
    contract(db, "HT-1", "BARE", "某公司", "lease", dt.date(2025, 1, 1), dt.date(2029, 12, 31), "1000", "monthly")
    fixed = _found(db, "2025-12-31", "idle", "loss_making", "no_contract")
    assert set(fixed) == {"no_contract:SILENT", "no_contract:LOSES"}


def test_an_idle_assets_decision_is_named_in_words_and_a_stored_text_as_it_is(db: Database) -> None:
    """The idle warning's evidence names the governance decision by its label, English beside (no code alone); a
    decision written around the product that is no decision is shown as it was stored, not a crash."""
    regions(db)
    assets(db, [ASSET_HEADER, asset_row("SILENT", 资产名称="冷库", **OP)])
    entries(db, [ENTRY_HEADER, ["2025-01-28", "SILENT", "收入", "租金", "500", "", ""]])
    decide_disposal(db, "SILENT", dt.date(2025, 12, 1), None, ACTOR)
    evidence = _found(db, "2025-12-31", "idle")["idle:SILENT"].evidence
    assert evidence.endswith("；治理决定：处置 decision: dispose"), evidence
    drop_append_only_guards(db, "governance_decisions")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE governance_decisions SET decision = 'abandon'")
    evidence = _found(db, "2025-12-31", "idle")["idle:SILENT"].evidence
    assert evidence.endswith("；治理决定 decision: abandon"), evidence


def test_books_not_closed_for_last_month(db: Database) -> None:
    regions(db)
    assets(db, [ASSET_HEADER, asset_row("A-1")])
    key = "books_not_closed:V360921101201"
    w = _found(db, "2025-07-15", "books_not_closed")[key]  # June is due by 07-15; May was due by 06-15
    assert "从未结账 never closed" in w.evidence and (w.since, w.due) == (dt.date(2025, 5, 31), dt.date(2025, 6, 15))
    books_closed(db, "V360921101201", dt.date(2025, 5, 31))
    assert _found(db, "2025-07-15", "books_not_closed") == {}
    w = _found(db, "2025-07-16", "books_not_closed")[key]
    assert "已结账至 2025-05-31" in w.evidence and (w.since, w.due) == (dt.date(2025, 6, 30), dt.date(2025, 7, 15))
    books_closed(db, "V360921101201", dt.date(2025, 6, 30))
    assert _found(db, "2025-08-15", "books_not_closed") == {}
    assert "已结账至 2025-06-30" in _found(db, "2025-08-16", "books_not_closed")[key].evidence  # July's now due


@pytest.mark.usefixtures("village")  # revenue April to July 2025 in 红旗村's books
def test_undistributed_revenue_and_unpaid_household_shares(db: Database) -> None:
    rule(db, RULES / "example-village-rule.toml")
    key = f"undistributed:V{VILLAGE}"
    assert key not in _found(db, "2025-07-29", "undistributed")  # April: 90 days after its end is 07-29
    w = _found(db, "2025-08-10", "undistributed")[key]
    assert "2025-04 6,000.00" in w.evidence and w.since == dt.date(2025, 4, 30)
    distributed(db, VILLAGE, "2025Q2", dt.date(2025, 7, 5))
    assert _found(db, "2025-08-10", "undistributed") == {}  # July is not yet 90 days past
    assert "2025-07 9,999.00" in _found(db, "2025-11-01", "undistributed")[key].evidence
    unpaid = _found(db, "2025-08-10", "unpaid")
    assert list(unpaid) == ["unpaid:1"] and "应付 4 户" in unpaid["unpaid:1"].evidence
    published(db, VILLAGE, "2025Q2")
    assert paid(db, VILLAGE, "2025Q2", dt.date(2025, 7, 15)).paid == 4
    assert _found(db, "2025-08-10", "unpaid") == {}


COUNT_HEADER = ["清查编号", "区划代码", "资产编号", "结果", "清查日期", "状况", "清查人", "资产名称", "资产类别",
                "资产原值（元）", "数量", "单位", "管护主体"]  # fmt: skip


def _count(place: str, asset_id: str, result: str, on: str, condition: str = "") -> list[object]:
    return ["1", place, asset_id, result, on, condition, "李四", "", "", "", "", "", ""]


def test_inventory_differences_not_settled(db: Database) -> None:
    regions(db)
    assets(db, [
        ASSET_HEADER,
        asset_row("A-1"),
        asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
        asset_row("A-3", 确权主体=None, 确权级别=None, 确权日期=None),
        asset_row("A-4", 村="向阳村", 确权主体="向阳村股份经济合作社"),
        asset_row("A-5", 乡镇="青山乡", 确权主体="红旗村股份经济合作社"),
        asset_row("A-6", 村=None, 资产名称="县道桥梁", 确权主体="示范县交通运输局", 确权级别="部门"),
        asset_row("H-1", 资产名称="能繁母牛", 资产类别="到户类", 户编号="H001", 户主姓名="王建国", 确权主体="王建国",
                  确权级别="农户", 管护主体=None),
    ])  # fmt: skip
    assert inventory(db, 2025, "county:360921", dt.date(2025, 12, 1)).inventory_id == 1
    lamp = ["1", HONGQI, "", "在用", "2025-12-11", "", "李四", "太阳能路灯", "公益性", "8000", "4", "盏",
            "红旗村村民委员会"]  # a surplus (盘盈)  # fmt: skip
    counts(db, [COUNT_HEADER, _count(HONGQI, "A-1", "在用", "2025-12-10"), _count(HONGQI, "A-2", "在用", "2025-12-10"),
                _count(HONGQI, "A-3", "盘亏", "2025-12-10", "找不到"), lamp])  # fmt: skip
    counts(db, [COUNT_HEADER, _count(XIANGYANG, "A-4", "毁损", "2025-12-15")])
    rest = [_count(QINGSHAN, "A-5", "在用", "2025-12-16"), _count(DONGFENG, "A-6", "在用", "2025-12-16")]
    counts(db, [COUNT_HEADER, *rest])
    assert _found(db, "2026-02-13", "inventory_unsettled") == {}  # 60 days after the last difference (12-15)
    w = _found(db, "2026-02-14", "inventory_unsettled")["inventory_unsettled:1"]
    assert "盘亏 1、毁损 1、盘盈 1" in w.evidence and "A-3" in w.refs
    inventory_closed(db, 1, "示政〔2026〕3号", dt.date(2026, 1, 10))
    assert _found(db, "2026-02-14", "inventory_unsettled") == {}


CITIES = [
    ["区划代码", "名称", "级别", "上级代码"],
    ["360900", "宜春市", "市", ""],
    ["360921", "示范县", "县", "360900"],
]


def _readers(db: Database) -> None:
    """A-1 in 红旗村 and Q-1 in 青山乡, neither in anyone's custody; the city's finance (shi), the county's (zhang)
    and an auditor of 青山乡 (wang)."""
    regions(db)
    assets(db, [ASSET_HEADER, asset_row("A-1", 管护主体=None), asset_row("Q-1", 乡镇="青山乡", 管护主体=None)])
    regions(db, CITIES)
    user(db, "shi", "finance", "360900")  # a city's bureau covers its counties
    user(db, "zhang", "finance", "360921", actor="shi")
    user(db, "wang", "auditor", "360921102", actor="zhang")


def test_warnings_in_a_readers_scope(db: Database) -> None:
    _readers(db)
    assert set(_found(db, "2025-01-10", "no_custodian", actor="shi")) == {"no_custodian:A-1", "no_custodian:Q-1"}
    assert set(_found(db, "2025-01-10", "no_custodian", actor="zhang")) == {"no_custodian:A-1", "no_custodian:Q-1"}
    assert set(_found(db, "2025-01-10", "no_custodian", actor="wang")) == {"no_custodian:Q-1"}
    with pytest.raises(PermissionDenied) as refused:
        warnings(db, "wang", dt.date(2025, 1, 10), SupervisionPolicy(), VILLAGE)
    assert refused.value.exit_code == 6
    with pytest.raises(ValueError, match="unknown rule"):
        RuleKind.parse("nonsense")  # `supervise warnings --rule nonsense` says so (exit 2: tests/cli)
    # the library API returns frozen dataclasses, and a rule switched off is not run
    on = SupervisionPolicy()
    listed = warnings(db, "zhang", dt.date(2025, 1, 10), on, rules=[RuleKind.NO_CUSTODIAN])
    assert [w.key for w in listed] == ["no_custodian:A-1", "no_custodian:Q-1"] and listed[0].region_code == VILLAGE
    off = SupervisionPolicy("t", {**on.rules, RuleKind.NO_CUSTODIAN: RuleSetting(False, 0)})
    assert warnings(db, "zhang", dt.date(2025, 1, 10), off, rules=[RuleKind.NO_CUSTODIAN]) == []
