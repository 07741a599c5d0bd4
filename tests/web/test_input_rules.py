"""Rules of the services seen through the web: the 收支记账 form refuses an entry dated after today (the posting
service's rule, tests/services/test_future_entries.py)."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from assetledger.store.db import Database
from tests.helpers import table_counts
from tests.web.conftest import login


def test_the_post_form_refuses_an_entry_dated_after_today(app: Flask, db: Database) -> None:
    li, token = login(app, "li")
    form = {"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "100.00", "csrf_token": token}
    before = table_counts(db)
    refused = li.post("/post", data=form | {"date": "2099-01-01", "ref": "FUT-1"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409, page
    assert "记账日期晚于今天" in page and "2099-01-01" in page and "Traceback" not in page
    assert table_counts(db) == before
    done = li.post("/post", data=form | {"date": dt.date.today().isoformat(), "ref": "NOW-1"})
    assert done.status_code == 200 and table_counts(db) != before
