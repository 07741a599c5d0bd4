"""Sheet names of XLSX exports: what Excel refuses is written full-width, 31 characters at most, unique in a book."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from assetledger.io.output import sheet_names, write_xlsx


def test_sheet_names_are_what_excel_accepts() -> None:
    names = ["评价[2025]:资金/项目?*\\", "'引号'", "", "Data", "data", "DATA", "长" * 40, "长" * 35, "\x1b控制"]
    assert sheet_names(names) == [
        "评价【2025】：资金／项目？＊＼",
        "引号",
        "Sheet",
        "Data",
        "data(2)",  # Excel compares sheet names ignoring case
        "DATA(3)",
        "长" * 31,
        "长" * 28 + "(2)",  # the same 31 characters: the second is numbered, within the limit
        "控制",
    ]


def test_a_workbook_with_such_names_opens_with_them(tmp_path: Path) -> None:
    rows = [{"code": "A-1"}]
    sheets = {
        "指标明细-" + "巩固拓展脱贫攻坚成果资金和项目资产管理绩效评价奖励" + suffix: rows
        for suffix in ("（修订）", "（试行）")
    }
    sheets["评价?[试行]"] = rows
    book = load_workbook(write_xlsx(tmp_path / "book.xlsx", sheets))
    assert book.sheetnames == [
        "指标明细-巩固拓展脱贫攻坚成果资金和项目资产管理绩效评价奖励（",  # 31 characters
        "指标明细-巩固拓展脱贫攻坚成果资金和项目资产管理绩效评价(2)",  # the same 31: numbered
        "评价？【试行】",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)
