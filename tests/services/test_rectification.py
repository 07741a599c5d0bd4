"""Rectification cases (整改): opened on a firing warning, steps with documents, a close that re-runs the rule, roles,
overdue cases, and `audit verify` on the case rows."""

from __future__ import annotations

import json

from sqlalchemy import text

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import REGIONS, drop_append_only_guards, table_counts, write_csv
from tests.services.test_documents import pdf_bytes
from tests.services.test_supervision import POLICY, VILLAGE, _well

OTHER_VILLAGE = "360921101202"


def _county_with_users(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    _well(run)  # U-1, acquired 2025-03-01, not confirmed: the unconfirmed warning fires from 2025-05-31
    cities = [
        ["区划代码", "名称", "级别", "上级代码"],
        ["360900", "宜春市", "市", ""],
        ["360921", "示范县", "县", "360900"],
    ]
    run("region", "import", str(write_csv(run.cwd / "cities.csv", cities)))
    run("user", "add", "shi", "--role", "finance", "--scope", "360900")  # the city's bureau (市财政局)
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="shi")
    for name, role, scope in (("li", "village-accountant", VILLAGE), ("zhao", "village-accountant", OTHER_VILLAGE),
                              ("wang", "auditor", "360921")):  # fmt: skip
        run("user", "add", name, "--role", role, "--scope", scope, user="zhang")


def _open(run: Cli, user: str = "zhang", ok: bool = True, key: str = "unconfirmed:U-1") -> object:
    return run("supervise", "open", key, "--unit", "东风镇人民政府", "--deadline", "2025-06-30", "--date",
               "2025-06-01", "--policy", str(POLICY), user=user, ok=ok)  # fmt: skip


def test_a_case_closes_only_once_its_rule_no_longer_fires(run: Cli, db: Database) -> None:
    _county_with_users(run)
    early = run("supervise", "open", "unconfirmed:U-1", "--unit", "东风镇", "--deadline", "2025-06-30", "--date",
                "2025-05-01", user="zhang", ok=False)  # fmt: skip
    assert early.exit_code == 3 and "未触发" in early.output  # not yet 90 days: no warning, no case
    assert "case 1 opened on 2025-06-01" in _open(run).output  # type: ignore[attr-defined]
    twice = _open(run, ok=False)
    assert twice.exit_code == 4 and "unconfirmed:U-1" in twice.output  # type: ignore[attr-defined]
    listed = json.loads(run("supervise", "warnings", "--as-of", "2025-06-02", "--format", "json", user="zhang").output)
    assert [w["case"] for w in listed if w["key"] == "unconfirmed:U-1"] == [1]

    doc = run.cwd / "确权申请.pdf"
    doc.write_bytes(pdf_bytes("application"))
    run("supervise", "step", "1", "--text", "已提交确权申请", "--date", "2025-06-05", "--document", str(doc), user="li")
    refused = run("supervise", "close", "1", "--date", "2025-06-06", "--policy", str(POLICY), user="zhang", ok=False)
    assert refused.exit_code == 5 and "预警仍然触发" in refused.output and "still fires" in refused.output
    for lax in ("[rules.unconfirmed]\nenabled = false\n", "[rules.unconfirmed]\ndays = 3650\n"):
        (run.cwd / "lax.toml").write_text(f'version = "lax"\n{lax}', encoding="utf-8")
        hidden = run("supervise", "close", "1", "--date", "2025-06-06", "--policy", str(run.cwd / "lax.toml"),
                     user="zhang", ok=False)  # fmt: skip
        assert hidden.exit_code == 5 and "预警仍然触发" in hidden.output  # a file cannot close a case by looking away

    run("asset", "confirm", "U-1", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date", "2025-06-10",
        user="zhang")  # fmt: skip
    closed = run("supervise", "close", "1", "--date", "2025-06-12", "--note", "已确权", user="zhang").output
    assert "case 1 closed on 2025-06-12" in closed and "逾期" not in closed
    after = run("supervise", "step", "1", "--text", "补充材料", user="li", ok=False)
    assert after.exit_code == 5 and "已销号" in after.output
    again = run("supervise", "close", "1", user="zhang", ok=False)
    assert again.exit_code == 5

    cases = json.loads(run("supervise", "cases", "--format", "json", user="wang").output)
    assert len(cases) == 1
    case = cases[0]
    assert (case["state"], case["steps"], case["documents"], case["closed_on"]) == ("closed", 1, 1, "2025-06-12")
    assert case["unit"] == "东风镇人民政府" and "not confirmed" in case["evidence"]
    shown = run("supervise", "show", "1", user="wang").output
    assert "已提交确权申请" in shown and "li" in shown and "销号 closed" in shown and "佐证 document" in shown
    # the evidence document is kept once and sealed with the others
    assert table_counts(db)["documents"] == 1
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check", user="wang").output
    run("audit", "export", "--scope", "360921", "--out", "package", user="wang")
    [line] = (run.cwd / "package" / "rectification.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["state"] == "closed" and [e["kind"] for e in record["events"]] == ["step", "closed"]
    assert "rectification.jsonl" in json.loads((run.cwd / "package" / "manifest.json").read_text())["files"]


def test_roles_and_scopes_of_cases(run: Cli, db: Database) -> None:
    _county_with_users(run)
    for user in ("li", "wang"):
        refused = _open(run, user=user, ok=False)
        assert refused.exit_code == 6, user  # type: ignore[attr-defined]
    _open(run)
    before = table_counts(db)
    other = run("supervise", "step", "1", "--text", "x", "--date", "2025-06-02", user="zhao", ok=False)
    assert other.exit_code == 6  # another village's accountant
    auditor = run("supervise", "step", "1", "--text", "x", "--date", "2025-06-02", user="wang", ok=False)
    assert auditor.exit_code == 6
    assert run("supervise", "close", "1", user="li", ok=False).exit_code == 6
    assert table_counts(db) == before
    assert run("supervise", "cases", user="zhao").output.count("unconfirmed:U-1") == 0  # not in its scope
    assert run("supervise", "show", "1", user="zhao", ok=False).exit_code == 6
    bad = run("supervise", "open", "nonsense", "--unit", "x", "--deadline", "2025-06-30", user="zhang", ok=False)
    assert bad.exit_code == 2
    late = run("supervise", "open", "unconfirmed:U-1", "--unit", "x", "--deadline", "2025-05-01", "--date",
               "2025-06-01", user="zhang", ok=False)  # fmt: skip
    assert late.exit_code == 2 and "--deadline" in late.output


def test_overdue_cases_are_listed(run: Cli) -> None:
    _county_with_users(run)
    _open(run)
    assert "(no rows)" in run("supervise", "cases", "--overdue", "--as-of", "2025-06-30", user="wang").output
    overdue = json.loads(run("supervise", "cases", "--overdue", "--as-of", "2025-07-01", "--format", "json",
                             user="wang").output)  # fmt: skip
    assert [c["case"] for c in overdue] == [1] and overdue[0]["overdue"] is True
    assert "unconfirmed:U-1" in run("supervise", "cases", "--as-of", "2025-07-01", user="shi").output  # the city
    table = run("supervise", "cases", "--overdue", "--as-of", "2025-07-01", user="wang").output
    assert "逾期" in table and "1 逾期 overdue" in table


def test_audit_verify_names_a_tampered_case_row(run: Cli, db: Database) -> None:
    _county_with_users(run)
    _open(run)
    run("supervise", "step", "1", "--text", "已督办", "--date", "2025-06-02", user="li")
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check", user="wang").output
    for table in ("rectification_cases", "rectification_events"):
        drop_append_only_guards(db, table)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE rectification_cases SET deadline = '2026-12-31' WHERE id = 1"))
        conn.execute(text("UPDATE rectification_events SET text = '已整改完毕' WHERE case_id = 1"))
    result = run("audit", "verify", "--skip-bean-check", user="wang", ok=False)
    assert result.exit_code == 1
    assert "rectification_cases id 1" in result.output and "rectification_events id 1" in result.output


def test_bad_text_is_refused_at_the_door_and_nothing_is_written(run: Cli, db: Database) -> None:
    _county_with_users(run)
    before = table_counts(db)
    for unit in ("东风镇\x00", "东风镇\x1b[31m", "镇" * 201, "  "):
        refused = run("supervise", "open", "unconfirmed:U-1", "--unit", unit, "--deadline", "2025-06-30", "--date",
                      "2025-06-01", user="zhang", ok=False)  # fmt: skip
        assert refused.exit_code == 2 and "--unit" in refused.output, unit
    assert table_counts(db) == before
    _open(run)
    before = table_counts(db)
    for words in ("已督办\x00", "\u202e已督办", ""):
        refused = run("supervise", "step", "1", "--text", words, "--date", "2025-06-02", user="li", ok=False)
        assert refused.exit_code == 2 and "--text" in refused.output, words
    fake = run.cwd / "not-a-document.pdf"
    fake.write_text("hello", encoding="utf-8")
    refused = run("supervise", "step", "1", "--text", "x", "--document", str(fake), user="li", ok=False)
    assert refused.exit_code == 2
    assert table_counts(db) == before
