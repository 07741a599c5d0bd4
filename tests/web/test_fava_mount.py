"""Fava inside the app (issue 22 item 5): under /fava/<entity>/ behind the login and the reader's scope, read-only,
current after a new posting, and no process of its own. Skipped only where Fava is not installed (it is an
optional extra: pip install 'assetledger[fava]')."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import Cli
from tests.web.conftest import VILLAGE, login

ENTITY = f"V{VILLAGE}"
needs_fava = pytest.mark.skipif(importlib.util.find_spec("fava") is None, reason="Fava is not installed")


@pytest.fixture(autouse=True)
def _no_exports_left() -> Iterator[None]:
    from assetledger.web.fava_mount import forget_all

    forget_all()  # nothing another test loaded
    yield
    forget_all()


def _follow(client: object, path: str) -> tuple[int, str, str]:
    """GET, following redirects that stay under /fava/; the final status, path and text."""
    for _ in range(5):
        response = client.get(path)  # type: ignore[attr-defined]
        if response.status_code not in (301, 302, 303, 307, 308):
            return response.status_code, path, response.get_data(as_text=True)
        path = response.headers["Location"]
        assert path.startswith("/fava/") or path.startswith("http://localhost/fava/"), path
        path = path.removeprefix("http://localhost")
    raise AssertionError("too many redirects")


def _journal(client: object, slug: str) -> str:
    response = client.get(f"/fava/{ENTITY}/{slug}/api/journal_page?page=1&order=desc")  # type: ignore[attr-defined]
    assert response.status_code == 200
    return str(json.loads(response.get_data(as_text=True))["data"]["journal"])


@needs_fava
def test_fava_is_served_inside_the_app_current_and_read_only(app: Flask, county: Cli) -> None:
    threads_before = threading.active_count()
    wang, token = login(app, "wang")
    opened = wang.post("/audit/fava", data={"csrf_token": token, "entity": ENTITY})
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/fava/{ENTITY}/")
    status, path, page = _follow(wang, f"/fava/{ENTITY}/")
    assert status == 200 and path.startswith(f"/fava/{ENTITY}/") and 'id="assetledger-read-only"' in page
    assert f"/fava/{ENTITY}/static/" in page  # Fava's own links stay under the app's prefix
    slug = path.split("/")[3]
    assert "七千六百租金" not in _journal(wang, slug)

    county("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "7654.32", "--date", "2025-05-15",
           "--narration", "七千六百租金", user="li")  # fmt: skip
    assert "七千六百租金" in _journal(wang, slug)  # the export follows the books

    for blocked in (f"{slug}/editor/", f"{slug}/import/", f"{slug}/api/source?filename=x", "jump?time=2025"):
        refused = wang.get(f"/fava/{ENTITY}/{blocked}")
        assert refused.status_code == 403 and "只读" in refused.get_data(as_text=True)
    assert wang.post(f"/fava/{ENTITY}/{slug}/api/source", data={"csrf_token": token}).status_code == 405
    assert threading.active_count() <= threads_before  # no watcher thread or process outlives the request
    from assetledger.web.fava_mount import _MOUNTED, forget_all

    folders = [m.folder for m in _MOUNTED.values()]
    assert len(folders) == 1 and folders[0].exists()  # one export, the one of the books as they are now
    forget_all()  # as at the server's exit
    assert not folders[0].exists()


@needs_fava
def test_fava_needs_the_login_and_the_scope(app: Flask, county: Cli) -> None:
    anonymous = app.test_client()
    assert anonymous.get(f"/fava/{ENTITY}/").status_code == 302  # to the login page
    li, _ = login(app, "li")
    assert li.get(f"/fava/{ENTITY}/").status_code == 403  # a village accountant has no audit pages
    county("user", "add", "sun", "--role", "auditor", "--scope", "360921101202", user="zhang")
    from tests.web.conftest import PASSWORD, set_password

    set_password(county, "sun", PASSWORD, actor="zhang")
    sun, _ = login(app, "sun")  # an auditor of 向阳村 does not read 红旗村's books
    assert sun.get(f"/fava/{ENTITY}/").status_code == 403


def test_without_fava_the_page_says_how_to_install_it(app: Flask, county: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetledger.web import fava_mount

    monkeypatch.setattr(fava_mount, "fava_available", lambda: False)
    wang, _ = login(app, "wang")
    missing = wang.get(f"/fava/{ENTITY}/")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 501 and 'id="fava-missing"' in page and "assetledger[fava]" in page


def test_exports_of_a_killed_server_are_removed_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetledger.web import fava_mount

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "assetledger-fava" / gone.stdout.strip() / "V1-x"
    stale.mkdir(parents=True)
    (stale / "V1.beancount").write_text("; books of a server that was killed\n", encoding="utf-8")
    own = fava_mount._own_folder()
    assert own.name == str(os.getpid()) and own.exists() and not stale.parent.exists()
    fava_mount.forget_all()
    assert not own.exists()
