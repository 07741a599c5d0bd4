"""An inventory team whose scope lies inside an inventory's reads its own part of it on the web, as on the CLI
(red-team report, item 2): the status page, the sheets page and the downloads of a county inventory, filtered to its
places, and nothing of the rest. One rule, in services/inventory.inventory_part."""

from __future__ import annotations

import io
import zipfile

from flask import Flask

from tests.conftest import Cli
from tests.web.conftest import OTHER_VILLAGE, PASSWORD, VILLAGE, login, set_password


def _county_inventory_with_village_team(county: Cli) -> None:
    county("inventory", "open", "--year", "2026", "--scope", "county:360921", "--date", "2026-12-01", user="zhang")
    county("user", "add", "qian", "--role", "inventory", "--scope", VILLAGE, user="zhang")
    set_password(county, "qian", PASSWORD, actor="zhang")


def test_a_village_team_sees_its_part_of_a_county_inventory_on_the_web(app: Flask, county: Cli) -> None:
    _county_inventory_with_village_team(county)
    qian, _ = login(app, "qian")
    status = qian.get("/inventory/1")
    page = status.get_data(as_text=True)
    assert status.status_code == 200, page
    assert "本人负责部分" in page and "红旗村" in page
    assert "向阳村" not in page and OTHER_VILLAGE not in page  # no row, figure or finding of the rest
    sheets = qian.get("/inventory/1/sheets")
    text = sheets.get_data(as_text=True)
    assert sheets.status_code == 200 and f'id="sheet-{VILLAGE}"' in text and f'id="sheet-{OTHER_VILLAGE}"' not in text
    everything = qian.get("/inventory/1/sheets/download")
    names = zipfile.ZipFile(io.BytesIO(everything.data)).namelist()
    assert everything.status_code == 200 and [n[:12] for n in names] == [VILLAGE]
    assert qian.get(f"/inventory/1/sheets/download?place={OTHER_VILLAGE}").status_code == 404
    listed = qian.get("/inventory").get_data(as_text=True)
    assert "/inventory/1" in listed
    zhang, _ = login(app, "zhang")
    whole = zhang.get("/inventory/1").get_data(as_text=True)
    assert "向阳村" in whole and "本人负责部分" not in whole
