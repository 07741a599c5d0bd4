"""Start-up: commands are imported when used (cli/lazy.py), and the short help listed for a command that is not
imported yet is the command's own."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from assetledger.cli.lazy import Lazy, LazyGroup
from assetledger.cli.main import cli


def _lazy_entries(group: LazyGroup, path: str = "assetledger") -> list[tuple[str, str, Lazy]]:
    found = [(path, name, lazy) for name, lazy in group.lazy.items()]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, LazyGroup):
            found += _lazy_entries(command, f"{path} {name}")
    return found


def test_every_lazy_command_loads_and_its_listed_help_is_its_own() -> None:
    entries = _lazy_entries(cli)
    assert {f"{p} {n}" for p, n, _ in entries} >= {
        "assetledger asset",
        "assetledger serve",
        "assetledger asset dispose",
        "assetledger db backup",
        "assetledger ledger fava",
        "assetledger report governance",
    }
    for path, name, lazy in entries:
        command = lazy.load()
        assert command.name == name, (path, name, command.name)
        assert command.get_short_help_str(10**6) == lazy.help, f"{path} {name}: update its Lazy(...) help"


def _modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported after running `assetledger ARGS`."""
    code = (
        "import json, sys\n"
        "from assetledger.cli.main import cli\n"
        f"try:\n    cli({list(args)!r}, prog_name='assetledger')\n"
        "except SystemExit:\n    pass\n"
        "print('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


HEAVY = ("alembic", "beanquery", "openpyxl", "pandas", "numpy", "matplotlib", "flask", "python_calamine")


def test_help_imports_no_command() -> None:
    loaded = _modules_after("--help")
    assert not {"sqlalchemy", "beancount", *HEAVY} & loaded
    commands = {m for m in loaded if m.startswith("assetledger.cli.")}
    plumbing = {
        "assetledger.cli.common",
        "assetledger.cli.lazy",
        "assetledger.cli.main",
        "assetledger.cli.usage_errors",
    }
    assert commands <= plumbing, commands


def test_asset_import_imports_only_what_it_needs() -> None:
    loaded = _modules_after("asset", "import", "--help")
    assert "assetledger.services.assets" in loaded
    assert not set(HEAVY) & loaded, set(HEAVY) & loaded
    others = {"assetledger.cli.governance", "assetledger.cli.web", "assetledger.cli.audit", "assetledger.demo"}
    assert not others & loaded, others & loaded


def test_preload_imports_every_command_for_a_forking_parent() -> None:
    """A parent that forks children to run commands (the hardening zygote, pre-forking workers) calls preload():
    its children find every command imported already; merely importing the CLI, or forking, imports nothing more."""
    code = (
        "import os, sys\n"
        "from assetledger.cli.main import cli, preload\n"
        "before = 'assetledger.cli.governance' in sys.modules\n"
        "pid = os.fork()\n"
        "if pid == 0:\n    os._exit(0 if 'assetledger.cli.governance' in sys.modules else 1)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "preload()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n    os._exit(0 if 'assetledger.cli.governance' in sys.modules else 1)\n"
        "_, after = os.waitpid(pid, 0)\n"
        "print(before, os.waitstatus_to_exitcode(status), os.waitstatus_to_exitcode(after))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "1", "0"], done.stdout + done.stderr
