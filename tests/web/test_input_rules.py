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


def test_the_post_form_refuses_a_misplaced_comma(app: Flask, db: Database) -> None:
    """`1234,5` was read as 12,345.00 (every comma dropped): now refused, naming the value; 1,234.50 still reads."""
    li, token = login(app, "li")
    form = {"asset_id": "A-1", "direction": "revenue", "type": "rent", "csrf_token": token,
            "date": dt.date.today().isoformat()}  # fmt: skip
    before = table_counts(db)
    for amount in ("1234,5", "12，5", "1,00,000"):
        refused = li.post("/post", data=form | {"amount": amount, "ref": f"C-{amount}"})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422, page
        assert amount in page and ("misplaced comma" in page or "Chinese comma" in page), page
    assert table_counts(db) == before
    assert li.post("/post", data=form | {"amount": "1,234.50", "ref": "C-ok"}).status_code == 200
