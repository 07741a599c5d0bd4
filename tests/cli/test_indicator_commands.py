"""`supervise indicators` over its service (tests/services/test_indicator_page.py holds what the service computes):
its json, its table and charts, and the exit code of each refusal (2 bad input, 6 not allowed: cli/main.py maps the
services' errors)."""

from __future__ import annotations

import json
import math
from typing import Any

from assetledger.cli.supervise import bar_heights
from assetledger.services.indicator_page import indicator_page
from assetledger.store.db import Database
from tests.builders import ACTOR, user
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.services.test_indicator_page import DONGFENG, QINGSHAN, XIANGYANG, _hongqi_with_a_case
from tests.services.test_supervision import VILLAGE


def _page(run: Cli, *args: str, user: str = "tester") -> dict[tuple[str, int, str], Any]:
    rows = json.loads(run("supervise", "indicators", "--format", "json", *args, user=user).output)
    return {(r["unit"], r["year"], r["indicator"]): r for r in rows}


def test_json_gives_each_cell_with_its_value_or_why_not(run: Cli, db: Database) -> None:
    _hongqi_with_a_case(db)
    page = _page(run, "--year", "2025", "--from-year", "2024", "--level", "village")
    assert {year for _, year, _ in page} == {2024, 2025}
    assert page[(VILLAGE, 2025, "ownership_confirmed")] == {
        "unit": VILLAGE, "name": "红旗村", "year": 2025, "indicator": "ownership_confirmed", "value": "90.91",
        "numerator": "100000.00", "denominator": "110000.00", "reason": None,
    }  # fmt: skip
    none = page[(XIANGYANG, 2025, "rectification_completion")]
    assert none["value"] is None and none["reason"] == "no rectification case opened by year end"
    assert _page(run, "--year", "2025", "--level", "village").keys() == {k for k in page if k[1] == 2025}


def test_the_table_names_each_indicator_and_what_is_not_computed_and_draws_charts(run: Cli, db: Database) -> None:
    _hongqi_with_a_case(db)
    table = run("supervise", "indicators", "--year", "2025", "--level", "township", "--chart", "charts").output
    assert "确权率 confirmed" in table and "整改完成率 rectified" in table and "东风镇" in table
    assert "未计算 not computed: 资产转化率" in table  # said not computed, with why
    assert "wrote 8 charts to charts" in table
    assert len(list((run.cwd / "charts").glob("*.png"))) == 8


def test_a_chart_draws_no_bar_for_a_value_that_cannot_be_computed(db: Database) -> None:
    _hongqi_with_a_case(db)
    page = indicator_page(db, ACTOR, "township", [2024, 2025])
    units = list(dict.fromkeys(c.unit_code for c in page.cells))
    assert units == [DONGFENG, QINGSHAN]
    rectified = bar_heights(page, "rectification_completion")  # 东风镇: 0 % of 1 case in 2025; no case in 2024
    assert list(rectified) == ["2024", "2025"] and rectified["2025"][0] == 0.0
    assert all(math.isnan(h) for h in (*rectified["2024"], rectified["2025"][1]))  # no bar, not a bar of 0 %
    confirmed = bar_heights(page, "ownership_confirmed")
    assert confirmed["2025"][0] == 95.24 and math.isnan(confirmed["2025"][1])  # 青山乡 has no assets


def test_refusals_exit_with_their_codes(run: Cli, db: Database) -> None:
    _hongqi_with_a_case(db)
    user(db, "zhang", "finance", "360921")
    user(db, "li", "village-accountant", XIANGYANG, actor="zhang")
    before = table_counts(db)
    assert {unit for unit, _, _ in _page(run, "--year", "2025", "--level", "village", user="li")} == {XIANGYANG}
    refused = run("supervise", "indicators", "--year", "2025", "--region", VILLAGE, user="li", ok=False)
    assert refused.exit_code == 6 and "li (village accountant) may not read a region outside" in refused.output
    backwards = run("supervise", "indicators", "--year", "2024", "--from-year", "2025", ok=False)
    assert backwards.exit_code == 2
    assert "列「--from-year」 (column)，值「2025」 (value)：after --year" in backwards.output
    level = run("supervise", "indicators", "--year", "2025", "--level", "province", ok=False)
    assert level.exit_code == 2
    assert table_counts(db) == before
