"""Shared by the hardening tests and the stress scripts in benchmarks/: table fingerprints, a small populated
county, generated input files, and running the real CLI in a child process that can be killed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text

from assetledger.services.audit import verify
from assetledger.store import audit_role, migrate
from assetledger.store.db import Database, resolve_url
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv

ROOT = Path(__file__).resolve().parents[2]
RULE = ROOT / "ledgers" / "rules" / "example-village-rule.toml"
ENTRY_HEADER = ["日期", "资产编号", "收支", "类型", "金额", "摘要", "凭证号"]
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]
VILLAGES = {"360921101201": "红旗村", "360921101202": "向阳村"}  # both in 东风镇
PG_ENV = "ASSETLEDGER_TEST_DATABASE_URL"

# --- fingerprints of the whole database ------------------------------------------------------------------------


def _cell(value: Any) -> str:
    return "\x00" if value is None else repr(value)


def table_rows(db: Database) -> dict[str, list[str]]:
    """Every table of the database (whatever the models say), each row as one sorted text digest."""
    with db.engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        quote = conn.dialect.identifier_preparer.quote
        out: dict[str, list[str]] = {}
        for name in names:
            rows = conn.execute(text(f"SELECT * FROM {quote(name)}"))
            digests = [hashlib.sha256("\x1f".join(map(_cell, r)).encode()).hexdigest() for r in rows]
            out[name] = sorted(digests)
    return out


def table_checksums(db: Database) -> dict[str, str]:
    """sha256 of each table's rows (order-independent): equal checksums mean the table is unchanged."""
    return {name: hashlib.sha256("".join(rows).encode()).hexdigest() for name, rows in table_rows(db).items()}


def lost_rows(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, int]:
    """Rows present before that are gone after, per table (committed data that was lost or changed)."""
    lost = {}
    for name, rows in before.items():
        missing = len(set(rows) - set(after.get(name, [])))
        if missing:
            lost[name] = missing
    return lost


def findings(db: Database) -> list[tuple[str, str]]:
    return list(verify(db, "tester", bean_check=False))


# --- databases ------------------------------------------------------------------------------------------------


@contextmanager
def pg_schema_url(base: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards (as tests/conftest.py does)."""
    schema = f"h_{uuid.uuid4().hex[:12]}"
    admin = create_engine(resolve_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            audit_role.drop(conn, schema)
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def fresh_database(url: str) -> Database:
    migrate.upgrade(url)
    return Database(url)


# --- input files ----------------------------------------------------------------------------------------------


def regions_file(folder: Path) -> Path:
    return write_csv(folder / "regions.csv", REGIONS)


def assets_file(path: Path, count: int, prefix: str = "K", village: str = "红旗村") -> Path:
    """`count` operating assets with distinct ids, all in one village's books."""
    rows: list[Sequence[object]] = [ASSET_HEADER]
    for i in range(count):
        rows.append(
            asset_row(f"{prefix}-{i:05d}", 资产名称=f"光伏{i}", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司",
                      村=village, 确权主体=f"{village}股份经济合作社")
        )  # fmt: skip
    return write_csv(path, rows)


def entries_file(path: Path, asset_ids: Sequence[str], count: int, tag: str, month: str = "2025-05") -> Path:
    """`count` revenue rows, cycling over the assets, each with its own ref (凭证号)."""
    rows: list[Sequence[object]] = [ENTRY_HEADER]
    for i in range(count):
        amount = f"{(i % 97) + 1}.{i % 100:02d}"
        day = f"{month}-{(i % 28) + 1:02d}"
        rows.append([day, asset_ids[i % len(asset_ids)], "收入", "租金", amount, "", f"{tag}-{i}"])
    return write_csv(path, rows)


def roster_file(path: Path, village: str, households: int, prefix: str) -> Path:
    rows: list[Sequence[object]] = [ROSTER_HEADER]
    for i in range(households):
        category = ("脱贫户", "监测户", "其他困难户")[i % 3]
        rows.append([f"{prefix}{i:03d}", village, f"户主{i}", str(1 + i % 4), category, "", "2024-01-01", "", ""])
    return write_csv(path, rows)


def rule_file(path: Path, village: str) -> Path:
    """The example rule, for another village (a rule code of its own)."""
    body = RULE.read_text(encoding="utf-8")
    body = body.replace('code = "HQ-2025"', f'code = "R-{village}"')
    body = body.replace('village = "360921101201"', f'village = "{village}"')
    path.write_text(body, encoding="utf-8")
    return path


# --- the real CLI in a child process ----------------------------------------------------------------------------

CHILD = """
import sys
from assetledger.cli.main import main
sys.stdout.write("READY\\n"); sys.stdout.flush()
sys.stdin.readline()
sys.argv = ["assetledger", *sys.argv[1:]]
main()
"""


@dataclass
class Child:
    """`assetledger ARGS` in a child process that has imported everything and waits for `go()`."""

    proc: subprocess.Popen[str]

    @classmethod
    def start(cls, url: str, *args: str, cwd: Path | None = None) -> Child:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, "--db", url, "--user", "tester", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != "READY":
            proc.kill()
            raise RuntimeError(f"child did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
        return cls(proc)

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out + err


def run_cli(url: str, *args: str, cwd: Path | None = None, timeout: float = 300) -> tuple[int, str]:
    child = Child.start(url, *args, cwd=cwd)
    child.go()
    return child.finish(timeout)
