"""End to end: the real app served on a free port, driven by Debian's headless Chromium through Selenium.

One journey per database backend: the bureau logs in and uploads a register with errors; the village accountant
posts revenue, runs a distribution (dry run, then for real), opens the public notice and is refused an asset of
another village; the auditor runs a query. Without a browser the test is skipped on a developer's machine and
fails in CI (CI=true), so a missing install step cannot pass unseen.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from assetledger.store.db import Database
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_xlsx
from tests.web.browser import IMPLICIT_WAIT, chromium_options, serving
from tests.web.conftest import PASSWORD, VILLAGE

pytestmark = pytest.mark.both_backends  # one whole day in the browser on each database

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _browser_present() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


# One Chromium for the run (per xdist worker): starting it costs seconds on a loaded machine, and the modules that
# import `browser` would each start their own if it were a session fixture. Each test gets it as a fresh one:
# `_fresh` ends what a test left (cookies, which are not kept apart by port, other windows, a narrow viewport,
# where downloads go) before the next one starts; a browser that no longer answers is replaced.
@dataclass
class _Chromium:
    driver: WebDriver
    profile: str
    running: bool = True

    @classmethod
    def start(cls) -> _Chromium:
        profile = tempfile.mkdtemp(prefix="assetledger-chromium-")
        options = chromium_options(CHROMIUM, profile, "--window-size=1280,900")
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(30)
        driver.implicitly_wait(IMPLICIT_WAIT)
        return cls(driver, profile)

    def quit(self) -> None:
        if self.running:
            self.running = False
            try:
                self.driver.quit()
            finally:
                shutil.rmtree(self.profile, ignore_errors=True)


_RUNNING: list[_Chromium] = []


def _fresh(driver: WebDriver) -> None:
    """Back to the state a newly started browser is in, as far as a test can tell."""
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "default"})
    driver.set_window_size(1280, 900)
    assert driver.get_cookies() == []


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> WebDriver:
    if not _browser_present():
        message = f"headless Chromium needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    if _RUNNING:
        try:
            _fresh(_RUNNING[0].driver)
            return _RUNNING[0].driver
        except WebDriverException:  # it crashed or hung up: start another
            _RUNNING.pop().quit()
    chromium = _Chromium.start()
    _RUNNING.append(chromium)
    request.config.add_cleanup(chromium.quit)
    _fresh(chromium.driver)
    return chromium.driver


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    with serving(app) as base:
        yield base


def _log_in(driver: WebDriver, base: str, name: str) -> None:
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "user").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    _shows(driver, "who", name)


def _log_out(driver: WebDriver) -> None:
    driver.find_element(By.ID, "logout").click()
    assert driver.find_element(By.ID, "login")


def _shows(driver: WebDriver, element_id: str, expected: str) -> str:
    """Wait until the element says `expected` (the page a click opened has replaced the old one), return its text.
    While the new page replaces the old, Chromium may also answer that the node found "does not belong to the
    document" (an unknown error, not a stale element): waited out like the others, until the 20 s are up."""
    ignored = (NoSuchElementException, StaleElementReferenceException, WebDriverException)

    def text(d: WebDriver) -> str | None:
        found = str(d.find_element(By.ID, element_id).text)
        return found if expected in found else None

    result = WebDriverWait(driver, 20, ignored_exceptions=ignored).until(text)
    assert result is not None
    return result


def _fill(driver: WebDriver, element_id: str, value: str) -> WebElement:
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].value = arguments[1];", element, value)  # date inputs too, any locale
    return element


def test_bureau_village_and_auditor_in_the_browser(browser: WebDriver, live: str, db: Database, tmp_path: Path) -> None:
    # The bureau: the dashboard, then a register upload with two bad rows — shown, nothing written.
    _log_in(browser, live, "zhang")
    assert "红旗村" not in browser.find_element(By.ID, "summary").text  # township level by default
    assert "东风镇" in browser.find_element(By.ID, "summary").text
    bad = write_xlsx(tmp_path / "台账.xlsx", [ASSET_HEADER, asset_row("N-1", **{"资产原值（元）": "abc"}),
                                              asset_row("N-2", 村="无此村")])  # fmt: skip
    before = table_counts(db)
    browser.get(f"{live}/upload")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.ID, "upload").click()
    findings = _shows(browser, "findings", "台账.xlsx")
    assert "abc" in findings and "无此村" in findings
    assert "未写入" in browser.find_element(By.ID, "problems").text
    assert table_counts(db) == before
    _log_out(browser)

    # The village accountant: revenue, a dry run, the distribution, its notice; another village's asset refused.
    _log_in(browser, live, "li")
    _fill(browser, "asset_id", "A-1")
    _fill(browser, "amount", "12000.00")
    _fill(browser, "date", "2025-05-15")
    _fill(browser, "ref", "PZ-2025-05")
    browser.find_element(By.ID, "post").click()
    _shows(browser, "result", "已记账")
    browser.get(f"{live}/distribution")
    assert browser.find_element(By.ID, "village").get_attribute("value") == VILLAGE
    _fill(browser, "period", "2025Q2")
    browser.find_element(By.ID, "dry-run").click()
    _shows(browser, "result", "试算")
    assert browser.find_element(By.ID, "distributed-total").text == "12,000.00"
    assert table_counts(db)["distributions"] == before["distributions"]
    browser.find_element(By.ID, "distribute").click()
    _shows(browser, "result", "已分配并记账")
    assert table_counts(db)["distributions"] == before["distributions"] + 1
    browser.get(str(browser.find_element(By.ID, "notice").get_attribute("href")))
    notice = browser.find_element(By.TAG_NAME, "body").text
    assert "资产收益分配公示" in notice and "王一" in notice and "4,800.00" in notice
    browser.get(f"{live}/post")
    _fill(browser, "asset_id", "B-1")
    _fill(browser, "amount", "500.00")
    _fill(browser, "date", "2025-05-16")
    entries = table_counts(db)["entries"]
    browser.find_element(By.ID, "post").click()
    _shows(browser, "error-message", "无权操作向阳村")
    assert "403" in browser.find_element(By.CLASS_NAME, "error-code").text
    assert table_counts(db)["entries"] == entries
    browser.get(f"{live}/post")
    _log_out(browser)

    # The auditor: read-only SQL over the audit views, in English.
    _log_in(browser, live, "wang")
    browser.get(f"{live}/audit/?lang=en")
    _fill(browser, "sql", "SELECT asset_id, status FROM v_assets ORDER BY asset_id")
    browser.find_element(By.ID, "run-sql").click()
    assert _shows(browser, "result-count", "row(s)") == "3 row(s)"
    assert "B-1" in browser.find_element(By.ID, "result").text
