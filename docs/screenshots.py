"""Screenshots of the web interface's main pages for the README (docs/screenshots/*.png), taken from the demo.

Builds the demo (`assetledger demo`, about a minute) in a temporary folder unless --demo-db names one, works on a
copy, adds one user per role with a password and the county bureau's awards policy, serves the app on a free local
port (werkzeug, in a thread, by tests/web/browser.py), logs in as each role in headless Chromium through
Selenium and saves what the browser window shows: 1280 px wide, and the asset list once more at 375 px (a phone).
Each PNG is reduced to 256 colours so that it stays small. Needs Chromium and its driver on PATH (Debian:
`apt-get install chromium chromium-driver`) and a font with Chinese glyphs (`apt-get install fonts-noto-cjk`);
with `chromium-l10n` the browser's own words (a date field's format, a file field's button) are Chinese too.

    python docs/screenshots.py                         # builds the demo, writes docs/screenshots/*.png
    python docs/screenshots.py --demo-db demo/assetledger.db --out /some/folder
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import func, select

from assetledger.demo.web_setup import add_users, demo_copy, store_county_policy
from assetledger.domain.access import Role
from assetledger.store import migrate
from assetledger.store.db import Database
from assetledger.store.document_models import DocumentLink
from assetledger.store.models import Asset, AssetEvent
from assetledger.store.publication_models import NoticePublication
from assetledger.web import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's root, for tests/web/browser.py
from tests.web.browser import chromium_options, serving

OUT = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "screenshot password"
WIDTH, HEIGHT = 1280, 900
PHONE = 375, 812
# One user per role, named as people are (the name is shown in the page's header).
FINANCE, VILLAGE, INVENTORY, AUDITOR = "张敏", "李芳", "赵强", "陈静"


def prepare(db: Database) -> dict[str, str]:
    """The users, the bureau's awards policy, and the places and asset the pages show."""
    migrate.upgrade(db.url)
    with db.reading() as session:
        # The village whose documents the demo attaches (it publishes its notices too), and its asset with the
        # longest history among those with documents.
        village = session.scalar(
            select(Asset.village_code)
            .join(DocumentLink, DocumentLink.asset_id == Asset.asset_id)
            .where(Asset.village_code.in_(select(NoticePublication.village_code)))
            .group_by(Asset.village_code)
            .order_by(func.count().desc(), Asset.village_code)
            .limit(1)
        )
        assert village, "the demo publishes a village's notices and attaches its documents"
        county = session.scalar(select(Asset.county_code).where(Asset.village_code == village).limit(1))
        township = session.scalar(select(Asset.township_code).where(Asset.village_code == village).limit(1))
        asset = session.scalar(  # the village's asset with the longest history
            select(AssetEvent.asset_id)
            .join(Asset, Asset.asset_id == AssetEvent.asset_id)
            .where(Asset.village_code == village, Asset.asset_id.in_(select(DocumentLink.asset_id)))
            .group_by(AssetEvent.asset_id)
            .order_by(func.count().desc(), AssetEvent.asset_id)
            .limit(1)
        )
    assert county and township and asset
    grants = [(FINANCE, Role.FINANCE, county), (VILLAGE, Role.VILLAGE_ACCOUNTANT, village),
              (INVENTORY, Role.INVENTORY, county), (AUDITOR, Role.AUDITOR, county)]  # fmt: skip
    add_users(db, grants, PASSWORD, FINANCE)
    store_county_policy(db, county, FINANCE)
    return {"county": county, "township": township, "village": village, "asset": asset}


Shot = tuple[str | None, str, str, tuple[int, int], str | None]


def shots(keys: dict[str, str]) -> list[Shot]:
    """(who logs in, or None for the public; file name; path; window size; the id of the element to show at the
    top, or None for the page's top)."""
    desktop = (WIDTH, HEIGHT)
    return [
        (FINANCE, "dashboard", "/dashboard", desktop, None),
        (FINANCE, "assets-filtered", f"/assets?township={keys['township']}&register=operating", desktop, None),
        (FINANCE, "asset-history", f"/assets/{keys['asset']}", desktop, "contracts"),
        (FINANCE, "governance", "/governance", desktop, None),
        (FINANCE, "awards", "/awards?year=2025", desktop, None),
        (FINANCE, "indicators", "/indicators", desktop, None),
        (FINANCE, "assets-375px", f"/assets?township={keys['township']}", PHONE, None),
        (VILLAGE, "books-village-accountant", "/books", desktop, None),
        (INVENTORY, "count-sheets", "/inventory/1/sheets", desktop, None),
        (AUDITOR, "audit", "/audit/", desktop, None),
        (None, "public-village-page", f"/public/{keys['village']}", desktop, None),
    ]


@contextmanager
def chromium() -> Iterator[WebDriver]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        sys.exit("needs Chromium and chromedriver on PATH (Debian: apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="assetledger-shots-")
    options = chromium_options(binary, profile, "--hide-scrollbars", "--lang=zh-CN", f"--window-size={WIDTH},{HEIGHT}")
    # The browser's own words (a file input's button, a date's placeholder) follow its locale: Chinese, as a
    # county office's computers have it.
    env = dict(os.environ, LANGUAGE="zh_CN", LANG="zh_CN.UTF-8")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path, env=env), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def log_in(driver: WebDriver, base: str, name: str | None) -> None:
    driver.delete_all_cookies()
    if name is None:
        return
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "user").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, 30).until(lambda d: name in d.find_element(By.ID, "who").text)


def viewport(driver: WebDriver, size: tuple[int, int]) -> None:
    """The page laid out at `size` CSS pixels, scale 1, as a phone when narrow (before the page is loaded)."""
    metrics = {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size[0] < 600}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def save(driver: WebDriver, size: tuple[int, int], target: Path, top: str | None) -> int:
    """The viewport (`size`), scrolled to the element `top` if given, in 256 colours; the file's size."""
    width, height = size
    if top is None:
        driver.execute_script("window.scrollTo(0, 0)")
    else:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView(); window.scrollBy(0, -12)", top)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.execute_script("return document.fonts.ready")
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    image.crop((0, 0, min(width, image.width), min(height, image.height))).quantize(256).save(target, optimize=True)
    return target.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-db", type=Path, help="an existing demo database (copied, never changed)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files (default: docs/screenshots)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    with tempfile.TemporaryDirectory(prefix="assetledger-shots-") as tmp:
        db = Database(f"sqlite:///{demo_copy(args.demo_db, Path(tmp), 'screenshots.db')}")
        keys = prepare(db)
        with serving(create_app(db, secret_key=b"screenshots" * 3)) as base, chromium() as driver:
            current: str | None = "nobody yet"
            for who, name, path, size, top in shots(keys):
                if who != current:
                    log_in(driver, base, who)
                    current = who
                viewport(driver, size)
                driver.get(base + path)
                target = args.out / f"{name}.png"
                print(f"{target.name:32} {path:48} {save(driver, size, target, top) / 1024:6.1f} KiB")
        db.dispose()


if __name__ == "__main__":
    main()
