"""A distribution is paid only after its notice was published and its objection period (公示期, counted from the
publication) has passed without an objection undecided or upheld (DOMAIN rule 15); objections are raised within the
period only, decided once, by whoever may distribute for the village, and read as household records are.

The state is built and every act done through the services; what `distribute objection` and `distribute pay` print
and how they exit is tested in tests/cli/test_notice_commands.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assetledger.domain.objections import Outcome
from assetledger.domain.supervision import RuleKind, SupervisionPolicy, SupervisionWarning
from assetledger.errors import InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.services import distribution_settlement, notice_objections
from assetledger.services.public_notices import publish
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from tests.builders import ACTOR, user
from tests.builders.distribution import database_of, distribute, reverse
from tests.builders.distribution import publish as published
from tests.conftest import Cli
from tests.helpers import drop_append_only_guards, table_counts
from tests.services.test_distribution import VILLAGE
from tests.services.test_distribution_invariants import refused

OTHER_VILLAGE = "360921101202"  # 向阳村, of the same township
D = dt.date


def distribute_q2(run: Cli) -> None:
    """红旗村's 2025Q2 distributed on 2025-07-01 to four households (H1-H4): the built state `distributed`, on the
    built `rule_ready` (tests/conftest.py), made through the services on the database of `run`. Its notice is not
    published."""
    done = distribute(database_of(run), VILLAGE, "2025Q2", D(2025, 7, 1))
    assert (done.distribution_id, done.already_done) == (1, False), done
    assert [h.household_id for h in done.split.households] == ["H1", "H2", "H3", "H4"], done.split


def _published(db: Database) -> None:
    """The notice of the distribution published on 2025-07-01, its day."""
    [notice] = published(db, VILLAGE, "2025Q2", D(2025, 7, 1))
    assert (notice.distribution_id, notice.published_on, notice.already) == (1, D(2025, 7, 1), False), notice


@pytest.mark.usefixtures("distributed")
def test_no_payout_before_the_notice_is_published(db: Database) -> None:
    with refused(db, "尚未发布") as unpublished:
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 20), ACTOR)
    said = str(unpublished.value)
    assert isinstance(unpublished.value, RuleViolation) and "has not been published" in said
    assert "红旗村" in said and "2025Q2" in said
    assert f"distribute publish --village {VILLAGE} --period 2025Q2" in said  # what to do
    # the period counts from the publication (07-03), not from the distribution (07-01)
    publish(db, VILLAGE, "2025Q2", ACTOR, D(2025, 7, 3))
    for day in (D(2025, 7, 8), D(2025, 7, 9)):
        with refused(db, "公示期未满") as during:
            distribution_settlement.pay(db, VILLAGE, "2025Q2", day, ACTOR)
        assert isinstance(during.value, RuleViolation)
        assert "2025-07-03 至 2025-07-09" in str(during.value) and "from 2025-07-10" in str(during.value)
    paid = distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 10), ACTOR)
    assert (paid.paid, paid.cash) == (4, Decimal("7200.00"))


@pytest.mark.usefixtures("distributed")
def test_a_notice_is_not_published_before_its_distribution(db: Database) -> None:
    with pytest.raises(RuleViolation, match="cannot be published on 2025-06-30"):
        publish(db, VILLAGE, "2025Q2", ACTOR, D(2025, 6, 30))
    assert table_counts(db)["notice_publications"] == 0


@pytest.mark.usefixtures("distributed")
def test_an_undecided_objection_holds_the_payout_and_a_dismissed_one_does_not(db: Database) -> None:
    _published(db)  # published 07-01: objections 07-01 .. 07-07, payouts from 07-08
    raised = notice_objections.raise_objection(
        db, VILLAGE, "2025Q2", D(2025, 7, 3), "人口数有误", ACTOR, household="H1"
    )
    assert (raised.id, raised.period, raised.raised_on, raised.household_id, raised.head) == (
        1, "2025Q2", D(2025, 7, 3), "H1", "王一"
    )  # fmt: skip
    assert (raised.outcome, raised.state, raised.recorded_by) == (None, "未处理 (undecided)", ACTOR)
    with refused(db, "1 条异议在 2025-07-08 尚未处理") as held:
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 8), ACTOR)
    assert isinstance(held.value, RuleViolation)
    assert "第 1 号（2025-07-03 提出）" in str(held.value) and "distribute objection decide" in str(held.value)
    decided = notice_objections.decide_objection(db, 1, D(2025, 7, 9), Outcome.DISMISSED, "经核实人口无误", ACTOR)
    assert decided.outcome is Outcome.DISMISSED and decided.decided_on == D(2025, 7, 9)
    assert (decided.reason, decided.decided_by) == ("经核实人口无误", ACTOR)
    with refused(db, "undecided on 2025-07-08"):  # still undecided on that day
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 8), ACTOR)
    paid = distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 9), ACTOR)
    assert (paid.paid, paid.cash) == (4, Decimal("7200.00"))
    with refused(db, "was paid from 2025-07-09"):  # a late record of an objection in time
        notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 7), "有误", ACTOR, household="H2")
    listed = notice_objections.list_objections(db, ACTOR, VILLAGE)
    assert [(o.household_id, o.head, o.text, o.state, o.reason) for o in listed] == [
        ("H1", "王一", "人口数有误", "不成立 (dismissed)", "经核实人口无误")
    ]


@pytest.mark.usefixtures("distributed")
def test_an_upheld_objection_means_the_distribution_is_reversed_and_redone(db: Database) -> None:
    _published(db)
    raised = notice_objections.raise_objection(
        db, VILLAGE, "2025Q2", D(2025, 7, 2), "王四 6 月才纳入，月数算错", ACTOR, raised_by="张三"
    )
    assert (raised.household_id, raised.head, raised.raised_by) == (None, None, "张三")
    decided = notice_objections.decide_objection(db, raised.id, D(2025, 7, 5), Outcome.UPHELD, "属实", ACTOR)
    assert (decided.outcome, decided.state) == (Outcome.UPHELD, "成立 (upheld)")
    assert (decided.village, decided.period) == (VILLAGE, "2025Q2")  # what the command names to reverse
    with refused(db, "异议成立") as upheld:
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 20), ACTOR)
    said = str(upheld.value)
    assert isinstance(upheld.value, RuleViolation)
    assert f"assetledger distribute reverse --village {VILLAGE} --period 2025Q2" in said and "upheld" in said
    # reversed and made again, with a notice and an objection period of its own: then it is paid
    [taken_back] = reverse(db, VILLAGE, "2025Q2", "异议成立", D(2025, 7, 6))
    assert (taken_back.distribution_id, taken_back.paid_households) == (1, 0)
    again = distribute(db, VILLAGE, "2025Q2", D(2025, 7, 6))
    assert (again.distribution_id, again.already_done) == (2, False)
    with refused(db, "尚未发布") as unpublished:
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 20), ACTOR)
    assert isinstance(unpublished.value, RuleViolation)
    old, new = published(db, VILLAGE, "2025Q2", D(2025, 7, 6))  # the reversed one's notice stays as it was
    assert (old.distribution_id, old.already, new.distribution_id, new.already) == (1, True, 2, False)
    paid = distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 13), ACTOR)
    assert (paid.paid, paid.cash) == (4, Decimal("7200.00"))


@pytest.mark.usefixtures("distributed")
def test_objections_are_raised_within_the_objection_period_only(db: Database) -> None:
    with refused(db, "公示期尚未开始") as early:
        notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 2), "有误", ACTOR, household="H1")
    assert isinstance(early.value, RuleViolation) and "distribute publish" in str(early.value)
    _published(db)
    for day in (D(2025, 6, 30), D(2025, 7, 8)):
        with refused(db, "公示期为 2025-07-01 至 2025-07-07") as outside:
            notice_objections.raise_objection(db, VILLAGE, "2025Q2", day, "有误", ACTOR, household="H1")
        assert isinstance(outside.value, RuleViolation) and f"{day} is outside it" in str(outside.value)
    with refused(db, "outside it"):
        notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 8), "有误", ACTOR, raised_by="张三")
    first = notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 1), "有误", ACTOR, household="H2")
    last = notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 7), "有误", ACTOR, raised_by="张三")
    assert (first.raised_on, first.head, last.raised_by, last.outcome) == (D(2025, 7, 1), "王二", "张三", None)
    # decisions: on or after the objection, not after today, once
    with refused(db, "on or after the day it was raised"):
        notice_objections.decide_objection(db, last.id, D(2025, 7, 6), Outcome.DISMISSED, "无", ACTOR)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with refused(db, "after today"):
        notice_objections.decide_objection(db, last.id, tomorrow, Outcome.DISMISSED, "无", ACTOR)
    notice_objections.decide_objection(db, last.id, D(2025, 7, 7), Outcome.DISMISSED, "不属实", ACTOR)
    with refused(db, "不能再次处理") as twice:
        notice_objections.decide_objection(db, last.id, D(2025, 7, 8), Outcome.UPHELD, "改判", ACTOR)
    assert isinstance(twice.value, RuleViolation) and "decided on 2025-07-07" in str(twice.value)
    with refused(db, "objection", exit_code=3) as unknown:
        notice_objections.decide_objection(db, 99, D(2025, 7, 7), Outcome.DISMISSED, "无", ACTOR)
    assert isinstance(unknown.value, NotFoundError) and "99" in str(unknown.value)


@pytest.mark.usefixtures("distributed")
def test_bad_input_is_named_and_changes_nothing(db: Database) -> None:
    _published(db)
    cases: list[tuple[str, dict[str, str], str, str | None]] = [
        (" ", {"household": "H1"}, "--text", " "),
        ("有误", {}, "--household / --name", None),
        ("有误", {"household": "X9"}, "--household", "X9"),
    ]
    for text, who, column, value in cases:
        with refused(db, column, exit_code=2) as bad:
            notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 2), text, ACTOR, **who)
        assert isinstance(bad.value, InputError)
        assert [(f.source, f.column, f.value) for f in bad.value.findings] == [
            ("distribute objection add", column, value)
        ]
    with refused(db, "--reason", exit_code=2) as no_reason:
        notice_objections.decide_objection(db, 1, D(2025, 7, 2), Outcome.DISMISSED, "  ", ACTOR)
    assert isinstance(no_reason.value, InputError)
    assert [(f.source, f.column) for f in no_reason.value.findings] == [("distribute objection decide", "--reason")]


@pytest.mark.usefixtures("distributed")
def test_only_who_may_distribute_for_the_village_records_and_the_inventory_team_reads_none(db: Database) -> None:
    _published(db)
    zhang = user(db, "zhang", "finance", "360921")
    for name, role, scope in [("li", "village-accountant", VILLAGE), ("ma", "village-accountant", OTHER_VILLAGE),
                              ("qing", "inventory", "360921"), ("wang", "auditor", "360921")]:  # fmt: skip
        user(db, name, role, scope, actor=zhang)
    raised = notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 2), "人口数有误", "li", household="H1")
    assert (raised.id, raised.recorded_by) == (1, "li")
    for who in ("ma", "wang", "qing"):  # another village's accountant, the auditor, the inventory team
        for household in ("H1", "H2"):
            with refused(db, who, exit_code=6) as denied:
                notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 2), "有误", who,
                                                  household=household)  # fmt: skip
            assert isinstance(denied.value, PermissionDenied)
        with refused(db, who, exit_code=6) as denied:
            notice_objections.decide_objection(db, 1, D(2025, 7, 3), Outcome.DISMISSED, "无", who)
        assert isinstance(denied.value, PermissionDenied)
    with refused(db, "无权操作红旗村", exit_code=6):
        notice_objections.decide_objection(db, 1, D(2025, 7, 3), Outcome.DISMISSED, "无", "ma")
    with pytest.raises(PermissionDenied, match="may not read household") as team:
        notice_objections.list_objections(db, "qing", VILLAGE)
    assert "无权查看农户信息" in str(team.value) and "人口数有误" not in str(team.value)
    with pytest.raises(PermissionDenied):
        notice_objections.list_objections(db, "ma", VILLAGE)  # not its village
    for reader in ("li", "zhang", "wang"):
        assert [o.text for o in notice_objections.list_objections(db, reader, VILLAGE, "2025Q2")] == ["人口数有误"]
    notice_objections.decide_objection(db, 1, D(2025, 7, 3), Outcome.DISMISSED, "经核实无误", "li")
    assert distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 8), "li").paid == 4


@pytest.mark.usefixtures("distributed")
def test_an_objection_undecided_for_over_15_days_is_a_warning(db: Database) -> None:
    _published(db)
    notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 3), "有误", ACTOR, household="H1")
    notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 4), "有误", ACTOR, household="H2")
    notice_objections.decide_objection(db, 2, D(2025, 7, 10), Outcome.DISMISSED, "无误", ACTOR)
    policy = SupervisionPolicy()

    def found(as_of: dt.date) -> list[SupervisionWarning]:
        return warnings(db, ACTOR, as_of, policy, rules=[RuleKind.OBJECTION_UNDECIDED])

    assert found(D(2025, 7, 18)) == []  # 15 days of grace: due 07-18
    [late] = found(D(2025, 7, 19))
    assert (late.subject, late.since, late.due, late.village_code) == ("1", D(2025, 7, 3), D(2025, 7, 18), VILLAGE)
    assert "第 1 号异议于 2025-07-03 提出，至 2025-07-19 已 16 天未处理" in late.evidence
    notice_objections.decide_objection(db, 1, D(2025, 7, 25), Outcome.DISMISSED, "无误", ACTOR)
    assert [w.subject for w in found(D(2025, 7, 24))] == ["1"] and found(D(2025, 7, 25)) == []


@pytest.mark.usefixtures("distributed")
def test_a_decision_whose_stored_outcome_is_none_holds_the_payout(db: Database) -> None:
    """A decision whose outcome this version cannot read (written around the product, or by a later version) might
    have upheld the objection: the payout is refused, naming the objection and the text, and nothing is paid."""
    _published(db)
    notice_objections.raise_objection(db, VILLAGE, "2025Q2", D(2025, 7, 3), "人口数有误", ACTOR, household="H1")
    notice_objections.decide_objection(db, 1, D(2025, 7, 5), Outcome.DISMISSED, "经核实人口无误", ACTOR)
    drop_append_only_guards(db, "notice_objection_decisions")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE notice_objection_decisions SET outcome = 'withdrawn'")
    with refused(db, "第 1 号公示异议 在处理记录中的处理结果「withdrawn」不是本版本认识的处理结果") as held:
        distribution_settlement.pay(db, VILLAGE, "2025Q2", D(2025, 7, 9), ACTOR)
    assert isinstance(held.value, RuleViolation) and "objection 1: its stored objection outcome" in str(held.value)
