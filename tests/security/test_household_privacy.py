"""Household personal data (roster, factors, what each household received) is read by finance, village accountants
and auditors only: the inventory team (清查组) counts assets and is refused it (domain/access.HOUSEHOLD_RECORDS), on
every door: `beneficiary list`, `distribute notice`, `report household`, the web's /households, /notice and
/notice.xlsx (tester's report: the notice and the CLI roster showed them what /households refused)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetledger.errors import PermissionDenied
from assetledger.services import frames
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.web.conftest import PASSWORD, VILLAGE, login, set_password

NOTICE = f"village={VILLAGE}&period=2025Q2"
REFUSED = "无权查看农户信息"


def _with_a_distribution_and_a_team(app: Flask, county: Cli) -> None:
    li, token = login(app, "li")
    li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "12000.00",
                           "date": "2025-05-15", "ref": "PZ-1", "csrf_token": token})  # fmt: skip
    done = li.post("/distribution", data={"village": VILLAGE, "period": "2025Q2", "action": "distribute",
                                          "csrf_token": token})  # fmt: skip
    assert "已分配并记账" in done.get_data(as_text=True)
    county("user", "add", "qing", "--role", "inventory", "--scope", "360921", user="zhang")
    set_password(county, "qing", PASSWORD, actor="zhang")


def _status(client: FlaskClient, path: str) -> tuple[int, str]:
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_the_inventory_team_reads_no_household_on_the_web(app: Flask, county: Cli) -> None:
    _with_a_distribution_and_a_team(app, county)
    team, _ = login(app, "qing")
    for path in (f"/notice?{NOTICE}", f"/notice.xlsx?{NOTICE}", "/households", f"/households?village={VILLAGE}"):
        response = team.get(path)
        assert response.status_code == 403, (path, response.status_code)
        assert "王一".encode() not in response.data and "王二".encode() not in response.data
    status, page = _status(team, f"/notice?{NOTICE}")
    assert REFUSED in page
    for reader in ("zhang", "li", "wang"):  # finance, the village's accountant, the auditor
        client, _ = login(app, reader)
        status, page = _status(client, f"/notice?{NOTICE}")
        assert status == 200 and "王一" in page, reader
        workbook = client.get(f"/notice.xlsx?{NOTICE}")
        assert workbook.status_code == 200 and workbook.data[:2] == b"PK"


def test_the_inventory_team_reads_no_household_on_the_cli(app: Flask, county: Cli) -> None:
    _with_a_distribution_and_a_team(app, county)
    for args in (["beneficiary", "list", "--village", VILLAGE],
                 ["distribute", "notice", "--village", VILLAGE, "--period", "2025Q2", "--out", "notices"],
                 ["report", "household", "H1"]):  # fmt: skip
        refused = county(*args, user="qing", ok=False)
        assert refused.exit_code == 6, (args, refused.output)
        assert REFUSED in refused.output and "王一" not in refused.output and "Traceback" not in refused.output
    assert not (county.cwd / "notices").exists()
    for reader in ("zhang", "li", "wang"):
        assert "王一" in county("beneficiary", "list", "--village", VILLAGE, user=reader).output
    # the team still does its own work: the inventory pages and the asset an inventory label points at
    team, _ = login(app, "qing")
    assert _status(team, "/inventory")[0] == 200


def test_the_inventory_team_reads_no_books(app: Flask, county: Cli, db: Database) -> None:
    """The books name households (a payable and a payout per household, in accounts and narrations): they are read
    by who may read the books (finance, village accountants, auditors), never by the inventory team, on the CLI and
    the library as on the web (tester's report: `report books`, `ledger query` and `ledger export` showed them)."""
    _with_a_distribution_and_a_team(app, county)
    entity = f"V{VILLAGE}"
    bql = "SELECT account, sum(position) GROUP BY account"
    for args in (["report", "books", "--entity", entity, "--balances"], ["ledger", "query", "--entity", entity, bql],
                 ["ledger", "export", "--entity", entity, "--out", "books.beancount"], ["ledger", "check"],
                 ["ledger", "entities"]):  # fmt: skip
        refused = county(*args, user="qing", ok=False)
        assert refused.exit_code == 6, (args, refused.output)
        assert "王一" not in refused.output and "Traceback" not in refused.output and "账簿" in refused.output
    assert not (county.cwd / "books.beancount").exists()
    with pytest.raises(PermissionDenied):
        frames.postings(db, actor="qing")
    assert county("audit", "verify", "--skip-bean-check", user="qing").exit_code == 0  # verify is for every user
    for reader in ("zhang", "li", "wang"):
        shown = county("report", "books", "--entity", entity, "--balances", user=reader).output
        assert "DistributionPayable" in shown or "应付" in shown, reader


def test_the_auditors_tools_are_for_auditors_and_finance(app: Flask, county: Cli) -> None:
    """Audit SQL and the audit package show every record of a scope at once, the households' included: the
    inventory team and a village accountant are refused them on the CLI as on the web (domain/access.AUDIT_READERS)."""
    _with_a_distribution_and_a_team(app, county)
    for reader in ("qing", "li"):
        for args in (["audit", "sql", "SELECT * FROM v_households"],
                     ["audit", "export", "--scope", VILLAGE, "--out", f"package-{reader}"]):  # fmt: skip
            refused = county(*args, user=reader, ok=False)
            assert refused.exit_code == 6, (reader, args, refused.output)
            assert "无权使用审计查询" in refused.output and "王一" not in refused.output
        assert not (county.cwd / f"package-{reader}").exists()
    for reader in ("zhang", "wang"):
        assert "王一" in county("audit", "sql", "SELECT * FROM v_households", user=reader).output
