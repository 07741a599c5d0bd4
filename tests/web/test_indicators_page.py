"""The supervision indicators on one page (issue 24 item 3) through Flask's test client: what the service returns,
per unit and year, a chart per indicator, and exports of exactly what is shown; for finance and auditors of the
scope only."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from openpyxl import load_workbook

from assetledger.services.indicator_page import indicator_page
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.web.conftest import OTHER_VILLAGE, VILLAGE, login

ASKED = "level=village&from_year=2024&year=2025"


def test_the_page_shows_what_the_service_computes_with_a_chart_each(app: Flask, db: Database) -> None:
    zhang, _ = login(app, "zhang")
    home = zhang.get("/assets").get_data(as_text=True)
    assert 'id="nav-indicators"' in home
    response = zhang.get(f"/indicators?{ASKED}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected = indicator_page(db, "zhang", "village", [2024, 2025])
    assert len(re.findall(r"<tr><td>", page)) == len({(c.unit_code, c.year) for c in expected.cells}) == 6
    assert VILLAGE in page and OTHER_VILLAGE in page and "确权率" in page and "整改完成率" in page
    confirmed = expected.value(VILLAGE, 2025, "ownership_confirmed")
    assert confirmed is not None and f">{confirmed}<" in page
    assert page.count('class="chart"') == len(expected.indicators) == 8
    assert "资产转化率" in page  # said not to be computed, and why
    english = zhang.get(f"/indicators?{ASKED}&lang=en").get_data(as_text=True)
    assert "Supervision indicators" in english and "confirmed" in english


def test_exports_hold_exactly_the_rows_shown(app: Flask, db: Database) -> None:
    wang, _ = login(app, "wang")  # an auditor of the county
    shown = wang.get(f"/indicators?{ASKED}").get_data(as_text=True)
    rows = len(re.findall(r"<tr><td>", shown))
    book = wang.get(f"/indicators.xlsx?{ASKED}")
    assert book.status_code == 200 and book.data[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(book.data))["监管指标"]
    values = [r for r in sheet.iter_rows(values_only=True) if r and r[0] and str(r[0]).isdigit()]
    assert len(values) == rows
    table = list(csv.reader(io.StringIO(wang.get(f"/indicators.csv?{ASKED}").data.decode("utf-8-sig"))))
    assert table[0][:3] == ["区划代码", "名称", "年度"] and "确权率 confirmed" in table[0]
    assert len(table) - 1 == rows


def test_only_readers_of_the_scope_and_sensible_years(app: Flask) -> None:
    li, _ = login(app, "li")  # a village accountant
    assert li.get(f"/indicators?{ASKED}").status_code == 403
    assert li.get(f"/indicators.xlsx?{ASKED}").status_code == 403
    zhang, _ = login(app, "zhang")
    assert zhang.get(f"/indicators?{ASKED}&region=360922").status_code in (403, 404)  # not in the county
    for bad in ("year=20x5", "from_year=2026&year=2025", "from_year=2000&year=2025", "level=city", "year=1800"):
        response = zhang.get(f"/indicators?{bad}")
        assert response.status_code == 400, bad  # a bad address is a bad request
    assert zhang.get(f"/indicators?level=township&region={VILLAGE[:9]}").status_code == 200


def _without_tokens(page: str) -> str:
    """A form's CSRF token carries the second it was signed in, so two reads a second apart differ there only."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


def test_a_kept_page_follows_the_record(app: Flask, county: Cli) -> None:
    zhang, _ = login(app, "zhang")
    asked = "level=village&from_year=2025&year=2025"
    before = _without_tokens(zhang.get(f"/indicators?{asked}").get_data(as_text=True))
    assert _without_tokens(zhang.get(f"/indicators?{asked}").get_data(as_text=True)) == before  # kept
    county("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "12000", "--date", "2025-05-15",
           user="zhang")  # fmt: skip
    after = _without_tokens(zhang.get(f"/indicators?{asked}").get_data(as_text=True))
    assert after != before and ">12.00<" in after  # 资产收益率: 12,000 on 100,000
    county("user", "revoke", "zhang", user="zhang")
    assert zhang.get(f"/indicators?{asked}").status_code in (302, 403)  # never served from the cache


def test_the_tables_and_charts_text_is_escaped() -> None:
    """The rows and the chart marks are written in Python (for speed), not by the template: every text escaped."""
    from assetledger.services.indicator_page import PAGE, IndicatorPage
    from assetledger.web.charts import Bar, BarChart
    from assetledger.web.supervision import _body

    evil = '<script>alert("x")</script>'
    chart = BarChart(100, 100, 34, 10, 170, (Bar(1.0, 2.0, 12, 3.5, "#4e79a7", f"{evil} 2025: 5%"),), ((10.0, evil),))
    marks = str(chart.marks())
    assert "<script>" not in marks and marks.count("&lt;script&gt;") == 2 and '<rect x="1.0" y="2.0"' in marks
    assert "<script>" not in str(chart.scale(evil, evil)) and str(chart.scale(evil, evil)).count("&lt;script&gt;") == 2
    page = IndicatorPage("village", "*", (2025,), PAGE, (), ())
    rows = [{"unit": "360921101201", "name": evil, "year": 2025, "idle_share": None}]
    body = str(_body(rows, page, {("360921101201", 2025, "idle_share"): 'no "assets" <here>'}))
    assert "<script>" not in body and "&lt;script&gt;" in body and 'title="no &#34;assets&#34; &lt;here&gt;"' in body
