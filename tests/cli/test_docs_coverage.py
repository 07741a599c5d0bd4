"""The README's tour names every command, and every command explains itself in --help (as sqlite-utils keeps its
docs from drifting: a test walks the click tree)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from assetledger.cli.main import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and subcommand below `group`, with its path of names."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def tour_lines(text: str) -> Iterator[list[str]]:
    """The words of each `assetledger ...` line of the README's shell blocks (continuation lines joined)."""
    for block in re.findall(r"```(?:bash|sh|console)?\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith("$ "):
                line = line[2:]
            if line.startswith("assetledger "):
                try:
                    words = shlex.split(line, comments=True)
                except ValueError:  # an unbalanced quote in a comment: the words before it are enough
                    words = line.split()
                yield words[1:]


def reached(words: list[str]) -> Iterator[tuple[str, ...]]:
    """The command paths a README line runs through: its group(s) and its command."""
    command: click.Command = cli
    path: tuple[str, ...] = ()
    i = 0
    while isinstance(command, click.Group) and i < len(words):
        word = words[i]
        if word.startswith("-"):
            option = next((p for p in command.params if word.split("=", 1)[0] in p.opts), None)
            takes_value = isinstance(option, click.Option) and not option.is_flag and "=" not in word
            i += 2 if takes_value else 1
            continue
        sub = command.get_command(click.Context(command), word)
        if sub is None:
            return
        path = (*path, word)
        yield path
        command = sub
        i += 1


ALL = sorted(command_paths(cli), key=lambda item: item[0])


def test_every_command_is_in_the_readme_tour() -> None:
    covered = {path for words in tour_lines(README.read_text(encoding="utf-8")) for path in reached(words)}
    missing = [" ".join(path) for path, _ in ALL if path not in covered]
    assert missing == [], f"not in the README tour: {missing}"


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=" ".join)
def test_every_command_has_help_text(path: tuple[str, ...]) -> None:
    command = dict(ALL)[path]
    text = (command.help or "").strip()
    assert text, f"assetledger {' '.join(path)} has no help text"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert text.splitlines()[0][:40] in result.output
