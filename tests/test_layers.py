"""The layers of ../shared/DESIGN.md, read from the imports of every module in src/ (arrows point down only)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "assetledger"
PACKAGES = ("domain", "rules", "io", "reports", "ledger", "store", "services", "cli", "web", "demo")
LEDGER_ONLY = {"beancount", "beanquery", "fava"}

# package: what it must not import (assetledger's packages by name, other distributions by top-level name)
FORBIDDEN = {
    "domain": {*PACKAGES} - {"domain", "rules"} | {"sqlalchemy", "click", "flask", "pandas"} | LEDGER_ONLY,
    "rules": {*PACKAGES} - {"domain", "rules"} | {"sqlalchemy", "click", "flask", "pandas"} | LEDGER_ONLY,
    "io": {"store", "services", "cli", "web", "demo", "reports", "sqlalchemy"} | LEDGER_ONLY,
    "reports": {"store", "services", "cli", "web", "demo", "sqlalchemy"} | LEDGER_ONLY,
    "store": {"services", "cli", "web", "demo", "reports", "io"} | LEDGER_ONLY,
    "services": {"cli", "web", "demo", "sqlite3", "psycopg"} | LEDGER_ONLY,
    "cli": {"sqlite3", "psycopg"} | LEDGER_ONLY,
    "web": {"sqlite3", "psycopg"} | LEDGER_ONLY,
    "demo": {"cli", "web"} | LEDGER_ONLY,
}


def imported(path: Path) -> set[str]:
    """What a module imports: assetledger's packages by name, anything else by its top-level name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            names.add(parts[1] if parts[0] == "assetledger" and len(parts) > 1 else parts[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_what_lies_below_it(package: str) -> None:
    crossing = {
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted((SRC / package).rglob("*.py"))
        for name in imported(path) & FORBIDDEN[package]
    }
    assert crossing == set()


def test_the_checks_read_real_imports() -> None:
    """The reader finds what it must (a check that reads nothing would pass whatever the code does)."""
    assert {"sqlalchemy", "domain", "store"} <= imported(SRC / "services" / "assets.py")
    assert "beancount" in imported(SRC / "ledger" / "beancount_io.py")
