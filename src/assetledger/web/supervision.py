"""The supervision indicators on one page (监管指标, issue 24 item 3): per county, township or village of the reader's
scope, year by year, a chart per indicator, and the same table as XLSX or CSV.

The view only parses the form and renders what services/indicator_page.py returned (which checks the reader's
scope); the page is kept until the record changes, the reader checked on every request. The charts are inline SVG
drawn from the page's percentages (no script, no image request), so the page prints as it shows.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request, send_file
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from assetledger.domain.access import Role
from assetledger.errors import Finding, InputError
from assetledger.io.output import render_csv, write_xlsx
from assetledger.services.indicator_page import LEVELS, IndicatorPage, check_reader, indicator_page
from assetledger.web.auth import database, roles, user
from assetledger.web.cache import until_changed
from assetledger.web.charts import BarChart, Frame, colour

bp = Blueprint("supervision", __name__)
READERS = (Role.FINANCE, Role.AUDITOR)
MAX_YEARS = 10  # a page of ten years at most: each year is one evaluation of every indicator
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_UNITS = 60  # bars drawn per chart; the table below holds every unit


@dataclass(frozen=True)
class Asked:
    level: str
    first: int
    last: int
    region: str | None


def _year(name: str, default: int) -> int:
    text = (request.args.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1949 <= int(text) <= 2100:
        raise InputError([Finding("indicators", None, name, text, "a year, 1949 to 2100")])
    return int(text)


def _asked() -> Asked:
    level = (request.args.get("level") or "county").strip()
    if level not in LEVELS:
        raise InputError([Finding("indicators", None, "level", level, f"one of {', '.join(LEVELS)}")])
    last = _year("year", dt.date.today().year - 1)
    first = _year("from_year", last - 2)
    if first > last:
        raise InputError([Finding("indicators", None, "from_year", str(first), f"not after the year {last}")])
    if last - first + 1 > MAX_YEARS:
        raise InputError([Finding("indicators", None, "from_year", str(first), f"at most {MAX_YEARS} years")])
    region = (request.args.get("region") or "").strip() or None
    return Asked(level, first, last, region)


def _page(asked: Asked) -> IndicatorPage:
    return _shown(asked).page


def _rows(page: IndicatorPage) -> list[dict[str, Any]]:
    """One row per unit and year, a column per indicator (percent): what the table shows and the exports hold."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for c in page.cells:
        row = rows.setdefault((c.unit_code, c.year), {"unit": c.unit_code, "name": c.unit_name, "year": c.year})
        row[c.indicator] = c.value
    return list(rows.values())


def _headers(page: IndicatorPage) -> dict[str, str]:
    return {"unit": "区划代码", "name": "名称", "year": "年度"} | {code: label for code, label in page.indicators}


@dataclass(frozen=True)
class Chart:
    code: str
    label: str
    svg: BarChart
    shown: int
    units: int
    peak: float  # not money: the value at the top of the axis

    @property
    def peak_label(self) -> str:
        return f"{self.peak:g}%"


def _charts(page: IndicatorPage) -> list[Chart]:
    units = list(dict.fromkeys((c.unit_code, c.unit_name) for c in page.cells))
    drawn = units[:CHART_UNITS]
    years = page.years
    frame = Frame(left=34, top=10, plot=160, series=len(years))
    charts = []
    by_indicator: dict[str, dict[tuple[str, int], Any]] = {code: {} for code, _ in page.indicators}
    for c in page.cells:  # one pass over the cells, not one per indicator
        by_indicator.setdefault(c.indicator, {})[(c.unit_code, c.year)] = c.value
    for code, label in page.indicators:
        values = by_indicator[code]
        peak = max([float(v) for v in values.values() if v is not None] + [100.0])  # not money: a scale
        bars = []
        for i, (unit, name) in enumerate(drawn):
            for j, year in enumerate(years):
                value = values.get((unit, year))
                if value is None:
                    continue
                height = frame.plot * float(value) / peak  # not money: a drawing
                bars.append(frame.bar(i, j, height, f"{name} {year}: {value}%"))
        svg = frame.chart(len(drawn), 70, bars, [name for _, name in drawn])
        charts.append(Chart(code, label, svg, len(drawn), len(units), peak))
    return charts


@dataclass(frozen=True)
class Shown:
    """What the page shows of a service's page: its rows, the table's body and the charts (kept with the page)."""

    page: IndicatorPage
    rows: int
    body: Markup
    charts: tuple[Chart, ...]


def _shown(asked: Asked) -> Shown:
    """The service's page with its table and charts drawn, kept until the record changes (web/cache.py): a page of
    three years at city scale takes about three awards evaluations to compute, and a village-level page draws
    thousands of cells and bars. The reader is checked on every request, the cached page is the reader's own, and a
    change of grants is a change of the record."""
    db, actor = database(), user().name
    check_reader(db, actor, asked.region)  # refuses a revoked reader or a region outside the scope, cached or not
    years = range(asked.first, asked.last + 1)

    def compute() -> Shown:
        page = indicator_page(db, actor, asked.level, years, asked.region)
        reasons = {(c.unit_code, c.year, c.indicator): c.reason.en for c in page.cells if c.reason}
        rows = _rows(page)
        return Shown(page, len(rows), _body(rows, page, reasons), tuple(_charts(page)))

    key = ("indicators", actor, asked.level, asked.first, asked.last, asked.region)
    return until_changed(db, key, compute)


@bp.route("/indicators")
@roles(*READERS)
def indicators() -> str:
    asked = _asked()
    shown = _shown(asked)
    legend = [(year, colour(j)) for j, year in enumerate(shown.page.years)]
    return render_template("indicators.html", asked=asked, page=shown.page, rows=shown.rows, body=shown.body,
                           charts=shown.charts, legend=legend, levels=LEVELS)  # fmt: skip


def _body(rows: list[dict[str, Any]], page: IndicatorPage, reasons: dict[tuple[str, int, str], str]) -> Markup:
    """The table's rows (a unit and year each, a cell per indicator; an empty cell's title says why), written here
    for the same reason as the charts' marks (web/charts.py): a village-level page has thousands of cells."""
    codes = [code for code, _ in page.indicators]
    out = []
    for r in rows:
        cells = []
        for code in codes:
            value = r.get(code)
            why = reasons.get((r["unit"], r["year"], code)) if value is None else None
            title = f' title="{escape(why)}"' if why else ""
            cells.append(f'<td class="n"{title}>{"" if value is None else escape(value)}</td>')
        out.append(
            f"<tr><td>{escape(r['name'])}</td><td>{escape(r['unit'])}</td><td>{r['year']}</td>{''.join(cells)}</tr>"
        )
    return Markup("".join(out))  # every text in it escaped above


@bp.route("/indicators.xlsx")
@roles(*READERS)
def indicators_xlsx() -> Response:
    asked = _asked()
    page = _page(asked)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="assetledger-indicators-") as folder:
        path = write_xlsx(Path(folder) / "indicators.xlsx", {"监管指标": _rows(page)}, headers=_headers(page),
                          title=f"监管指标（{asked.first}–{asked.last}，%）")  # fmt: skip
        data = path.read_bytes()
    name = f"监管指标-{asked.level}-{asked.first}-{asked.last}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/indicators.csv")
@roles(*READERS)
def indicators_csv() -> Response:
    asked = _asked()
    page = _page(asked)
    data = render_csv(_rows(page), _headers(page)).encode("utf-8-sig")  # Excel opens UTF-8 with its BOM
    name = f"监管指标-{asked.level}-{asked.first}-{asked.last}.csv"
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name=name)
