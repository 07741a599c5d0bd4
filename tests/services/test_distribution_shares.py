"""Each household's share is decided with the weight, the months counted and why a share is partial (issue 21 items
4-5): the dry run and the distribution give the per-purpose and per-household split, and the notice shows the weight
and the months as two columns. On a roster as a village sends it: a title row, 序号, GBK, dates written with
slashes, a death and an exit in the year. What `distribute` prints of it in every --format is tested in
tests/cli/test_distribution_commands.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from assetledger.reports.notice import write_notice
from assetledger.services import distribution
from assetledger.services.beneficiaries import import_roster
from assetledger.services.distribution_reports import notice_data
from assetledger.store.db import Database
from tests.builders import ACTOR, assets, regions
from tests.builders.distribution import ENTRY_HEADER, distribute, entries, rule
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv

VILLAGE = "360921101201"
DIED = "2025-08 死亡，计至当月 (died 2025-08, counted through that month)"
EXITED = "2025-10 退出，计至当月 (exited 2025-10, counted through that month)"
JOINED = "2025-05 纳入，当月起计 (joined 2025-05, counted from that month)"
ROSTER = [
    ["红旗村2025年度资产收益分配对象名册"],
    ["序号", "户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"],
    ["1", "H1", VILLAGE, "王一", "3", "脱贫户", "", "2024/01/01", "", ""],
    ["2", "H2", VILLAGE, "王二", "2", "监测户", "无劳动能力", "2024/01/01", "", ""],  # 1.2 × 1.5 = 1.8
    ["3", "H3", VILLAGE, "李三", "4", "脱贫户", "", "2024/01/01", "2025/08/17", "死亡"],
    ["4", "H4", VILLAGE, "赵四", "1", "其他困难户", "", "2024/01/01", "2025/10/09", "退出"],
    ["5", "H5", VILLAGE, "钱五", "2", "脱贫户", "无劳动能力", "2025/05/12", "", ""],  # 1.5, from May
]


def village(db: Database, folder: Path) -> None:
    """红旗村 with PV-1's rent of 3,000 a month in 2025, the five households of ROSTER (read from the GBK file a
    village sends) and the example rule."""
    regions(db)
    pv = asset_row("PV-1", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司")
    assets(db, [ASSET_HEADER, pv])
    entries(db, [ENTRY_HEADER] + [[f"2025-{m:02d}-28", "PV-1", "收入", "租金", "3000", "", ""] for m in range(1, 13)])
    joined = import_roster(db, write_csv(folder / "名册.csv", ROSTER, encoding="gbk"), ACTOR)
    assert (joined.joined, joined.left) == (5, 2), joined
    rule(db)


def test_dry_run_and_distribution_give_every_share_with_months_and_why(db: Database, tmp_path: Path) -> None:
    village(db, tmp_path)
    before = table_counts(db)
    dry = distribution.distribute(db, VILLAGE, "2025", ACTOR, dry_run=True)
    assert (dry.revenue, dry.costs, dry.split.total) == (Decimal("36000.00"), Decimal("0.00"), Decimal("36000.00"))
    assert dry.dry_run and dry.distribution_id is None
    assert sum(s.amount for s in dry.split.households) == Decimal("14400.00")
    by_id = {s.household_id: s for s in dry.split.households}
    assert list(by_id) == ["H1", "H2", "H3", "H4", "H5"]
    assert (by_id["H1"].household_weight, by_id["H1"].months, by_id["H1"].note) == (Decimal(1), 12, None)
    assert (by_id["H2"].household_weight, by_id["H2"].months, by_id["H2"].head) == (Decimal("1.8"), 12, "王二")
    assert (by_id["H3"].months, by_id["H3"].note) == (8, DIED)
    assert (by_id["H4"].household_weight, by_id["H4"].months, by_id["H4"].note) == (Decimal("0.8"), 10, EXITED)
    assert (by_id["H5"].household_weight, by_id["H5"].months, by_id["H5"].note) == (Decimal("1.5"), 8, JOINED)
    # weight × months: 12 + 21.6 + 8 + 8 + 12 = 61.6 shares of 14,400.00
    assert by_id["H2"].amount == (Decimal("14400") * Decimal("21.6") / Decimal("61.6")).quantize(Decimal("0.01"))
    purposes = dict(dry.split.by_purpose)
    assert purposes["household_shares"] == Decimal("14400.00")
    assert purposes["public_welfare_jobs"] == Decimal("7200.00")  # 公益岗位工资
    assert table_counts(db) == before  # a dry run writes nothing

    done = distribution.distribute(db, VILLAGE, "2025", ACTOR)
    assert not done.dry_run and done.distribution_id is not None
    assert done.split == dry.split  # what the dry run showed is what was decided
    again = distribution.distribute(db, VILLAGE, "2025", ACTOR)
    assert again.already_done and again.split.households == dry.split.households  # notes and all, as recorded


def test_notice_shows_weight_and_months_apart(db: Database, tmp_path: Path) -> None:
    village(db, tmp_path)
    distribute(db, VILLAGE, "2025")
    [data] = notice_data(db, VILLAGE, "2025", ACTOR)
    html_path, xlsx_path = write_notice(data, tmp_path / "notices")
    assert html_path.name == f"公示-{VILLAGE}-2025-HQ-2025.html"
    page = html_path.read_text(encoding="utf-8")
    assert "<th>权重</th><th>享受月数</th>" in page and "<th>说明</th>" in page
    assert '<td>钱五</td><td>脱贫户</td><td class="n">2</td><td class="n">1.5</td><td class="n">8</td>' in page
    assert "2025-08 死亡，计至当月" in page and "died" not in page  # the public notice is read in Chinese
    book = load_workbook(xlsx_path)
    rows = list(book["农户分配明细"].iter_rows(values_only=True))
    header = rows[1]
    assert header[:8] == ("户编号", "户主", "类别", "人口", "权重", "享受月数", "分配金额(元)", "说明")
    found = {r[0]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert (Decimal(str(found["H5"]["权重"])), found["H5"]["享受月数"]) == (Decimal("1.5"), 8)
    assert (Decimal(str(found["H2"]["权重"])), found["H2"]["享受月数"]) == (Decimal("1.8"), 12)
    assert found["H4"]["说明"] == "2025-10 退出，计至当月"
