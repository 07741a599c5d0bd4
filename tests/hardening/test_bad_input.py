"""Bad input of every kind is refused: exit code 2, every problem named by file, row, column and value, and the
database unchanged (a checksum of every table before and after). The corpus is tests/hardening/corpus; binary,
spreadsheet and huge files are made here. Hypothesis generates asset rows with known defects."""

from __future__ import annotations

import random
import string
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from assetledger.io.asset_rows import INDEX, column_name
from assetledger.io.headers import normalise
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.hardening.harness import assets_file, regions_file, table_checksums
from tests.helpers import ASSET_HEADER, asset_row, write_csv, write_xlsx

CORPUS = Path(__file__).parent / "corpus"
VALUE = "资产原值（元）"
VILLAGE = "360921101201"


@dataclass(frozen=True)
class Case:
    command: tuple[str, ...]
    file: Path
    expect: tuple[str, ...]  # fragments of the message: "第R行 (row R)，列「C」 (column)，值「V」 (value)" and reasons


def corpus_cases() -> list[Case]:
    def case(command: str, name: str, *expect: str) -> Case:
        return Case(tuple(command.split()), CORPUS / name, expect)

    return [
        case(
            "asset import {}",
            "assets-wrong-types.csv",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「十万」 (value)："
            "不是以元计的金额（不是数字） not an amount in yuan: not a number",
            "第3行 (row 3)，列「建设年度 (build year)」 (column)，值「二〇二一」 (value)："
            "不是年份，应写如 2021 not a year; write e.g. 2021",
            "第4行 (row 4)，列「确权日期 (confirmation date)」 (column)，值「2021-13-01」 (value)",
            "第5行 (row 5)，列「数量 (quantity)」 (column)，值「若干」 (value)：不是数字 not a number",
            "第6行 (row 6)，列「资产类别 (register)」 (column)，值「公益」 (value)",
        ),
        case(
            "asset import {}",
            "assets-money.csv",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「-100000」 (value)："
            "不是以元计的金额（金额为负数） not an amount in yuan: negative amount",
            f"第3行 (row 3)，列「{VALUE} (original value)」 (column)，值「100000.005」 (value)："
            "不是以元计的金额（小数超过两位） not an amount in yuan: more than two decimal",
            "第4行 (row 4)，列「中央衔接资金 (fund source central)」 (column)，值「60000.001」 (value)",
            f"第5行 (row 5)，列「{VALUE} (original value)」 (column)，值「NaN」 (value)",
        ),
        case(
            "asset import {}",
            "assets-duplicate-ids.csv",
            "第4行 (row 4)，列「资产编号 (asset id)」 (column)，值「D-1」 (value)：与第 2 行重复 duplicate of row 2",
            "第5行 (row 5)，列「资产编号 (asset id)」 (column)，值「K-00000」 (value)"
            "：该资产编号已登记 (asset id is already registered)",
        ),
        case(
            "asset import {}",
            "assets-unknown-village.csv",
            "第2行 (row 2)，列「村 (village)」 (column)，值「幸福村」 (value)",
            "第3行 (row 3)，列「",
            "no 乡镇 named '不存在镇'",
        ),
        case(
            "asset import {}",
            "assets-missing-column.csv",
            "列「资产名称 (asset name)」 (column)：缺少必需的列 (required column is missing)",
            "列「资产类别 (register)」 (column)：缺少必需的列 (required column is missing)",
        ),
        case(
            "asset import {}",
            "assets-formulas.csv",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「=SUM(A1:A3)」 (value)："
            "不是以元计的金额（不是数字） not an amount in yuan: not a number",
            "第3行 (row 3)，列「建设年度 (build year)」 (column)，值「=YEAR(NOW())」 (value)："
            "不是年份，应写如 2021 not a year; write e.g. 2021",
        ),
        case("asset import {}", "assets-empty.csv", "the file has no header row"),
        case("asset import {}", "assets-blank-lines.csv", "the file has no header row"),
        case(
            "ledger import-entries {}",
            "entries-bad-cells.csv",
            "第2行 (row 2)，列「日期」 (column)，值「2025-02-30」 (value)：日期不存在 not a real date",
            "第3行 (row 3)，列「收支」 (column)，值「收款」 (value)",
            "第4行 (row 4)，列「类型」 (column)，值「维修」 (value)",
            "第5行 (row 5)，列「金额」 (column)，值「-100」 (value)"
            "：不是以元计的金额（金额为负数） not an amount in yuan: negative amount",
            "第6行 (row 6)，列「金额」 (column)，值「0.001」 (value)："
            "不是以元计的金额（小数超过两位） not an amount in yuan: more than two decimal places",
            "第7行 (row 7)，列「金额」 (column)",
        ),
        case(
            "ledger import-entries {}",
            "entries-unknown-asset.csv",
            "第2行 (row 2)，列「资产编号」 (column)，值「NO-SUCH」 (value)：没有这项资产 (no such asset)",
        ),
        case(
            "ledger import-entries {}",
            "entries-duplicate-ref.csv",
            "第3行 (row 3)，列「ref」 (column)，值「PZ-7」 (value)：同一批中凭证号重复 (the same ref twice",
        ),
        case(
            "ledger import-entries {}",
            "entries-missing-column.csv",
            "列「类型 / type」 (column)：缺少必需的列 (required column is missing)",
        ),
        case(
            "beneficiary import {}",
            "roster-bad.csv",
            "第2行 (row 2)，列「人口」 (column)，值「0」 (value)",
            "第6行 (row 6)，列「类别」 (column)，值「富裕户」 (value)",
            "第4行 (row 4)，列「纳入日期」 (column)，值「2024-02-30」 (value)",
            "第5行 (row 5)，列「户编号」 (column)，值「H2」 (value)：与第 3 行重复 duplicate of row 3",
        ),
        case("distribute rule add {}", "rule-syntax.toml", "cannot read rule file", "line 3"),
        case(
            "distribute rule add {}",
            "rule-sum.toml",
            "列「purposes」 (column)，值「105」 (value)"
            "：各用途百分比之和须为 100，现为 105 (percentages must sum to 100",
        ),
        case(
            "distribute rule add {}",
            "rule-types.toml",
            "列「version」 (column)，值「one」 (value)",
            "列「approval.date」 (column)，值「上周」 (value)",
            "列「purposes.reinvestment」 (column)，值「15%」 (value)",
        ),
        case(
            "distribute rule add {}",
            "rule-unknown-village.toml",
            "列「village」 (column)，值「360921999999」 (value)：没有这个村代码 (no such village code)",
        ),
        case(
            "distribute rule add {}",
            "rule-forbidden-purpose.toml",
            "列「purposes.banquets」 (column)，值「5」 (value)：未知的用途",
        ),
        case("distribute rule add {}", "rule-empty.toml", "列「code」 (column)：缺少必填项 (required key is missing)"),
        case(f"ledger import {{}} --entity V{VILLAGE}", "ledger-unbalanced.beancount", "row 3", "does not balance"),
        case(
            f"ledger import {{}} --entity V{VILLAGE}",
            "ledger-usd.beancount",
            "第1行 (row 1)，列「open」 (column)，值「USD」 (value)：only CNY accounts can be imported",
        ),
        case(f"ledger import {{}} --entity V{VILLAGE}", "ledger-syntax.beancount", "row 2"),
        case(f"ledger import {{}} --entity V{VILLAGE}", "ledger-cjk-account.beancount", "row 1", "Assets:银行存款"),
        case(
            f"ledger import {{}} --entity V{VILLAGE}",
            "ledger-fen.beancount",
            "第3行 (row 3)，列「transaction」 (column)，值「100.005」 (value)",
            "more than two decimal places",
        ),
    ]


def made_cases(folder: Path) -> list[Case]:
    """Binary, spreadsheet and huge files, made for the run (not kept in the corpus)."""
    rng = random.Random(9)
    garbage = bytes(rng.randrange(256) for _ in range(4000)) + b"\xff\xfe\x00"
    for name in ("garbage.csv", "garbage.xlsx", "garbage.toml", "garbage.beancount"):
        (folder / name).write_bytes(garbage)
    (folder / "zip-bomb-like.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    write_csv(folder / "utf16.csv", [ASSET_HEADER, asset_row("W-1")], encoding="utf-16")
    write_csv(folder / "assets.txt", [ASSET_HEADER, asset_row("W-2")])
    write_xlsx(
        folder / "types.xlsx",
        [
            ASSET_HEADER,
            asset_row("X-1", **{VALUE: "abc"}),
            asset_row("X-2", **{VALUE: -5.0}),
            asset_row("X-3", **{VALUE: 100000.005}),
            asset_row("X-4", **{VALUE: True}),
            asset_row("X-5", 建设年度=2021.5),
            asset_row("X-6", 确权日期="2021-02-30"),
        ],
    )
    write_xlsx(folder / "formulas.xlsx", [ASSET_HEADER, asset_row("X-7", **{VALUE: "=60000+40000"})])
    huge = [ASSET_HEADER] + [asset_row(f"Z-{i:05d}", **{VALUE: "x"}) for i in range(20_000)]
    write_csv(folder / "huge.csv", huge)

    def case(command: str, name: str, *expect: str) -> Case:
        return Case(tuple(command.split()), folder / name, expect)

    return [
        case("asset import {}", "garbage.csv", "not UTF-8 or GBK/GB18030 text"),
        case("asset import {}", "utf16.csv", "not UTF-8 or GBK/GB18030 text"),
        case("asset import {}", "garbage.xlsx", "cannot read workbook"),
        case("asset import {}", "zip-bomb-like.xlsx", "cannot read workbook"),
        case("asset import {}", "assets.txt", "值「.txt」 (value)：不支持此文件类型：请用 .csv 或 .xlsx"),
        case("ledger import-entries {}", "garbage.csv", "not UTF-8 or GBK/GB18030 text"),
        case("beneficiary import {}", "garbage.xlsx", "cannot read workbook"),
        case("distribute rule add {}", "garbage.toml", "cannot read rule file"),
        case(f"ledger import {{}} --entity V{VILLAGE}", "garbage.beancount", "Beancount"),
        case(
            "asset import {}",
            "types.xlsx",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「abc」 (value)",
            f"第3行 (row 3)，列「{VALUE} (original value)」 (column)，值「-5」 (value)",  # as typed, not Python's -5.0
            f"第4行 (row 4)，列「{VALUE} (original value)」 (column)，值「100000.005」 (value)",
            f"第5行 (row 5)，列「{VALUE} (original value)」 (column)，值「True」 (value)",
            "第6行 (row 6)，列「建设年度 (build year)」 (column)，值「2021.5」 (value)",
            "第7行 (row 7)，列「确权日期 (confirmation date)」 (column)，值「2021-02-30」 (value)",
        ),
        case(
            "asset import {}", "formulas.xlsx", f"第2行 (row 2)，列「{VALUE}"
        ),  # no cached result: refused, not guessed
        case(
            "asset import {}",
            "huge.csv",
            "20000 problem(s)",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「x」 (value)",
            "and 19950 more",
        ),
    ]


def _setup(run: Cli) -> None:
    run("region", "import", str(regions_file(run.cwd)))
    run("asset", "import", str(assets_file(run.cwd / "assets.csv", 3)))


def test_every_bad_file_is_refused_naming_where_and_changes_nothing(run: Cli, db: Database, tmp_path: Path) -> None:
    _setup(run)
    before = table_checksums(db)
    failures = []
    for case in corpus_cases() + made_cases(tmp_path):
        command = [str(case.file) if part == "{}" else part for part in case.command]
        result = run(*command, ok=False)
        out = result.output
        label = f"{' '.join(case.command[:2])} {case.file.name}"
        if result.exit_code != 2:
            failures.append(f"{label}: exit {result.exit_code}: {out[:300]}")
            continue
        if case.file.name not in out:
            failures.append(f"{label}: the file is not named: {out[:300]}")
        failures += [f"{label}: {e!r} not in:\n{out[:1500]}" for e in case.expect if e not in out]
        if table_checksums(db) != before:
            failures.append(f"{label}: the database changed")
            before = table_checksums(db)
    assert not failures, "\n".join(failures)


def test_gbk_csv_is_accepted(run: Cli, db: Database) -> None:
    _setup(run)
    run("asset", "import", str(CORPUS / "assets-gbk.csv"))
    shown = run("asset", "show", "G-1").output
    assert "灌溉水渠" in shown


def test_text_longer_than_its_column_is_refused_with_row_and_column(run: Cli, db: Database) -> None:
    """Every text column's length (the model's String(n)) is checked at parse time: exit 2 naming row, column and
    value on SQLite (which would store it) and on PostgreSQL (which would fail the INSERT) alike."""
    _setup(run)
    before = table_checksums(db)
    rows: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("L-1", 资产名称="长" * 201),
        asset_row("L-2", 单位="公里" * 9),  # 18 > 16
        asset_row("L-3", 管护主体="管" * 201, 项目名称="项" * 200),  # 200 fits
        asset_row("L-" + "4" * 63),  # 65 characters of asset id
        asset_row(
            "L-5", 资产类别="到户类", 户编号="H" * 65, 户主姓名="王" * 101, 确权主体=None, 确权级别=None, 确权日期=None
        ),
        asset_row("L-6"),  # a good row: not blamed
    ]
    result = run("asset", "import", str(write_csv(run.cwd / "long.csv", rows)), ok=False)
    out = result.output
    assert result.exit_code == 2, out
    for expected in (
        "第2行 (row 2)，列「资产名称 "
        f"(asset name)」 (column)，值「{'长' * 60}…」 (value)：超过该栏最多 200 个字（现有 201 个） "
        "(longer than 200 characters, the most this "
        "column holds (it has 201)",
        "第3行 (row 3)，列「单位 (unit)」 (column)，值「" + "公里" * 9 + "」 (value)：超过该栏最多 16 个字",
        "第4行 (row 4)，列「管护主体 (custodian)」 (column)，值「",
        "第5行 (row 5)，列「资产编号 (asset id)」 (column)，值「L-" + "4" * 58 + "…」 (value)"
        "：超过该栏最多 64 个字（现有 65 个） (longer than 64 characters, the most this column holds (it has 65)",
        "第6行 (row 6)，列「户编号 (household id)」 (column)，值「" + "H" * 60 + "…」 (value)：超过该栏最多 64 个字",
        "第6行 (row 6)，列「户主姓名 (head of household)」 (column)，值「"
        + "王" * 60
        + "…」 (value)：超过该栏最多 100 个字",
    ):
        assert expected in out, out
    assert "6 problem(s)" in out, out  # 项目名称 of 200 characters fits; row 7 is good
    assert table_checksums(db) == before


def test_register_refuses_text_longer_than_its_column(run: Cli, db: Database) -> None:
    _setup(run)
    before = table_checksums(db)
    args = ("asset", "register", "--id", "R-1", "--register", "public-benefit", "--region", VILLAGE)
    result = run(*args, "--name", "路" * 201, "--value", "1000", ok=False)
    assert result.exit_code == 2, result.output
    assert "列「资产名称 asset name」 (column)，值「" in result.output and "longer than 200 characters" in result.output
    assert table_checksums(db) == before


def test_formula_text_never_comes_back_as_a_live_formula(run: Cli, db: Database) -> None:
    _setup(run)
    rows: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("I-1", 资产名称='=HYPERLINK("http://example.invalid","点此领取补贴")'),
    ]
    imported = run("asset", "import", str(write_csv(run.cwd / "inject.csv", rows)), ok=False)
    if imported.exit_code == 2:
        return  # refused at the door: fine
    run("asset", "list", "--format", "xlsx", "--out", str(run.cwd / "list.xlsx"))
    sheet = load_workbook(run.cwd / "list.xlsx").active
    assert sheet is not None
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_unknown_township_is_named_in_its_own_column(run: Cli, db: Database) -> None:
    _setup(run)
    result = run("asset", "import", str(CORPUS / "assets-unknown-village.csv"), ok=False)
    assert (
        "第3行 (row 3)，列「乡镇 (township)」 (column)，值「不存在镇」 (value)：示范县下没有名为“不存在镇”的乡镇 "
        "(no 乡镇 named '不存在镇' under 示范县)" in result.output
    ), result.output
    assert (
        "第2行 (row 2)，列「村 (village)」 (column)，值「幸福村」 (value)"
        "：东风镇下没有名为“幸福村”的村 (no 村 named '幸福村' under 东风镇)" in result.output
    ), result.output
    rows: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("T-1", 县="不存在县"),
        asset_row("T-2", 乡镇=None),  # a village without its township
    ]
    out = run("asset", "import", str(write_csv(run.cwd / "levels.csv", rows)), ok=False).output
    assert "第2行 (row 2)，列「县 (county)」 (column)，值「不存在县」 (value)" in out, out
    assert "第3行 (row 3)，列「乡镇 (township)」 (column)：village '红旗村' needs its township (乡镇)" in out, out


def test_duplicate_of_a_bad_row_is_listed_too(run: Cli, db: Database) -> None:
    _setup(run)
    rows: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("D-1", **{VALUE: "abc"}),
        asset_row("D-1"),
        asset_row("K-00000", 建设年度="二〇二一"),  # a bad row whose id is already registered
        asset_row("D-2", 村="不存在村"),
        asset_row("D-2", 村="也不存在村"),  # two bad copies
    ]
    result = run("asset", "import", str(write_csv(run.cwd / "dup.csv", rows)), ok=False)
    out = result.output
    assert "第2行 (row 2)，列「资产原值（元） (original value)」 (column)，值「abc」 (value)" in out, out
    assert (
        "第3行 (row 3)，列「资产编号 (asset id)」 (column)，值「D-1」 (value)：与第 2 行重复 duplicate of row 2" in out
    ), out
    assert "第4行 (row 4)，列「建设年度 (build year)」 (column)，值「二〇二一」 (value)" in out, out
    assert (
        "第4行 (row 4)，列「资产编号 (asset id)」 (column)，值「K-00000」 (value)"
        "：该资产编号已登记 (asset id is already registered)" in out
    ), out
    assert (
        "第6行 (row 6)，列「资产编号 (asset id)」 (column)，值「D-2」 (value)：与第 5 行重复 duplicate of row 5" in out
    ), out
    assert "7 problem(s)" in out, out


# --- hypothesis: rows with known defects ------------------------------------------------------------------------

DEFECTS: list[tuple[str, st.SearchStrategy[str]]] = [
    (VALUE, st.sampled_from(["abc", "NaN", "Infinity", "1e400", "12,34.5.6", "¥-5", "--1", "1/2"])),
    (VALUE, st.from_regex(r"\A-[1-9][0-9]{0,6}(\.[0-9]{1,2})?\Z")),  # negative
    (VALUE, st.from_regex(r"\A[1-9][0-9]{0,6}\.[0-9]{2}[1-9]\Z")),  # a third decimal
    ("中央衔接资金", st.from_regex(r"\A[1-9][0-9]{0,4}\.[0-9]{2}[1-9]\Z")),
    ("建设年度", st.sampled_from(["二〇二一", "21", "year", "2021.5", "20211"])),
    ("确权日期", st.sampled_from(["2021-02-30", "yesterday", "2021/13/01", "2021-00-10", "31/12/2021"])),
    ("数量", st.sampled_from(["many", "一百", "1.23456", "-1"])),
    ("资产类别", st.sampled_from(["公益", "经营", "其它类", "public"])),
    ("村", st.text(alphabet="东南西北上下前后新老", min_size=2, max_size=4).map(lambda s: s + "庄")),
    ("资产编号", st.just("K-00000")),  # already registered
    ("资产编号", st.just("DUPLICATE")),  # replaced by an earlier row's id
]


@st.composite
def asset_rows(draw: st.DrawFn) -> tuple[list[list[object]], dict[int, tuple[str, str]]]:
    """A register file: good rows and rows with one defect each; returns the rows and {row number: (column, value)}."""
    count = draw(st.integers(min_value=1, max_value=12))
    bad_rows = draw(st.sets(st.integers(min_value=0, max_value=count - 1), min_size=1))
    rows: list[list[object]] = [list(ASSET_HEADER)]
    expected: dict[int, tuple[str, str]] = {}
    for i in range(count):
        asset_id = f"P-{i}-" + draw(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=8))
        name = draw(st.text(alphabet="水渠道路桥冷库光伏大棚", min_size=1, max_size=12))
        cells: dict[str, object] = {"资产编号": asset_id, "资产名称": name}
        if i in bad_rows:
            column, strategy = draw(st.sampled_from(DEFECTS))
            value = draw(strategy)
            if value == "DUPLICATE":  # an earlier good row's id (bad first copies: see test_duplicate_of_a_bad_row...)
                good = [n for n in range(i) if n + 2 not in expected]
                value = str(rows[1 + draw(st.sampled_from(good))][0]) if good else "K-00000"
            cells[column] = value
            expected[i + 2] = (column, value)
        rows.append(asset_row(str(cells.pop("资产编号")), **cells))
    return rows, expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=asset_rows())
def test_generated_bad_rows_are_each_named_and_nothing_is_written(
    run: Cli, db: Database, data: tuple[list[list[object]], dict[int, tuple[str, str]]]
) -> None:
    if "regions" not in _ready:  # once per database (hypothesis reuses the function's fixtures)
        _setup(run)
        _ready.add("regions")
    rows, expected = data
    before = table_checksums(db)
    path = write_csv(run.cwd / "generated.csv", rows)
    result = run("asset", "import", str(path), ok=False)
    out = result.output
    assert result.exit_code == 2, out
    for number, (column, value) in expected.items():
        shown = column_name(INDEX[normalise(column)], column)  # the file's header, English beside
        assert f"第{number}行 (row {number})，列「{shown}」 (column)，值「{value}」 (value)" in out, (
            number,
            shown,
            value,
            out,
        )
    good = set(range(2, len(rows) + 1)) - set(expected)
    for number in good:  # a good row is never blamed (unless it is the first of a duplicated id)
        if f"row {number}," in out:
            assert f"duplicate of row {number}" in out, (number, out)
    assert table_checksums(db) == before


_ready: set[str] = set()


@pytest.fixture(autouse=True)
def _reset_ready() -> None:
    _ready.clear()


# --- bounds (issue #17 item 6): out of range, NaN, infinities and exponents are findings with row and column ------

AWARDS = Path(__file__).parents[2] / "ledgers" / "policy" / "awards-city-example.toml"


def _bounded_cases(folder: Path) -> list[Case]:
    rows: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("B-1", **{VALUE: "100000000000000000", "中央衔接资金": "60000000000000000",
                            "县级衔接资金": "40000000000000000"}),  # crashed the import with a traceback
        asset_row("B-2", **{VALUE: "1e17", "中央衔接资金": None, "县级衔接资金": None}),
        asset_row("B-3", **{VALUE: "Infinity", "中央衔接资金": None, "县级衔接资金": None}),
        asset_row("B-4", 数量="1e400"),
        asset_row("B-5", 数量="99999999999999999"),
    ]  # fmt: skip
    write_csv(folder / "assets-huge.csv", rows)
    write_xlsx(folder / "assets-huge.xlsx", [ASSET_HEADER, asset_row("B-6", **{VALUE: 1e17, "中央衔接资金": None,
                                                                             "县级衔接资金": None})])  # fmt: skip
    wan = [h.replace("资产原值（元）", "资产原值（万元）") for h in ASSET_HEADER]
    write_csv(folder / "assets-wan.csv", [wan, asset_row("B-7", **{VALUE: "1e5", "中央衔接资金": None,
                                                                   "县级衔接资金": None})])  # fmt: skip
    roster = [
        ["户编号", "村", "户主", "人口", "类别", "纳入日期"],
        ["H1", VILLAGE, "王一", "99999999999", "脱贫户", "2024-01-01"],
        ["H2", VILLAGE, "王二", "²", "脱贫户", "2024-01-01"],
        ["H3", VILLAGE, "王三", "100", "脱贫户", "2024-01-01"],
    ]
    write_csv(folder / "roster-huge.csv", roster)
    rule = (CORPUS.parents[2] / "ledgers" / "rules" / "example-village-rule.toml").read_text(encoding="utf-8")
    rule = rule.replace("days = 7", "days = 99999999999").replace("monitored = 1.2", "monitored = 1e300")
    rule = rule.replace("risk_reserve = 5 ", 'risk_reserve = "5e0"')
    (folder / "rule-huge.toml").write_text(rule, encoding="utf-8")
    policy = AWARDS.read_text(encoding="utf-8").replace("amounts = { A = 300000 }", 'amounts = { A = "1e400" }')
    policy = policy.replace("min_yield = 6 ", "min_yield = 1e300")
    (folder / "awards-huge.toml").write_text(policy, encoding="utf-8")

    def case(command: str, name: str, *expect: str) -> Case:
        return Case(tuple(command.split()), folder / name, expect)

    return [
        case(
            "asset import {}",
            "assets-huge.csv",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「100000000000000000」 (value)："
            "不是以元计的金额 not an amount in yuan: 超出上限",
            "第2行 (row 2)，列「中央衔接资金 (fund source central)」 (column)，值「60000000000000000」 (value)",
            f"第3行 (row 3)，列「{VALUE} (original value)」 (column)，值「1e17」 (value)："
            "不是以元计的金额（请用数字书写） not an amount in yuan: write it in digits",
            f"第4行 (row 4)，列「{VALUE} (original value)」 (column)，值「Infinity」 (value)："
            "不是以元计的金额（不是有限的数） not an amount in yuan: not a finite number",
            "第5行 (row 5)，列「数量 (quantity)」 (column)，值「1e400」 (value)",
            "第6行 (row 6)，列「数量 (quantity)」 (column)，值「99999999999999999」 (value)：超出上限 out of range",
        ),
        case(
            "asset import {} --dry-run",
            "assets-huge.csv",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「100000000000000000」 (value)",
        ),
        case(
            "asset import {}",
            "assets-huge.xlsx",
            f"第2行 (row 2)，列「{VALUE} (original value)」 (column)，值「1e+17」 (value)",
            "out of range",
        ),
        case(
            "asset import {}",
            "assets-wan.csv",
            "第2行 (row 2)，列「资产原值（万元） (original value)」 (column)，值「1e5」 (value)",
            "without an exponent",
        ),
        case(
            "beneficiary import {}",
            "roster-huge.csv",
            "第2行 (row 2)，列「人口」 (column)，值「99999999999」 (value)：人口为 1 到 99 的整数",
            "第3行 (row 3)，列「人口」 (column)，值「²」 (value)",
            "第4行 (row 4)，列「人口」 (column)，值「100」 (value)",
        ),
        case(
            "beneficiary import {} --dry-run",
            "roster-huge.csv",
            "第2行 (row 2)，列「人口」 (column)，值「99999999999」 (value)",
        ),
        case(
            "distribute rule add {}",
            "rule-huge.toml",
            "列「notice.days」 (column)，值「99999999999」 (value)：应为 7 至 365 的整数 "
            "(a whole number from 7 to 365)",  # was an OverflowError
            "列「households.category_weights.monitored」 (column)，值「1e+300」 (value)",
            "列「purposes.risk_reserve」 (column)，值「5e0」 (value)",
        ),
        case(
            "awards compute --year 2025 --policy {}",
            "awards-huge.toml",
            "列「awards.grade.amounts.A」 (column)，值「1e400」 (value)",
            "列「asset_support.min_yield」 (column)，值「1e+300」 (value)",
        ),
    ]


def test_out_of_range_numbers_are_findings_never_tracebacks(run: Cli, db: Database, tmp_path: Path) -> None:
    _setup(run)
    before = table_checksums(db)
    failures = []
    for case in _bounded_cases(tmp_path):
        command = [str(case.file) if part == "{}" else part for part in case.command]
        result = run(*command, ok=False)
        out = result.output
        label = f"{' '.join(case.command)} {case.file.name}"
        if result.exit_code != 2 or "Traceback" in out:
            failures.append(f"{label}: exit {result.exit_code}: {out[:600]}")
            continue
        failures += [f"{label}: {e!r} not in:\n{out[:1500]}" for e in case.expect if e not in out]
    assert not failures, "\n".join(failures)
    assert table_checksums(db) == before


@pytest.mark.parametrize(
    ("command", "header"),
    [
        ("asset import", ASSET_HEADER),
        ("ledger import-entries", ["日期", "资产编号", "收支", "类型", "金额", "摘要", "凭证号"]),
        ("beneficiary import", ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]),
    ],
)
def test_a_header_without_rows_is_refused_by_every_import(
    run: Cli, db: Database, command: str, header: list[str]
) -> None:
    """Was: exit 2 for `asset import`, but exit 0 ("posted 0 entries") for the other two."""
    _setup(run)
    before = table_checksums(db)
    for dry in ((), ("--dry-run",)):
        result = run(*command.split(), str(write_csv(run.cwd / "header-only.csv", [header])), *dry, ok=False)
        assert result.exit_code == 2, result.output
        assert "header-only.csv：" in result.output and "the file has a header but no data rows" in result.output, (
            result.output
        )
    assert table_checksums(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ("ledger", "reverse", "99999999999999999999", "--reason", "x"),
        ("inventory", "status", "99999999999999999999"),
        ("inventory", "open", "--year", "99999999999", "--scope", "county:360921"),
        ("awards", "compute", "--year", "99999999999", "--policy", str(AWARDS)),
        ("asset", "list", "--year", "99999999999"),
        ("asset", "register", "--id", "Q-1", "--name", "x", "--register", "public-benefit", "--region", VILLAGE,
         "--value", "10", "--quantity", "abc"),
        ("beneficiary", "add", "--id", "H9", "--village", VILLAGE, "--head", "王九", "--persons", "0",
         "--category", "脱贫户", "--joined", "2024-01-01"),
        ("maintenance", "apply", "K-00000", "--amount", "1e400", "--reason", "x", "--date", "2026-06-01"),
    ],
)  # fmt: skip
def test_numbers_beyond_what_the_database_holds_are_refused_at_the_door(
    run: Cli, db: Database, args: tuple[str, ...]
) -> None:
    """A huge id, year or count was a driver's OverflowError (a traceback), or an inventory of year 99999999999."""
    _setup(run)
    before = table_checksums(db)
    result = run(*args, ok=False)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert table_checksums(db) == before


# --- documents of record -----------------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def bad_documents(folder: Path) -> list[tuple[str, Path, str]]:
    """(how it is offered, the file, what the refusal says): every way a file is not a document of record."""
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "renamed.pdf").write_bytes(b"MZ\x90\x00 this is a program, not a PDF")
    (folder / "cut-short.pdf").write_bytes(pdf[:-7] + b"\x00" * 3000)
    (folder / "cut-short.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x11" * 5000)
    (folder / "script.docx").write_bytes(b"<html><script>alert(1)</script></html>")
    with (folder / "huge.pdf").open("wb") as fh:  # sparse: 20 MB + 1 byte without writing them
        fh.write(pdf)
        fh.truncate(20 * 1024 * 1024 + 1)
    _zip(folder / "fake.docx", {"word/document.xml": b"<w/>"})  # a ZIP without Office's parts
    _zip(folder / "broken.xlsx", {"[Content_Types].xml": b"x", "xl/workbook.xml": b"y"})
    (folder / "broken.xlsx").write_bytes((folder / "broken.xlsx").read_bytes()[:40])
    (folder / "link.pdf").symlink_to(folder / "renamed.pdf")
    return [
        ("one", folder / "empty.pdf", "空文件 the file is empty"),
        ("one", folder / "renamed.pdf", "（按内容识别，不看文件名） not an allowed type"),
        ("one", folder / "cut-short.pdf", "the PDF is cut short"),
        ("one", folder / "cut-short.jpg", "the JPEG image is cut short"),
        ("one", folder / "script.docx", "not an allowed type"),
        ("one", folder / "huge.pdf", "文件过大 too large: 20,971,521 bytes"),
        ("one", folder / "fake.docx", "a ZIP that is not a DOCX or XLSX document"),
        ("one", folder / "broken.xlsx", "损坏的文件 a broken ZIP/Office file"),
        ("one", folder / "link.pdf", "a link, not a file"),
        ("batch", _zip(folder / "climb.zip", {"../../etc/K-00000_x.pdf": pdf}), "路径不安全 unsafe path in the ZIP"),
        ("batch", _zip(folder / "absolute.zip", {"/tmp/K-00000_x.pdf": pdf}), "unsafe path in the ZIP"),
        ("batch", _zip(folder / "drive.zip", {"C:/K-00000_x.pdf": pdf}), "unsafe path in the ZIP"),
        ("batch", _zip(folder / "bomb.zip", {"K-00000_bomb.pdf": b"%PDF-" + b"\x00" * (8 * 1024 * 1024)}),
         "压缩比异常 compressed 200× or more: refused as a zip bomb"),
        ("batch", _zip(folder / "big-inside.zip", {"K-00000_big.pdf": b"%PDF-" + b"\x00" * (21 * 1024 * 1024)}),
         "文件过大 too large"),
        ("batch", _zip(folder / "nested.zip", {"K-00000_inner.zip": (folder / "climb.zip").read_bytes()}),
         "a ZIP that is not a DOCX or XLSX document"),
        ("batch", _zip(folder / "many.zip", {f"K-00000_{i}.pdf": pdf for i in range(2001)},
                       compression=zipfile.ZIP_STORED), "文件过多 2001 files; at most 2000"),
        ("batch", _zip(folder / "unknown-asset.zip", {"NO-SUCH_验收.pdf": pdf}), "registered asset id"),
        ("batch", folder / "renamed.pdf", "renamed.pdf"),  # not a ZIP at all, offered as a batch of one
        ("batch", _not_a_zip(folder / "garbage.zip"), "不是有效的 ZIP 文件 not a readable ZIP"),
    ]  # fmt: skip


def _not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 10)
    return path


def test_every_bad_document_is_refused_and_nothing_is_stored(run: Cli, db: Database, tmp_path: Path) -> None:
    _setup(run)
    files = tmp_path / "offered"
    files.mkdir()
    before = table_checksums(db)
    store = Path(db.url.split("///", 1)[1]).parent / "test-documents" if db.is_sqlite else None
    failures = []
    for how, path, reason in bad_documents(files):
        args = ["asset", "attach", str(path)] + (["--asset", "K-00000"] if how == "one" else [])
        result = run(*args, ok=False)
        label = f"{how} {path.name}"
        if result.exit_code != 2:
            failures.append(f"{label}: exit {result.exit_code}: {result.output[:300]}")
        elif reason not in result.output or path.name not in result.output:
            failures.append(f"{label}: {reason!r} (and the file's name) not in {result.output[:600]}")
        if table_checksums(db) != before:
            failures.append(f"{label}: the database changed")
            before = table_checksums(db)
        if store is not None and store.exists() and any(p.is_file() for p in store.rglob("*")):
            failures.append(f"{label}: a file was stored")
    assert not failures, "\n".join(failures)


def test_one_bad_file_in_a_batch_stores_none_of_the_good_ones(run: Cli, db: Database, tmp_path: Path) -> None:
    _setup(run)
    pdf = b"%PDF-1.4\n%%EOF\n"
    archive = _zip(tmp_path / "mixed.zip", {"K-00000_验收.pdf": pdf, "K-00001_照片.png": b"not a png",
                                            "K-00002_移交.pdf": pdf + b"2"})  # fmt: skip
    before = table_checksums(db)
    result = run("asset", "attach", str(archive), ok=False)
    assert result.exit_code == 2 and "K-00001_照片.png" in result.output and "1 problem(s)" in result.output
    assert table_checksums(db) == before
