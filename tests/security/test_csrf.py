"""Forged forms (CSRF), replayed through the Flask test client on SQLite and PostgreSQL: a POST without the form's
token, with a made-up one, with another session's, or with one from before a logout is refused with the 400 page
in the reader's language and changes nothing; the page's own token (in the form field or in the X-CSRFToken /
X-CSRF-Token header that scripts send) is accepted. Flask-WTF does the checking (web/auth.py)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from assetledger.store.db import Database
from tests.helpers import table_counts
from tests.web.conftest import PASSWORD, csrf_of, login

FORM = {"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "100.00", "date": "2025-05-01"}


def _post(client: FlaskClient, ref: str, token: str | None = None, **kwargs: object) -> tuple[int, str]:
    data = FORM | {"ref": ref} | ({"csrf_token": token} if token is not None else {})
    answer = client.post("/post", data=data, **kwargs)  # type: ignore[arg-type]
    return answer.status_code, answer.get_data(as_text=True)


def test_a_form_without_its_sessions_token_is_refused_and_changes_nothing(app: Flask, db: Database) -> None:
    li, token = login(app, "li")
    zhang, zhang_token = login(app, "zhang")
    before = table_counts(db)
    status, page = _post(li, "PZ-1")  # no token at all
    assert status == 400 and "表单已过期或来源不明" in page and "CSRF token" not in page  # never Flask-WTF's English
    status, page = _post(li, "PZ-1", "forged")
    assert status == 400 and "表单已过期或来源不明" in page
    status, page = _post(li, "PZ-1", token[:-2] + ("AA" if not token.endswith("AA") else "BB"))  # tampered
    assert status == 400
    status, page = _post(li, "PZ-1", zhang_token)  # another session's token: bound to its own session only
    assert status == 400
    status, page = _post(li, "PZ-1", "", headers={"X-CSRF-Token": zhang_token})
    assert status == 400
    english = li.post("/post?lang=en", data=FORM | {"csrf_token": "forged"}).get_data(as_text=True)
    assert "The form expired or came from elsewhere" in english and "表单" not in english.split("<main", 1)[-1]
    assert table_counts(db) == before
    assert zhang.get("/dashboard").status_code == 200  # the refusals ended nobody's session


def test_the_pages_token_works_in_the_form_and_in_either_header(app: Flask, db: Database) -> None:
    li, token = login(app, "li")
    status, page = _post(li, "PZ-1", token)
    assert status == 200 and "已记账" in page
    for header in ("X-CSRFToken", "X-CSRF-Token"):  # what a script sends instead of the form field
        status, page = _post(li, f"PZ-{header}", None, headers={header: token})
        assert status == 200 and "已记账" in page, header
    second = csrf_of(li.get("/post").get_data(as_text=True))  # a later page's token is good as well
    assert _post(li, "PZ-2", second)[0] == 200


def test_a_token_ends_with_its_session(app: Flask, db: Database) -> None:
    client, token = login(app, "li")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    login_token = csrf_of(client.get("/login").get_data(as_text=True))
    assert login_token != token
    again = client.post("/login", data={"user": "li", "password": PASSWORD, "csrf_token": token})
    assert again.status_code == 400  # the old session's token opens nothing in the new one
    before = table_counts(db)
    client, fresh = login(app, "li")
    assert fresh != token
    assert _post(client, "PZ-1", token)[0] == 400  # nor after a new login
    assert table_counts(db) == before
    anonymous = app.test_client().post("/post", data=FORM | {"csrf_token": fresh})
    assert anonymous.status_code == 400  # no session, no token that fits it
