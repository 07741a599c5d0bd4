"""Rectification cases (整改): opened on a firing warning, steps with documents, a close that re-runs the rule, roles,
overdue cases, and `audit verify` on the case rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from assetledger.domain.supervision import CaseEventKind, RuleKind, SupervisionPolicy
from assetledger.errors import DuplicateError, InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.rules.supervision_policy import load_policy
from assetledger.services.audit import export_package, verify
from assetledger.services.rectification import (
    CaseView,
    case_records,
    close_case,
    list_cases,
    open_case,
    open_cases_by_key,
    record_step,
    show_case,
)
from assetledger.services.supervision import warnings
from assetledger.store.db import Database
from assetledger.store.document_files import DocumentPlace, documents_place
from tests.builders import regions, user
from tests.builders.governance import confirmed, well
from tests.helpers import drop_append_only_guards, table_counts
from tests.services.test_supervision import POLICY

VILLAGE, OTHER_VILLAGE = "360921101201", "360921101202"
# A PDF as the document checks read one (tests/services/test_documents.py: pdf_bytes).
APPLICATION_PDF = b"%PDF-1.4\n1 0 obj << /Title (application) >> endobj\ntrailer << >>\n%%EOF\n"
CITIES = [
    ["区划代码", "名称", "级别", "上级代码"],
    ["360900", "宜春市", "市", ""],
    ["360921", "示范县", "县", "360900"],
]
SHIPPED = load_policy(POLICY)  # ledgers/policy/supervision.toml
KEY = "unconfirmed:U-1"


def _county(db: Database) -> None:
    regions(db)
    well(db, VILLAGE)  # U-1, acquired 2025-03-01, not confirmed: the unconfirmed warning fires from 2025-05-31
    regions(db, CITIES)
    user(db, "shi", "finance", "360900")  # the city's bureau (市财政局)
    user(db, "zhang", "finance", "360921", actor="shi")
    for name, role, scope in (("li", "village-accountant", VILLAGE), ("zhao", "village-accountant", OTHER_VILLAGE),
                              ("wang", "auditor", "360921")):  # fmt: skip
        user(db, name, role, scope, actor="zhang")


def _open(db: Database, actor: str = "zhang", key: str = KEY) -> CaseView:
    """What `supervise open KEY --unit 东风镇人民政府 --deadline 2025-06-30 --date 2025-06-01 --policy POLICY` asks."""
    return open_case(db, actor, key, "东风镇人民政府", dt.date(2025, 6, 30), policy=SHIPPED, on=dt.date(2025, 6, 1))


def _place(db: Database) -> DocumentPlace:
    """Where the CLI keeps documents without --documents: beside a SQLite file, else in the database."""
    return documents_place(db.url)


def test_a_case_closes_only_once_its_rule_no_longer_fires(db: Database, tmp_path: Path) -> None:
    _county(db)
    with pytest.raises(NotFoundError, match="未触发") as early:
        open_case(db, "zhang", KEY, "东风镇", dt.date(2025, 6, 30), policy=SupervisionPolicy(), on=dt.date(2025, 5, 1))
    assert early.value.exit_code == 3  # not yet 90 days: no warning, no case
    case = _open(db)
    assert (case.number, case.opened_on, case.rule, case.subject) == (
        1,
        dt.date(2025, 6, 1),
        RuleKind.UNCONFIRMED,
        "U-1",
    )
    with pytest.raises(DuplicateError, match=KEY) as twice:
        _open(db)
    assert twice.value.exit_code == 4
    listed = warnings(db, "zhang", dt.date(2025, 6, 2), SupervisionPolicy())
    assert [w.key for w in listed].count(KEY) == 1 and open_cases_by_key(db, "zhang") == {KEY: 1}

    doc = tmp_path / "确权申请.pdf"
    doc.write_bytes(APPLICATION_PDF)
    stepped = record_step(db, _place(db), "li", 1, "已提交确权申请", on=dt.date(2025, 6, 5), document=doc)
    assert (stepped.state.steps, stepped.state.documents) == (1, 1)
    with pytest.raises(RuleViolation) as refused:
        close_case(db, "zhang", 1, policy=SHIPPED, on=dt.date(2025, 6, 6))
    assert refused.value.exit_code == 5
    assert "预警仍然触发" in str(refused.value) and "still fires" in str(refused.value), refused.value
    for lax in ("[rules.unconfirmed]\nenabled = false\n", "[rules.unconfirmed]\ndays = 3650\n"):
        (tmp_path / "lax.toml").write_text(f'version = "lax"\n{lax}', encoding="utf-8")
        with pytest.raises(RuleViolation, match="预警仍然触发") as hidden:  # a file cannot close a case by looking away
            close_case(db, "zhang", 1, policy=load_policy(tmp_path / "lax.toml"), on=dt.date(2025, 6, 6))
        assert hidden.value.exit_code == 5

    confirmed(db, "U-1", "红旗村股份经济合作社", "village", dt.date(2025, 6, 10), actor="zhang")
    closed = close_case(db, "zhang", 1, policy=SupervisionPolicy(), on=dt.date(2025, 6, 12), note="已确权")
    assert closed.state.closed_on == dt.date(2025, 6, 12) and closed.state.closed_by == "zhang"
    assert closed.state.closed_on <= closed.deadline  # not closed late (逾期)
    with pytest.raises(RuleViolation, match="已销号") as after:
        record_step(db, _place(db), "li", 1, "补充材料")
    assert after.value.exit_code == 5
    with pytest.raises(RuleViolation) as again:
        close_case(db, "zhang", 1, policy=SupervisionPolicy())
    assert again.value.exit_code == 5

    [case] = list_cases(db, "wang")
    assert (case.state.closed, case.state.steps, case.state.documents, case.state.closed_on) == (
        True,
        1,
        1,
        dt.date(2025, 6, 12),
    )
    assert case.unit == "东风镇人民政府" and "not confirmed" in case.evidence
    shown = show_case(db, "wang", 1)
    [step, close] = shown.events
    assert (step.kind, step.text, step.actor, step.on) == (
        CaseEventKind.STEP,
        "已提交确权申请",
        "li",
        dt.date(2025, 6, 5),
    )
    assert step.document is not None and close.kind is CaseEventKind.CLOSED and close.actor == "zhang"
    # the evidence document is kept once and sealed with the others
    assert table_counts(db)["documents"] == 1
    assert list(verify(db, "wang", bean_check=False, documents=_place(db))) == []
    package = export_package(db, tmp_path / "package", "wang", "360921", _place(db))
    assert package.manifest == tmp_path / "package" / "manifest.json"
    [line] = (package.folder / "rectification.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["state"] == "closed" and [e["kind"] for e in record["events"]] == ["step", "closed"]
    # the service gives the package typed records; the line is a record's values, the codes for its vocabularies
    [kept] = case_records(db, "wang", "360921")
    assert type(kept) is CaseView and kept.rule is RuleKind.UNCONFIRMED and kept.state.closed and not kept.overdue
    assert [e.kind for e in kept.events] == [CaseEventKind.STEP, CaseEventKind.CLOSED]
    assert record == json.loads(json.dumps(kept.line(), default=str))
    assert list(record) == [
        "number", "key", "rule", "subject", "name", "county_code", "township_code", "village_code", "since",
        "evidence", "unit", "deadline", "opened_on", "opened_by", "policy_version", "note", "events", "state",
        "overdue",
    ]  # fmt: skip
    assert (record["rule"], record["opened_on"], record["events"][0]["on"]) == (
        "unconfirmed", "2025-06-01", "2025-06-05")  # fmt: skip
    assert "rectification.jsonl" in json.loads(package.manifest.read_text())["files"]


def test_roles_and_scopes_of_cases(db: Database) -> None:
    _county(db)
    for actor in ("li", "wang"):
        with pytest.raises(PermissionDenied) as refused:
            _open(db, actor=actor)
        assert refused.value.exit_code == 6, actor
    _open(db)
    before = table_counts(db)
    for actor in ("zhao", "wang"):  # another village's accountant, an auditor
        with pytest.raises(PermissionDenied):
            record_step(db, _place(db), actor, 1, "x", on=dt.date(2025, 6, 2))
    with pytest.raises(PermissionDenied):
        close_case(db, "li", 1, policy=SupervisionPolicy())
    assert table_counts(db) == before
    assert list_cases(db, "zhao") == []  # not in its scope
    with pytest.raises(PermissionDenied):
        show_case(db, "zhao", 1)
    with pytest.raises(InputError) as bad:
        open_case(db, "zhang", "nonsense", "x", dt.date(2025, 6, 30), policy=SupervisionPolicy())
    assert bad.value.exit_code == 2
    with pytest.raises(InputError) as late:
        open_case(db, "zhang", KEY, "x", dt.date(2025, 5, 1), policy=SupervisionPolicy(), on=dt.date(2025, 6, 1))
    assert late.value.exit_code == 2 and [f.column for f in late.value.findings] == ["--deadline"]


def test_overdue_cases_are_listed(db: Database) -> None:
    _county(db)
    _open(db)
    assert list_cases(db, "wang", overdue=True, as_of=dt.date(2025, 6, 30)) == []
    overdue = list_cases(db, "wang", overdue=True, as_of=dt.date(2025, 7, 1))
    assert [c.number for c in overdue] == [1] and overdue[0].overdue is True
    assert [c.key for c in list_cases(db, "shi", as_of=dt.date(2025, 7, 1))] == [KEY]  # the city


def test_audit_verify_names_a_tampered_case_row(db: Database) -> None:
    _county(db)
    _open(db)
    record_step(db, _place(db), "li", 1, "已督办", on=dt.date(2025, 6, 2))
    assert list(verify(db, "wang", bean_check=False, documents=_place(db))) == []
    for table in ("rectification_cases", "rectification_events"):
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE rectification_cases SET deadline = '2026-12-31' WHERE id = 1"))
        conn.execute(text("UPDATE rectification_events SET text = '已整改完毕' WHERE case_id = 1"))
    found = " ".join(f"{check}: {detail}" for check, detail in verify(db, "wang", bean_check=False))
    assert "rectification_cases id 1" in found and "rectification_events id 1" in found, found


def test_a_stored_rule_or_event_kind_that_is_none_is_shown_as_it_is_and_decides_nothing(
    db: Database, tmp_path: Path
) -> None:
    """A rule or an event kind written around the product (or by a later version) reads back as its text: the lists,
    the case and the audit package show it as it was stored; a close cannot re-run a rule it does not know, and no
    step, close or second case is decided from an event whose kind may or may not be a close."""
    _county(db)
    _open(db)
    record_step(db, _place(db), "li", 1, "已督办", on=dt.date(2025, 6, 2))
    for table in ("rectification_cases", "rectification_events"):
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE rectification_cases SET rule = 'vanished' WHERE id = 1"))
    [case] = list_cases(db, "wang")
    assert (case.rule, case.rule_label, case.state.steps) == ("vanished", "vanished", 1)
    assert not isinstance(case.rule, RuleKind) and show_case(db, "wang", 1).rule == "vanished"
    [kept] = case_records(db, "wang", "360921")
    assert kept.line()["rule"] == "vanished"
    export_package(db, tmp_path / "package", "wang", "360921", _place(db))
    [line] = (tmp_path / "package" / "rectification.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["rule"] == "vanished"
    before = table_counts(db)
    with pytest.raises(RuleViolation) as unknown_rule:
        close_case(db, "zhang", 1, policy=SupervisionPolicy(), on=dt.date(2025, 6, 12))
    said = str(unknown_rule.value)
    assert unknown_rule.value.exit_code == 5 and "整改案件 1" in said and "「vanished」" in said, said
    assert "case 1: its stored rule 'vanished' is no rule this version knows" in said, said
    assert table_counts(db) == before
    stepped = record_step(db, _place(db), "li", 1, "再督办", on=dt.date(2025, 6, 3))
    assert stepped.state.steps == 2  # a step decides nothing from the rule

    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE rectification_cases SET rule = '{RuleKind.UNCONFIRMED.value}' WHERE id = 1"))
        conn.execute(text("UPDATE rectification_events SET kind = 'reopened' WHERE id = 1"))
    [case] = list_cases(db, "wang")
    assert [e.kind for e in case.events] == ["reopened", CaseEventKind.STEP]  # shown as stored
    assert (case.state.steps, case.state.closed) == (1, False)  # counted: the step this version knows
    [kept] = case_records(db, "wang", "360921")
    assert [e.kind for e in kept.events] == ["reopened", "step"]
    assert json.loads(json.dumps(kept.line(), default=str))["events"][0]["kind"] == "reopened"
    before = table_counts(db)
    refusals = [
        lambda: record_step(db, _place(db), "li", 1, "又督办", on=dt.date(2025, 6, 4)),
        lambda: close_case(db, "zhang", 1, policy=SupervisionPolicy(), on=dt.date(2025, 6, 12)),
        lambda: _open(db),  # a second case on the warning: is the first still open?
    ]
    for refused in refusals:
        with pytest.raises(RuleViolation) as unknown_kind:
            refused()
        said = str(unknown_kind.value)
        assert "整改案件 1" in said and "「reopened」" in said and "stored kind 'reopened'" in said, said
    assert table_counts(db) == before


def test_bad_text_is_refused_at_the_door_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    _county(db)
    before = table_counts(db)
    for unit in ("东风镇\x00", "东风镇\x1b[31m", "镇" * 201, "  "):
        with pytest.raises(InputError) as refused:
            open_case(db, "zhang", KEY, unit, dt.date(2025, 6, 30), policy=SupervisionPolicy(), on=dt.date(2025, 6, 1))
        assert refused.value.exit_code == 2 and "--unit" in [f.column for f in refused.value.findings], unit
    assert table_counts(db) == before
    _open(db)
    before = table_counts(db)
    for words in ("已督办\x00", "\u202e已督办", ""):
        with pytest.raises(InputError) as refused:
            record_step(db, _place(db), "li", 1, words, on=dt.date(2025, 6, 2))
        assert refused.value.exit_code == 2 and "--text" in [f.column for f in refused.value.findings], words
    fake = tmp_path / "not-a-document.pdf"
    fake.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        record_step(db, _place(db), "li", 1, "x", document=fake)
    assert refused.value.exit_code == 2
    assert table_counts(db) == before
