"""A lone dash for "nothing" (tester's report): counties write —, -, －, –, —— in an amount, number or date column that
has nothing to say (省级衔接资金 “—”). Such a cell reads as an empty one; a required column names it as missing, with
file, row, column and the dash; a negative number is a number, never a dash. Read through the real readers, from CSV
as counties save it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.enums import FundSource, RegionLevel
from assetledger.domain.regions import RegionIndex, RegionNode
from assetledger.io import values
from assetledger.io.asset_rows import parse_assets
from assetledger.io.change_rows import parse_changes
from assetledger.io.contract_rows import parse_contracts
from assetledger.io.count_sheets import parse_counts
from assetledger.io.entry_rows import parse_entry_rows
from assetledger.io.household_rows import parse_households
from assetledger.io.rows import EMPTY_CELL
from assetledger.io.tabular import read_table
from assetledger.services.award_results import read_given
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv

DASHES = ["—", "-", "－", "–", "——", " — ", "- -", "\u3000—\u3000", "―", "−"]
INDEX = RegionIndex(
    [RegionNode(r[1], r[0], RegionLevel.COUNTY, None) for r in REGIONS[1:2]]
    + [RegionNode(r[3], r[2], RegionLevel.TOWNSHIP, r[1]) for r in (REGIONS[1], REGIONS[3])]
    + [RegionNode(r[5], r[4], RegionLevel.VILLAGE, r[3]) for r in REGIONS[1:]]
)


@pytest.mark.parametrize("dash", DASHES)
def test_a_cell_of_dashes_reads_as_empty_in_number_and_date_columns(dash: str) -> None:
    assert values.blank(dash)
    assert values.money(dash) is None and values.money(dash, 10000) is None
    assert values.date(dash) is None and values.year(dash) is None
    assert values.quantity(dash) is None and values.households(dash) is None
    assert values.text(dash) is None  # a text column too: no custodian named "—"
    assert values.written(dash) == dash.strip()  # what a finding quotes


@pytest.mark.parametrize(
    ("cell", "read", "reason"),
    [("-5", values.money, "金额为负数"), ("-5", values.quantity, "不能为负数"), ("－5", values.money, "金额为负数"),
     ("—5", values.money, "不是数字"), ("5—", values.quantity, "不是数字"), ("-2024-01-01", values.date, "不是日期"),
     ("— —x", values.money, "不是数字")],
)  # fmt: skip
def test_a_negative_number_or_a_dash_with_more_is_no_dash(cell: str, read: object, reason: str) -> None:
    assert not values.blank(cell)
    with pytest.raises(values.CellError, match=reason):
        read(cell)  # type: ignore[operator]


REGISTER = [*ASSET_HEADER, "省级衔接资金"]


def test_a_register_with_dashes_reads_them_as_empty(tmp_path: Path) -> None:
    rows = [
        REGISTER,
        [*asset_row("A-1", 数量="－", 确权日期="—", 建设年度="——"), "—"],
        [*asset_row("A-2", 县级衔接资金="-", 中央衔接资金="100000.00"), " — "],
        [*asset_row("A-3", **{"资产原值（元）": "—"}), "—"],
        [*asset_row("A-4", 县级衔接资金="-40000.00"), None],
    ]
    path = write_csv(tmp_path / "台账.csv", rows, encoding="gbk")
    parsed = parse_assets(read_table(path), INDEX, {}, today=dt.date(2025, 12, 31))
    drafts = dict((d.asset_id, d) for _, d in parsed.drafts)
    assert sorted(drafts) == ["A-1", "A-2"]
    one = drafts["A-1"]
    assert (one.quantity, one.build_year) == (None, None)
    assert one.funding == ((FundSource.CENTRAL, Decimal("60000.00")), (FundSource.COUNTY, Decimal("40000.00")))
    assert one.ownership is not None and one.ownership.confirmed_on == dt.date(2021, 12, 1)  # by 移交日期
    assert drafts["A-2"].funding == ((FundSource.CENTRAL, Decimal("100000.00")),)
    by_row = {f.row: f for f in parsed.findings}
    assert sorted(by_row) == [4, 5]
    missing = by_row[4]  # required: missing, naming the dash
    assert (missing.source, missing.column, missing.value, missing.reason) == (
        str(path), "资产原值（元） (original value)", "—", EMPTY_CELL)  # fmt: skip
    assert by_row[5].value == "-40000.00" and "金额为负数" in by_row[5].reason  # a negative number: a number


ENTRY_HEADER = ["日期", "资产编号", "收支", "类型", "金额", "凭证号"]


def test_an_entry_with_a_dash_for_its_amount_or_date_names_it_missing(tmp_path: Path) -> None:
    rows = [
        ENTRY_HEADER,
        ["2025-03-05", "A-1", "收入", "租金", "—", "PZ-1"],
        ["——", "A-1", "收入", "租金", "100", "PZ-2"],
    ]
    path = write_csv(tmp_path / "收支.csv", rows)
    entries, findings = parse_entry_rows(read_table(path), "file")
    assert entries == []
    assert [(f.source, f.row, f.column, f.value, f.reason) for f in findings] == [
        (str(path), 2, "金额", "—", EMPTY_CELL),
        (str(path), 3, "日期", "——", EMPTY_CELL),
    ]


CONTRACT_HEADER = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "每期金额", "年租金",
                   "支付周期", "已缴至", "保证金"]  # fmt: skip


def test_a_contract_with_dashes_in_optional_columns_reads(tmp_path: Path) -> None:
    rows = [
        CONTRACT_HEADER,
        ["HT-1", "A-1", "某合作社", "出租", "2025-01-01", "2027-12-31", "—", "1200", "季付", "－", "-"],
        ["HT-2", "A-2", "某合作社", "出租", "2025-01-01", "—", "300", None, "季付", None, None],
    ]
    path = write_csv(tmp_path / "合同.csv", rows)
    [contract], [finding] = parse_contracts(read_table(path))
    assert (contract.terms.amount, contract.terms.paid_through, contract.deposit) == (Decimal("300.00"), None, None)
    assert (finding.row, finding.column, finding.value, finding.reason) == (3, "合同截止日期", "—", EMPTY_CELL)


def test_a_count_sheet_with_dashes(tmp_path: Path) -> None:
    header = ["区划代码", "资产编号", "资产名称", "资产类别", "数量", "资产原值（元）", "结果", "清查日期"]
    rows = [header,
            ["360921101201", "A-1", None, None, "—", None, "在用", "2025-06-01"],  # counted; no quantity
            ["360921101201", None, None, None, None, "—", None, None],  # a template line: nothing found
            ["360921101201", "A-2", None, None, None, None, None, "—"],  # not counted yet
            ["360921101201", None, "水泵", "公益性", "－", "800", None, "2025-06-01"],  # a surplus without a quantity
            ["360921101201", "A-3", None, None, None, None, "在用", "——"]]  # fmt: skip
    path = write_csv(tmp_path / "清查.csv", rows)
    drafts, findings = parse_counts(read_table(path), 2025, dt.date(2025, 12, 31))
    assert [d.asset_id for d in drafts] == ["A-1", None]
    assert drafts[1].surplus is not None and drafts[1].surplus.quantity is None
    assert [(f.row, f.column, f.value) for f in findings] == [(6, "清查日期", "——")]


def test_a_bulk_change_with_a_dash_for_its_date_names_it_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "移交.csv", [["资产编号", "移交日期", "移交单位"], ["A-1", "—", "县农业农村局"]])
    parsed = parse_changes(read_table(path), "handover", {})
    [finding] = parsed.findings
    assert parsed.rows == [] and (finding.row, finding.value) == (2, "—") and "empty" in finding.reason
    assert finding.column is not None and finding.column.startswith("移交日期")


def test_a_roster_with_a_dash_for_a_date(tmp_path: Path) -> None:
    header = ["户编号", "村", "户主", "人口", "类别", "纳入日期", "退出日期"]
    rows = [header, ["H-1", "360921101201", "王建国", "3", "脱贫户", "2021-01-01", "—"],
            ["H-2", "360921101201", "李四", "2", "脱贫户", "－", None]]  # fmt: skip
    households, [finding] = parse_households(read_table(write_csv(tmp_path / "名册.csv", rows)))
    assert [(h.household_id, h.left_on) for h in households] == [("H-1", None)]
    assert (finding.row, finding.column, finding.value, finding.reason) == (3, "纳入日期", "－", EMPTY_CELL)


def test_award_results_with_a_dash_for_a_rank(tmp_path: Path) -> None:
    rows = [["区划代码", "名次", "得分"], ["360921", "—", "85.5"], ["360922", "1", "-"]]
    given = read_given(write_csv(tmp_path / "2025年度考核结果.csv", rows))
    assert [(r.rank, r.score) for r in given.rows] == [(None, Decimal("85.5")), (1, None)]
