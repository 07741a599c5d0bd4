"""A household-level asset's (到户类) household personal data — 户编号, 户主 (and its owner, the household, named by the
head) — is shown only to the readers `services/access.reads_households` allows: the inventory team (清查组) opens the
asset's page from a label's QR code, prints its labels, lists assets and runs `asset show` (table, JSON, CSV, XLSX),
and reads none of it (README: it reads no household's personal data)."""

from __future__ import annotations

import json

from flask import Flask
from openpyxl import load_workbook

from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, write_csv
from tests.web.conftest import PASSWORD, VILLAGE, login, set_password

HOUSEHOLD_ID, HEAD = "3609211022070193", "王建国"


def _household_asset_and_a_team(county: Cli) -> None:
    rows = [
        ASSET_HEADER,
        asset_row("H-1", 资产名称="能繁母牛", 资产类别="到户类", 户编号=HOUSEHOLD_ID, 户主姓名=HEAD, 确权主体=HEAD,
                  确权级别="农户", 管护主体=None),
    ]  # fmt: skip
    county("asset", "import", str(write_csv(county.cwd / "到户.csv", rows)), user="zhang")
    roster = [["户编号", "村", "户主", "人口", "类别", "纳入日期", "资产编号"],
              ["H1", VILLAGE, "王一", "3", "脱贫户", "2024-01-01", "H-1"]]  # fmt: skip
    county("beneficiary", "import", str(write_csv(county.cwd / "名册.csv", roster)), user="zhang")
    county("user", "add", "qing", "--role", "inventory", "--scope", "360921", user="zhang")
    set_password(county, "qing", PASSWORD, actor="zhang")


def _personal(text: str) -> list[str]:
    return [word for word in (HOUSEHOLD_ID, HEAD, "王一") if word in text]


def test_the_inventory_team_sees_the_asset_but_no_household_data(app: Flask, county: Cli) -> None:
    _household_asset_and_a_team(county)
    team, _ = login(app, "qing")
    page = team.get("/assets/H-1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "能繁母牛" in text and "不显示" in text and _personal(text) == []
    for kind in ("certificate", "label"):
        paper = team.get(f"/print/{kind}?asset=H-1")
        assert paper.status_code == 200 and _personal(paper.get_data(as_text=True)) == [], kind
    for reader in ("zhang", "li", "wang"):  # finance, the village's accountant, the auditor read them
        client, _ = login(app, reader)
        shown = client.get("/assets/H-1").get_data(as_text=True)
        assert HOUSEHOLD_ID in shown and HEAD in shown and "王一" in shown, reader
        assert HEAD in client.get("/print/certificate?asset=H-1").get_data(as_text=True), reader


def test_asset_show_hides_household_data_from_the_inventory_team(app: Flask, county: Cli) -> None:
    _household_asset_and_a_team(county)
    for fmt in ("table", "json", "csv"):
        shown = county("asset", "show", "H-1", "--format", fmt, user="qing").output
        assert "能繁母牛" in shown or fmt == "csv", fmt
        assert _personal(shown) == [], (fmt, _personal(shown))
    county("asset", "show", "H-1", "--format", "xlsx", "--out", "h1.xlsx", user="qing")
    cells = [str(c) for row in load_workbook(county.cwd / "h1.xlsx").active.iter_rows(values_only=True)
             for c in row if c is not None]  # fmt: skip
    assert "household_attached" in " ".join(cells) and _personal(" ".join(cells)) == []
    listed = county("asset", "list", "--format", "json", user="qing").output
    assert _personal(listed) == []
    full = json.loads(county("asset", "show", "H-1", "--format", "json", user="wang").output)
    assert full["asset"]["household_id"] == HOUSEHOLD_ID and full["asset"]["household_head"] == HEAD
    assert any(e["details"].get("head") == "王一" for e in full["events"])
