"""The list pages in headless Chromium: paging, sorting, filtering with the pickers, export, drill-down from the
county to an asset, and the pages at 375 px (tables scroll in their own box, the navigation folds into a menu, a
skip link, the current page marked)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, write_csv
from tests.web.conftest import OTHER_VILLAGE
from tests.web.test_browser import _log_in, _shows, browser, live  # noqa: F401  (fixtures)

EXTRA = 45  # assets added to the county's three: 48 in all


@pytest.fixture
def many(county: Cli) -> Cli:
    rows: list[Sequence[object]] = [ASSET_HEADER]
    for n in range(1, EXTRA + 1):
        value = f"{1000 * n:.2f}"
        rows.append(asset_row(f"C-{n:02d}", 资产名称=f"水渠{n:02d}", 村="红旗村" if n % 2 else "向阳村",
                              **{"资产原值（元）": value, "中央衔接资金": value, "县级衔接资金": "0.00"}))  # fmt: skip
    county("asset", "import", str(write_csv(county.cwd / "more.csv", rows)), user="zhang")
    return county


def _ids(driver: WebDriver) -> list[str]:
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#assets tbody td:first-child a")]


def test_asset_list_pages_sorts_filters_and_exports(browser: WebDriver, live: str, many: Cli) -> None:  # noqa: F811
    _log_in(browser, live, "zhang")
    browser.get(f"{live}/assets?size=20")
    assert "第 1 / 3 页" in _shows(browser, "page-of", "第 1 / 3 页")
    first = _ids(browser)
    assert len(first) == 20 and first[0] == "A-1"
    browser.find_element(By.ID, "next-page").click()
    _shows(browser, "page-of", "第 2 / 3 页")
    assert set(_ids(browser)).isdisjoint(first)
    browser.find_element(By.ID, "prev-page").click()
    _shows(browser, "page-of", "第 1 / 3 页")

    # sort by value: the first click ascending, the second descending
    browser.find_element(By.CSS_SELECTOR, 'a[data-sort="original_value"]').click()
    _shows(browser, "assets", "▲")
    assert _ids(browser)[0] == "C-01"
    browser.find_element(By.CSS_SELECTOR, 'a[data-sort="original_value"]').click()
    _shows(browser, "assets", "▼")
    assert _ids(browser)[:4] == ["A-1", "A-2", "B-1", "C-45"]

    # filter with the pickers and words; the order is kept
    Select(browser.find_element(By.ID, "village")).select_by_value(OTHER_VILLAGE)
    browser.find_element(By.ID, "q").send_keys("水渠")
    browser.find_element(By.ID, "search").click()
    _shows(browser, "shown", "共 22 项")
    ids = _ids(browser)
    assert ids[0] == "C-44" and all(int(i[2:]) % 2 == 0 for i in ids)

    # export exactly that: every row of the filter, in the shown order
    href = browser.find_element(By.ID, "export-csv").get_attribute("href")
    text = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done);",
        href,
    )
    rows = list(csv.reader(io.StringIO(str(text).lstrip("\ufeff"))))
    assert rows[0][0] == "资产编号" and [r[0] for r in rows[1:]] == [f"C-{n:02d}" for n in range(44, 0, -2)]


def test_drill_down_from_the_county_to_an_asset(browser: WebDriver, live: str, many: Cli) -> None:  # noqa: F811
    _log_in(browser, live, "zhang")
    browser.get(f"{live}/dashboard?level=county")
    browser.find_element(By.LINK_TEXT, "示范县").click()
    _shows(browser, "summary", "东风镇")
    browser.find_element(By.LINK_TEXT, "东风镇").click()
    _shows(browser, "summary", "向阳村")
    crumbs = browser.find_element(By.CSS_SELECTOR, "nav.crumbs").text
    assert "示范县" in crumbs and "东风镇" in crumbs
    browser.find_element(By.LINK_TEXT, "向阳村").click()
    _shows(browser, "shown", "共 23 项")
    assert "向阳村的资产" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.LINK_TEXT, "B-1").click()
    _shows(browser, "facts", "冷库")
    crumbs = browser.find_element(By.CSS_SELECTOR, "nav.crumbs").text
    assert "示范县" in crumbs and "东风镇" in crumbs and "向阳村" in crumbs
    browser.find_element(By.CSS_SELECTOR, "nav.crumbs").find_element(By.LINK_TEXT, "东风镇").click()
    _shows(browser, "summary", "红旗村")


def _narrow(driver: WebDriver) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True}
    )


def test_pages_fit_a_375_px_screen(browser: WebDriver, live: str, many: Cli) -> None:  # noqa: F811
    _log_in(browser, live, "zhang")
    _narrow(browser)
    for path in ("/dashboard", "/assets", "/assets/B-1", "/governance", "/audit/", "/awards", "/inventory",
                 "/households", "/entries", "/distributions", "/no/such/page"):  # fmt: skip
        browser.get(live + path)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    browser.get(f"{live}/assets")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height < 8000, height  # one page of 50, not the whole register
    table = browser.find_element(By.CSS_SELECTOR, "#assets")
    box = browser.execute_script("return arguments[0].parentElement.clientWidth", table)
    assert box <= 375 and browser.execute_script("return arguments[0].scrollWidth", table) > box  # it scrolls
    nav = browser.find_element(By.ID, "main-nav")
    assert not nav.is_displayed()  # folded into the menu button
    browser.find_element(By.ID, "menu-toggle").click()
    assert nav.is_displayed()
    current = nav.find_element(By.CSS_SELECTOR, '[aria-current="page"]')
    assert current.text == "资产查询"
    skip = browser.find_element(By.ID, "skip")
    assert str(skip.get_attribute("href")).endswith("#main")


def test_every_control_has_a_label(browser: WebDriver, live: str, many: Cli) -> None:  # noqa: F811
    _log_in(browser, live, "zhang")
    for path in ("/dashboard", "/assets", "/governance", "/audit/", "/awards", "/upload"):
        browser.get(live + path)
        unlabelled = browser.execute_script(
            "return Array.from(document.querySelectorAll('main input:not([type=hidden]), main select, "
            "main textarea')).filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))"
            ".map(e => e.name || e.id);"
        )
        assert not unlabelled, (path, unlabelled)
