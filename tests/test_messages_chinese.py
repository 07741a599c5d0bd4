"""No English-only message for a user: every error the services, the domain and the rules raise with words of their
own, and every reason of a finding, says it in Chinese first, with the English beside it ("中文 (English)").

The check reads the source (ast): a raise of an error class below, a Finding's reason, or a policy reader's
`fail(key, value, reason)`, whose string literals hold no Chinese character. A message built elsewhere (a variable,
a helper's return) is not judged here; NotFoundError and the errors that list findings build their own words."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "assetledger"
PACKAGES = ("services", "domain", "rules")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
ENGLISH = re.compile(r"[A-Za-z]{2,}")  # a word: a message written only of values ("{a}: {b}") says nothing itself

# Errors whose first argument is the message a user reads (the CLI prints it; a page shows it). ValueError and
# LookupError too: the services turn them into findings and refusals with str(exc).
MESSAGE_ERRORS = {
    "RuleViolation", "PermissionDenied", "ConfigError", "ServiceBusy", "ValueError", "LookupError",
    "MoneyFormatError", "NamesDisagree", "SystemExit",
}  # fmt: skip

# Files whose messages are still English only, each with the reason (strict: converting one fails as XPASS).
PENDING: dict[str, str] = {}


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _branches(expr: ast.expr) -> Iterator[ast.expr]:
    """The messages an expression may give: each side of `a if c else b` and of `a or b` on its own."""
    if isinstance(expr, ast.IfExp):
        yield from _branches(expr.body)
        yield from _branches(expr.orelse)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from _branches(value)
    else:
        yield expr


def _words(expr: ast.expr) -> list[str]:
    """The text written in place in a message: its literal and f-string parts (a call or a name is opaque)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.JoinedStr):
        return [v.value for v in expr.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _words(expr.left) + _words(expr.right)
    return []


def _messages(tree: ast.AST) -> Iterator[tuple[int, ast.expr]]:
    """(line, the expression a user reads) of each message written in place."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            if _name(node.exc) in MESSAGE_ERRORS:
                yield node.lineno, node.exc.args[0]
        elif isinstance(node, ast.Call) and _name(node) == "Finding":
            reason = (
                node.args[4]
                if len(node.args) > 4
                else next((k.value for k in node.keywords if k.arg == "reason"), None)
            )
            if reason is not None:
                yield node.lineno, reason
        elif isinstance(node, ast.Call) and _name(node) == "fail" and len(node.args) == 3:
            yield node.lineno, node.args[2]


def english_only(path: Path, root: Path = SRC) -> list[str]:
    """`file:line: source` of each message whose words hold no Chinese character."""
    source = path.read_text(encoding="utf-8")
    found = []
    for line, expr in _messages(ast.parse(source)):
        for branch in _branches(expr):
            text = "".join(_words(branch))
            if ENGLISH.search(text) and not CJK.search(text):
                found.append(f"{path.relative_to(root)}:{line}: {ast.get_source_segment(source, branch)}")
    return found


def _files() -> list[object]:
    out: list[object] = []
    for package in PACKAGES:
        for path in sorted((SRC / package).glob("*.py")):
            key = f"{package}/{path.name}"
            marks = [pytest.mark.xfail(reason=PENDING[key], strict=True)] if key in PENDING else []
            out.append(pytest.param(path, id=key, marks=marks))
    return out


@pytest.mark.parametrize("path", _files())
def test_messages_say_it_in_chinese_first(path: Path) -> None:
    assert english_only(path) == [], "write these as 中文 (English), the English kept as it was"


def test_the_check_finds_an_english_only_raise(tmp_path: Path) -> None:
    """The check itself can fail: an English-only refusal and reason are found, their Chinese forms are not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(rule, source):\n"
        '    raise RuleViolation(f"rule {rule} is already recorded; raise the version")\n'
        "def g(source):\n"
        '    return Finding(source, 1, "col", "x", "not a number")\n'
        "def h(rule):\n"
        '    raise RuleViolation(f"方案 {rule} 已记录 (rule {rule} is already recorded)")\n',
        encoding="utf-8",
    )
    found = english_only(sample, root=tmp_path)
    assert [f.split(":")[1] for f in found] == ["2", "4"]
