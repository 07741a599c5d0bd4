"""The awards page as a city's finance bureau uses it (issue 21 items 1-3): the year's evaluations, the province's
results uploaded where a policy takes them, side by side with the total, posted from the city's books once; an
auditor computes but cannot post, a county's bureau cannot read the city's other counties."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

from assetledger.services.book_reports import balances
from assetledger.store.db import Database
from assetledger.web import create_app
from assetledger.web.awards import EXAMPLES
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv
from tests.services.test_awards import _setup, fund_city
from tests.web.conftest import PASSWORD, login, set_password

REGIONS = [
    ["区划代码", "名称", "级别", "上级代码"],
    ["360900", "宜春市", "市", ""],
    ["360921", "示范县", "县", "360900"],
    ["360922", "东山县", "县", "360900"],
    ["360921101", "东风镇", "乡镇", "360921"],
    ["360922101", "东山镇", "乡镇", "360922"],
]
POLICIES = Path(__file__).parents[2] / "ledgers" / "policy"  # given to `serve --awards-policy`, as a city would
FUND = "序号,区划代码,单位名称,评价等次\n1,360921,示范县,良好\n2,360922,东山县,优秀\n"
CONSOL = "序号,区划代码,单位名称,等次,名次,得分,备注\n1,360922,东山县,优秀,1,95.5,\n2,360921,示范县,优秀,2,93,整改\n"


@pytest.fixture
def city(run: Cli, db: Database) -> Flask:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("user", "add", "chen", "--role", "finance", "--scope", "360900")  # 宜春市财政局
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921", user="chen")  # 示范县财政局
    run("user", "add", "wang", "--role", "auditor", "--scope", "360900", user="chen")
    for name in ("chen", "zhang", "wang"):
        set_password(run, name, PASSWORD, actor="chen")
    fund_city(run, "5000000.00", user="chen")
    web = create_app(db, secret_key=b"t" * 32, awards_policies=[str(POLICIES / name) for name in EXAMPLES])
    web.config["TESTING"] = True
    return web


def _files() -> dict[str, object]:
    return {"results-1": (io.BytesIO(FUND.encode("gbk")), "资金绩效评价结果.csv"),
            "results-2": (io.BytesIO(CONSOL.encode("utf-8")), "巩固衔接考核结果.csv")}  # fmt: skip


def test_city_uploads_the_provinces_results_and_pays_once(city: Flask, db: Database) -> None:
    chen, token = login(city, "chen")
    page = chen.get("/awards?year=2025").get_data(as_text=True)
    assert 'id="waiting-YC-FUND"' in page and 'id="waiting-YC-CONSOL"' in page  # upload the results first
    shown = chen.post("/awards", data={"csrf_token": token, "year": "2025", "action": "compute", **_files()},
                      content_type="multipart/form-data")  # fmt: skip
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="results-YC-CONSOL"' in page and 'id="awards-summary"' in page
    assert "列 备注 未使用" in page and "is not used" not in page  # reported, not dropped silently; in Chinese
    assert "名次奖励 第1名 2,000,000.00" in page
    # the columns that mean something for each evaluation, as the CLI shows them (services/awards.result_columns)
    for code, given in (("YC-FUND", ["给定等次"]), ("YC-CONSOL", ["给定等次", "给定名次", "给定得分"])):
        table = page.split(f'id="results-{code}"', 1)[1].split("</table>", 1)[0]
        head, body = table.split("</thead>", 1)
        assert re.findall(r"<th>([^<]*)</th>", head)[2:-2] == given  # no score computed here: no 得分, no 等次
        assert {row.count("<td") for row in body.split("</tr>")[:-1]} == {len(given) + 4}  # every row as the head
    chart = page.split('id="awards-chart"', 1)[1].split("</figure>", 1)[0]  # inline SVG, one series a policy
    assert "2025年度绩效奖励" in chart and "巩固衔接资金绩效评价奖励" in chart and "巩固衔接考核前三名奖励" in chart
    assert "YC-FUND" not in chart and chart.count("<rect") >= 2  # series named by the policy, not its code
    summary = page.split('id="awards-summary"', 1)[1].split("</table>", 1)[0]
    assert "A 300,000.00" in summary and "A 第1名 2,000,000.00" in summary and "2,300,000.00" in summary
    kept = dict(re.findall(r'name="(kept-(?:name-)?\d)" value="([^"]*)"', page))
    assert set(kept) == {"kept-1", "kept-name-1", "kept-2", "kept-name-2"}
    form = {"csrf_token": token, "year": "2025", "action": "post", "payer": "S360900", "date": "2026-03-01",
            "post-1": "1", "post-2": "1", **kept}  # fmt: skip

    wang, wang_token = login(city, "wang")  # the auditor sees the same, and posts nothing
    before = table_counts(db)
    refused = wang.post("/awards", data=form | {"csrf_token": wang_token}, content_type="multipart/form-data")
    assert refused.status_code == 403 and table_counts(db) == before

    posted = chen.post("/awards", data=form, content_type="multipart/form-data")
    page = posted.get_data(as_text=True)
    assert posted.status_code == 200 and "巩固衔接资金绩效评价奖励: 已入账 1 笔奖励 300,000.00 (S360900)" in page
    assert "巩固衔接考核前三名奖励: 已入账 2 笔奖励 3,500,000.00 (S360900)" in page
    city_books = {r.name: r.balance for r in balances(db, "S360900", actor="chen")}
    assert city_books["Expenses:Other:PerformanceAward"] == Decimal("3800000.00")
    after = table_counts(db)
    again = chen.post("/awards", data=form, content_type="multipart/form-data").get_data(as_text=True)
    assert "已入账过 2 笔奖励，未重复入账" in again and table_counts(db) == after


def test_bad_results_and_a_county_reading_its_city(city: Flask, db: Database) -> None:
    chen, token = login(city, "chen")
    wrong = chen.post("/awards", data={"csrf_token": token, "year": "2025", "action": "compute",
                                       "results-2": (io.BytesIO(b"x"), "results.sh")},
                      content_type="multipart/form-data")  # fmt: skip
    assert wrong.status_code == 422 and "XLSX or CSV" in wrong.get_data(as_text=True)
    bad = "区划代码,等次,名次\n360922,很好,第一\n"
    refused = chen.post("/awards", data={"csrf_token": token, "year": "2025", "action": "compute",
                                         "results-2": (io.BytesIO(bad.encode()), "省考核.csv")},
                        content_type="multipart/form-data")  # fmt: skip
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "省考核.csv" in page and "很好" in page and "/tmp" not in page
    zhang, _ = login(city, "zhang")
    assert zhang.get("/awards?year=2025").status_code == 403  # 东山县 is not within 示范县's scope


@pytest.fixture
def scored(run: Cli, db: Database) -> Flask:
    """A city whose counties have assets and books, so that its own scoring grades and awards them."""
    _setup(run)  # funds the city's books with 10,000,000.00
    run("user", "add", "chen", "--role", "finance", "--scope", "360900")
    set_password(run, "chen", PASSWORD, actor="chen")
    own = run.cwd / "own.toml"  # the city's own scoring, graded leniently: its 1st place is 示范县
    own.write_text((POLICIES / EXAMPLES[0]).read_text(encoding="utf-8").replace("A = 90 ", "A = 84 "), "utf-8")
    policies = [str(own), *(str(POLICIES / name) for name in EXAMPLES[1:])]
    web = create_app(db, secret_key=b"t" * 32, awards_policies=policies)
    web.config["TESTING"] = True
    return web


def test_the_citys_own_scoring_is_not_offered_where_the_province_decides(scored: Flask, db: Database) -> None:
    """The page ticks the province's evaluations for posting, not the city's own scoring of the same kinds; ticked
    by hand, the service refuses it (丰和县 once got the city's 1st place on top of the province's 2nd)."""
    chen, token = login(scored, "chen")
    page = chen.post("/awards", data={"csrf_token": token, "year": "2025", "action": "compute", **_files()},
                     content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip
    boxes = dict(re.findall(r'<input type="checkbox" name="post-\d" id="post-([\w-]+)" value="1"( checked)?>', page))
    assert boxes == {"YC-PERF": "", "YC-FUND": " checked", "YC-CONSOL": " checked"}
    own = page.split('id="results-YC-PERF"', 1)[1].split("</thead>", 1)[0]
    assert re.findall(r"<th>([^<]*)</th>", own)[2:-2] == ["得分", "等次"]  # its own score and grade, nothing given
    kept = dict(re.findall(r'name="(kept-(?:name-)?\d)" value="([^"]*)"', page))
    form = {"csrf_token": token, "year": "2025", "action": "post", "payer": "S360900", "date": "2026-03-01", **kept}
    before = table_counts(db)
    refused = chen.post("/awards", data=form | {"post-0": "1", "post-2": "1"}, content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "是本市自行评分的名次奖励，不能入账" in text and table_counts(db) == before
    posted = chen.post("/awards", data=form | {"post-1": "1", "post-2": "1"}, content_type="multipart/form-data")
    assert posted.status_code == 200 and "已入账 2 笔奖励 3,500,000.00" in posted.get_data(as_text=True)
    after = table_counts(db)
    alone = chen.post("/awards", data=form | {"post-0": "1"}, content_type="multipart/form-data")
    assert alone.status_code == 409 and "是本市自行评分的等次奖励，不能入账" in alone.get_data(as_text=True)
    assert table_counts(db) == after
