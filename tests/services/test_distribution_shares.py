"""Each household's share is shown when it is decided (issue 21 items 4-5): the dry run and the distribution print
the per-purpose and per-household table, with the weight, the months counted and why a share is partial, in every
--format; the notice shows the weight and the months as two columns. On a roster as a village sends it: a title
row, 序号, GBK, dates written with slashes, a death and an exit in the year."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER

RULE = Path(__file__).parents[2] / "ledgers" / "rules" / "example-village-rule.toml"
VILLAGE = "360921101201"
DIED = "2025-08 死亡，计至当月 (died 2025-08, counted through that month)"
EXITED = "2025-10 退出，计至当月 (exited 2025-10, counted through that month)"
JOINED = "2025-05 纳入，当月起计 (joined 2025-05, counted from that month)"


def _village(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    pv = asset_row("PV-1", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司")
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, pv])))
    entries = [ENTRY_HEADER] + [[f"2025-{m:02d}-28", "PV-1", "收入", "租金", "3000", "", ""] for m in range(1, 13)]
    run("ledger", "import-entries", str(write_csv(run.cwd / "entries.csv", entries)))
    roster = [
        ["红旗村2025年度资产收益分配对象名册"],
        ["序号", "户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"],
        ["1", "H1", VILLAGE, "王一", "3", "脱贫户", "", "2024/01/01", "", ""],
        ["2", "H2", VILLAGE, "王二", "2", "监测户", "无劳动能力", "2024/01/01", "", ""],  # 1.2 × 1.5 = 1.8
        ["3", "H3", VILLAGE, "李三", "4", "脱贫户", "", "2024/01/01", "2025/08/17", "死亡"],
        ["4", "H4", VILLAGE, "赵四", "1", "其他困难户", "", "2024/01/01", "2025/10/09", "退出"],
        ["5", "H5", VILLAGE, "钱五", "2", "脱贫户", "无劳动能力", "2025/05/12", "", ""],  # 1.5, from May
    ]
    run("beneficiary", "import", str(write_csv(run.cwd / "名册.csv", roster, encoding="gbk")))
    run("distribute", "rule", "add", str(RULE))


def test_dry_run_and_distribution_show_every_share_with_months_and_why(run: Cli, db: Database) -> None:
    _village(run)
    args = ("distribute", "--village", VILLAGE, "--period", "2025")
    before = table_counts(db)
    dry = run(*args, "--dry-run").output
    assert "revenue 36,000.00, costs 0.00, distributed 36,000.00" in dry
    assert "5 households share 14,400.00" in dry and "dry run: nothing posted" in dry
    for text in ("户编号", "权重", "享受月数", "说明", "王二", "1.8", DIED, EXITED, JOINED, "农户分红", "14,400.00"):
        assert text in dry, text
    assert table_counts(db) == before

    shares = json.loads(run(*args, "--dry-run", "--format", "json").stdout)  # the state goes to stderr
    assert (shares["dry_run"], shares["distribution_id"], shares["distributed"]) == (True, None, "36000.00")
    by_id = {h["household_id"]: h for h in shares["households"]}
    assert (by_id["H1"]["weight"], by_id["H1"]["months"], by_id["H1"]["note"]) == ("1", 12, None)
    assert (by_id["H2"]["weight"], by_id["H2"]["months"]) == ("1.8", 12)
    assert (by_id["H3"]["months"], by_id["H3"]["note"]) == (8, DIED)
    assert (by_id["H4"]["weight"], by_id["H4"]["months"], by_id["H4"]["note"]) == ("0.8", 10, EXITED)
    assert (by_id["H5"]["weight"], by_id["H5"]["months"], by_id["H5"]["note"]) == ("1.5", 8, JOINED)
    # weight × months: 12 + 21.6 + 8 + 8 + 12 = 61.6 shares of 14,400.00
    assert Decimal(by_id["H2"]["amount"]) == (Decimal("14400") * Decimal("21.6") / Decimal("61.6")).quantize(
        Decimal("0.01")
    )
    assert sum(Decimal(h["amount"]) for h in shares["households"]) == Decimal("14400.00")
    assert {p["purpose"]: p["amount"] for p in shares["purposes"]}["公益岗位工资"] == "7200.00"

    lines = list(csv.DictReader(io.StringIO(run(*args, "--dry-run", "--format", "csv").stdout)))
    assert [line["户编号"] for line in lines] == ["", "", "", "", "", "", "H1", "H2", "H3", "H4", "H5"]
    assert lines[8]["说明"] == DIED and lines[8]["享受月数"] == "8"

    run(*args, "--dry-run", "--format", "xlsx", "--out", "试算.xlsx")
    book = load_workbook(run.cwd / "试算.xlsx")
    assert book.sheetnames == ["分配方案", "农户分配明细"]
    rows = list(book["农户分配明细"].iter_rows(values_only=True))
    assert rows[1] == ("户编号", "户主", "权重", "享受月数", "金额(元)", "说明")
    assert rows[4][0] == "H3" and rows[4][3] == 8 and rows[4][5] == DIED
    assert table_counts(db) == before  # a dry run in any format writes nothing

    done = run(*args, "--format", "json").stdout
    posted = json.loads(done)
    assert posted["dry_run"] is False and posted["distribution_id"] is not None
    assert posted["households"] == shares["households"]  # what the dry run showed is what was decided
    again = run(*args).output
    assert "already distributed" in again and DIED in again


def test_notice_shows_weight_and_months_apart(run: Cli) -> None:
    _village(run)
    run("distribute", "--village", VILLAGE, "--period", "2025")
    run("distribute", "notice", "--village", VILLAGE, "--period", "2025", "--out", "notices")
    page = (run.cwd / "notices" / f"公示-{VILLAGE}-2025-HQ-2025.html").read_text(encoding="utf-8")
    assert "<th>权重</th><th>享受月数</th>" in page and "<th>说明</th>" in page
    assert '<td>钱五</td><td>脱贫户</td><td class="n">2</td><td class="n">1.5</td><td class="n">8</td>' in page
    assert "2025-08 死亡，计至当月" in page and "died" not in page  # the public notice is read in Chinese
    book = load_workbook(run.cwd / "notices" / f"公示-{VILLAGE}-2025-HQ-2025.xlsx")
    rows = list(book["农户分配明细"].iter_rows(values_only=True))
    header = rows[1]
    assert header[:8] == ("户编号", "户主", "类别", "人口", "权重", "享受月数", "分配金额(元)", "说明")
    found = {r[0]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert (Decimal(str(found["H5"]["权重"])), found["H5"]["享受月数"]) == (Decimal("1.5"), 8)
    assert (Decimal(str(found["H2"]["权重"])), found["H2"]["享受月数"]) == (Decimal("1.8"), 12)
    assert found["H4"]["说明"] == "2025-10 退出，计至当月"
