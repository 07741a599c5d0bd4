"""The words errors build themselves (errors.py) are Chinese first, with the English beside: where a finding is
(第3行 (row 3)，列「金额」 (column)，值「12x」 (value)), how many problems refused a file, what already exists."""

from __future__ import annotations

from assetledger.errors import DuplicateError, Finding, InputError, NotFoundError


def test_a_finding_names_row_column_and_value_in_chinese_with_the_english_beside() -> None:
    found = Finding("账.csv", 3, "金额", "12x", "不是数字 not a number")
    assert str(found) == "账.csv，第3行 (row 3)，列「金额」 (column)，值「12x」 (value)：不是数字 not a number"
    assert str(Finding("账.csv", None, None, None, "空文件 empty")) == "账.csv：空文件 empty"


def test_a_finding_escapes_what_would_drive_the_terminal() -> None:
    shown = str(Finding("账.csv", 2, "摘要", "租金\x1b[2J\n\u202e", "含有控制字符"))
    assert "\x1b" not in shown and "\n" not in shown and "\u202e" not in shown
    assert "值「租金\\x1b[2J\\n\\u202e」 (value)" in shown


def test_input_error_and_duplicate_error_say_it_in_chinese_first() -> None:
    refused = str(InputError([Finding("账.csv", 2, "金额", "x", "不是数字 not a number")] * 3, limit=2))
    assert refused.startswith("输入有 3 处问题，未做任何更改 (3 problem(s) in input, nothing was changed):")
    assert refused.endswith("另有 1 处 (and 1 more)")
    assert str(DuplicateError("asset", "A-1")) == "资产“A-1”已存在 (asset “A-1” already exists)"


def test_keys_headers_and_file_names_are_escaped_too() -> None:
    """A key, a header or a file name comes from the user's file as much as a value does."""
    evil = "A\x1b[2J\n1"
    for shown in (
        str(DuplicateError("asset", evil)),
        str(NotFoundError("asset", evil)),
        str(Finding(f"账{evil}.csv", 2, f"金{evil}额", "1", "r")),
    ):
        assert "\x1b" not in shown and "\n" not in shown and "A\\x1b[2J\\n1" in shown
