"""Issue 20: household-level assets (到户类) registered as published get their households later, by the roster
import's 资产编号 column; an asset may benefit several households, and then leaves `asset list --without-household`."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from assetledger.store.db import Database
from assetledger.web import create_app
from tests.conftest import Cli
from tests.district import district_register
from tests.helpers import table_counts, write_csv, write_xlsx
from tests.web.conftest import login

ROSTER = ["户编号", "村", "户主", "人口", "类别", "纳入日期", "受益资产编号"]


def test_households_attached_later_by_the_roster(run: Cli, db: Database) -> None:
    district = district_register(assets=27)
    run("region", "import", str(write_csv(run.cwd / "regions.csv", district.regions)))
    run("asset", "import", str(write_csv(run.cwd / "register.csv", district.rows)))
    waiting = json.loads(run("asset", "list", "--without-household", "--format", "json").output)
    assert len(waiting) >= 3
    first, second, *rest = waiting
    public = next(
        r for r in json.loads(run("asset", "list", "--format", "json").output) if r["register"] != "household"
    )
    rows = [
        ROSTER,
        ["H-1", first["village_code"], "王建国", "4", "脱贫户", "2021-03-01", first["asset_id"]],
        ["H-2", first["village_code"], "李秀英", "3", "监测户", "2022-01-01", first["asset_id"]],
        ["H-3", second["village_code"], "赵大山", "5", "脱贫户", "2021-03-01", second["asset_id"]],
    ]
    result = run("beneficiary", "import", str(write_xlsx(run.cwd / "名册.xlsx", rows)))
    assert "attached 3 household(s) to household-level assets (到户类); 0 already attached" in result.output
    still = {r["asset_id"] for r in json.loads(run("asset", "list", "--without-household", "--format", "json").output)}
    assert still == {r["asset_id"] for r in rest}
    shown = json.loads(run("asset", "show", first["asset_id"], "--format", "json").output)
    attached = [e for e in shown["events"] if e["kind"] == "household_attached"]
    assert [e["details"]["household"] for e in attached] == ["H-1", "H-2"]  # several households on one asset
    assert "the record verifies clean" in run("audit", "verify").output
    before = table_counts(db)
    again = run("beneficiary", "import", str(write_xlsx(run.cwd / "名册.xlsx", rows)))
    assert "attached 0 household(s) to household-level assets (到户类); 3 already attached" in again.output
    assert table_counts(db) == before
    bad = [
        ROSTER,
        ["H-4", public["village_code"] or first["village_code"], "孙", "2", "脱贫户", "2021-03-01", public["asset_id"]],
        ["H-5", first["village_code"], "周", "2", "脱贫户", "2021-03-01", "NO-SUCH、" + first["asset_id"]],
    ]
    refused = run("beneficiary", "import", str(write_csv(run.cwd / "bad.csv", bad)), ok=False)
    assert refused.exit_code == 2, refused.output
    assert (
        f"第2行 (row 2)，列「受益资产编号」 (column)，值「{public['asset_id']}」 (value)：只有到户类资产可以关联到户"
        in refused.output
    )
    assert (
        "第3行 (row 3)，列「受益资产编号」 (column)，值「NO-SUCH」 (value)"
        "：台账中没有这项资产，请先导入或登记 (not in the register" in refused.output
    )
    assert table_counts(db) == before


def test_one_household_added_with_its_asset(run: Cli) -> None:
    district = district_register(assets=18)
    run("region", "import", str(write_csv(run.cwd / "regions.csv", district.regions)))
    run("asset", "import", str(write_csv(run.cwd / "register.csv", district.rows)))
    first, *_ = json.loads(run("asset", "list", "--without-household", "--format", "json").output)
    village = first["village_code"]
    added = run("beneficiary", "add", "--id", "H-9", "--village", village, "--head", "钱", "--persons", "2",
                "--category", "脱贫户", "--joined", "2023-01-01", "--asset", first["asset_id"])  # fmt: skip
    assert f"household H-9 attached to {first['asset_id']}" in added.output
    waiting = json.loads(run("asset", "list", "--without-household", "--format", "json").output)
    assert first["asset_id"] not in {r["asset_id"] for r in waiting}
    refused = run("beneficiary", "add", "--id", "H-10", "--village", village, "--head", "孙", "--persons", "2",
                  "--category", "脱贫户", "--joined", "2023-01-01", "--asset", "NO-SUCH", ok=False)  # fmt: skip
    assert (
        refused.exit_code == 2
        and "--asset」 (column)，值「NO-SUCH」 (value)：台账中没有这项资产，请先导入或登记 (not in the register"
        in refused.output
    )


def test_the_owner_names_the_attached_households_everywhere(records: Cli, db: Database) -> None:
    """户有户管 (domain/assets.py shown_owner): asset list, asset show, the XLSX export, the web list, its export and
    the asset page, the search and the certificate show who owns a household-level asset once households are
    attached: by name when ownership was confirmed to households (确权到户), 待确权 when none is of record."""
    confirmed, unconfirmed = "王一、王二", "受益农户 赵六六（待确权）"
    listed = {
        r["asset_id"]: r["owner_name"]
        for r in json.loads(records("asset", "list", "--format", "json", user="zhang").output)
    }
    assert (listed["H-7"], listed["X-7"], listed["H-9"]) == (confirmed, unconfirmed, "孙大圣")
    assert listed["A-2"] == "红旗村股份经济合作社"  # other registers as recorded
    shown = json.loads(records("asset", "show", "H-7", "--format", "json", user="zhang").output)
    assert shown["asset"]["owner_name"] == confirmed
    assert "受益农户（待落实）" in json.dumps(shown["events"], ensure_ascii=False)  # the record itself is unchanged
    table = records("asset", "show", "X-7", user="zhang").output
    assert unconfirmed in table and "待落实" not in table
    out = records.cwd / "台账.xlsx"
    records("asset", "list", "--format", "xlsx", "--out", str(out), user="zhang")
    cells = {c.value for row in load_workbook(out).active.iter_rows() for c in row}  # type: ignore[union-attr]
    assert {confirmed, unconfirmed} <= cells and "受益农户（待落实）" not in cells
    client, _ = login(create_app(db, secret_key=b"t" * 32), "zhang")
    page = client.get("/assets?size=200").get_data(as_text=True)
    assert confirmed in page and unconfirmed in page and "待落实" not in page
    assert confirmed in client.get("/assets/H-7").get_data(as_text=True)
    exported = client.get("/assets?export=csv").get_data(as_text=True)
    assert confirmed in exported and unconfirmed in exported
    found = client.get("/assets?q=王二").get_data(as_text=True)  # an attached household's head finds its asset
    assert "H-7" in found and "A-1" not in found
    records("asset", "certificate", "H-7", "--out", str(records.cwd / "证书.html"), user="zhang")
    assert "归王一、王二所有" in (records.cwd / "证书.html").read_text(encoding="utf-8")
