"""Ids and codes typed on the command line are read as the importers read them from a file (io/values.identifier):
a full-width ３６０９２１ typed with a Chinese input method finds, filters and records the plain 360921, never a
second id beside it or an empty answer."""

from __future__ import annotations

import json

from assetledger.cli.common import IdType
from assetledger.cli.main import cli
from assetledger.store.db import Database
from tests.cli.test_sheet_option import _commands
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv

VILLAGE = "360921101201"
WIDE_VILLAGE = "３６０９２１１０１２０１"


def _registered(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(run.cwd / "a.csv", [ASSET_HEADER, asset_row("360921-0000001")])))


def test_a_full_width_asset_id_and_region_find_the_asset(run: Cli, db: Database) -> None:
    _registered(run)
    shown = json.loads(run("asset", "show", "３６０９２１－０００００01", "--format", "json").output)
    assert shown["asset"]["asset_id"] == "360921-0000001", shown
    listed = json.loads(run("asset", "list", "--region", "３６０９２１１０１", "--format", "json").output)
    assert [a["asset_id"] for a in listed] == ["360921-0000001"]
    trail = run("audit", "trail", "　３６０９２１－０００００01　").output  # ideographic spaces around it, too
    assert "360921-0000001" in trail


def test_a_full_width_id_typed_to_register_is_the_plain_id(run: Cli, db: Database) -> None:
    """`asset register --id ３６０９２１-0000001` is the asset already registered (refused as a duplicate), and a new
    one is recorded under its plain id, in the plain village's books."""
    _registered(run)
    before = table_counts(db)
    args = ("--name", "冷库", "--register", "operating", "--region", WIDE_VILLAGE, "--year", "2023", "--value",
            "500000", "--fund", "central=500000", "--operating-mode", "lease", "--operator", "冷链公司")  # fmt: skip
    again = run("asset", "register", "--id", "３６０９２１-0000001", *args, ok=False)
    assert again.exit_code == 4, again.output
    assert table_counts(db) == before
    run("asset", "register", "--id", "３６０９２１-0000002", *args)
    shown = json.loads(run("asset", "show", "360921-0000002", "--format", "json").output)
    assert shown["asset"]["asset_id"] == "360921-0000002" and shown["asset"]["village_code"] == VILLAGE, shown


def test_a_full_width_household_id_and_village_find_the_household(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    roster = [["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期"],
              ["H-1", VILLAGE, "王一", 2, "脱贫户", "", "2024-01-01"]]  # fmt: skip
    run("beneficiary", "import", str(write_csv(run.cwd / "名册.csv", roster)))
    assert "王一" in run("beneficiary", "list", "--village", WIDE_VILLAGE).output
    added = run("beneficiary", "add", "--id", "Ｈ－２", "--village", WIDE_VILLAGE, "--head", "王二", "--persons", "3",
                "--category", "脱贫户", "--joined", "2024-02-01")  # fmt: skip
    assert added.exit_code == 0
    listed = run("beneficiary", "list", "--village", VILLAGE).output
    assert "H-2" in listed and "Ｈ" not in listed, listed


def test_a_full_width_scope_opens_the_counties_inventory(run: Cli, db: Database) -> None:
    _registered(run)
    out = run("inventory", "open", "--year", "2025", "--scope", "county：３６０９２１", "--date", "2025-12-01")
    assert "360921" in out.output, out.output


ID_PARAMS = {"asset_id", "assets", "household_id", "village", "within", "region", "scope", "entity", "paying_entity",
             "county", "code", "renews", "key"}  # fmt: skip
PENDING: set[tuple[str, str]] = set()  # options still to be typed: none


def test_every_id_option_and_argument_is_folded() -> None:
    """Every parameter that takes an id or a code goes through the one IdType (cli/common.py)."""
    untyped = [
        (path, param.name)
        for path, command in _commands(cli)
        for param in command.params
        if (param.name in ID_PARAMS or param.name == "household")
        and not isinstance(param.type, IdType)
        and (path, param.name) not in PENDING
    ]
    assert untyped == []
