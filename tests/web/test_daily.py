"""Each role's daily work through the test client (issue 22 item 4): the village accountant's books and reversals,
the inventory team's count sheets, finance's stored award policies. The browser walks are in test_browser_daily.py."""

from __future__ import annotations

import re

from flask import Flask

from assetledger.services.book_reports import balances
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.web.conftest import VILLAGE, login

ENTITY = f"V{VILLAGE}"


def _post_rent(county: Cli, amount: str = "1200") -> int:
    out = county("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", amount, "--date", "2025-03-01",
                 "--narration", "光伏租金", user="li").output  # fmt: skip
    found = re.search(r"\d+", out.split("posted", 1)[-1])
    assert found, out
    return int(found.group())


def test_accountant_sees_its_books_and_reverses_an_entry(app: Flask, county: Cli, db: Database) -> None:
    entry = _post_rent(county)
    li, token = login(app, "li")
    page = li.get("/books").get_data(as_text=True)
    assert f'id="entry-{entry}"' in page and "光伏租金" in page and "1,200.00" in page
    assert 'id="by-asset"' in page and "光伏电站" in page and 'id="balances"' in page
    assert "第 1 / 1 页" in page

    empty = li.post(
        "/books/reverse", data={"csrf_token": token, "entity": ENTITY, "entry_id": str(entry), "reason": ""}
    )
    assert empty.status_code == 422 and "请写明冲销原因" in empty.get_data(as_text=True)

    done = li.post("/books/reverse", data={"csrf_token": token, "entity": ENTITY, "entry_id": str(entry),
                                            "reason": "金额录错"})  # fmt: skip
    assert done.status_code == 303
    page = li.get(done.headers["Location"]).get_data(as_text=True)
    assert f"第 {entry} 号分录已冲销" in page and f"冲销 #{entry}: 金额录错" in page
    income = {r["name"]: r["balance"] for r in balances(db, ENTITY, actor="li")}
    assert not any(name.startswith("Income") for name in income)  # revenue and its reversal cancel out

    before = table_counts(db)
    again = li.post("/books/reverse", data={"csrf_token": token, "entity": ENTITY, "entry_id": str(entry),
                                             "reason": "再冲一次"})  # fmt: skip
    text = again.get_data(as_text=True)
    assert again.status_code == 409 and f"未冲销：第 {entry} 号分录已由第" in text and 'role="alert"' in text
    assert table_counts(db) == before


def test_accountant_cannot_open_or_reverse_another_villages_books(app: Flask, county: Cli, db: Database) -> None:
    county("ledger", "post", "--asset", "B-1", "--revenue", "rent", "--amount", "10", "--date", "2025-03-01",
           user="zhang")  # fmt: skip
    li, _ = login(app, "li")
    refused_page = li.get("/books?entity=V360921101202")
    assert refused_page.status_code == 403 and 'id="entries"' not in refused_page.get_data(as_text=True)
    before = table_counts(db)
    wang, wang_token = login(app, "wang")  # the auditor reads the books, and reverses nothing
    assert wang.get(f"/books?entity={ENTITY}").status_code == 200
    refused = wang.post("/books/reverse", data={"csrf_token": wang_token, "entry_id": "1", "reason": "x"})
    assert refused.status_code == 403 and table_counts(db) == before
