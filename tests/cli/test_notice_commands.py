"""`distribute objection add | decide | list` and `distribute pay` over the objection period
(tests/services/test_notice_objections.py holds what the services do): what each command says it recorded, the
objections listed as JSON, and the exit code of each refusal with the message that names what to do."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assetledger.store.db import Database
from tests.builders import user
from tests.builders.distribution import publish
from tests.conftest import Cli
from tests.services.test_distribution import VILLAGE
from tests.services.test_notice_objections import OTHER_VILLAGE

PAY = ("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date")
ADD = ("distribute", "objection", "add", "--village", VILLAGE, "--period", "2025Q2", "--date")


def _refused(run: Cli, *args: str, exit_code: int = 5, actor: str = "tester") -> str:
    """A command refused with `exit_code`, its message shown (no traceback); what it said."""
    result = run(*args, user=actor, ok=False)
    assert result.exit_code == exit_code and "Traceback" not in result.output, result.output
    return result.output


@pytest.mark.usefixtures("distributed")
def test_pay_says_the_notice_is_unpublished_or_its_period_not_over_and_pays_after(run: Cli, db: Database) -> None:
    said = _refused(run, *PAY, "2025-07-20")
    assert "尚未发布" in said and "红旗村" in said and "2025Q2" in said
    assert f"distribute publish --village {VILLAGE} --period 2025Q2" in said  # what to do
    publish(db, VILLAGE, "2025Q2", dt.date(2025, 7, 3))
    during = _refused(run, *PAY, "2025-07-09")
    assert "公示期未满" in during and "2025-07-03 至 2025-07-09" in during and "from 2025-07-10" in during
    assert "paid 4 household(s) 7,200.00 yuan" in run(*PAY, "2025-07-10").output


@pytest.mark.usefixtures("distributed")
def test_an_objection_recorded_holds_the_payout_until_decided_and_is_listed(run: Cli, db: Database) -> None:
    publish(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    added = run(*ADD, "2025-07-03", "--household", "H1", "--text", "人口数有误").output
    assert "已记录第 1 号异议" in added and "objection 1 to the 2025Q2 notice recorded" in added
    held = _refused(run, *PAY, "2025-07-08")
    assert "1 条异议在 2025-07-08 尚未处理" in held and "第 1 号（2025-07-03 提出）" in held
    assert "distribute objection decide" in held
    decided = run("distribute", "objection", "decide", "1", "--date", "2025-07-08", "--dismiss", "--reason",
                  "经核实人口无误").output  # fmt: skip
    assert "第 1 号异议于 2025-07-08 处理：不成立 (dismissed)" in decided and "distribute reverse" not in decided
    listed = json.loads(run("distribute", "objection", "list", "--village", VILLAGE, "--format", "json").output)
    assert [(o["household_id"], o["head"], o["text"], o["state"], o["reason"]) for o in listed] == [
        ("H1", "王一", "人口数有误", "不成立 (dismissed)", "经核实人口无误")
    ]
    table = run("distribute", "objection", "list", "--village", VILLAGE, "--period", "2025Q2").output
    assert "异议内容" in table and "处理结果" in table and "王一" in table and "人口数有误" in table
    assert "paid 4 household(s)" in run(*PAY, "2025-07-09").output


@pytest.mark.usefixtures("distributed")
def test_an_upheld_objection_says_to_reverse_and_the_payout_is_refused(run: Cli, db: Database) -> None:
    publish(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    run(*ADD, "2025-07-02", "--name", "张三", "--text", "王四 6 月才纳入，月数算错")
    out = run("distribute", "objection", "decide", "1", "--date", "2025-07-05", "--uphold", "--reason", "属实").output
    assert "成立 (upheld)" in out and f"distribute reverse --village {VILLAGE} --period 2025Q2" in out
    said = _refused(run, *PAY, "2025-07-20")
    assert "异议成立" in said and "upheld" in said
    assert f"assetledger distribute reverse --village {VILLAGE} --period 2025Q2" in said


@pytest.mark.usefixtures("distributed")
def test_objections_outside_the_period_decided_twice_or_badly_written_exit_with_their_codes(
    run: Cli, db: Database
) -> None:
    early = _refused(run, *ADD, "2025-07-02", "--household", "H1", "--text", "有误")
    assert "公示期尚未开始" in early and "distribute publish" in early
    publish(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    for day in ("2025-06-30", "2025-07-08"):
        said = _refused(run, *ADD, day, "--household", "H1", "--text", "有误")
        assert "公示期为 2025-07-01 至 2025-07-07" in said and f"{day} is outside it" in said
    for args, named in [
        (["--household", "H1", "--text", " "], "--text"),
        (["--text", "有误"], "--household / --name"),
        (["--household", "X9", "--text", "有误"], "X9"),
    ]:
        assert named in _refused(run, *ADD, "2025-07-02", *args, exit_code=2)
    run(*ADD, "2025-07-07", "--name", "张三", "--text", "有误")
    decide = ("distribute", "objection", "decide", "1")
    assert "--reason" in _refused(run, *decide, "--date", "2025-07-07", "--dismiss", "--reason", " ", exit_code=2)
    run(*decide, "--date", "2025-07-07", "--dismiss", "--reason", "不属实")
    twice = _refused(run, *decide, "--date", "2025-07-08", "--uphold", "--reason", "改判")
    assert "不能再次处理" in twice and "decided on 2025-07-07" in twice
    _refused(run, "distribute", "objection", "decide", "99", "--date", "2025-07-07", "--dismiss", "--reason", "无",
             exit_code=3)  # fmt: skip


@pytest.mark.usefixtures("distributed")
def test_who_may_not_record_or_read_objections_is_refused_with_exit_6(run: Cli, db: Database) -> None:
    publish(db, VILLAGE, "2025Q2", dt.date(2025, 7, 1))
    zhang = user(db, "zhang", "finance", "360921")
    for name, role, scope in [("li", "village-accountant", VILLAGE), ("ma", "village-accountant", OTHER_VILLAGE),
                              ("qing", "inventory", "360921"), ("wang", "auditor", "360921")]:  # fmt: skip
        user(db, name, role, scope, actor=zhang)
    assert "已记录第 1 号异议" in run(*ADD, "2025-07-02", "--household", "H1", "--text", "人口数有误", user="li").output
    for who in ("ma", "wang", "qing"):  # another village's accountant, the auditor, the inventory team
        _refused(run, *ADD, "2025-07-02", "--household", "H1", "--text", "有误", exit_code=6, actor=who)
    other = _refused(run, "distribute", "objection", "decide", "1", "--date", "2025-07-03", "--dismiss", "--reason",
                     "无", exit_code=6, actor="ma")  # fmt: skip
    assert "无权操作红旗村" in other
    team = _refused(run, "distribute", "objection", "list", "--village", VILLAGE, exit_code=6, actor="qing")
    assert "无权查看农户信息" in team and "人口数有误" not in team
    assert "人口数有误" in run("distribute", "objection", "list", "--village", VILLAGE, user="wang").output
