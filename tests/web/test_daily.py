"""Each role's daily work through the test client (issue 22 item 4): the village accountant's books and reversals,
the inventory team's count sheets, finance's stored award policies. The browser walks are in test_browser_daily.py."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from assetledger.io.count_sheets import RESULT_HEADER
from assetledger.services.book_reports import balances
from assetledger.services.inventory import sheet_names, write_sheets
from assetledger.store.db import Database
from assetledger.store.journal_models import Entry
from assetledger.store.models import Asset
from tests.conftest import Cli
from tests.helpers import table_counts
from tests.web.conftest import PASSWORD, VILLAGE, login, set_password

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

    form = {"csrf_token": token, "entity": ENTITY, "entry_id": str(entry)}
    empty = li.post("/books/reverse", data=form | {"reason": ""})
    assert empty.status_code == 422 and "请写明冲销原因" in empty.get_data(as_text=True)

    done = li.post("/books/reverse", data={"csrf_token": token, "entity": ENTITY, "entry_id": str(entry),
                                            "reason": "金额录错"})  # fmt: skip
    assert done.status_code == 303
    page = li.get(done.headers["Location"]).get_data(as_text=True)
    assert f"第 {entry} 号分录已冲销" in page and f"冲销 #{entry}: 金额录错" in page
    month = f"{dt.date.today():%Y-%m}"  # dated the day it is made: a later month than the original's 2025-03
    assert f"冲销记入 {month}，原分录在 2025-03" in page
    income = {r.name: r.balance for r in balances(db, ENTITY, actor="li")}
    assert not any(name.startswith("Income") for name in income)  # revenue and its reversal cancel out

    before = table_counts(db)
    again = li.post("/books/reverse", data={"csrf_token": token, "entity": ENTITY, "entry_id": str(entry),
                                             "reason": "再冲一次"})  # fmt: skip
    text = again.get_data(as_text=True)
    assert again.status_code == 409 and f"未冲销：第 {entry} 号分录已由第" in text and 'role="alert"' in text
    assert table_counts(db) == before

    with db.reading() as session:  # the asset's registration is corrected with the register, not here
        opening = session.scalar(select(Entry.id).where(Entry.entity_code == ENTITY, Entry.kind == "opening"))
    assert opening is not None
    refused = li.post("/books/reverse", data=form | {"entry_id": str(opening), "reason": "不要了"})
    text = refused.get_data(as_text=True).split('id="reverse-problem"', 1)[1].split("</p>", 1)[0]
    assert refused.status_code == 409 and "资产登记入账，不能单独冲销" in text and "(entry" not in text
    english = li.post("/books/reverse?lang=en", data=form | {"entry_id": str(opening), "reason": "x"})
    shown = english.get_data(as_text=True).replace("&#39;", "'")
    assert "is not reversed on its own: an asset's registration" in shown
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


def open_inventory_with_team(county: Cli) -> None:
    """An inventory of 红旗村 and its team (zhao, 清查组 of the county)."""
    county("inventory", "open", "--year", "2025", "--scope", f"village:{VILLAGE}", "--date", "2025-12-01",
           user="zhang")  # fmt: skip
    county("user", "add", "zhao", "--role", "inventory", "--scope", "360921", user="zhang")
    set_password(county, "zhao", PASSWORD, actor="zhang")


def fill_sheet(data: bytes, results: dict[str, tuple[str, str]]) -> io.BytesIO:
    """The downloaded sheet with 结果 and 清查日期 filled in for the assets named."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    header = [c.value for c in sheet[2]]
    for row in sheet.iter_rows(min_row=3):
        asset = row[header.index("资产编号")].value
        if asset in results:
            row[header.index(RESULT_HEADER)].value, row[header.index("清查日期")].value = results[asset]
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_inventory_team_downloads_and_uploads_its_count_sheet(
    app: Flask, county: Cli, db: Database, tmp_path: Path
) -> None:
    open_inventory_with_team(county)
    zhao, token = login(app, "zhao")
    page = zhao.get("/inventory/1/sheets").get_data(as_text=True)
    assert f'id="sheet-{VILLAGE}"' in page and "红旗村.xlsx" in page
    sheet = zhao.get(f"/inventory/1/sheets/download?place={VILLAGE}")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(sheet.data)).active.iter_rows(min_row=3)]
    assert sorted(r[3] for r in rows) == ["A-1", "A-2"]

    before = table_counts(db)
    bad = fill_sheet(sheet.data, {"A-1": ("丢了", "2025-12-10"), "A-2": ("在用", "2025-13-40")})
    refused = zhao.post("/inventory/1/sheets", data={"csrf_token": token, "file": (bad, "红旗村清查.xlsx")},
                        content_type="multipart/form-data")  # fmt: skip
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "2 处问题，未写入任何数据" in text
    findings = text.split('id="findings"', 1)[1]
    assert "红旗村清查.xlsx" in findings and "丢了" in findings and "2025-13-40" in findings
    assert "结果" in findings and "清查日期" in findings and "/tmp" not in findings
    assert table_counts(db) == before

    good = fill_sheet(sheet.data, {"A-1": ("盘亏", "2025-12-10"), "A-2": ("在用", "2025-12-10")})
    done = zhao.post("/inventory/1/sheets", data={"csrf_token": token, "file": (good, "红旗村清查.xlsx")},
                     content_type="multipart/form-data")  # fmt: skip
    assert done.status_code == 200 and "已记录 2 项资产的清查结果" in done.get_data(as_text=True)
    everything = zhao.get("/inventory/1/sheets/download")
    assert everything.status_code == 200 and zipfile.ZipFile(io.BytesIO(everything.data)).namelist()
    written = write_sheets(db, 1, tmp_path, "zhao", html=False)
    assert [name for _, name in sheet_names(db, 1, "zhao")] == [p.name for p in written]  # the page's names
    li, _ = login(app, "li")  # the village accountant counts nothing
    assert li.get("/inventory/1/sheets").status_code == 403


def _changed(data: bytes, cells: dict[str, dict[str, object]], total: object = None) -> io.BytesIO:
    """The downloaded sheet with the cells named (by asset id and header) written as a team would; `total`: a 合计
    row under the 资产原值 column at the bottom."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    header = [c.value for c in sheet[2]]
    for row in sheet.iter_rows(min_row=3):
        for name, value in cells.get(str(row[header.index("资产编号")].value), {}).items():
            row[header.index(name)].value = value
    if total is not None:
        sheet.append(["合计", *[None] * (header.index("资产原值（元）") - 1), total])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_a_count_sheet_upload_shows_what_differs_from_the_register(app: Flask, county: Cli, db: Database) -> None:
    """A 资产原值 or 数量 changed on the sheet is recorded with the counts and said on the page after the upload, as
    `inventory record` says it on stderr, with the 合计 row skipped and its sum that does not add up: file, row, the
    sheet's header, value and reason in the page's language; the register stands. A sheet with nothing to say shows
    no such table."""
    open_inventory_with_team(county)
    zhao, token = login(app, "zhao")
    sheet = zhao.get(f"/inventory/1/sheets/download?place={VILLAGE}").data
    rows = {str(r[3].value): r[0].row for r in load_workbook(io.BytesIO(sheet)).active.iter_rows(min_row=3)}
    counted = {RESULT_HEADER: "在用", "清查日期": "2025-12-10"}
    filled = _changed(sheet, {"A-1": counted | {"资产原值（元）": 120000}, "A-2": counted | {"数量": 1.5}}, 200000)
    done = zhao.post("/inventory/1/sheets", data={"csrf_token": token, "file": (filled, "红旗村清查.xlsx")},
                     content_type="multipart/form-data")  # fmt: skip
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "已记录 2 项资产的清查结果" in page, page
    said = page.split('id="notes-said"', 1)[1].split("</p>", 1)[0]
    assert "红旗村清查.xlsx：请核对：以下 4 条提示" in said and "台账未改动" in said
    notes = page.split('id="notes"', 1)[1].split("</table>", 1)[0]
    lines = re.findall(
        r"<tr><td>(.*?)</td><td class=\"n\">(\d+)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", notes
    )
    source = "红旗村清查.xlsx [工作表 sheet 清查表]"
    value = "清查表上的资产原值 120,000.00 元与台账 100,000.00 元不同：清查不改动台账原值，以台账为准，请核对"
    quantity = ("清查表上的数量 1.5 公里与台账 2 公里不同：清查不改动台账数量，以台账为准，请核对；"
                "实物短缺或毁损请在结果中填写盘亏或毁损")  # fmt: skip
    total = "合计行为 200,000.00 元，上方各行之和为 220,000.00 元，相差 -20,000.00 元：请核对是否漏行、多行或合计有误"
    expected = [(source, str(rows["A-1"]), "资产原值（元）", "120000.00", value),
                (source, str(rows["A-2"]), "数量", "1.5", quantity)]  # fmt: skip
    assert lines == [*sorted(expected, key=lambda line: int(line[1])),  # in the sheet's row order
                     (source, "5", "清查编号", "合计", "合计行，已跳过，不导入"),
                     (source, "5", "资产原值（元）", "200000", total)]  # fmt: skip
    assert "differs" not in page and "/tmp" not in page and "assetledger-counts" not in page
    assert "Finding(" not in page and "{" not in notes  # no repr, no raw JSON
    with db.reading() as session:
        register = {a: (v, q) for a, v, q in session.execute(select(Asset.asset_id, Asset.original_value,
                                                                    Asset.quantity))}  # fmt: skip
    assert (register["A-1"][0], register["A-2"][1]) == (Decimal("100000.00"), Decimal("2"))  # the register stands

    english = zhao.post("/inventory/1/sheets?lang=en", data={
        "csrf_token": token, "file": (_changed(sheet, {"A-2": counted | {"数量": 3}}), "红旗村清查2.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip
    notes = english.split('id="notes"', 1)[1].split("</table>", 1)[0]
    assert "the sheet&#39;s quantity, 3 公里, differs from the register&#39;s, 2 公里" in notes, notes
    assert "清查表上的数量" not in notes and "Please check the 1 note(s) below" in english
    plain = zhao.post("/inventory/1/sheets?lang=zh", data={
        "csrf_token": token, "file": (_changed(sheet, {"A-1": counted | {"状况": "良好"}}), "红旗村清查3.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip
    assert "已记录 1 项资产的清查结果" in plain and 'id="notes"' not in plain and 'id="notes-said"' not in plain


CODE = "YC-PERF"
CITY_EXAMPLE = Path(__file__).parents[2] / "ledgers" / "policy" / "awards-city-example.toml"


def test_finance_stores_the_awards_policy_once_and_sees_grades(app: Flask, county: Cli, db: Database) -> None:
    zhang, token = login(app, "zhang")
    assert 'id="no-policy"' in zhang.get("/awards?year=2025").get_data(as_text=True)
    example = zhang.get("/awards/policies?example=awards-city-example.toml").get_data(as_text=True)
    assert 'id="no-policies"' in example and "code = " in example

    before = table_counts(db)
    broken = zhang.post("/awards/policies", data={"csrf_token": token, "action": "store", "text": "code = 1\n"})
    assert broken.status_code == 422 and 'id="findings"' in broken.get_data(as_text=True)
    assert table_counts(db) == before

    text = CITY_EXAMPLE.read_text(encoding="utf-8").replace('code_prefix = "3609"', 'code_prefix = "360921"')
    stored = zhang.post("/awards/policies", data={"csrf_token": token, "action": "store", "text": text,
                                                  "note": "县级办法"})  # fmt: skip
    page = stored.get_data(as_text=True)
    assert stored.status_code == 200, page.split("<main>")[1][:3000]  # the findings, if any
    assert "第 1 版" in page and 'id="policies-in-force"' in page
    assert '<tr id="policy-YC-PERF">' in page
    same = zhang.post("/awards/policies", data={"csrf_token": token, "action": "store", "text": text})
    assert "未保存新版本" in same.get_data(as_text=True)
    changed = zhang.post("/awards/policies", data={"csrf_token": token, "action": "store",
                                                   "text": text + "\n# 2026 修订\n"})  # fmt: skip
    history = changed.get_data(as_text=True).split('id="policy-history"', 1)[1]
    assert "第 2 版" in changed.get_data(as_text=True) and history.count("<tr>") == 3  # header, v2, v1
    assert "县级办法" in history and "zhang" in history

    awards = zhang.get("/awards?year=2025").get_data(as_text=True)
    assert 'id="no-policy"' not in awards and f'id="results-{CODE}"' in awards and "awards-chart" in awards
    chart = awards.split('id="awards-chart"', 1)[1].split("</figure>", 1)[0]  # drawn inline: no image request
    assert "<svg" in chart and "<rect" in chart and "得分" in chart and "示范县" in chart
    english = zhang.get("/awards?year=2025&lang=en").get_data(as_text=True).split('id="awards-chart"', 1)[1]
    assert "Performance evaluation 2025" in english.split("</figure>", 1)[0] and "得分" not in english
    in_english = zhang.get("/awards?year=2025&lang=en").get_data(as_text=True)  # the edition in the page's words
    assert "edition 2" in in_english and "第2版" not in in_english and "第2版" in awards
    zhang.get("/awards?year=2025&lang=zh")  # back to Chinese (the language is remembered)

    wang, wang_token = login(app, "wang")  # the auditor reads the policies and their history, and changes nothing
    assert f'id="policy-{CODE}"' in wang.get("/awards/policies").get_data(as_text=True)
    before = table_counts(db)
    refused = wang.post("/awards/policies", data={"csrf_token": wang_token, "action": "withdraw",
                                                  "code": CODE})  # fmt: skip
    assert refused.status_code == 403 and table_counts(db) == before

    county("user", "add", "sun", "--role", "auditor", "--scope", "360921101", user="zhang")  # a township's auditor
    set_password(county, "sun", PASSWORD, actor="zhang")
    sun, _ = login(app, "sun")
    inherited = sun.get("/awards/policies").get_data(as_text=True)
    assert 'id="policy-inherited"' in inherited and f'<tr id="policy-{CODE}">' in inherited  # the county's policy

    gone = zhang.post("/awards/policies", data={"csrf_token": token, "action": "withdraw", "code": CODE})
    assert "已撤销" in gone.get_data(as_text=True)
    assert 'id="no-policy"' in zhang.get("/awards?year=2025").get_data(as_text=True)


def test_the_daily_pages_in_both_languages_show_words_not_keys(app: Flask, county: Cli) -> None:
    from babel.messages.pofile import read_po

    from assetledger.web.i18n import catalog_path

    with catalog_path("en").open("rb") as po:
        ids = [str(m.id) for m in read_po(po) if m.id]
    open_inventory_with_team(county)
    zhang, _ = login(app, "zhang")
    for lang, sample in (("zh", "账簿"), ("en", "Books")):
        for path in ("/books", "/inventory/1/sheets", "/awards/policies", "/awards?year=2025"):
            response = zhang.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            page = response.get_data(as_text=True)
            assert response.status_code == 200 and sample in page, path
            shown = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])
            candidates = [k for k in ids if lang == "zh" or "_" in k]  # "entries" is an English word too
            keys = [k for k in candidates if re.search(rf"(?<![\w/-]){k}(?![\w/-])", shown)]
            assert not keys, (path, lang, keys)
