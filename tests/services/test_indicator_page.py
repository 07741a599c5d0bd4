"""The supervision indicators on one page: values by unit and year, 整改完成率 from the cases, levels, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assetledger.domain.indicator_causes import Cause
from assetledger.errors import PermissionDenied
from assetledger.services.indicator_page import NOT_COMPUTED, PAGE, IndicatorCell, IndicatorPage, indicator_page
from assetledger.store.db import Database
from tests.builders import ACTOR, assets, regions, user
from tests.builders.governance import case_closed, case_opened, confirmed, well
from tests.helpers import ASSET_HEADER, asset_row, table_counts
from tests.services.test_supervision import POLICY, VILLAGE

XIANGYANG = "360921101202"
QINGSHAN_HONGQI = "360921102201"  # 青山乡's 红旗村: a village of the same name, without assets
DONGFENG, QINGSHAN = "360921101", "360921102"


def _hongqi_with_a_case(db: Database) -> None:
    """A-1 in 红旗村 and X-1 in 向阳村, 100,000 each, confirmed and handed over; U-1 in 红旗村, 10,000 acquired
    2025-03-01, neither confirmed nor handed over, with a rectification case opened on it on 2025-06-01."""
    regions(db)
    assets(db, [ASSET_HEADER, asset_row("A-1"), asset_row("X-1", 村="向阳村", 确权主体="向阳村股份经济合作社")])
    well(db, VILLAGE)
    case = case_opened(db, "unconfirmed:U-1", "东风镇", dt.date(2025, 6, 30), dt.date(2025, 6, 1), policy=POLICY)
    assert (case.number, case.village_code) == (1, VILLAGE)


def _cells(page: IndicatorPage) -> dict[tuple[str, int, str], IndicatorCell]:
    cells = {(c.unit_code, c.year, c.indicator): c for c in page.cells}
    assert len(cells) == len(page.cells)  # one cell per unit, year and indicator
    return cells


def _rate(cell: IndicatorCell) -> tuple[Decimal | None, Decimal | None, Decimal | None, Cause | None]:
    return cell.value, cell.numerator, cell.denominator, cell.reason


def test_indicators_by_village_and_year_with_rectification(db: Database) -> None:
    _hongqi_with_a_case(db)
    before = table_counts(db)
    page = indicator_page(db, ACTOR, "village", range(2024, 2026))
    assert (page.level, page.region, page.years) == ("village", None, (2024, 2025))  # set-up mode: everything
    cells = _cells(page)
    units = {unit for unit, _, _ in cells}
    assert units == {VILLAGE, XIANGYANG, QINGSHAN_HONGQI}
    assert set(cells) == {(u, y, code) for u in units for y in (2024, 2025) for code, _ in PAGE}
    assert all(c.label == dict(PAGE)[c.indicator] for c in page.cells)
    assert cells[(VILLAGE, 2025, "ownership_confirmed")].unit_name == "红旗村"
    hundred, hundred_ten = Decimal("100000.00"), Decimal("110000.00")
    assert _rate(cells[(VILLAGE, 2025, "ownership_confirmed")]) == (Decimal("90.91"), hundred, hundred_ten, None)
    assert _rate(cells[(VILLAGE, 2025, "handover_rate")]) == (Decimal("90.91"), hundred, hundred_ten, None)
    one = Decimal("1")
    assert _rate(cells[(VILLAGE, 2025, "custodian_coverage")]) == (Decimal("100.00"), one, one, None)  # of handed over
    u1_built_in_2025 = (Decimal("100.00"), hundred, hundred, None)
    assert _rate(cells[(VILLAGE, 2024, "ownership_confirmed")]) == u1_built_in_2025
    assert _rate(cells[(VILLAGE, 2025, "rectification_completion")]) == (Decimal("0.00"), Decimal("0"), one, None)
    assert _rate(cells[(XIANGYANG, 2025, "rectification_completion")]) == (None, None, None, Cause.NO_CASE)
    assert _rate(cells[(VILLAGE, 2024, "rectification_completion")]) == (None, None, None, Cause.NO_CASE)  # opened 2025
    assert _rate(cells[(QINGSHAN_HONGQI, 2025, "ownership_confirmed")]) == (None, None, None, Cause.NO_ASSET_VALUE)
    assert page.value(VILLAGE, 2025, "ownership_confirmed") == Decimal("90.91")
    assert table_counts(db) == before  # the page only reads

    confirmed(db, "U-1", "红旗村股份经济合作社", "village", dt.date(2025, 6, 10))
    closed = case_closed(db, 1, dt.date(2025, 6, 12), policy=POLICY)
    assert closed.state.closed_on == dt.date(2025, 6, 12)
    after = _cells(indicator_page(db, ACTOR, "village", [2025]))
    assert {year for _, year, _ in after} == {2025}
    assert _rate(after[(VILLAGE, 2025, "rectification_completion")]) == (Decimal("100.00"), one, one, None)
    assert _rate(after[(VILLAGE, 2025, "ownership_confirmed")]) == (Decimal("100.00"), hundred_ten, hundred_ten, None)


def test_a_cell_that_is_empty_is_told_from_one_the_page_does_not_have(db: Database) -> None:
    _hongqi_with_a_case(db)
    page = indicator_page(db, ACTOR, "village", [2025])
    empty = page.cell(XIANGYANG, 2025, "rectification_completion")  # on the page, without a value: no case opened
    assert empty is not None and (empty.value, empty.reason) == (None, Cause.NO_CASE)
    assert page.value(XIANGYANG, 2025, "rectification_completion") is None
    zero = page.cell(VILLAGE, 2025, "rectification_completion")  # a value of nought is a value
    assert zero is not None and page.value(VILLAGE, 2025, "rectification_completion") == zero.value == Decimal("0.00")
    absent = [
        (VILLAGE, 2024, "ownership_confirmed"),
        (DONGFENG, 2025, "ownership_confirmed"),
        (VILLAGE, 2025, "funds_to_assets"),
    ]  # a year, a unit (a township) and an indicator not on the page
    for unit, year, indicator in absent:
        assert page.cell(unit, year, indicator) is None
        with pytest.raises(KeyError, match="the page has no cell for"):
            page.value(unit, year, indicator)
    assert all(page.cell(c.unit_code, c.year, c.indicator) is c for c in page.cells)


def test_a_township_page_and_what_it_cannot_compute(db: Database) -> None:
    _hongqi_with_a_case(db)
    page = indicator_page(db, ACTOR, "township", [2025, 2025])
    assert page.years == (2025,) and page.indicators == PAGE
    assert dict(page.indicators)["ownership_confirmed"] == "确权率 confirmed"
    assert dict(page.indicators)["rectification_completion"] == "整改完成率 rectified"
    assert page.not_computed == tuple(NOT_COMPUTED.items())
    assert "资产转化率" in dict(page.not_computed)["funds_to_assets"]
    cells = _cells(page)
    assert {unit for unit, _, _ in cells} == {DONGFENG, QINGSHAN}
    assert cells[(DONGFENG, 2025, "ownership_confirmed")].unit_name == "东风镇"
    both, all_three = Decimal("200000.00"), Decimal("210000.00")
    assert _rate(cells[(DONGFENG, 2025, "ownership_confirmed")]) == (Decimal("95.24"), both, all_three, None)
    assert _rate(cells[(DONGFENG, 2025, "rectification_completion")]) == (Decimal("0.00"), Decimal("0"), Decimal("1"),
                                                                           None)  # fmt: skip
    assert _rate(cells[(QINGSHAN, 2025, "ownership_confirmed")]) == (None, None, None, Cause.NO_ASSET_VALUE)
    with pytest.raises(ValueError, match="level must be one of"):
        indicator_page(db, ACTOR, "province", [2025])  # the command's --level offers only the three


def test_a_reader_sees_the_units_of_its_scope(db: Database) -> None:
    _hongqi_with_a_case(db)
    user(db, "zhang", "finance", "360921")
    user(db, "li", "village-accountant", XIANGYANG, actor="zhang")
    county = indicator_page(db, "zhang", "village", [2025])
    assert county.region == "360921" and {c.unit_code for c in county.cells} == {VILLAGE, XIANGYANG, QINGSHAN_HONGQI}
    mine = indicator_page(db, "li", "village", [2025])
    assert mine.region == XIANGYANG and {c.unit_code for c in mine.cells} == {XIANGYANG}
    assert indicator_page(db, "li", "village", [2025], XIANGYANG).cells == mine.cells
    with pytest.raises(PermissionDenied) as refused:
        indicator_page(db, "li", "village", [2025], VILLAGE)
    assert refused.value.exit_code == 6
