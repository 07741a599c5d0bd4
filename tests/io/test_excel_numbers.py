"""Numbers as Excel shows them (tester's report): a formula such as =100.1*3 leaves the binary float
300.29999999999995 in the sheet's XML, and Excel shows 300.30. A numeric cell is read at Excel's 15 significant digits
and only then checked for more than two places, in every reader of amounts and quantities from a workbook; a cell
that really holds 300.305 is still refused, named as Excel shows it. CSV text is read as written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from assetledger.domain.money import from_float, parse_money, parse_number
from assetledger.io import values
from assetledger.io.contract_rows import parse_contracts
from assetledger.io.count_sheets import parse_counts
from assetledger.io.entry_rows import parse_entry_rows
from assetledger.io.tabular import read_table
from assetledger.services.award_results import read_given
from tests.helpers import store_numbers, write_csv, write_xlsx

TOO_FINE = "小数超过两位"  # the refusal of more than two places (不是以元计的金额（小数超过两位） ...)
# (what the sheet's XML stores, the formula that left it, what Excel shows)
ROUND_OFF = [
    ("300.29999999999995", "100.1*3", "300.3"),
    ("59.970000000000006", "19.99*3", "59.97"),
    ("0.30000000000000004", "0.1+0.2", "0.3"),
    ("2.0999999999999996", "0.7*3", "2.1"),
    ("1200.6000000000001", "400.2*3", "1200.6"),
]


def _cells(path: Path) -> list[list[object]]:
    """The sheet as python-calamine (the reader's own library) reads it."""
    return list(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet").to_python())


@pytest.mark.parametrize(("stored", "formula", "shown"), ROUND_OFF)
def test_a_float_is_taken_at_excels_15_digits(stored: str, formula: str, shown: str) -> None:
    assert from_float(float(stored)) == Decimal(shown) and str(from_float(float(stored))) == shown
    assert values.money(float(stored)) == Decimal(shown).quantize(Decimal("0.01"))
    assert values.quantity(float(stored)) == Decimal(shown)
    assert values.text(float(stored)) == shown  # as a finding names it


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(300.305, "300.305"), (305.30499999999995, "305.305"), (0.001, "0.001"), (1e20, "1E+20"), (-0.0, "0"),
     (2.0, "2"), (123456789012345.0, "123456789012345"), (1e-7, "1E-7"), (12.5, "12.5")],
)  # fmt: skip
def test_from_float_is_what_the_cell_shows(cell: float, expected: str) -> None:
    assert str(from_float(cell)) == expected


@pytest.mark.parametrize("cell", [300.305, 305.30499999999995, 0.001, 59.975])
def test_a_float_that_shows_more_than_two_places_is_refused(cell: float) -> None:
    with pytest.raises(values.CellError, match=TOO_FINE):
        values.money(cell)


def test_floats_reach_parse_money_only_as_excel_shows_them() -> None:
    """parse_number's one conversion of a float; NaN, infinities and the bound are refused as before."""
    assert parse_money(300.29999999999995) == Decimal("300.30")
    assert parse_number(0.30000000000000004) == Decimal("0.3")
    assert values.money(30.000000000000004, 10000) == Decimal("300000.00")  # a 万元 column: scaled after
    for bad in (float("nan"), float("inf"), 1e10):
        with pytest.raises(values.CellError):
            values.money(bad)


def test_csv_text_is_read_as_written() -> None:
    """Text is what the user typed: a third decimal written out is refused, never rounded."""
    with pytest.raises(values.CellError, match=TOO_FINE):
        values.money("300.29999999999995")
    with pytest.raises(values.CellError):
        values.quantity("0.30000000000000004")


ENTRY_HEADER = ["日期", "资产编号", "收支", "类型", "金额", "凭证号"]


def _entries(tmp_path: Path, formula: bool) -> Path:
    rows = [
        ENTRY_HEADER,
        ["2025-03-05", "A-1", "收入", "租金", 1.5, "PZ-1"],
        ["2025-03-06", "A-1", "收入", "租金", 1.5, "PZ-2"],
    ]
    path = write_xlsx(tmp_path / "收支.xlsx", rows)
    return store_numbers(path, {"E2": ("59.970000000000006", "19.99*3" if formula else None),
                                "E3": ("305.30499999999995", "100.1*3.05" if formula else None)})  # fmt: skip


@pytest.mark.parametrize("formula", [True, False], ids=["formula", "value"])
def test_an_entry_amount_left_by_a_formula_reads_as_shown(tmp_path: Path, formula: bool) -> None:
    path = _entries(tmp_path, formula)
    assert _cells(path)[1][4] == 59.970000000000006 and _cells(path)[2][4] == 305.30499999999995  # what is read
    table = read_table(path)
    rows, findings = parse_entry_rows(table, "file")
    assert [r.posting.amount for r in rows] == [Decimal("59.97")]
    [finding] = findings
    assert (finding.source, finding.row, finding.column, finding.value) == (table.source, 3, "金额", "305.305")
    assert TOO_FINE in finding.reason


def test_contract_amounts_read_as_shown(tmp_path: Path) -> None:
    header = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金", "支付周期",
              "保证金"]  # fmt: skip
    row = ["HT-1", "A-1", "某合作社", "出租", "2025-01-01", "2027-12-31", 1.5, "季付", 2.5]
    path = write_xlsx(tmp_path / "合同.xlsx", [header, row])
    store_numbers(path, {"G2": ("1200.6000000000001", "400.2*3"), "I2": ("300.29999999999995", "100.1*3")})
    assert _cells(path)[1][6:9] == [1200.6000000000001, "季付", 300.29999999999995]
    [contract], findings = parse_contracts(read_table(path))
    assert findings == []
    assert contract.terms.amount == Decimal("300.15") and contract.deposit == Decimal("300.30")


def test_a_count_sheets_value_and_quantity_read_as_shown(tmp_path: Path) -> None:
    header = ["区划代码", "资产编号", "资产名称", "资产类别", "数量", "资产原值（元）", "结果", "清查日期"]
    rows = [header, ["360921101201", None, "水泵", "公益性", 1.5, 1.5, "在用", "2025-06-01"],
            ["360921101201", None, "水管", "公益性", 1.5, 1.5, "在用", "2025-06-01"]]  # fmt: skip
    path = write_xlsx(tmp_path / "清查.xlsx", rows)
    store_numbers(path, {"E2": ("0.30000000000000004", "0.1+0.2"), "F2": ("300.29999999999995", "100.1*3"),
                         "E3": ("2.0999999999999996", None), "F3": ("300.305", None)})  # fmt: skip
    table = read_table(path)
    drafts, findings = parse_counts(table, 2025, dt.date(2025, 12, 31))
    [draft] = drafts
    assert draft.surplus is not None
    assert (draft.surplus.value, draft.surplus.quantity) == (Decimal("300.30"), Decimal("0.3"))
    [finding] = findings
    assert (finding.row, finding.column, finding.value) == (3, "资产原值（元）", "300.305")


def test_an_award_score_left_by_a_formula_reads_as_shown(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "2025年度考核结果.xlsx", [["区划代码", "得分"], ["360921", 1.5], ["360922", 1.5]])
    store_numbers(path, {"B2": ("85.300000000000011", "85.1+0.2"), "B3": ("90.000000000000014", None)})
    given = read_given(path)
    assert [r.score for r in given.rows] == [Decimal("85.3"), Decimal("90")]


def test_a_csv_amount_is_text_as_written(tmp_path: Path) -> None:
    """The same entry file as CSV, the amount written with the float's digits: refused, named as written."""
    path = write_csv(
        tmp_path / "收支.csv", [ENTRY_HEADER, ["2025-03-05", "A-1", "收入", "租金", "300.29999999999995", "PZ-1"]]
    )
    rows, [finding] = parse_entry_rows(read_table(path), "file")
    assert rows == [] and finding.value == "300.29999999999995" and TOO_FINE in finding.reason
