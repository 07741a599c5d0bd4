"""What took effect before it was recorded (补录) is finance's to record: a notice published on an earlier day and a
rule already in force start the clocks that hold households' money back, so the village that pays may not set them in
the past itself. A rule's own file gives its plan a real objection period."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.services.test_distribution import RULES, VILLAGE, _village_with_revenue


def test_a_back_dated_notice_is_recorded_by_finance_only(run: Cli, db: Database) -> None:
    _village_with_revenue(run)
    run("distribute", "rule", "add", str(RULES / "example-village-rule.toml"))
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="setup")
    run("user", "add", "li", "--role", "village-accountant", "--scope", VILLAGE, user="zhang")
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01", user="li")
    before = table_counts(db)
    late = run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02", user="li",
               ok=False)  # fmt: skip
    assert late.exit_code == 6 and "补录" in late.output and table_counts(db) == before
    default = run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", user="li", ok=False)
    assert default.exit_code == 6  # the distribution's own (earlier) date is back-dating too
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02", user="zhang")


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (("start = 2025-01-11", "start = 2025-01-09"), "notice.start"),  # noticed before its approval on 01-10
        (("days = 7", "days = 3"), "notice.days"),
        (("notice_days = 7", "notice_days = 0"), "payout.notice_days"),
        (('document = "红旗村〔2025〕1号"', 'document = " "'), "approval.document"),
    ],
)
def test_a_rule_gives_its_plan_a_real_objection_period(
    run: Cli, db: Database, tmp_path: Path, change: tuple[str, str], column: str
) -> None:
    _village_with_revenue(run)
    text = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    assert change[0] in text
    rule = tmp_path / "rule.toml"
    rule.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    before = table_counts(db)
    refused = run("distribute", "rule", "add", str(rule), ok=False)
    assert refused.exit_code == 2 and f"列「{column}」" in refused.output, refused.output
    assert table_counts(db) == before
