"""An asset's story in the reader's words (web/history.py): kinds by name, "字段：旧 → 新", amounts with separators,
codes by their labels, regions by their names; the same in English."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal

from assetledger.services import maintenance as fund
from assetledger.services.audit import asset_story
from assetledger.store.db import Database
from assetledger.web import history
from tests.builders import ACTOR
from tests.services.test_governance import _setup

NAMES = {"360921101202": "向阳村"}


def test_a_status_change_reads_old_to_new() -> None:
    item = {"area": "register", "kind": "status_changed", "facts": {"from": "in_use", "to": "idle", "reason": "停产"}}
    assert history.what(item, "zh") == "状态变更" and history.area("register", "zh") == "台账"
    assert history.details(item, "zh", NAMES) == "状态：在用 → 闲置；原因：停产"
    assert history.details(item, "en", NAMES) == "status: in use → idle; reason: 停产"


def test_a_registration_names_its_fields_and_labels_its_codes() -> None:
    facts = {"name": "冷库", "register": "operating", "region": "360921101202", "original_value": "100000.00",
             "funding": {"central": "60000.00", "county": "40000.00"},
             "owner": {"name": "向阳村股份经济合作社", "kind": "village", "on": "2021-12-01"}}  # fmt: skip
    shown = history.details({"area": "register", "kind": "registered", "facts": facts}, "zh", NAMES)
    assert "资产类别：经营性" in shown and "区划：向阳村" in shown and "原值：100,000.00" in shown
    assert "资金来源：中央衔接资金 60,000.00，县级衔接资金 40,000.00" in shown and "确权层级 村集体" in shown
    assert "{" not in shown and "operating" not in shown and "_" not in shown


def test_an_entry_shows_its_amount_with_separators() -> None:
    item = {"area": "books", "kind": "revenue", "facts": {"entry": 7, "entity": "V1", "narration": "租金",
                                                          "amount": Decimal("12345.6")}}  # fmt: skip
    assert history.what(item, "zh") == "收入"
    assert history.details(item, "zh", NAMES) == "分录 #7；核算主体：V1；摘要：租金；金额：12,345.60"


def test_an_inventory_count_names_its_result_and_an_unknown_code_loses_its_underscores() -> None:
    assert history.what({"area": "inventory", "facts": {"result": "in_use"}}, "zh") == "盘点：在用"
    assert history.what({"area": "register", "kind": "some_new_kind", "facts": {}}, "zh") == "some new kind"


def test_a_bilingual_note_shows_the_pages_side() -> None:
    from assetledger.web.i18n import one_side

    note = "经营性资产在用但无经营合同 an operating asset in use without a contract"
    assert one_side(note, "zh") == "经营性资产在用但无经营合同"
    assert one_side(note, "en") == "an operating asset in use without a contract"
    legal = "租期超过 20 年，2046-01-01 后无效 (民法典第705条) void beyond 20 years"
    assert one_side(legal, "zh") == "租期超过 20 年，2046-01-01 后无效 (民法典第705条)"
    assert one_side("合同 C-1 已到期", "en") == "合同 C-1 已到期"  # one language only: as it is
    surplus = "a surplus (盘盈) row needs the name of what was found"  # English naming a Chinese term: as it is
    assert one_side(surplus, "zh") == surplus and one_side(surplus, "en") == surplus
    zero = "金额不能为零（Assets:Bank） Assets:Bank: zero amount"
    assert one_side(zero, "zh") == "金额不能为零（Assets:Bank）" and one_side(zero, "en") == "Assets:Bank: zero amount"
    unused = "列 备注 未使用 (column 备注 is not used)"
    assert one_side(unused, "zh") == "列 备注 未使用" and one_side(unused, "en") == "column 备注 is not used"


def test_a_contract_names_its_terms_and_a_document_hides_its_checksum() -> None:
    contract = {"contract": "HT-1", "operator": "县农投公司", "mode": "lease", "start": "2024-07-01",
                "end": "2034-06-30", "annual": "66264.00", "renews": "HT-0"}  # fmt: skip
    shown = history.details({"area": "register", "kind": "contract_recorded", "facts": contract}, "zh", NAMES)
    assert shown == ("合同：HT-1；经营主体：县农投公司；经营方式：出租；起始日期：2024-07-01；截止日期：2034-06-30；"
                     "年租金/收益：66,264.00；续签自：HT-0")  # fmt: skip
    assert "yearly rent: 66,264.00" in history.details({"kind": "contract_recorded", "facts": contract}, "en", NAMES)
    document = {"document": "ab" * 32, "name": "A-1_立项批复.pdf", "kind": "approval", "media_type": "application/pdf",
                "size": 2581}  # fmt: skip
    shown = history.details({"area": "register", "kind": "document_attached", "facts": document}, "zh", NAMES)
    assert shown == "名称：A-1_立项批复.pdf；类别：立项批复；大小(字节)：2581"


def test_a_reinvestment_and_a_disposal_name_every_fact() -> None:
    reinvested = {"amount": "72694.00", "source": "reserve", "value_before": "1002100.00", "value_after": "1074794.00"}
    shown = history.details({"area": "register", "kind": "reinvested", "facts": reinvested}, "zh", NAMES)
    assert (
        shown
        == "金额：72,694.00；资金来源：扩大再生产储备；原值（再投入前）：1,002,100.00；原值（再投入后）：1,074,794.00"
    )
    disposed = {"method": "auction", "gain": "105615.05", "approved_by": "县"}
    shown = history.details({"area": "register", "kind": "disposed", "facts": disposed}, "zh", NAMES)
    assert shown == "方式：拍卖；处置损益：105,615.05；批准机关：县"
    written_off = {"area": "register", "kind": "inventory_written_off", "facts": {}}
    assert history.what(written_off, "zh") == "清查核销"


def test_the_demo_records_its_work_under_a_chinese_label_not_a_code() -> None:
    from assetledger.demo.run import ACTOR

    assert ACTOR == "演示程序"


def test_each_row_of_a_maintenance_application_is_named_in_words(db: Database) -> None:
    """An application to the maintenance fund, its approval and each spend against it are lines of the asset's story
    (services/audit.asset_story), each named as the others are: 申请, 批准, 支出 (applied, approved, spent)."""
    _setup(db)  # ROAD: a public-benefit asset
    fund.contribute(db, "360921", Decimal("10000"), dt.date(2026, 1, 1), ACTOR)
    fund.apply(db, "ROAD", Decimal("800"), "水毁", dt.date(2026, 2, 1), ACTOR)
    fund.decide(db, 1, True, dt.date(2026, 2, 3), ACTOR)
    fund.spend(db, 1, Decimal("500"), dt.date(2026, 2, 5), ACTOR)
    lines = [asdict(line) for line in asset_story(db, "ROAD", ACTOR) if line.area == "maintenance fund"]
    assert [history.what(line, "zh") for line in lines] == ["申请", "批准", "支出"]
    assert [history.what(line, "en") for line in lines] == ["applied", "approved", "spent"]
    assert history.area("maintenance fund", "zh") == "运维基金"
