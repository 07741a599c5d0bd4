"""The supervision policy file and the pure rules of warnings and cases (no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetledger.domain.supervision import (
    CaseEvent,
    CaseEventKind,
    RuleKind,
    case_state,
    fires_after,
    is_overdue,
    month_end,
    parse_key,
    required_close,
)
from assetledger.errors import InputError
from assetledger.rules.supervision_policy import load_policy, parse_policy

POLICY = Path(__file__).parents[2] / "ledgers" / "policy" / "supervision.toml"
D = dt.date


def test_the_example_policy_reads_with_its_version_and_days() -> None:
    policy = load_policy(POLICY)
    assert policy.version == "2026-3"
    assert policy.setting(RuleKind.UNCONFIRMED).days == 90 and policy.setting(RuleKind.BOOKS_NOT_CLOSED).days == 15
    assert policy.setting(RuleKind.UNREGISTERED).days == 30  # 验收后未登记 (issue 24)
    assert policy.enabled() == list(RuleKind)


def test_policy_faults_are_findings_naming_key_and_value() -> None:
    text = """
version = ""
colour = "red"
[rules.unconfirmed]
days = -1
[rules.unpaid]
enabled = "yes"
when = 3
[rules.unregistered_after_acceptance]
days = "thirty"
[rules.nonsense]
days = 1
"""
    policy, findings = parse_policy(text, "p.toml")
    where = {f.column: f for f in findings}
    assert set(where) == {"version", "colour", "rules.unconfirmed.days", "rules.unpaid.enabled", "rules.unpaid.when",
                          "rules.unregistered_after_acceptance.days", "rules.nonsense"}  # fmt: skip
    assert where["rules.unconfirmed.days"].value == "-1"
    assert policy.setting(RuleKind.UNCONFIRMED).days == 90  # the default stands in for a bad value
    _, broken = parse_policy("version = [", "p.toml")
    assert broken and "cannot read policy" in broken[0].reason


def test_a_rule_switched_off(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('version = "x"\n[rules.idle]\nenabled = false\n', encoding="utf-8")
    assert RuleKind.IDLE not in load_policy(path).enabled()
    path.write_text("[rules.idle]\ndays = 1.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rules\.idle\.days"):
        load_policy(path)


def test_keys_dates_and_grace() -> None:
    assert parse_key("unconfirmed:A-1") == (RuleKind.UNCONFIRMED, "A-1")
    assert parse_key("books_not_closed:V3609") == (RuleKind.BOOKS_NOT_CLOSED, "V3609")
    for bad in ("A-1", "nonsense:A-1", "unpaid:"):
        with pytest.raises(ValueError):
            parse_key(bad)
    assert fires_after(D(2025, 3, 1), 90, D(2025, 5, 30)) is None
    assert fires_after(D(2025, 3, 1), 90, D(2025, 5, 31)) == D(2025, 5, 30)
    assert month_end(D(2024, 2, 3)) == D(2024, 2, 29) and month_end(D(2025, 12, 1)) == D(2025, 12, 31)
    # the last month end whose books must be closed: more than 15 days past
    assert required_close(D(2025, 7, 15), 15) == D(2025, 5, 31)
    assert required_close(D(2025, 7, 16), 15) == D(2025, 6, 30)
    assert required_close(D(2025, 1, 20), 15) == D(2024, 12, 31)


def test_a_cases_state_is_derived_from_its_events() -> None:
    step = CaseEvent(CaseEventKind.STEP, D(2025, 6, 5), "已提交申请", "ab" * 32, "li")
    close = CaseEvent(CaseEventKind.CLOSED, D(2025, 6, 12), None, None, "zhang")
    state = case_state([step, step, close, step])  # nothing follows a close
    assert (state.steps, state.documents, state.last_step, state.closed_on, state.closed_by) == (
        2, 2, D(2025, 6, 5), D(2025, 6, 12), "zhang")  # fmt: skip
    assert not is_overdue(D(2025, 6, 10), state, D(2025, 7, 1))  # closed (late) is not overdue
    assert is_overdue(D(2025, 6, 10), case_state([step]), D(2025, 6, 11))
    assert not is_overdue(D(2025, 6, 10), case_state([]), D(2025, 6, 10))
