"""The web app through Flask's test client on the real test database: login, CSRF, scopes, upload findings,
postings, distribution, notice, audit queries and package, language. The services do the checking; these tests
show that the pages pass their answers (and refusals) on."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Sequence
from decimal import Decimal

from flask import Flask
from openpyxl import Workbook, load_workbook

from assetledger.services.book_reports import balances
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv
from tests.web.conftest import OTHER_VILLAGE, PASSWORD, VILLAGE, csrf_of, login, set_password


def _xlsx(rows: Sequence[Sequence[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_login_needed_and_wrong_password_refused(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/dashboard").status_code == 302
    token = csrf_of(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"user": "zhang", "password": "not it at all", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    unknown = client.post("/login", data={"user": "nobody", "password": PASSWORD, "csrf_token": token})
    assert unknown.status_code == 401
    assert client.get("/dashboard").status_code == 302  # still not logged in


def test_repeated_wrong_passwords_pause_that_user_only(app: Flask) -> None:
    """After five wrong passwords for one name, even the right one is refused (429) without being checked; other
    users log in as before, and the pause ends when the window has passed."""
    from assetledger.web.throttle import FAILURES, WINDOW_MINUTES

    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for _ in range(FAILURES):
        wrong = client.post("/login", data={"user": "Zhang", "password": "guess", "csrf_token": token})
        assert wrong.status_code == 401
    right = client.post("/login", data={"user": "zhang", "password": PASSWORD, "csrf_token": token})
    page = right.get_data(as_text=True)
    assert right.status_code == 429 and "密码错误次数过多" in page and "15 分钟后可再试" in page
    assert client.get("/dashboard").status_code == 302
    login(app, "li")  # another user is not held back
    storage = app.extensions["assetledger_login_throttle"].storage
    later = time.time() + WINDOW_MINUTES * 60 + 1
    storage.clock = lambda: later  # the store's clock, a quarter of an hour on
    login(app, "zhang")


def test_password_is_stored_hashed_and_can_be_changed(app: Flask, county: Cli, db: Database) -> None:
    from sqlalchemy import select

    from assetledger.store.access_models import UserPassword

    with db.reading() as session:
        stored = session.scalars(select(UserPassword.password_hash)).all()
    assert stored and all(h.startswith("$argon2") and PASSWORD not in h for h in stored)
    refused = set_password(county, "zhang", "another long one", actor="li")  # li may not manage users
    assert refused.exit_code == 6 and "may not" in refused.output
    too_short = set_password(county, "li", "short", actor="li")
    assert too_short.exit_code == 2
    assert set_password(county, "li", "a new long password", actor="li").exit_code == 0
    login(app, "li", "a new long password")
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    old = client.post("/login", data={"user": "li", "password": PASSWORD, "csrf_token": token})
    assert old.status_code == 401


def test_post_without_csrf_token_is_refused(app: Flask, db: Database) -> None:
    client, _ = login(app, "li")
    before = table_counts(db)
    form = {"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "100", "date": "2025-05-01"}
    refused = client.post("/post", data=form)
    assert refused.status_code == 400 and "表单已过期" in refused.get_data(as_text=True)
    forged = client.post("/post", data=form | {"csrf_token": "forged"})
    assert forged.status_code == 400
    assert table_counts(db) == before
    anonymous = app.test_client().post("/login", data={"user": "zhang", "password": PASSWORD})
    assert anonymous.status_code == 400


def test_pages_follow_the_role(app: Flask) -> None:
    li, _ = login(app, "li")
    for page in ("/dashboard", "/upload", "/governance", "/awards", "/audit/"):
        response = li.get(page)
        assert response.status_code == 403, page
        assert "村会计" in response.get_data(as_text=True)
    wang, _ = login(app, "wang")
    assert wang.get("/upload").status_code == 403 and wang.get("/post").status_code == 403
    assert wang.get("/dashboard").status_code == 200


def test_out_of_scope_reads_and_writes_are_refused(app: Flask, db: Database) -> None:
    li, token = login(app, "li")
    assert li.get("/assets/A-1").status_code == 200
    other = li.get("/assets/B-1")
    assert other.status_code == 403 and "无权查看：该地区不在其范围内" in other.get_data(as_text=True)
    assert li.get(f"/assets?region={OTHER_VILLAGE}").status_code == 403
    before = table_counts(db)
    form = {"asset_id": "B-1", "direction": "revenue", "type": "rent", "amount": "100", "date": "2025-05-01",
            "csrf_token": token}  # fmt: skip
    refused = li.post("/post", data=form)
    said = refused.get_data(as_text=True)  # in Chinese, by the role's and the village's names, not their codes
    assert refused.status_code == 403 and "li（村会计，" in said and "无权操作向阳村" in said, said
    assert "may not act on" not in said and "village-accountant" not in said
    in_english = li.post("/post?lang=en", data=form).get_data(as_text=True)  # by names, not codes, in English too
    assert "li (Village accountant, scope 红旗村) may not act on 向阳村" in in_english and "无权" not in in_english
    assert OTHER_VILLAGE not in in_english and "village-accountant" not in in_english
    assert table_counts(db) == before
    wang, _ = login(app, "wang")
    assert wang.get("/dashboard?region=360922").status_code in (403, 404)


def test_dashboard_shows_totals_and_gaps(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    page = zhang.get("/dashboard?level=village").get_data(as_text=True)
    assert "红旗村" in page and "向阳村" in page
    assert "合计" in page and "300,000.00" in page  # three assets of 100,000.00
    assert "到户类未落实到户" in page


def test_asset_search_and_history(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    found = zhang.get("/assets?q=冷库").get_data(as_text=True)
    assert "B-1" in found and "A-2" not in found
    history = zhang.get("/assets/A-1").get_data(as_text=True)
    assert "登记入账" in history and "光伏电站" in history and "60,000.00" in history


def test_upload_with_errors_lists_them_and_writes_nothing(app: Flask, db: Database) -> None:
    zhang, token = login(app, "zhang")
    bad = _xlsx([ASSET_HEADER, asset_row("N-1", **{"资产原值（元）": "abc"}), asset_row("N-2", 村="无此村")])
    before = table_counts(db)
    response = zhang.post("/upload", data={"file": (bad, "台账.xlsx"), "csrf_token": token},
                          content_type="multipart/form-data")  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "台账.xlsx" in page and "abc" in page and "无此村" in page and "未写入" in page
    assert "/tmp" not in page and "assetledger-upload" not in page  # the user's file name, not ours
    assert table_counts(db) == before
    good = _xlsx([[*ASSET_HEADER, "备注"], [*asset_row("N-3"), "已验收"]])
    ok = zhang.post("/upload", data={"file": (good, "new.xlsx"), "csrf_token": token},
                    content_type="multipart/form-data")  # fmt: skip
    assert ok.status_code == 200 and "已导入 1 项资产" in ok.get_data(as_text=True)
    assert "列 备注 未使用" in ok.get_data(as_text=True)  # a column not used is said, never dropped silently
    assert zhang.get("/assets/N-3").status_code == 200


def test_reasons_of_a_refusal_are_in_the_pages_language(app: Flask) -> None:
    """The services write a reason "中文 english": a Chinese page shows the Chinese, ?lang=en the English."""
    zhang, token = login(app, "zhang")

    def upload(data: bytes, name: str, lang: str = "zh") -> str:
        response = zhang.post(f"/upload?lang={lang}", data={"file": (io.BytesIO(data), name), "csrf_token": token},
                              content_type="multipart/form-data")  # fmt: skip
        assert response.status_code == 422
        return response.get_data(as_text=True)

    rows = _xlsx([ASSET_HEADER, asset_row("N-1", 确权日期="某日"), asset_row("N-1")]).getvalue()
    page = upload(rows, "台账.xlsx")
    assert "不是日期，请按 YYYY-MM-DD 填写" in page and "与第 2 行重复" in page
    assert "not a date" not in page and "duplicate of row" not in page
    english = upload(rows, "台账.xlsx", "en")
    assert "not a date; write YYYY-MM-DD" in english and "duplicate of row 2" in english and "不是日期" not in english
    broken = upload(b"not a workbook", "台账.xlsx")
    assert "不是可读取的 .xlsx 工作簿" in broken and "EOCD" not in broken and "Zip" not in broken
    undecodable = upload(b"\xff\xff\xff,\xff\n", "台账.csv")
    assert "不是 UTF-8 或 GBK/GB18030 编码的文本" in undecodable and "not UTF-8" not in undecodable
    zhang.get("/dashboard?lang=zh")  # back to Chinese for what follows

    li, li_token = login(app, "li")
    form = {"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "0", "date": "2025-05-01",
            "csrf_token": li_token}  # fmt: skip
    zero = li.post("/post", data=form).get_data(as_text=True)
    assert "金额不能为零" in zero and "zero amount" not in zero and "ledger post" not in zero, zero
    early = li.post("/post", data=form | {"amount": "10", "date": "1900-01-01"}).get_data(as_text=True)
    assert "记账日期 1900-01-01 在此之前" in early and "opens on" not in early, early
    no_notice = li.get("/notice")
    said = no_notice.get_data(as_text=True)
    assert no_notice.status_code == 400 and "请选择村并填写期间" in said and "give a village" not in said


def test_upload_refuses_other_file_kinds(app: Flask) -> None:
    zhang, token = login(app, "zhang")
    response = zhang.post("/upload", data={"file": (io.BytesIO(b"x"), "evil.sh"), "csrf_token": token},
                          content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422 and "台账文件应为 XLSX 或 CSV" in response.get_data(as_text=True)


def _post(client: object, token: str, **form: str) -> object:
    from flask.testing import FlaskClient

    assert isinstance(client, FlaskClient)
    return client.post("/post", data=form | {"csrf_token": token})


def test_revenue_posting_distribution_and_notice(app: Flask, db: Database) -> None:
    li, token = login(app, "li")
    posted = li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "12000.00",
                                    "date": "2025-05-15", "ref": "PZ-1", "csrf_token": token})  # fmt: skip
    assert posted.status_code == 200 and "已记账" in posted.get_data(as_text=True)
    again = li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "12000.00",
                                   "date": "2025-05-15", "ref": "PZ-1", "csrf_token": token})  # fmt: skip
    assert "未重复记账" in again.get_data(as_text=True)
    income = [r for r in balances(db, f"V{VILLAGE}", actor="zhang") if r.name.startswith("Income")]
    assert sum(r.balance for r in income) == Decimal("-12000.00")
    bad = li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "1.234",
                                 "date": "2025-05-15", "csrf_token": token})  # fmt: skip
    assert bad.status_code == 422 and "1.234" in bad.get_data(as_text=True)

    before = table_counts(db)
    dry = li.post("/distribution", data={"village": VILLAGE, "period": "2025Q2", "action": "dry-run",
                                         "csrf_token": token})  # fmt: skip
    page = dry.get_data(as_text=True)
    assert "试算结果" in page and "12,000.00" in page and "4,800.00" in page  # 40% to households
    # each household's weight, months and why a share is partial, before anything is decided
    assert '<td>王二</td><td class="n">1.8</td><td class="n">3</td>' in page
    assert '<td>王三</td><td class="n">1</td><td class="n">2</td>' in page
    assert "2025-05 死亡，计至当月 (died 2025-05, counted through that month)" in page
    assert table_counts(db) == before
    done = li.post("/distribution", data={"village": VILLAGE, "period": "2025Q2", "action": "distribute",
                                          "csrf_token": token})  # fmt: skip
    assert "已分配并记账" in done.get_data(as_text=True)
    assert table_counts(db)["distributions"] == before["distributions"] + 1
    twice = li.post("/distribution", data={"village": VILLAGE, "period": "2025Q2", "action": "distribute",
                                           "csrf_token": token})  # fmt: skip
    assert "未重复记账" in twice.get_data(as_text=True)
    assert table_counts(db)["distributions"] == before["distributions"] + 1
    li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "500.00",
                           "date": "2025-06-10", "ref": "PZ-2", "csrf_token": token})  # fmt: skip
    late = li.post("/distribution", data={"village": VILLAGE, "period": "2025Q2", "action": "distribute",
                                          "csrf_token": token}).get_data(as_text=True)  # fmt: skip
    assert 'id="late-revenue"' in late and "分配后账面收益变动 500.00 元" in late and "须先冲销原分配再重新分配" in late
    assert '<td class="n" id="distributed-total">12,000.00</td>' in late  # what was shared, not the books' 12,500
    late_en = li.post("/distribution?lang=en", data={"village": VILLAGE, "period": "2025Q2", "action": "distribute",
                                                     "csrf_token": token}).get_data(as_text=True)  # fmt: skip
    assert "reverse the distribution and distribute again" in late_en
    assert table_counts(db)["distributions"] == before["distributions"] + 1
    notice = li.get(f"/notice?village={VILLAGE}&period=2025Q2").get_data(as_text=True)
    assert "资产收益分配公示" in notice and "王一" in notice and "王二" in notice
    workbook = li.get(f"/notice.xlsx?village={VILLAGE}&period=2025Q2")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    sheets = load_workbook(io.BytesIO(workbook.data)).sheetnames
    assert sheets == ["分配方案", "农户分配明细"]


def test_audit_queries_and_package(app: Flask, db: Database) -> None:
    wang, token = login(app, "wang")
    sql = wang.post("/audit/", data={"kind": "sql", "csrf_token": token,
                                     "query": "SELECT asset_id FROM v_assets ORDER BY asset_id"})  # fmt: skip
    page = sql.get_data(as_text=True)
    assert sql.status_code == 200 and "3 行" in page and "B-1" in page
    before = table_counts(db)
    write = wang.post("/audit/", data={"kind": "sql", "csrf_token": token, "query": "DELETE FROM assets"})
    assert write.status_code == 422 and "只能是一条 SELECT 查询" in write.get_data(as_text=True)
    assert table_counts(db) == before
    bql = wang.post("/audit/", data={"kind": "bql", "entity": f"V{VILLAGE}", "csrf_token": token,
                                     "query": "SELECT account, sum(position) GROUP BY account"})  # fmt: skip
    assert bql.status_code == 200 and "Assets:FixedAssets" in bql.get_data(as_text=True)
    outside = wang.post("/audit/", data={"kind": "bql", "entity": "V360922101201", "csrf_token": token,
                                         "query": "SELECT account"})  # fmt: skip
    assert outside.status_code == 403
    package = wang.get("/audit/package")
    assert package.status_code == 200 and package.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(package.data)).namelist()
    assert "audit-package/manifest.json" in names and "audit-package/registers.xlsx" in names
    fava = wang.post("/audit/fava", data={"entity": f"V{VILLAGE}", "csrf_token": token})
    assert fava.status_code == 303 and fava.headers["Location"].endswith(f"/fava/V{VILLAGE}/")  # inside the app


def test_language_switch_is_remembered(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    assert "台账汇总" in zhang.get("/dashboard").get_data(as_text=True)
    english = zhang.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Registers" in english and "Log out" in english and "台账汇总" not in english
    assert "Log out" in zhang.get("/assets").get_data(as_text=True)  # the cookie keeps it
    assert "退出" in zhang.get("/assets?lang=zh").get_data(as_text=True)


def test_governance_inventory_and_awards_pages(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    governance = zhang.get("/governance?as_of=2026-12-31")
    assert governance.status_code == 200 and "A-1" in governance.get_data(as_text=True)  # no revenue: idle
    assert zhang.get("/inventory").status_code == 200
    awards = zhang.get("/awards?year=2025")  # no policy stored yet: how to set one, and no grades
    page = awards.get_data(as_text=True)
    assert awards.status_code == 200 and 'id="no-policy"' in page and "awards-chart" not in page


def test_a_closed_inventory_shows_its_write_off_as_a_status_change(app: Flask, county: Cli) -> None:
    county("inventory", "open", "--year", "2025", "--scope", f"village:{VILLAGE}", "--date", "2025-12-01",
           user="zhang")  # fmt: skip
    counts = [["清查编号", "区划代码", "资产编号", "结果", "清查日期"], ["1", VILLAGE, "A-1", "盘亏", "2025-12-10"],
              ["1", VILLAGE, "A-2", "在用", "2025-12-10"]]  # fmt: skip
    county("inventory", "record", str(write_csv(county.cwd / "counts.csv", counts)), user="zhang")
    closed = county("inventory", "close", "1", "--approval", "县财〔2026〕5号", "--date", "2026-01-10", user="zhang")
    assert "1 → written_off (已核销)" in closed.output
    zhang, _ = login(app, "zhang")
    page = zhang.get("/inventory/1").get_data(as_text=True)
    assert "已核销 1" in page and "written_off" not in page
    listed = zhang.get("/assets?status=written_off").get_data(as_text=True)
    assert "A-1" in listed and "A-2" not in listed


def test_logout_ends_the_session(app: Flask) -> None:
    zhang, token = login(app, "zhang")
    zhang.post("/logout", data={"csrf_token": token})
    assert zhang.get("/dashboard").status_code == 302


def test_a_cached_query_follows_the_record(app: Flask) -> None:
    """BQL results are kept until the record changes: a new posting shows at once."""
    wang, audit_token = login(app, "wang")
    form = {"kind": "bql", "entity": f"V{VILLAGE}", "csrf_token": audit_token,
            "query": "SELECT sum(position) WHERE account ~ '^Income'"}  # fmt: skip
    assert "-7,654.32" not in wang.post("/audit/", data=form).get_data(as_text=True)
    li, token = login(app, "li")
    li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "7654.32",
                           "date": "2025-05-15", "csrf_token": token})  # fmt: skip
    assert "-7,654.32" in wang.post("/audit/", data=form).get_data(as_text=True)


def test_login_goes_back_only_to_this_site(app: Flask) -> None:
    for target, expected in (("/assets?q=B", "/assets?q=B"), ("//evil.example/", "/dashboard"),
                             ("/\\evil.example/", "/dashboard"), ("https://evil.example/", "/dashboard")):  # fmt: skip
        client = app.test_client()
        token = csrf_of(client.get("/login").get_data(as_text=True))
        done = client.post(f"/login?next={target}", data={"user": "zhang", "password": PASSWORD, "csrf_token": token})
        assert done.headers["Location"] == expected, target


def test_password_prompt_and_serve_help(county: Cli) -> None:
    from click.testing import CliRunner

    from assetledger.cli.main import cli

    runner = CliRunner()
    args = ["--db", county.url, "--user", "wang", "user", "password", "wang"]
    mismatch = runner.invoke(cli, args, input="first password\nsecond password\n" * 3)
    assert mismatch.exit_code != 0
    typed = runner.invoke(cli, args, input="typed twice ok\ntyped twice ok\n")
    assert typed.exit_code == 0 and "password of wang set" in typed.output
    help_text = runner.invoke(cli, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "user password" in help_text


def test_out_of_range_amounts_and_conflicting_vouchers_are_pages_never_500(app: Flask, db: Database) -> None:
    li, token = login(app, "li")
    form = {"asset_id": "A-1", "direction": "revenue", "type": "rent", "date": "2025-05-15", "csrf_token": token}
    li.post("/post", data=form | {"amount": "100.00", "ref": "PZ-9"})
    before = table_counts(db)
    for amount in ("1e400", "90000000000000000", "NaN", "Infinity", "1000000000.01"):
        page = li.post("/post", data=form | {"amount": amount})
        assert page.status_code == 422 and amount in page.get_data(as_text=True), (amount, page.status_code)
    conflict = li.post("/post", data=form | {"amount": "250.00", "ref": "PZ-9"})
    text = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "PZ-9" in text and "100.00" in text and "250.00" in text, text
    assert table_counts(db) == before
    upload = [ASSET_HEADER, asset_row("W-1", **{"资产原值（元）": 1e17, "中央衔接资金": None, "县级衔接资金": None})]
    zhang, zhang_token = login(app, "zhang")
    response = zhang.post("/upload", data={"file": (_xlsx(upload), "big.xlsx"), "csrf_token": zhang_token},
                          content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422 and "out of range" in response.get_data(as_text=True)
    assert table_counts(db) == before


def test_an_id_beyond_what_the_database_holds_is_not_found(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    assert zhang.get("/inventory/99999999999999999999").status_code == 404  # was a 500 (driver OverflowError)
