"""The public area (/public/<village>, issue 24) through Flask's test client on the real test database: what a
villager without an account reads, and what it must never reach."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask

from tests.conftest import Cli
from tests.public_notices import HEAD, SECRETS, build_published
from tests.web.conftest import OTHER_VILLAGE, VILLAGE, login


@pytest.mark.usefixtures("published")
def test_the_public_page_shows_the_published_notice_the_assets_and_their_revenue(app: Flask) -> None:
    response = app.test_client().get(f"/public/{VILLAGE}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "示范县东风镇红旗村" in page and "2025年第2季度 扶贫项目资产收益分配公示" in page
    assert "2025-07-02 已公示" in page and "published 2025" not in page  # published on, in Chinese
    assert "2025Q2" not in page and "本村2025年第2季度项目资产收益" in page  # the period in words, not its label
    assert "12,000.00" in page and "4,800.00" in page  # the quarter's revenue, 40 % to households
    assert "钱*多" in page and "王*" in page  # heads as the notice names them, masked for the web
    assert "光伏电站" in page and "村组道路" in page and "100,000.00" in page  # the village's assets
    assert "到户类资产 1 项" in page  # a household's own asset: counted, not listed
    assert "审议通过的红旗村收益分配方案（第1版" in page  # the rule by name and edition, not its code
    assert not re.search(r"\bR\d{12}\b", page)
    for secret in SECRETS:
        assert secret not in page, secret
    assert HEAD not in page


@pytest.mark.usefixtures("published")
def test_the_public_page_sets_no_cookie_and_links_nowhere_else(app: Flask) -> None:
    client = app.test_client()
    response = client.get(f"/public/{VILLAGE}?lang=en&village={OTHER_VILLAGE}&period=2025Q3&all=1")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    page = response.get_data(as_text=True)
    for secret in SECRETS:  # parameters widen nothing
        assert secret not in page, secret
    links = re.findall(r'(?:href|src|action)="([^"]*)"', page)
    assert links and all(link.startswith("#") for link in links), links
    assert "<script" not in page and "<form" not in page and "csrf" not in page


def test_only_a_village_with_something_published_has_a_page(app: Flask, county: Cli) -> None:
    client = app.test_client()
    assert client.get(f"/public/{VILLAGE}").status_code == 404  # nothing published yet
    build_published(county)
    assert client.get(f"/public/{VILLAGE}").status_code == 200
    other = client.get(f"/public/{OTHER_VILLAGE}").get_data(as_text=True)
    assert "冷库" in other and "7,777.00" in other and "赵*六" in other and "光伏电站" not in other
    for path in ("/public/360921101", "/public/360921", "/public/999999999999", "/public/../assets",
                 "/public/", "/public", f"/public/{VILLAGE}/x", "/public/static/style.css"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Set-Cookie" not in response.headers
        assert "红旗村" not in response.get_data(as_text=True)


@pytest.mark.usefixtures("published")
def test_the_public_page_answers_get_only(app: Flask) -> None:
    client = app.test_client()
    for method in ("post", "put", "delete", "patch", "options"):
        response = getattr(client, method)(f"/public/{VILLAGE}")
        assert response.status_code == 405, method
        assert "Set-Cookie" not in response.headers
    assert client.head(f"/public/{VILLAGE}").status_code == 200


@pytest.mark.usefixtures("published")
def test_a_logged_in_session_changes_nothing_and_the_system_stays_closed(app: Flask) -> None:
    anonymous = app.test_client().get(f"/public/{VILLAGE}").get_data(as_text=True)
    zhang, _ = login(app, "zhang")
    assert zhang.get(f"/public/{VILLAGE}").get_data(as_text=True) == anonymous
    stranger = app.test_client()
    stranger.get(f"/public/{VILLAGE}")
    assert stranger.get("/assets").status_code == 302  # the rest still wants a login


def test_the_accountant_publishes_from_the_distribution_page(app: Flask, county: Cli) -> None:
    county("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "12000", "--date", "2025-05-15",
           user="li")  # fmt: skip
    county("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01", user="li")
    li, token = login(app, "li")
    page = li.post("/distribution", data={"village": VILLAGE, "period": "2025Q2", "action": "distribute",
                                          "csrf_token": token}).get_data(as_text=True)  # fmt: skip
    assert 'id="publish-form"' in page
    form = {"village": VILLAGE, "period": "2025Q2", "date": "2025-07-02"}
    assert li.post("/notice/publish", data=form).status_code == 400  # no CSRF token
    assert app.test_client().get(f"/public/{VILLAGE}").status_code == 404
    wang, wang_token = login(app, "wang")
    assert wang.post("/notice/publish", data={**form, "csrf_token": wang_token}).status_code == 403  # an auditor
    # an earlier day's publication is the county's to record (补录): its objection period would have run already
    late = li.post("/notice/publish", data={**form, "csrf_token": token})
    assert late.status_code == 403 and "补录" in late.get_data(as_text=True)
    done = li.post("/notice/publish", data={**form, "date": "", "csrf_token": token})  # the button: published now
    today = dt.date.today().isoformat()
    assert done.status_code == 200 and f"已于 {today} 发布" in done.get_data(as_text=True)
    assert f'href="/public/{VILLAGE}"' in done.get_data(as_text=True)
    assert app.test_client().get(f"/public/{VILLAGE}").status_code == 200
    other = {"village": OTHER_VILLAGE, "period": "2025Q2", "csrf_token": token}
    assert li.post("/notice/publish", data=other).status_code == 403  # another village
