"""Rules of the services seen through the web: the 收支记账 form refuses an entry dated after today (the posting
service's rule, tests/services/test_future_entries.py); the register upload refuses a 取得日期 after today (the
register's rule, domain/assets.register_problems; tests/services/test_file_quirks.py)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from flask import Flask

from assetledger.store.db import Database
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_xlsx
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


def test_the_register_upload_refuses_a_date_acquired_after_today(app: Flask, db: Database, tmp_path: Path) -> None:
    zhang, token = login(app, "zhang")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    header = [*ASSET_HEADER, "取得日期"]
    bad = write_xlsx(tmp_path / "bad.xlsx", [header, [*asset_row("N-1"), dt.datetime(2099, 3, 1)],
                                             [*asset_row("N-2"), tomorrow.isoformat()]])  # fmt: skip
    before = table_counts(db)
    refused = zhang.post("/upload", data={"file": (io.BytesIO(bad.read_bytes()), "台账.xlsx"), "csrf_token": token},
                         content_type="multipart/form-data")  # fmt: skip
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422, page
    findings = page.split('id="findings"', 1)[1]
    for row, on in ((2, "2099-03-01"), (3, tomorrow.isoformat())):
        assert re.search(rf'<td>台账.xlsx[^<]*</td><td class="n">{row}</td><td>取得日期[^<]*</td><td>{on}</td>'
                         rf"<td>取得日期 {on} 晚于今天", findings), findings  # fmt: skip
    assert "after today" not in findings and "/tmp" not in findings and "Traceback" not in page
    assert table_counts(db) == before
    good = write_xlsx(tmp_path / "good.xlsx", [header, [*asset_row("N-3"), dt.date.today().isoformat()]])
    done = zhang.post("/upload", data={"file": (io.BytesIO(good.read_bytes()), "台账.xlsx"), "csrf_token": token},
                      content_type="multipart/form-data")  # fmt: skip
    assert done.status_code == 200 and "已导入 1 项资产" in done.get_data(as_text=True)
