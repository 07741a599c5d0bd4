"""The public area in headless Chromium (issue 24): a villager with no account opens a village's page, reads the
published notice, and finds nothing beyond it — no ID, phone or bank numbers, no unpublished notice, no other
village, no link out of the page, no cookie. Skipped without a browser on a developer's machine, failed in CI."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.public_notices import SECRETS
from tests.web.browser import absent
from tests.web.conftest import OTHER_VILLAGE, VILLAGE
from tests.web.test_browser import browser, live  # noqa: F401  (fixtures)

NUMBERS = re.compile(r"\d{11,}")  # an ID-card (18), phone (11) or bank account (16-19) number


@pytest.mark.usefixtures("published")
def test_a_villager_reads_the_published_notice_and_nothing_else(browser: WebDriver, live: str) -> None:  # noqa: F811
    browser.get(f"{live}/public/{VILLAGE}")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "红旗村" in body and "2025年第2季度 扶贫项目资产收益分配公示" in body and "12,000.00" in body
    assert "钱*多" in body and "光伏电站" in body
    source = browser.page_source
    for secret in SECRETS:
        assert secret not in body and secret not in source, secret
    assert not NUMBERS.findall(body.replace(VILLAGE, "")), NUMBERS.findall(body)
    assert browser.get_cookies() == []
    assert absent(browser, By.TAG_NAME, "form") and absent(browser, By.TAG_NAME, "script")
    here = urlsplit(browser.current_url)
    for link in browser.find_elements(By.TAG_NAME, "a"):
        target = urlsplit(str(link.get_attribute("href")))
        assert (target.netloc, target.path) == (here.netloc, here.path) and target.fragment, target
    # the in-page links lead to the page's own sections
    browser.find_element(By.LINK_TEXT, "三、资产收益").click()
    assert urlsplit(browser.current_url).fragment == "earnings"
    assert "12,000.00" in browser.find_element(By.CLASS_NAME, "earnings").text

    # Parameters widen nothing; another village has its own page; the system behind stays closed.
    browser.get(f"{live}/public/{VILLAGE}?village={OTHER_VILLAGE}&period=2025Q3&lang=en")
    assert "冷库" not in browser.page_source and "2025Q3" not in browser.page_source
    browser.get(f"{live}/public/{OTHER_VILLAGE}")
    assert "冷库" in browser.find_element(By.TAG_NAME, "body").text and "光伏电站" not in browser.page_source
    browser.get(f"{live}/assets")
    assert "/login" in browser.current_url  # (the login page gives its own CSRF cookie)
    browser.delete_all_cookies()
    browser.get(f"{live}/public/{VILLAGE}")
    assert browser.get_cookies() == []
