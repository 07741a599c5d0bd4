"""The supervision indicators on one page: values by unit and year, 整改完成率 from the cases, scope, charts."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv
from tests.services.test_supervision import POLICY, VILLAGE, _well

XIANGYANG = "360921101202"


def _page(run: Cli, *args: str, user: str = "tester") -> dict[tuple[str, int, str], Any]:
    rows = json.loads(run("supervise", "indicators", "--format", "json", *args, user=user).output)
    return {(r["unit"], r["year"], r["indicator"]): r for r in rows}


def test_indicators_by_village_and_year_with_rectification(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, asset_row("A-1"), asset_row("X-1", 村="向阳村", 确权主体="向阳村股份经济合作社")]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))  # 100,000 each, confirmed, handed over
    _well(run)  # U-1 in 红旗村: 10,000, acquired 2025-03-01, not confirmed, not handed over
    run("supervise", "open", "unconfirmed:U-1", "--unit", "东风镇", "--deadline", "2025-06-30", "--date",
        "2025-06-01", "--policy", str(POLICY))  # fmt: skip
    page = _page(run, "--year", "2025", "--from-year", "2024", "--level", "village")
    assert page[(VILLAGE, 2025, "ownership_confirmed")]["value"] == "90.91"  # 100,000 / 110,000
    assert page[(VILLAGE, 2025, "handover_rate")]["value"] == "90.91"
    assert page[(VILLAGE, 2025, "custodian_coverage")]["value"] == "100.00"  # of those handed over
    assert page[(VILLAGE, 2024, "ownership_confirmed")]["value"] == "100.00"  # U-1 was built in 2025
    assert page[(VILLAGE, 2025, "rectification_completion")]["value"] == "0.00"
    none = page[(XIANGYANG, 2025, "rectification_completion")]
    assert none["value"] is None and "no rectification case" in none["reason"]
    assert page[(VILLAGE, 2024, "rectification_completion")]["value"] is None  # opened in 2025

    run("asset", "confirm", "U-1", "--owner", "红旗村股份经济合作社", "--owner-kind", "village", "--date", "2025-06-10")
    run("supervise", "close", "1", "--date", "2025-06-12", "--policy", str(POLICY))
    after = _page(run, "--year", "2025", "--level", "village")
    assert after[(VILLAGE, 2025, "rectification_completion")]["value"] == "100.00"
    assert after[(VILLAGE, 2025, "ownership_confirmed")]["value"] == "100.00"

    table = run("supervise", "indicators", "--year", "2025", "--level", "township", "--chart", "charts")
    assert "确权率 confirmed" in table.output and "整改完成率 rectified" in table.output
    assert "资产转化率" in table.output  # said not computed, with why
    assert len(list((run.cwd / "charts").glob("*.png"))) == 8

    run("user", "add", "zhang", "--role", "finance", "--scope", "360921")
    run("user", "add", "li", "--role", "village-accountant", "--scope", XIANGYANG, user="zhang")
    mine = _page(run, "--year", "2025", "--level", "village", user="li")
    assert {unit for unit, _, _ in mine} == {XIANGYANG}
    assert run("supervise", "indicators", "--year", "2025", "--region", VILLAGE, user="li", ok=False).exit_code == 6
