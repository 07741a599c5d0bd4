"""Click's own usage errors reach the user in Chinese with English beside, for every command (cli/usage_errors.py)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from assetledger.cli.main import cli
from assetledger.cli.usage_errors import describe, translate
from tests.conftest import Cli

# Click's own English words (capitalised as click writes them; the English beside the Chinese is not).
CLICK_ENGLISH = re.compile(
    r"^(Usage:|Error:|Try ')|Invalid value|Missing (argument|option|parameter|command)|No such (option|command)"
    r"|Got unexpected|Option '",
    re.M,
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _english_only(output: str) -> list[str]:
    """The lines of `output` with no Chinese in them, and click's English words anywhere."""
    lines = [line for line in output.splitlines() if line.strip() and not CJK.search(line)]
    return lines + CLICK_ENGLISH.findall(output)


def _usage_error(args: list[str], tmp_path: Path) -> str:
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'none.db'}", *args])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "none.db").exists()  # refused while parsing: nothing opened, nothing written
    return result.output


def test_a_bad_year_is_said_in_chinese_with_english_beside(run: Cli) -> None:
    result = run("asset", "list", "--year", "abc", ok=False)
    assert result.exit_code == 2
    error = result.output.strip().splitlines()[-1]
    said = "'--year' 的值不对 (invalid value for '--year'): 'abc' 不是年份，应写如 2025 (not a year; write e.g. 2025)"
    assert error == f"错误 error: {said}"
    assert "用法 (usage): cli asset list [OPTIONS]" in result.output  # CliRunner names the group "cli"
    assert not _english_only(result.output), result.output
    early = run("inventory", "open", "--year", "1800", "--scope", "village", ok=False)
    assert early.exit_code == 2 and "'1800' 不在 1949 到 2100 年之间 (not a year from 1949 to 2100)" in early.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["asset", "list", "--limit", "abc"], "'abc' 不是整数 (not a valid integer)"),
        (
            ["asset", "list", "--limit", "0"],
            "0 超出范围 (out of range): 应在 1 到 10000000 之间 (between 1 and 10000000)",
        ),
        (["asset", "list", "--format", "pdf"], "'pdf' 不是可选的值；可选 'table', 'csv', 'json', 'xlsx'"),
        (["asset", "list", "--bogus"], "没有选项 --bogus (no such option '--bogus')"),
        (["asset", "lst"], "没有命令 lst (no such command 'lst')；是不是 list？(did you mean list?)"),
        (["asset", "confirm"], "缺少参数 'ASSET_ID' (missing argument 'ASSET_ID')"),
        (["inventory", "open"], "缺少选项 '--year' (missing option '--year')"),
        (
            ["asset", "list", "--register"],
            "选项 '--register' 后面要跟一个值 (option '--register' requires an argument)",
        ),
        (
            ["asset", "list", "--unconfirmed=yes"],
            "选项 '--unconfirmed' 不带值 (option '--unconfirmed' does not take a value)",
        ),
        (["asset", "list", "extra"], "多余的参数 extra (unexpected extra argument: extra)"),
        (["asset", "import", "no-such.csv"], "文件 'no-such.csv' 不存在 (file 'no-such.csv' does not exist)"),
        (["--vocabulary", "no-such.toml", "asset", "list"], "文件 'no-such.toml' 不存在"),
        (
            ["ledger", "post", "--date", "2025-13-01"],
            "'2025-13-01' 不是日期，应写如 2025-06-30 (not a date: YYYY-MM-DD)",
        ),
        (["asset", "list", "--status", "坏了"], "未知资产状态 (unknown status) '坏了'；可用 (accepted): 在用 in_use"),
    ],
)
def test_click_usage_errors_are_in_chinese(args: list[str], said: str, tmp_path: Path) -> None:
    output = _usage_error(args, tmp_path)
    error = [line for line in output.splitlines() if line.startswith("错误 error: ")]
    assert len(error) == 1 and said in error[0], output
    assert CJK.search(error[0].removeprefix("错误 error: "))
    assert not _english_only(output), output


def test_a_group_without_its_command_still_shows_its_help(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "asset"])
    assert "Commands:" in result.output and "import" in result.output and "错误" not in result.output


def test_every_template_click_words_has_its_chinese() -> None:
    """Messages of click's that the commands above do not reach: each is matched, none left in English alone."""
    for message in [
        "'x' is not 'table'.",
        "'1.5x' is not a valid float.",
        "'maybe' is not a valid boolean. Recognized values: 0, 1",
        "Directory 'out' is a file.",
        "File 'a.csv' is a directory.",
        "File 'a.csv' is not readable.",
        "Option '--pair' requires 2 arguments.",
        "Argument 'pair' takes 2 values.",
        "Missing command.",
        "'2025' does not match the formats '%Y-%m-%d'.",
        "2 values are required, but 1 was given.",
        "7 is not in the range x>=10.",
    ]:
        said = translate(message)
        assert said != message and CJK.search(said), message
    assert translate("不是年份 (not a year)") == "不是年份 (not a year)"  # the project's own: kept as it is
    unknown = describe(click.UsageError("something new in click"))
    assert unknown == "用法不对 (usage error): something new in click"
