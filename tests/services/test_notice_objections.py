"""A distribution is paid only after its notice was published and its objection period (公示期, counted from the
publication) has passed without an objection undecided or upheld (DOMAIN rule 15); objections are raised within the
period only, decided once, by whoever may distribute for the village, and read as household records are."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assetledger.domain.objections import Outcome
from assetledger.domain.supervision import RuleKind, SupervisionPolicy, SupervisionWarning
from assetledger.errors import InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.services import distribution_settlement, notice_objections
from assetledger.services.public_notices import publish
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.services.test_distribution import VILLAGE
from tests.services.test_distribution_invariants import _refused

OTHER_VILLAGE = "360921101202"  # 向阳村, of the same township
D = dt.date


def distribute_q2(run: Cli) -> None:
    """红旗村's 2025Q2 distributed on 2025-07-01 to four households (H1-H4): the built state `distributed`, on the
    built `rule_ready` (tests/conftest.py). Its notice is not published."""
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")


def _published(run: Cli) -> None:
    """The notice of the distribution published on 2025-07-01, its day."""
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")


def _pay(run: Cli, on: str, ok: bool = True) -> str:
    result = run("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", on, ok=ok)
    return result.output


def _object(run: Cli, on: str, *who: str, text: str = "人口数有误", user: str = "tester", ok: bool = True) -> str:
    args = ["distribute", "objection", "add", "--village", VILLAGE, "--period", "2025Q2", "--date", on, *who]
    return run(*args, "--text", text, user=user, ok=ok).output


@pytest.mark.usefixtures("distributed")
def test_no_payout_before_the_notice_is_published(run: Cli, db: Database) -> None:
    said = _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20",
                    says="尚未发布")  # fmt: skip
    assert "红旗村" in said and "2025Q2" in said
    assert f"distribute publish --village {VILLAGE} --period 2025Q2" in said  # what to do
    with pytest.raises(RuleViolation, match="has not been published"):
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 20), "tester")
    # the period counts from the publication (07-03), not from the distribution (07-01)
    publish(db, VILLAGE, "2025Q2", "tester", D(2025, 7, 3))
    during = _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date",
                      "2025-07-09", says="公示期未满")  # fmt: skip
    assert "2025-07-03 至 2025-07-09" in during and "from 2025-07-10" in during
    with pytest.raises(RuleViolation, match="公示期未满"):
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 8), "tester")
    assert distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 10), "tester").paid == 4


@pytest.mark.usefixtures("distributed")
def test_a_notice_is_not_published_before_its_distribution(run: Cli, db: Database) -> None:
    with pytest.raises(RuleViolation, match="cannot be published on 2025-06-30"):
        publish(db, VILLAGE, "2025Q2", "tester", D(2025, 6, 30))
    assert table_counts(db)["notice_publications"] == 0


@pytest.mark.usefixtures("distributed")
def test_an_undecided_objection_holds_the_payout_and_a_dismissed_one_does_not(run: Cli, db: Database) -> None:
    _published(run)  # published 07-01: objections 07-01 .. 07-07, payouts from 07-08
    assert "已记录第 1 号异议" in _object(run, "2025-07-03", "--household", "H1")
    held = _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-08",
                    says="1 条异议在 2025-07-08 尚未处理")  # fmt: skip
    assert "第 1 号（2025-07-03 提出）" in held and "distribute objection decide" in held
    decided = notice_objections.decide_objection(db, 1, D(2025, 7, 9), Outcome.DISMISSED, "经核实人口无误", "tester")
    assert decided.outcome is Outcome.DISMISSED and decided.decided_on == D(2025, 7, 9)
    with pytest.raises(RuleViolation, match="undecided on 2025-07-08"):  # still undecided on that day
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 8), "tester")
    assert "paid 4 household(s)" in _pay(run, "2025-07-09")
    with pytest.raises(RuleViolation, match="was paid from 2025-07-09"):  # a late record of an objection in time
        notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 7), "有误", "tester", household="H2")
    listed = json.loads(run("distribute", "objection", "list", "--village", VILLAGE, "--format", "json").output)
    assert [(o["household_id"], o["head"], o["text"], o["state"], o["reason"]) for o in listed] == [
        ("H1", "王一", "人口数有误", "不成立 (dismissed)", "经核实人口无误")
    ]


@pytest.mark.usefixtures("distributed")
def test_an_upheld_objection_means_the_distribution_is_reversed_and_redone(run: Cli, db: Database) -> None:
    _published(run)
    _object(run, "2025-07-02", "--name", "张三", text="王四 6 月才纳入，月数算错")
    out = run("distribute", "objection", "decide", "1", "--date", "2025-07-05", "--uphold", "--reason", "属实").output
    assert "成立 (upheld)" in out and f"distribute reverse --village {VILLAGE} --period 2025Q2" in out
    said = _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20",
                    says="异议成立")  # fmt: skip
    assert f"assetledger distribute reverse --village {VILLAGE} --period 2025Q2" in said and "upheld" in said
    # reversed and made again, with a notice and an objection period of its own: then it is paid
    run("distribute", "reverse", "--village", VILLAGE, "--period", "2025Q2", "--reason", "异议成立", "--date",
        "2025-07-06")  # fmt: skip
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-06")
    _refused(run, db, "distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-20",
             says="尚未发布")  # fmt: skip
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-06")
    assert "paid 4 household(s)" in _pay(run, "2025-07-13")


@pytest.mark.usefixtures("distributed")
def test_objections_are_raised_within_the_objection_period_only(run: Cli, db: Database) -> None:
    early = _refused(run, db, "distribute", "objection", "add", "--village", VILLAGE, "--period", "2025Q2", "--date",
                     "2025-07-02", "--household", "H1", "--text", "有误", says="公示期尚未开始")  # fmt: skip
    assert "distribute publish" in early
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01")
    for day in ("2025-06-30", "2025-07-08"):
        said = _refused(run, db, "distribute", "objection", "add", "--village", VILLAGE, "--period", "2025Q2",
                        "--date", day, "--household", "H1", "--text", "有误",
                        says="公示期为 2025-07-01 至 2025-07-07")  # fmt: skip
        assert f"{day} is outside it" in said
    with pytest.raises(RuleViolation, match="outside it"):
        notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 8), "有误", "tester", raised_by="张三")
    first = notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 1), "有误", "tester", household="H2")
    last = notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 7), "有误", "tester", raised_by="张三")
    assert (first.raised_on, first.head, last.raised_by, last.outcome) == (D(2025, 7, 1), "王二", "张三", None)
    # decisions: on or after the objection, not after today, once
    with pytest.raises(RuleViolation, match="on or after the day it was raised"):
        notice_objections.decide_objection(db, last.id, D(2025, 7, 6), Outcome.DISMISSED, "无", "tester")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(RuleViolation, match="after today"):
        notice_objections.decide_objection(db, last.id, tomorrow, Outcome.DISMISSED, "无", "tester")
    notice_objections.decide_objection(db, last.id, D(2025, 7, 7), Outcome.DISMISSED, "不属实", "tester")
    twice = _refused(run, db, "distribute", "objection", "decide", str(last.id), "--date", "2025-07-08", "--uphold",
                     "--reason", "改判", says="不能再次处理")  # fmt: skip
    assert "decided on 2025-07-07" in twice
    with pytest.raises(NotFoundError):
        notice_objections.decide_objection(db, 99, D(2025, 7, 7), Outcome.DISMISSED, "无", "tester")


@pytest.mark.usefixtures("distributed")
def test_bad_input_is_named_and_changes_nothing(run: Cli, db: Database) -> None:
    _published(run)
    before = table_counts(db)
    cases = [
        (["--household", "H1", "--text", " "], "--text"),
        (["--text", "有误"], "--household / --name"),
        (["--household", "X9", "--text", "有误"], "X9"),
    ]
    for args, named in cases:
        result = run("distribute", "objection", "add", "--village", VILLAGE, "--period", "2025Q2", "--date",
                     "2025-07-02", *args, ok=False)  # fmt: skip
        assert result.exit_code == 2 and named in result.output, result.output
    with pytest.raises(InputError, match="--reason"):
        notice_objections.decide_objection(db, 1, D(2025, 7, 2), Outcome.DISMISSED, "  ", "tester")
    assert table_counts(db) == before


@pytest.mark.usefixtures("distributed")
def test_only_who_may_distribute_for_the_village_records_and_the_inventory_team_reads_none(
    run: Cli, db: Database
) -> None:
    _published(run)
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921")
    for name, role, scope in [("li", "village-accountant", VILLAGE), ("ma", "village-accountant", OTHER_VILLAGE),
                              ("qing", "inventory", "360921"), ("wang", "auditor", "360921")]:  # fmt: skip
        run("user", "add", name, "--role", role, "--scope", scope, user="zhang")
    assert "已记录第 1 号异议" in _object(run, "2025-07-02", "--household", "H1", user="li")
    for who in ("ma", "wang", "qing"):  # another village's accountant, the auditor, the inventory team
        refused = _object(run, "2025-07-02", "--household", "H1", user=who, ok=False)
        assert "Traceback" not in refused
        with pytest.raises(PermissionDenied):
            notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 2), "有误", who, household="H2")
        with pytest.raises(PermissionDenied):
            notice_objections.decide_objection(db, 1, D(2025, 7, 3), Outcome.DISMISSED, "无", who)
    other = run("distribute", "objection", "decide", "1", "--date", "2025-07-03", "--dismiss", "--reason", "无",
                user="ma", ok=False)  # fmt: skip
    assert other.exit_code == 6 and "无权操作红旗村" in other.output
    team = run("distribute", "objection", "list", "--village", VILLAGE, user="qing", ok=False)
    assert team.exit_code == 6 and "无权查看农户信息" in team.output and "人口数有误" not in team.output
    with pytest.raises(PermissionDenied, match="may not read household"):
        notice_objections.list_objections(db, "qing", VILLAGE)
    with pytest.raises(PermissionDenied):
        notice_objections.list_objections(db, "ma", VILLAGE)  # not its village
    for reader in ("li", "zhang", "wang"):
        assert [o.text for o in notice_objections.list_objections(db, reader, VILLAGE, "2025Q2")] == ["人口数有误"]
    notice_objections.decide_objection(db, 1, D(2025, 7, 3), Outcome.DISMISSED, "经核实无误", "li")
    assert distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 8), "li").paid == 4


@pytest.mark.usefixtures("distributed")
def test_an_objection_undecided_for_over_15_days_is_a_warning(run: Cli, db: Database) -> None:
    _published(run)
    notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 3), "有误", "tester", household="H1")
    notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 4), "有误", "tester", household="H2")
    notice_objections.decide_objection(db, 2, D(2025, 7, 10), Outcome.DISMISSED, "无误", "tester")
    policy = SupervisionPolicy()

    def found(as_of: dt.date) -> list[SupervisionWarning]:
        return warnings(db, "tester", as_of, policy, rules=[RuleKind.OBJECTION_UNDECIDED])

    assert found(D(2025, 7, 18)) == []  # 15 days of grace: due 07-18
    [late] = found(D(2025, 7, 19))
    assert (late.subject, late.since, late.due, late.village_code) == ("1", D(2025, 7, 3), D(2025, 7, 18), VILLAGE)
    assert "第 1 号异议于 2025-07-03 提出，至 2025-07-19 已 16 天未处理" in late.evidence
    notice_objections.decide_objection(db, 1, D(2025, 7, 25), Outcome.DISMISSED, "无误", "tester")
    assert [w.subject for w in found(D(2025, 7, 24))] == ["1"] and found(D(2025, 7, 25)) == []
