"""The list pages through Flask's test client on the real test database: paging, sorting, pickers, multi-word
search and export done in SQL within the reader's scope; drill-down with breadcrumbs; bad parameters as a 400 in
the user's language; amounts and counts as an accountant reads them; and no page showing an untranslated key."""

from __future__ import annotations

import csv
import html.parser
import io
import re
from collections.abc import Sequence

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards, write_csv
from tests.web.conftest import OTHER_VILLAGE, VILLAGE, login

pytestmark = pytest.mark.both_backends  # sorting, filtering and paging are the services' queries

TOWNSHIP = "360921101"  # 东风镇
EXTRA = 55  # assets added to the county's three: 58 in all


@pytest.fixture
def many(county: Cli) -> Cli:
    """55 more assets: C-01..C-55, alternately in 红旗村 and 向阳村, values 1,000.50 × n, built 2015..2019."""
    rows: list[Sequence[object]] = [ASSET_HEADER]
    for n in range(1, EXTRA + 1):
        value = f"{1000.5 * n:.2f}"
        rows.append(
            asset_row(
                f"C-{n:02d}",
                资产名称=f"水渠{n:02d}",
                村="红旗村" if n % 2 else "向阳村",
                建设年度=str(2015 + n % 5),
                **{"资产原值（元）": value, "中央衔接资金": value, "县级衔接资金": "0.00"},
            )
        )
    county("asset", "import", str(write_csv(county.cwd / "more.csv", rows)), user="zhang")
    return county


def _ids(page: str) -> list[str]:
    table = page.split('id="assets"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/assets/([^"]+)"', table)


def _get(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    text = response.get_data(as_text=True)
    assert response.status_code == status, (url, response.status_code, text[:2000])
    return text


def test_asset_list_pages_in_sql_with_next_and_previous(app: Flask, many: Cli) -> None:
    client, _ = login(app, "zhang")
    first = _get(client, "/assets?size=20")
    assert "第 1 / 3 页" in first and "第 1–20 项，共 58 项" in first
    assert _ids(first)[:3] == ["A-1", "A-2", "B-1"] and len(_ids(first)) == 20
    assert 'id="next-page"' in first and 'id="prev-page"' not in first
    next_href = re.search(r'id="next-page" rel="next" href="([^"]+)"', first)
    assert next_href is not None and "size=20" in next_href.group(1) and "page=2" in next_href.group(1)
    last = _get(client, "/assets?size=20&page=3")
    assert "第 3 / 3 页" in last and len(_ids(last)) == 18 and 'id="next-page"' not in last
    assert set(_ids(first)).isdisjoint(_ids(last))
    beyond = _get(client, "/assets?size=20&page=99")  # past the end (the list shrank): the last page
    assert "第 3 / 3 页" in beyond


def test_asset_list_sorts_by_a_column_both_ways(app: Flask, many: Cli) -> None:
    client, _ = login(app, "zhang")
    by_value = _get(client, "/assets?sort=original_value&order=desc&size=20")
    assert _ids(by_value)[:5] == ["A-1", "A-2", "B-1", "C-55", "C-54"]  # 100,000.00 thrice (by id), then 55,027.50
    assert "55,027.50" in by_value  # 1,000.50 × 55, with separators and two decimals
    assert 'aria-sort="descending"' in by_value
    link = re.search(r'data-sort="original_value" href="([^"]+)"', by_value)
    assert link is not None and "order=asc" in link.group(1)
    ascending = _get(client, link.group(1).replace("&amp;", "&"))
    assert _ids(ascending)[0] == "C-01"


def test_pickers_offer_the_scope_by_name_and_filter(app: Flask, many: Cli) -> None:
    client, _ = login(app, "zhang")
    page = _get(client, "/assets")
    assert '<option value="360921101" >东风镇</option>' in page or ">东风镇</option>" in page
    assert ">向阳村（东风镇）</option>" in page and '<option value="2019"' in page
    other = _get(client, f"/assets?village={OTHER_VILLAGE}&size=100")
    ids = _ids(other)
    assert "B-1" in ids and "A-1" not in ids and all(i == "B-1" or int(i[2:]) % 2 == 0 for i in ids)
    year = _get(client, "/assets?year=2016&size=100")
    assert set(_ids(year)) == {f"C-{n:02d}" for n in range(1, EXTRA + 1) if n % 5 == 1}
    # the village accountant is offered only its own village, and refused another one
    accountant, _ = login(app, "li")
    own = _get(accountant, "/assets")
    assert "向阳村" not in own.split('id="asset-search"', 1)[1].split("</form>", 1)[0]
    refused = _get(accountant, f"/assets?village={OTHER_VILLAGE}", 403)
    assert "无权" in refused


def test_every_search_word_must_match(app: Flask, many: Cli) -> None:
    client, _ = login(app, "zhang")
    assert _ids(_get(client, "/assets?q=冷库 向阳")) == ["B-1"]  # a name word and a village word
    assert _ids(_get(client, "/assets?q=冷库　红旗")) == []  # an ideographic space separates too
    assert _ids(_get(client, "/assets?q=c-1 水渠")) == [f"C-{n}" for n in range(10, 20)]  # any case
    assert _ids(_get(client, "/assets?q=100%")) == []  # % is a character, not a wildcard


def test_export_is_exactly_what_the_filter_shows(app: Flask, many: Cli) -> None:
    client, _ = login(app, "zhang")
    response = client.get(f"/assets?village={OTHER_VILLAGE}&sort=original_value&order=desc&page=2&size=20&export=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["资产编号", "资产名称", "资产类别"]  # the register's own headers (domain/register_fields.py)
    ids = [r[0] for r in rows[1:]]
    assert len(ids) == 1 + EXTRA // 2 and ids[:2] == ["B-1", "C-54"] and ids[-1] == "C-02"  # all pages, in order
    assert rows[2][5] == "向阳村" and rows[2][8] == "54027.00"  # names, not codes; amounts exact
    book = client.get(f"/assets?village={OTHER_VILLAGE}&export=xlsx")
    sheet = load_workbook(io.BytesIO(book.get_data())).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "资产编号" and len(values) == 2 + EXTRA // 2


def test_export_neutralises_formulas(app: Flask, county: Cli) -> None:
    rows: list[Sequence[object]] = [ASSET_HEADER, asset_row("F-1", 资产名称="=HYPERLINK(1)", 村="向阳村")]
    result = county("asset", "import", str(write_csv(county.cwd / "f.csv", rows)), user="zhang", ok=False)
    if result.exit_code != 0:
        pytest.skip("the register refuses such a name at import")
    client, _ = login(app, "zhang")
    text = client.get("/assets?q=F-1&export=csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_drill_down_from_county_to_asset_with_breadcrumbs(app: Flask, county: Cli) -> None:
    client, _ = login(app, "zhang")
    county_page = _get(client, "/dashboard?level=county")
    link = re.search(r'class="drill" href="([^"]+)">示范县', county_page)
    assert link is not None and "level=township" in link.group(1)
    township = _get(client, link.group(1).replace("&amp;", "&"))
    assert "东风镇" in township and 'aria-current="location">示范县' in township
    link = re.search(r'class="drill" href="([^"]+)">东风镇', township)
    assert link is not None
    villages = _get(client, link.group(1).replace("&amp;", "&"))
    assert "向阳村" in villages and ">示范县</a>" in villages and 'aria-current="location">东风镇' in villages
    link = re.search(r'class="drill" href="([^"]+)">向阳村', villages)
    assert link is not None and f"village={OTHER_VILLAGE}" in link.group(1)
    assets = _get(client, link.group(1))
    assert _ids(assets) == ["B-1"] and "向阳村的资产" in assets and ">东风镇</a>" in assets


def test_a_township_at_county_level_is_named_for_the_township(app: Flask, county: Cli) -> None:
    client, _ = login(app, "zhang")
    page = _get(client, f"/dashboard?level=county&region={TOWNSHIP}")
    table = page.split('id="summary"', 1)[1]
    assert "东风镇" in table and "示范县</a>" not in table


def test_switching_language_keeps_the_filters(app: Flask, county: Cli) -> None:
    client, _ = login(app, "zhang")
    page = _get(client, f"/assets?q=冷库&village={OTHER_VILLAGE}")
    link = re.search(r'href="([^"]+)" id="lang"', page)
    assert link is not None
    english = _get(client, link.group(1).replace("&amp;", "&"))
    assert _ids(english) == ["B-1"] and "Assets of 向阳村" in english and 'value="冷库"' in english


@pytest.mark.parametrize(
    ("url", "field"),
    [("/assets?page=abc", "page"), ("/assets?size=7", "size"), ("/assets?sort=password", "sort"),
     ("/assets?year=0000", "year"), ("/awards?year=0000", "year"), ("/awards?year=20x5", "year"),
     ("/governance?as_of=2025-13-01", "as_of"), ("/dashboard?level=planet", "level")],
)  # fmt: skip
def test_bad_parameters_are_a_400_in_the_users_language(app: Flask, county: Cli, url: str, field: str) -> None:
    client, _ = login(app, "zhang")
    page = _get(client, url, 400)
    assert "400 · 请求无效" in page and "处输入有误" in page and f"<td>{field}</td>" in page
    assert 'role="alert"' in page and "Traceback" not in page
    english = _get(client, url + "&lang=en", 400)
    assert "400 · Bad request" in english and "problem(s) in the input" in english


def test_error_pages_say_what_happened(app: Flask, county: Cli) -> None:
    client, token = login(app, "zhang")
    missing = _get(client, "/no/such/page", 404)
    assert "404 · 未找到" in missing and "没有这个页面：/no/such/page" in missing and "请求无效" not in missing
    asset = _get(client, "/assets/NOPE-1", 404)
    assert "未找到资产：NOPE-1" in asset
    method = client.post("/dashboard", data={"csrf_token": token})
    assert method.status_code == 405 and "405 · 不支持该操作方式" in method.get_data(as_text=True)
    assert "Method Not Allowed" not in method.get_data(as_text=True)
    forged = client.post("/post")  # a form without its token (a POST to a page that takes none is a 405 above)
    assert forged.status_code == 400 and "表单已过期" in forged.get_data(as_text=True)
    accountant, _ = login(app, "li")
    refused = _get(accountant, "/dashboard", 403)
    assert "li（村会计）无权打开此页面：/dashboard" in refused
    scope = _get(accountant, f"/assets?village={OTHER_VILLAGE}&lang=en", 403)
    assert "li (Village accountant) may not read a region outside the scope 红旗村" in scope and "无权" not in scope
    shown = _shown(scope)  # what the reader sees (the page's links keep the address it was asked for)
    assert OTHER_VILLAGE not in shown and VILLAGE not in shown and "village-accountant" not in scope
    english = _get(accountant, "/dashboard?lang=en", 403)
    assert "li (Village accountant) may not open /dashboard" in english and "Village accountant" in english


class _Text(html.parser.HTMLParser):
    """The text a reader sees: outside script, style, textarea and pre (where queries and commands are shown)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "textarea", "pre", "code"):
            self.hidden += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea", "pre", "code"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


IDENTIFIER = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b|\{\"|\"\w+\":"  # snake_case keys, raw JSON
    r"|\b[VCSR]\d{6,12}\b"  # the code of an accounting entity (V village, C county, S city) or of a rule (R…)
    r"|[0-9a-f]{40,}"  # a checksum
    r"|\b[a-z]+(?: [a-z]+)*："  # a field's key where its Chinese label belongs ("mode：出租")
    r"|\b(?:county|township|village|region|entity):\d+"  # a scope's code ("county:360921")
)
ALLOWED = re.compile(r"\bv_[a-z_]+\b")  # the audit views the SQL help names for the auditor to query


def _shown(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return " ".join(reader.parts)


def _untranslated(page: str) -> list[str]:
    reader = _Text()
    reader.feed(page)
    text = ALLOWED.sub("", " ".join(reader.parts))
    return IDENTIFIER.findall(text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_shows_an_untranslated_key(app: Flask, many: Cli, lang: str) -> None:
    many("asset", "status", "B-1", "idle", "--date", "2025-01-01", "--reason", "停产", user="zhang")
    many("inventory", "open", "--year", "2025", "--scope", "county:360921", "--date", "2025-12-01", user="zhang")
    pages = ["/dashboard", "/dashboard?level=village", "/assets", "/assets?sort=original_value&order=desc",
             "/assets/A-1", "/assets/B-1", "/governance", "/inventory", "/inventory/1", "/households", "/entries",
             "/distributions", "/audit/", "/books",
             "/upload", "/no/such/page", "/assets?page=abc", "/awards?year=0000"]  # fmt: skip
    client, _ = login(app, "zhang")
    for url in pages:
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        found = _untranslated(response.get_data(as_text=True))
        assert not found, (url, found)


def test_the_untranslated_check_can_fail() -> None:
    assert _untranslated("<p>loss_making</p>") == ["loss_making"]
    assert _untranslated('<td>{"name": "x"}</td>')
    assert not _untranslated("<textarea>SELECT original_value_fen</textarea><p>v_assets 资产</p>")
    assert _untranslated("<td>核算主体：V360921101202</td><td>分配方案：R360921101202</td>") == [
        "V360921101202", "R360921101202"]  # fmt: skip
    assert _untranslated("<td>合同：HT-1；mode：出租；start：2024-07-01</td>") == ["mode：", "start："]
    assert _untranslated("<td>范围 丰和县 county:360921</td><td>document：" + "ab" * 32 + "</td>")
    assert not _untranslated("<td>核算主体：大万村股份经济合作社；凭证号 V-7；金额：1,000.00</td>")


def test_query_results_show_amounts_and_counts_as_an_accountant_reads_them(app: Flask, many: Cli) -> None:
    client, token = login(app, "wang")
    query = ("SELECT register, count(*) AS n, sum(original_value_fen) AS total_fen FROM v_assets GROUP BY register "
             "ORDER BY register")  # fmt: skip
    sql = client.post("/audit/", data={"kind": "sql", "csrf_token": token, "query": query})
    page = sql.get_data(as_text=True)
    assert sql.status_code == 200, page
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page.split('id="result"', 1)[1])
    # operating: A-1 and B-1; public benefit: A-2 and C-01..C-55 (1,000.50 × 1..55 = 1,540,770.00)
    assert cells == ["operating", "2", "200,000.00", "public_benefit", "56", "1,640,770.00"]
    assert "total_fen（元）" in page
    bql_query = "SELECT account, sum(position) WHERE account ~ '^Assets' GROUP BY account"
    bql = client.post("/audit/", data={"kind": "bql", "entity": "V360921101201", "csrf_token": token,
                                       "query": bql_query})  # fmt: skip
    shown = bql.get_data(as_text=True)
    assert bql.status_code == 200 and '<td class="n">55,027.50' in shown and '<td class="n">100,000.00' in shown


def test_households_are_paged_filtered_sorted_and_exported_in_scope(app: Flask, county: Cli) -> None:
    client, _ = login(app, "zhang")

    def ids(page: str) -> list[str]:
        body = page.split('id="households"', 1)[1].split("</tbody>", 1)[0]
        return re.findall(r"<tr><td>(H\d+)</td>", body)

    assert ids(_get(client, "/households")) == ["H1", "H2", "H3"]
    assert ids(_get(client, "/households?state=current")) == ["H1", "H2"]
    assert ids(_get(client, "/households?q=王二 红旗")) == ["H2"]
    assert ids(_get(client, "/households?sort=persons&order=desc")) == ["H1", "H2", "H3"]
    assert ids(_get(client, "/households?category=monitored")) == ["H2"]
    assert ids(_get(client, f"/households?village={OTHER_VILLAGE}")) == []
    assert "第 1–2 项，共 2 项" in _get(client, "/households?state=current")
    _get(client, "/households?state=gone", 400)
    response = client.get("/households?state=left&export=csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["户编号", "村", "户主"] and [r[0] for r in rows[1:]] == ["H3"] and rows[1][1] == "红旗村"
    accountant, _ = login(app, "li")
    assert ids(_get(accountant, "/households")) == ["H1", "H2", "H3"]
    _get(accountant, f"/households?village={OTHER_VILLAGE}", 403)


def test_distributions_are_listed_filtered_and_exported(app: Flask, county: Cli) -> None:
    li, token = login(app, "li")
    for quarter, day in (("2025Q2", "2025-05-15"), ("2025Q3", "2025-08-15")):
        li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "12000.00",
                               "date": day, "ref": f"PZ-{quarter}", "csrf_token": token})  # fmt: skip
        done = li.post("/distribution", data={"village": "360921101201", "period": quarter, "action": "distribute",
                                              "csrf_token": token})  # fmt: skip
        assert "已分配并记账" in done.get_data(as_text=True)
    client, _ = login(app, "zhang")
    page = _get(client, "/distributions")
    body = page.split('id="distributions"', 1)[1]
    assert body.index("2025Q3") < body.index("2025Q2")  # latest first
    assert "12,000.00" in body and "红旗村" in body and "第 1–2 项，共 2 项" in page
    assert "2025Q2" not in _get(client, "/distributions?q=Q3").split('id="distributions"', 1)[1]
    assert "共 2 项" in _get(client, "/distributions?year=2025&state=standing")
    assert "没有符合条件的记录" in _get(client, f"/distributions?village={OTHER_VILLAGE}")
    ascending = _get(client, "/distributions?sort=period&order=asc").split('id="distributions"', 1)[1]
    assert ascending.index("2025Q2") < ascending.index("2025Q3")
    rows = list(
        csv.reader(io.StringIO(client.get("/distributions?export=csv").get_data(as_text=True).lstrip("\ufeff")))
    )
    assert rows[0][:3] == ["分配编号", "村", "期间"] and [r[2] for r in rows[1:]] == ["2025Q3", "2025Q2"]
    assert rows[1][5] == "12000.00"
    # the rule by its village's name and edition, never its code; the same in the asset's history
    assert "红旗村收益分配方案（第1版）" in body and rows[1][4] == "红旗村收益分配方案（第1版）"
    story = _get(client, "/assets/A-1")
    assert "分配方案：红旗村收益分配方案（第1版）" in story and not _untranslated(story)
    assert "红旗村 distribution rule, edition 1" in _get(client, "/distributions?lang=en")
    _get(li, f"/distributions?village={OTHER_VILLAGE}", 403)


def test_entries_are_listed_filtered_sorted_and_exported_in_scope(app: Flask, county: Cli) -> None:
    li, token = login(app, "li")
    li.post("/post", data={"asset_id": "A-1", "direction": "revenue", "type": "rent", "amount": "12000.00",
                           "date": "2025-05-15", "ref": "PZ-7", "csrf_token": token})  # fmt: skip
    client, _ = login(app, "zhang")

    def kinds(page: str) -> list[str]:
        body = page.split('id="entries"', 1)[1].split("</tbody>", 1)[0]
        return re.findall(r'<td class="n">\d+</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>', body)

    everything = _get(client, "/entries")
    assert "共 4 项" in everything and kinds(everything) == ["收入", "资产入账", "资产入账", "资产入账"]  # latest first
    revenue = _get(client, "/entries?kind=revenue")
    assert kinds(revenue) == ["收入"] and "12,000.00" in revenue and "PZ-7" in revenue
    assert kinds(_get(client, "/entries?q=PZ-7 红旗")) == ["收入"]
    assert "共 1 项" in _get(client, f"/entries?village={OTHER_VILLAGE}")
    assert kinds(_get(client, "/entries?sort=amount&order=asc"))[0] == "收入"  # 12,000.00 below 100,000.00
    _get(client, "/entries?kind=bribe", 400)
    rows = list(csv.reader(io.StringIO(client.get("/entries?kind=revenue&export=csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))  # fmt: skip
    assert rows[0][:2] == ["分录号", "日期"] and len(rows) == 2 and rows[1][3] == "收入" and rows[1][7] == "12000.00"
    assert "共 3 项" in _get(li, "/entries")  # its village's two assets and the revenue
    _get(li, f"/entries?village={OTHER_VILLAGE}", 403)


def test_an_unexpected_failure_is_a_500_page_in_the_users_language(app: Flask, county: Cli) -> None:
    def boom() -> str:
        raise RuntimeError("secret detail of the failure")

    app.add_url_rule("/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as served: the error handler answers, the test client does not raise
    client, _ = login(app, "zhang")
    page = _get(client, "/boom", 500)
    assert "500 · 服务器内部错误" in page and "未做任何修改" in page and 'role="alert"' in page
    assert "secret detail" not in page and "Internal Server Error" not in page
    assert "500 · Internal server error" in _get(client, "/boom?lang=en", 500)


def test_governance_findings_are_filtered_sorted_and_exported_in_words(app: Flask, county: Cli) -> None:
    county("asset", "status", "A-2", "idle", "--date", "2025-01-01", "--reason", "停用", user="zhang")
    client, _ = login(app, "zhang")

    def ids(page: str) -> list[str]:
        body = page.split('id="governance"', 1)[1].split("</tbody>", 1)[0]
        return re.findall(r'<tr><td><a href="/assets/([^"]+)"', body)

    page = _get(client, "/governance?as_of=2026-10-31")
    assert set(ids(page)) == {"A-1", "A-2", "B-1"} and "登记为闲置" in page and "长期无收益" in page
    assert "marked_idle" not in page and "no_revenue" not in page
    assert ids(_get(client, "/governance?as_of=2026-10-31&finding=idle&q=村组")) == ["A-2"]
    assert ids(_get(client, f"/governance?as_of=2026-10-31&village={OTHER_VILLAGE}")) == ["B-1"]
    assert ids(_get(client, "/governance?as_of=2026-10-31&sort=asset_id&order=desc")) == ["B-1", "A-2", "A-1"]
    assert ids(_get(client, "/governance?as_of=2026-10-31&size=20&page=2")) == ["A-1", "A-2", "B-1"]  # the last
    exported = client.get("/governance?as_of=2026-10-31&sort=asset_id&export=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert (
        [r[0] for r in rows[1:]] == ["A-1", "A-2", "B-1"] and rows[2][5] == "登记为闲置" and rows[1][5] == "长期无收益"
    )


def test_governance_decisions_in_words_and_a_stray_stored_text_as_it_is(app: Flask, county: Cli, db: Database) -> None:
    """The latest decision of each listed asset in the page's words (处置, dispose); a decision text written around
    the product that is no decision reads back as that text (store/types.EnumText): the page and its export show it
    as it is instead of failing."""
    for asset_id in ("A-1", "B-1"):
        county("asset", "decide-dispose", asset_id, "--date", "2026-01-05", user="zhang")
    drop_append_only_guards(db, "governance_decisions")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE governance_decisions SET decision = 'abandon' WHERE asset_id = 'B-1'")
    client, _ = login(app, "zhang")

    def decisions(page: str) -> dict[str, str]:
        body = page.split('id="governance"', 1)[1].split("</tbody>", 1)[0]
        return dict(re.findall(r'<tr><td><a href="/assets/([^"]+)".*?<td>([^<]*)</td></tr>', body))

    assert decisions(_get(client, "/governance?as_of=2026-10-31")) == {"A-1": "处置", "B-1": "abandon"}
    exported = client.get("/governance?as_of=2026-10-31&sort=asset_id&export=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [(r[0], r[-1]) for r in rows[1:]] == [("A-1", "处置"), ("B-1", "abandon")]
    assert decisions(_get(client, "/governance?as_of=2026-10-31&lang=en")) == {"A-1": "dispose", "B-1": "abandon"}
