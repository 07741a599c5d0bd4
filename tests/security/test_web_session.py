"""Attacks on the web login and session, replayed through the Flask test client (and Chromium where the browser's
own reading of a URL is the attack), on SQLite and PostgreSQL: an open redirect after login, a cookie that
outlives its logout or a password change, cookies without Secure behind TLS, a weak signing key, and many
password checks at once."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from assetledger.cli.main import cli
from assetledger.cli.web import _secret
from assetledger.errors import ConfigError, ServiceBusy
from assetledger.services import password_gate
from assetledger.services.password_gate import PasswordGate
from assetledger.store.db import Database
from assetledger.web import create_app
from tests.conftest import CHEAP_ARGON2, Cli
from tests.security.conftest import record
from tests.web.conftest import PASSWORD, csrf_of, login, set_password

SECRET = b"s" * 32
# `next` values that lead off the site, or break the Location header, once a browser has read them.
OFF_SITE = (
    "/\t/evil.example/x",  # browsers drop TAB: //evil.example/x (the reported attack)
    "/\n/evil.example/x",
    "/\r\n/evil.example",
    "/x\r\nSet-Cookie: planted=1",  # header injection
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/login?next=//evil.example",
)


def _login_with_next(client: FlaskClient, target: str, name: str = "zhang", password: str = PASSWORD) -> str:
    """Log in from /login?next=TARGET; the Location the server answers."""
    page = client.get(f"/login?next={quote(target, safe='')}")
    assert page.status_code == 200, (target, page.status_code)
    answer = client.post(
        f"/login?next={quote(target, safe='')}",
        data={"user": name, "password": password, "csrf_token": csrf_of(page.get_data(as_text=True))},
    )
    assert answer.status_code == 302, (target, answer.status_code, answer.get_data(as_text=True)[:300])
    return answer.headers["Location"]


def test_after_login_only_a_path_of_this_site_is_followed(app: Flask, db: Database) -> None:
    for target in OFF_SITE:
        where = _login_with_next(app.test_client(), target)
        assert where == "/dashboard", (target, where)  # the bureau's home, never the target
    for target in ("/assets?q=冷库", "/assets/A-1", "/upload"):
        assert unquote(_login_with_next(app.test_client(), target)) == target  # a page of the site is kept
    assert app.test_client().get("/login?next=/%0d%0aX:%20y").status_code == 200  # CR/LF: a page, never a 500


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app: Flask, db: Database) -> None:
    client, token = login(app, "zhang")
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/dashboard").status_code == 200  # a copy works while the session lasts ...
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302
    replay = thief.get("/dashboard")  # ... and not after the logout
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
    # Another server process on the same database: ended there too.
    other = create_app(db, secret_key=b"t" * 32)
    other.config["TESTING"] = True
    late = other.test_client()
    late.set_cookie("session", cookie.value)
    assert late.get("/dashboard").status_code == 302


def test_a_password_change_ends_every_session_of_the_user(app: Flask, db: Database, county: Cli) -> None:
    li_phone, _ = login(app, "li")
    li_laptop, _ = login(app, "li")
    zhang, _ = login(app, "zhang")
    other_process = create_app(db, secret_key=b"t" * 32)
    cookie = li_laptop.get_cookie("session")
    assert cookie is not None
    before = record(db)
    result = set_password(county, "li", "a new long password", actor="zhang")  # finance resets it
    assert result.exit_code == 0, result.output
    for client in (li_phone, li_laptop):
        assert client.get("/post").status_code == 302, "a session opened before the change still works"
    copy = other_process.test_client()
    copy.set_cookie("session", cookie.value)
    assert copy.get("/post").status_code == 302
    assert zhang.get("/dashboard").status_code == 200  # other users keep theirs
    fresh = app.test_client()
    token = csrf_of(fresh.get("/login").text)
    refused = fresh.post("/login", data={"user": "li", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 401  # the old password is over too
    li, _ = login(app, "li", "a new long password")
    assert set_password(county, "li", "another long password", actor="li").exit_code == 0  # the user's own change
    assert li.get("/post").status_code == 302
    changed = {name for name, digest in record(db).items() if before[name] != digest}
    assert changed == {"user_passwords", "chain_seals"}, changed  # the new passwords, sealed; nothing else


def test_a_revoked_user_is_logged_out(app: Flask, db: Database, county: Cli) -> None:
    li, _ = login(app, "li")
    county("user", "revoke", "li", user="zhang")
    assert li.get("/post").status_code == 302


def test_behind_tls_cookies_are_secure(county: Cli, db: Database) -> None:
    plain = create_app(db, secret_key=SECRET)
    response = plain.test_client().get("/login?lang=en")
    assert not any("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    secure = create_app(db, secret_key=SECRET, secure_cookies=True, proxy_fix=1)
    secure.config["TESTING"] = True
    client, https = secure.test_client(), "https://localhost"  # as the TLS proxy forwards it
    page = client.get("/login?lang=en", base_url=https)
    cookies = page.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies), cookies
    assert any(c.startswith("__Host-assetledger=") for c in cookies), cookies
    assert "max-age" in page.headers["Strict-Transport-Security"]
    form = {"user": "zhang", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    # Over HTTPS a form must also come from a page of this host (Flask-WTF's strict Referer check), as a browser
    # sends it: without a Referer, or from another site, the token alone is not enough.
    for referer in ({}, {"Referer": "https://evil.example/login"}, {"Referer": "http://localhost/login"}):
        refused = client.post("/login", data=form, base_url=https, headers=referer)
        assert refused.status_code == 400 and "refresh" not in refused.text and "reload" in refused.text, referer
    answer = client.post("/login", data=form, base_url=https, headers={"Referer": f"{https}/login?lang=en"})
    assert answer.status_code == 302
    assert all("Secure" in c and "HttpOnly" in c for c in answer.headers.getlist("Set-Cookie"))
    assert client.get("/dashboard", base_url=https).status_code == 200


def test_a_weak_signing_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    for content in (b"", b"x", b"y" * 31):
        key = tmp_path / "web.key"
        key.write_bytes(content)
        result = CliRunner().invoke(cli, ["--db", url, "serve", "--secret-file", str(key)])
        assert result.exit_code == 2, result.output
        assert f"holds {len(content)} bytes; a signing key needs at least 32" in result.output
        assert "head -c 32 /dev/urandom" in result.output
    monkeypatch.setenv("ASSETLEDGER_WEB_SECRET", "short")
    result = CliRunner().invoke(cli, ["--db", url, "serve"])
    assert result.exit_code == 2 and "ASSETLEDGER_WEB_SECRET holds 5 bytes" in result.output, result.output
    made = tmp_path / "keys" / "new.key"
    assert _secret(made) == made.read_bytes() and len(made.read_bytes()) == 32  # a missing file is made ...
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o600  # ... readable by its owner only
    with pytest.raises(ConfigError, match="at least 32"):
        create_app(Database(url), secret_key=b"k")


def test_password_checks_wait_for_the_gate_and_are_refused_when_it_stays_full(app: Flask, db: Database) -> None:
    gate = PasswordGate(1, wait=0)
    app.extensions["assetledger_password_gate"] = gate
    before = record(db)
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    with gate.slot():  # another login is being checked
        for _ in range(6):  # more than the throttle's five: busy answers are not failures
            busy = client.post("/login", data={"user": "zhang", "password": PASSWORD, "csrf_token": token})
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
            assert "服务器正忙" in busy.text and "未核对密码" in busy.text
    assert record(db) == before
    with db.reading() as session:
        from sqlalchemy import func, select

        from assetledger.store.access_models import WebSession

        assert session.scalar(select(func.count()).select_from(WebSession)) == 0  # no session was opened
    client.post("/login", data={"user": "zhang", "password": PASSWORD, "csrf_token": token})
    assert client.get("/dashboard").status_code == 200  # the slot is free again, and the name not held back


def test_production_keeps_the_rfc_9106_parameters() -> None:
    """The suite hashes with cheap Argon2 parameters (tests/conftest.py); assetledger itself, in a process of its
    own, uses argon2-cffi's RFC 9106 low-memory profile."""
    code = (
        "from assetledger.services import password_gate as g; "
        "print(g.HASHER.time_cost, g.HASHER.memory_cost, g.HASHER.parallelism, g.MEMORY_KIB)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["3", str(64 * 1024), "4", str(64 * 1024)]
    assert password_gate.HASHER is CHEAP_ARGON2 and CHEAP_ARGON2.memory_cost < 64


def test_a_gate_admits_its_size_at_once() -> None:
    gate = PasswordGate(2, wait=0)
    with gate.slot(), gate.slot(), pytest.raises(ServiceBusy), gate.slot():
        pass
    with gate.slot(), gate.slot():  # both slots came back
        pass


def test_oversized_passwords_and_impossible_names_are_never_hashed(app: Flask, db: Database) -> None:
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    gate = PasswordGate(1, wait=0)
    app.extensions["assetledger_password_gate"] = gate
    with gate.slot():  # were anything hashed, the full gate would answer 503
        for name, password in (("zhang", "p" * 100_000), ("z" * 65, PASSWORD), ("zh\x1bang", PASSWORD)):
            answer = client.post("/login", data={"user": name, "password": password, "csrf_token": token})
            assert answer.status_code == 401, (name[:10], answer.status_code)


def test_the_browser_is_not_sent_off_the_site_after_login(browser: WebDriver, live: str) -> None:
    browser.get(f"{live}/login?next=/%09/evil.example/x")
    browser.find_element(By.ID, "user").send_keys("zhang")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    assert browser.find_element(By.ID, "who")  # logged in, on a page of the site
    assert urlsplit(browser.current_url).netloc == urlsplit(live).netloc, browser.current_url


# The throttle's own attacks (ever-new names, half a megabyte as a name): tests/web/test_throttle.py.


def test_logging_in_and_out_does_not_wait_for_a_long_writer(app: Flask, db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has one writer: a login waits for it as every write does")
    with db.transaction():  # a long import holds the writers' lock on PostgreSQL
        client, token = login(app, "li")  # would wait until the import ends if sessions needed that lock
        assert client.get("/post").status_code == 200
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302
        assert client.get("/post").status_code == 302
