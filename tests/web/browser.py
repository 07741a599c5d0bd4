"""Headless Chromium through Selenium, and an app served on a free local port: what the browser tests
(tests/web/test_browser.py and the modules that take its fixtures) and the README's screenshots (docs/screenshots.py)
both start."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from selenium import webdriver
from selenium.webdriver.remote.webdriver import WebDriver
from werkzeug.serving import make_server

IMPLICIT_WAIT = 10  # seconds: a page that a click opens may take a moment to arrive on a loaded machine

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")  # fmt: skip


def chromium_options(binary: str, profile: str, *flags: str) -> webdriver.ChromeOptions:
    """Chromium at `binary`, headless, with a profile folder of its own and nothing fetched from outside; `flags`
    add to FLAGS (a window size, a language)."""
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, *flags, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return options


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app served (werkzeug, in a thread) on a free port of 127.0.0.1 while the block runs: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def absent(driver: WebDriver, by: str, value: str) -> bool:
    """No element of the page matches, asked without the implicit wait: the caller has seen the page arrive, and
    an element that is not there would otherwise be waited for IMPLICIT_WAIT seconds."""
    driver.implicitly_wait(0)
    try:
        return driver.find_elements(by, value) == []
    finally:
        driver.implicitly_wait(IMPLICIT_WAIT)
