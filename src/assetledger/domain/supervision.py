"""Supervision (监管): warnings (预警) raised by rules, and rectification cases (整改) that follow them. Pure.

A warning is what a rule finds as of a date: a named rule, the thing it is about (an asset, a village's books, a
distribution, an inventory), the date its clock started and the evidence, in Chinese with English beside. Its key
(`rule:subject`) stays the same from one run to the next as long as the problem stands, so a case opened on it can
be checked again by re-running the rule: a case closes only when its warning no longer fires.

A case's state is never stored: it is derived from its events (opened, step, closed) by `case_state`, the same
function for the list, the close and `audit verify`'s reading of the chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum


class RuleKind(StrEnum):
    """The supervision rules, in the order warnings are listed."""

    UNREGISTERED = "unregistered_after_acceptance"  # 验收后未登记
    UNCONFIRMED = "unconfirmed"  # 已登记未确权
    NOT_HANDED_OVER = "not_handed_over"  # 已确权未移交
    NO_CUSTODIAN = "no_custodian"  # 未落实管护
    IDLE = "idle"  # 闲置
    LOSS_MAKING = "loss_making"  # 亏损
    NO_CONTRACT = "no_contract"  # 经营无合同 (or past its contract)
    BOOKS_NOT_CLOSED = "books_not_closed"  # 上月未结账
    UNDISTRIBUTED = "undistributed"  # 收益未按期分配
    OBJECTION_UNDECIDED = "objection_undecided"  # 公示异议未处理
    UNPAID = "unpaid"  # 应付农户未兑付
    OVERPAID = "overpaid"  # 多发收益未抵减
    INVENTORY_UNSETTLED = "inventory_unsettled"  # 清查差异未处理

    @property
    def label(self) -> str:
        return RULE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> RuleKind:
        key = text.strip().lower().replace("-", "_")
        for member in cls:
            if key == member.value or text.strip() == member.label.split(" ")[0]:
                return member
        raise ValueError(f"预警规则“{text}”不认识 (unknown rule {text!r}; known: {', '.join(m.value for m in cls)})")


RULE_LABELS = {
    RuleKind.UNREGISTERED: "验收后未登记 accepted, not registered",
    RuleKind.UNCONFIRMED: "已登记未确权 registered, not confirmed",
    RuleKind.NOT_HANDED_OVER: "已确权未移交 confirmed, not handed over",
    RuleKind.NO_CUSTODIAN: "未落实管护 no custodian",
    RuleKind.IDLE: "闲置资产 idle asset",
    RuleKind.LOSS_MAKING: "亏损资产 loss-making asset",
    RuleKind.NO_CONTRACT: "经营无合同 operating without a contract",
    RuleKind.BOOKS_NOT_CLOSED: "上月未结账 last month's books not closed",
    RuleKind.UNDISTRIBUTED: "收益未按期分配 revenue not distributed in time",
    RuleKind.OBJECTION_UNDECIDED: "公示异议未处理 objection to a notice not decided",
    RuleKind.UNPAID: "应付农户未兑付 household shares not paid",
    RuleKind.OVERPAID: "多发收益未抵减 households paid beyond their shares",
    RuleKind.INVENTORY_UNSETTLED: "清查差异未处理 inventory differences not settled",
}

# Rules a policy file may name that this version cannot judge, with the reason (none at present: acceptances are
# recorded since issue 24, so "built but not registered N days after acceptance" is judged).
NOT_AVAILABLE: dict[str, str] = {}


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool = True
    days: int = 30  # days of grace after the rule's clock starts


DEFAULT_DAYS = {
    RuleKind.UNREGISTERED: 30,  # on the register within 30 days of acceptance
    RuleKind.UNCONFIRMED: 90,
    RuleKind.NOT_HANDED_OVER: 60,
    RuleKind.NO_CUSTODIAN: 0,  # DOMAIN rule 3: a custodian at every date after handover
    RuleKind.IDLE: 0,  # the governance scan's own windows decide
    RuleKind.LOSS_MAKING: 0,
    RuleKind.NO_CONTRACT: 0,
    RuleKind.BOOKS_NOT_CLOSED: 15,  # last month closed by the 15th of this one
    RuleKind.UNDISTRIBUTED: 90,
    RuleKind.OBJECTION_UNDECIDED: 15,  # the households are not paid while an objection waits
    RuleKind.UNPAID: 30,
    RuleKind.OVERPAID: 180,  # two quarters' shares should have set it off; past that the village recovers it
    RuleKind.INVENTORY_UNSETTLED: 60,
}


def _defaults() -> dict[RuleKind, RuleSetting]:
    return {kind: RuleSetting(True, days) for kind, days in DEFAULT_DAYS.items()}


@dataclass(frozen=True)
class SupervisionPolicy:
    """Which rules run and their days of grace (`ledgers/policy/supervision.toml`); `version` names the edition."""

    version: str = "default"
    rules: dict[RuleKind, RuleSetting] = field(default_factory=_defaults)

    def setting(self, kind: RuleKind) -> RuleSetting:
        return self.rules.get(kind, RuleSetting(True, DEFAULT_DAYS[kind]))

    def enabled(self) -> list[RuleKind]:
        return [k for k in RuleKind if self.setting(k).enabled]

    def for_closing(self, kind: RuleKind) -> SupervisionPolicy:
        """The policy a case of rule `kind` is closed by (整改销号): the rule on, and its days of grace no more than
        the shipped ones. A policy file may make closing harder, never easier: with the rule switched off or a
        longer grace, a case whose warning still stands would close."""
        given, shipped = self.setting(kind), SupervisionPolicy().setting(kind)
        return replace(self, rules={**self.rules, kind: RuleSetting(True, min(given.days, shipped.days))})


@dataclass(frozen=True)
class SupervisionWarning:
    """One warning: the rule, what it is about, where, since when, and the evidence (Chinese, English beside)."""

    rule: RuleKind
    subject: str  # asset id, entity code, distribution or inventory number
    name: str  # what the subject is called (asset name, village name, …)
    county_code: str
    township_code: str | None
    village_code: str | None
    since: dt.date  # when the rule's clock started (registration, confirmation, period end, …)
    due: dt.date  # since + days of grace: the warning fires after it
    evidence: str
    refs: tuple[str, ...] = ()  # entries, events, documents the evidence rests on

    @property
    def key(self) -> str:
        return warning_key(self.rule, self.subject)

    @property
    def region_code(self) -> str:
        return self.village_code or self.township_code or self.county_code

    def overdue_days(self, as_of: dt.date) -> int:
        return (as_of - self.due).days


def warning_key(rule: RuleKind, subject: str) -> str:
    return f"{rule.value}:{subject}"


def parse_key(key: str) -> tuple[RuleKind, str]:
    """`rule:subject` → (rule, subject); ValueError naming the known rules otherwise."""
    rule, sep, subject = key.strip().partition(":")
    if not sep or not subject:
        raise ValueError(
            f"“{key}”不是预警编号，应写作 规则:对象，如 unconfirmed:A-1 ({key!r} is "
            "not a warning key (rule:subject, e.g. unconfirmed:A-1))"
        )
    return RuleKind.parse(rule), subject


def fires_after(since: dt.date, days: int, as_of: dt.date) -> dt.date | None:
    """The due date when a rule whose clock started on `since` fires as of `as_of` (after `days` of grace)."""
    due = since + dt.timedelta(days=days)
    return due if due < as_of else None


def month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def previous_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def required_close(as_of: dt.date, days: int) -> dt.date:
    """The last month end whose books must be closed by `as_of`: the latest one more than `days` days past (with
    15 days, June's books are due by 15 July: as of 15 July May's must be closed, as of 16 July June's)."""
    due = previous_month_end(as_of)
    while due + dt.timedelta(days=days) >= as_of:
        due = previous_month_end(due)
    return due


# --- rectification cases ----------------------------------------------------------------------------------------


class CaseEventKind(StrEnum):
    STEP = "step"  # 整改措施
    CLOSED = "closed"  # 整改销号


@dataclass(frozen=True)
class CaseEvent:
    kind: CaseEventKind
    on: dt.date
    text: str | None
    document: str | None  # the attached document's sha256
    actor: str


@dataclass(frozen=True)
class CaseState:
    """A case as its events leave it."""

    steps: int = 0
    last_step: dt.date | None = None
    documents: int = 0
    closed_on: dt.date | None = None
    closed_by: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_on is not None


def apply(state: CaseState, event: CaseEvent) -> CaseState:
    if state.closed:
        return state  # nothing follows a close (the service refuses it; a tampered chain changes nothing here)
    if event.kind is CaseEventKind.STEP:
        return replace(state, steps=state.steps + 1, last_step=event.on,
                       documents=state.documents + (event.document is not None))  # fmt: skip
    return replace(state, closed_on=event.on, closed_by=event.actor)


def case_state(events: Iterable[CaseEvent]) -> CaseState:
    state = CaseState()
    for event in events:
        state = apply(state, event)
    return state


def is_overdue(deadline: dt.date, state: CaseState, as_of: dt.date) -> bool:
    """Still open after its deadline (逾期未整改)."""
    return not state.closed and as_of > deadline
