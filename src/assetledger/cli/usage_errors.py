"""Click's own usage errors ("Invalid value for '--year'", "Missing argument", "No such option", "Usage: ...") in
Chinese with English beside, for every command: main.AppGroup passes each one through `in_chinese`.

Click words these messages from fixed English templates (click/exceptions.py, types.py, parser.py, core.py); the
exception classes carry what was wrong (the parameter, the option's name, the possibilities), and the templates
left in a message — a value's type, a range, a choice — are matched here, one pattern each. A message that already
has Chinese in it (the project's own option types, cli/common.py) is kept as it is; one no pattern knows is shown
after a Chinese heading, so no screen has English alone (tests/cli/test_usage_errors.py covers every template).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import IO, Any

import click

from assetledger.domain.text import visible

_CJK = re.compile(r"[\u3400-\u9fff]")
_KIND = {"File": "文件", "Directory": "文件夹", "Path": "路径"}
_NUMBER = {"integer": "整数", "float": "数", "boolean": "是/否值", "integer range": "整数", "float range": "数"}
_PARAM = {"argument": "参数", "option": "选项", "parameter": "参数"}
_ACCESS = {"readable": "读", "writable": "写", "executable": "执行"}

# (click's template as a regular expression, the Chinese-with-English message made from its groups)
_TEMPLATES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(
            r"(?P<v>.+) is not a valid (?P<t>integer range|float range|integer|float|boolean)\.(?P<rest>.*)", re.S
        ),
        lambda m: f"{m['v']} 不是{_NUMBER[m['t']]} (not a valid {m['t'].removesuffix(' range')}){m['rest']}",
    ),
    (
        re.compile(r"(?P<v>.+) is not in the range (?P<r>.+)\.", re.S),
        lambda m: f"{m['v']} 超出范围 (out of range): {_range(m['r'])}",
    ),
    (
        re.compile(r"(?P<v>.+) is not one of (?P<c>.+)\.", re.S),
        lambda m: f"{m['v']} 不是可选的值；可选 {m['c']} (is not one of {m['c']})",
    ),
    (
        re.compile(r"(?P<v>.+) is not (?P<c>'[^']*')\.", re.S),
        lambda m: f"{m['v']} 不是可选的值；可选 {m['c']} (is not {m['c']})",
    ),
    (
        re.compile(r"(?P<k>File|Directory|Path) (?P<f>.+) does not exist\.", re.S),
        lambda m: f"{_KIND[m['k']]} {m['f']} 不存在 ({m['k'].lower()} {m['f']} does not exist)",
    ),
    (
        re.compile(r"(?P<k>File|Directory|Path) (?P<f>.+) is a file\.", re.S),
        lambda m: f"{m['f']} 是文件，这里要一个文件夹 ({m['k'].lower()} {m['f']} is a file)",
    ),
    (
        re.compile(r"(?P<k>File|Directory|Path) (?P<f>.+) is a directory\.", re.S),
        lambda m: f"{m['f']} 是文件夹，这里要一个文件 ({m['k'].lower()} {m['f']} is a directory)",
    ),
    (
        re.compile(r"(?P<k>File|Directory|Path) (?P<f>.+) is not (?P<a>readable|writable|executable)\.", re.S),
        lambda m: f"{_KIND[m['k']]} {m['f']} 没有{_ACCESS[m['a']]}权限 ({m['k'].lower()} {m['f']} is not {m['a']})",
    ),
    (
        re.compile(r"Option (?P<o>'[^']*') requires an argument\."),
        lambda m: f"选项 {m['o']} 后面要跟一个值 (option {m['o']} requires an argument)",
    ),
    (
        re.compile(r"Option (?P<o>'[^']*') requires (?P<n>\d+) arguments\."),
        lambda m: f"选项 {m['o']} 后面要跟 {m['n']} 个值 (option {m['o']} requires {m['n']} arguments)",
    ),
    (
        re.compile(r"Option (?P<o>'[^']*') does not take a value\."),
        lambda m: f"选项 {m['o']} 不带值 (option {m['o']} does not take a value)",
    ),
    (
        re.compile(r"Argument (?P<a>'[^']*') takes (?P<n>\d+) values\."),
        lambda m: f"参数 {m['a']} 要 {m['n']} 个值 (argument {m['a']} takes {m['n']} values)",
    ),
    (
        re.compile(r"Got unexpected extra arguments? \((?P<a>.*)\)", re.S),
        lambda m: f"多余的参数 {m['a']} (unexpected extra argument: {m['a']})",
    ),
    (
        re.compile(r"Missing command\."),
        lambda m: "缺少子命令 (missing command)",
    ),
    (
        re.compile(r"(?P<v>.+) does not match the formats? (?P<f>.+)\.", re.S),
        lambda m: f"{m['v']} 不合格式 {m['f']} (does not match the format {m['f']})",
    ),
    (
        re.compile(r"(?P<n>\d+) values are required, but (?P<g>\d+) (?:was|were) given\.", re.S),
        lambda m: f"要 {m['n']} 个值，给了 {m['g']} 个 ({m['n']} values are required, {m['g']} given)",
    ),
]


def in_chinese(exc: click.UsageError) -> click.UsageError:
    """The usage error to show: `exc` in Chinese with English beside (exit code and context kept); a request for
    help (a group run without its command) and one already in Chinese as they are."""
    if isinstance(exc, (UsageProblem, click.exceptions.NoArgsIsHelpError)):
        return exc
    return UsageProblem(describe(exc), exc.ctx, exc.exit_code)


def describe(exc: click.UsageError) -> str:
    """What was wrong, in Chinese with English beside."""
    if isinstance(exc, click.NoSuchOption):
        said = f"没有选项 {exc.option_name} (no such option {exc.option_name!r})"
        return said + _did_you_mean(exc.possibilities)
    if isinstance(exc, click.exceptions.NoSuchCommand):
        said = f"没有命令 {exc.command_name} (no such command {exc.command_name!r})"
        return said + _did_you_mean(exc.possibilities)
    if isinstance(exc, click.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        if not hint:
            return f"值不对 (invalid value): {translate(exc.message)}"
        return f"{hint} 的值不对 (invalid value for {hint}): {translate(exc.message)}"
    if _CJK.search(exc.message):
        return exc.message
    said = translate(exc.message)
    return said if said != exc.message else f"用法不对 (usage error): {exc.message}"


def translate(message: str) -> str:
    """One of click's English messages in Chinese with English beside; a message with Chinese in it, or one no
    template matches, as it is."""
    if _CJK.search(message):
        return message
    for pattern, said in _TEMPLATES:
        match = pattern.fullmatch(message.strip())
        if match:
            return said(match)
    return message


def _range(described: str) -> str:
    """Click's "1<=x<=9", "x>=1" or "x<=9" in words; another form (an open bound) as it is."""
    both = re.fullmatch(r"(?P<lo>[-\d.]+)<=x<=(?P<hi>[-\d.]+)", described)
    if both:
        return f"应在 {both['lo']} 到 {both['hi']} 之间 (between {both['lo']} and {both['hi']})"
    low = re.fullmatch(r"x>=(?P<lo>[-\d.]+)", described)
    if low:
        return f"应不小于 {low['lo']} (at least {low['lo']})"
    high = re.fullmatch(r"x<=(?P<hi>[-\d.]+)", described)
    if high:
        return f"应不大于 {high['hi']} (at most {high['hi']})"
    return f"应在 {described} 范围内 (in the range {described})"


def _hint(exc: click.BadParameter) -> str:
    hint: str | Sequence[str] | None = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if hint is None:
        return ""
    return hint if isinstance(hint, str) else " / ".join(repr(x) for x in hint)


def _missing(exc: click.MissingParameter) -> str:
    kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
    hint = _hint(exc)
    said = f"缺少{_PARAM.get(kind, '参数')} {hint} (missing {kind} {hint})".replace("  ", " ")
    if exc.message:
        said += f": {translate(exc.message)}"
    if exc.param is not None and isinstance(exc.param.type, click.Choice):
        choices = ", ".join(str(c) for c in exc.param.type.choices)
        said += f"；可选 (choose from): {choices}"
    return said


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    shown = ", ".join(sorted(possibilities))
    return f"；是不是 {shown}？(did you mean {shown}?)"


class UsageProblem(click.UsageError):
    """A usage error worded in Chinese with English beside, shown as click shows one (usage, help, error)."""

    def __init__(self, message: str, ctx: click.Context | None, exit_code: int) -> None:
        super().__init__(message, ctx)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it per class; ours is the original's

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        if ctx is not None:
            usage = ctx.get_usage().removeprefix("Usage:").strip()
            click.echo(f"用法 (usage): {usage}", err=True)
            if ctx.command.get_help_option(ctx) is not None:
                click.echo(f"帮助 (help): {ctx.command_path} {ctx.help_option_names[0]}", err=True)
            click.echo("", err=True)
        # The message quotes what was typed: a control character in it is shown, not obeyed.
        click.echo(f"错误 error: {visible(self.format_message(), keep_lines=True)}", err=True)
