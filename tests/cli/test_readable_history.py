"""`asset show` and `audit trail` on a terminal say an asset's history in words: each event's facts one "字段：值"
line, labelled as the register and the web asset page label them, never the payload as JSON, a dict or a code."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Cli

RAW = re.compile(r"[{}\[\]]|'[a-z_]+':|\"[a-z_]+\":")  # a payload printed as JSON or a Python dict


def _changed(county: Cli) -> None:
    county("asset", "status", "A-1", "idle", "--date", "2025-03-01", "--reason", "停产检修", user="zhang")
    county("asset", "custodian", "A-1", "--name", "张三", "--from", "2025-03-02", "--duties", "巡查", user="zhang")


@pytest.mark.usefixtures("county")
def test_asset_show_says_each_event_in_words(county: Cli) -> None:
    _changed(county)
    out = county("asset", "show", "A-1", user="zhang").output
    assert "资金来源 fund source" in out and "中央衔接资金" in out and "central" not in out  # the funding by name
    assert "管护主体 custodian" in out and "管护责任 custodian's duties" in out
    history = out[out.index("事件 history") :]
    assert not RAW.search(history), history
    assert "登记入账 (registered)" in history and "名称：光伏电站" in history and "资产类别：经营性" in history
    assert "状态：在用 → 闲置" in history and "原因：停产检修" in history
    assert "管护主体：张三" in history and "记录人 zhang" in history
    for code in ("status_changed", "original_value", "in_use", "operating"):
        assert code not in history, code


@pytest.mark.usefixtures("county")
def test_audit_trail_says_each_line_in_words(county: Cli) -> None:
    _changed(county)
    county("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "1200", "--date", "2025-04-01",
           user="zhang")  # fmt: skip
    out = county("audit", "trail", "A-1", user="wang").output
    assert not RAW.search(out), out
    assert "台账 · 登记入账 (registered)" in out and "状态：在用 → 闲置" in out and "原因：停产检修" in out
    assert "金额：1,200.00" in out and "记录人 zhang" in out
    for code in ("status_changed", "register ·", "details", "payload"):
        assert code not in out, code
    assert '"status_changed"' in county("audit", "trail", "A-1", "--format", "json", user="wang").output  # for tools
