"""A small county for the web tests, built through the services on the real test database: two villages of one
township, assets in both, a beneficiary roster and an approved distribution rule for 红旗村, and three users
with passwords (finance for the county, the accountant of 红旗村, an auditor of the county).

The county is built once per run (per backend; per worker process under pytest-xdist) and each test that asks for
`county` gets a copy of it, so a test may write what it likes: see the built states in tests/conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from assetledger.cli.main import cli
from assetledger.domain.access import Role
from assetledger.store.db import Database
from assetledger.web import create_app
from tests.builders import assets, regions, roster, user
from tests.builders.distribution import database_of, rule
from tests.builders.states import password
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row

RULES = Path(__file__).parents[2] / "ledgers" / "rules"
VILLAGE = "360921101201"  # 红旗村, the accountant's village
OTHER_VILLAGE = "360921101202"  # 向阳村
PASSWORD = "correct horse battery"
ROSTER = [
    ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"],
    ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "", ""],
    ["H2", VILLAGE, "王二", "2", "监测户", "无劳动能力", "2024-01-01", "", ""],
    ["H3", VILLAGE, "王三", "1", "脱贫户", "", "2024-01-01", "2025-05-20", "死亡"],  # counts April and May of Q2
]


def build_county(run: Cli) -> Cli:
    """The county (see the module's notes), built through the services on the database of `run`."""
    db = database_of(run)
    regions(db)
    rows: list[Sequence[object]] = [
        ASSET_HEADER,
        asset_row("A-1", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),
        asset_row("A-2"),
        asset_row(
            "B-1",
            资产名称="冷库",
            资产类别="经营性",
            村="向阳村",
            经营方式="出租",
            经营主体="冷链公司",
            确权主体="向阳村股份经济合作社",
        ),
    ]
    assets(db, rows)
    roster(db, ROSTER)
    rule(db, RULES / "example-village-rule.toml")
    user(db, "zhang", Role.FINANCE, "360921")
    user(db, "li", Role.VILLAGE_ACCOUNTANT, VILLAGE, actor="zhang")
    user(db, "wang", Role.AUDITOR, "360921", actor="zhang")
    for name in ("zhang", "li", "wang"):
        password(db, name, PASSWORD, actor="zhang")
    return run


def set_password(run: Cli, name: str, password: str, actor: str) -> Result:
    """`assetledger user password NAME --password-stdin`, the password on standard input."""
    args = ["--db", run.url, "--user", actor, "user", "password", name, "--password-stdin"]
    return CliRunner().invoke(cli, args, input=password + "\n", catch_exceptions=False)


@pytest.fixture
def app(county: Cli, db: Database) -> Flask:
    web = create_app(db, secret_key=b"t" * 32)
    web.config["TESTING"] = True
    return web


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(app: Flask, name: str, password: str = PASSWORD) -> tuple[FlaskClient, str]:
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"user": name, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    home = client.get(response.headers["Location"])  # a new token comes with the new session
    assert home.status_code == 200
    return client, csrf_of(home.get_data(as_text=True))
