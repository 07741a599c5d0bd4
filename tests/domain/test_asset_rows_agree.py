"""The importer's two readers agree (issue 20): the fast path (`_FastRows`) and the careful one (`_draft`).

A row the fast path reads must be read to the same draft, without findings, by the careful reader; and a row the
careful reader finds clean is left to it only for text on several lines (the fast path keeps the importer fast).
Hypothesis draws rows from the values real registers hold, good and bad, in every column the readers know."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from assetledger.domain.enums import RegionLevel
from assetledger.domain.regions import RegionIndex, RegionNode
from assetledger.domain.text import TextRule
from assetledger.io.asset_rows import INDEX, CellRow, _draft, _FastRows
from assetledger.io.headers import map_header

REGIONS = RegionIndex(
    [
        RegionNode("360102", "东湖区", RegionLevel.COUNTY, None),
        RegionNode("360102101", "扬子洲镇", RegionLevel.TOWNSHIP, "360102"),
        RegionNode("360102101001", "下沙村", RegionLevel.VILLAGE, "360102101"),
        RegionNode("360102102", "新洲乡", RegionLevel.TOWNSHIP, "360102"),
    ]
)
RULES = {"name": TextRule(12), "owner_name": TextRule(20), "custodian_duties": TextRule(30, lines=True)}
EMPTY = [None, "", " "]
GOOD_DATES = ["2021-12-01", "2021/6/30", "2021年3月1日", dt.date(2022, 1, 5), dt.datetime(2023, 2, 1), "—"]
BAD_DATES = ["2021-02-30", "明年"]
# header -> (values a register holds, values it should not)
COLUMNS: dict[str, tuple[list[object], list[object]]] = {
    "资产编号": (["A-1", " A-3 "], ["A\x1b4"]),
    "资产名称": (["村组道路", "光伏电站", "能繁母牛"], ["名" * 13, "两\n行"]),
    "资产类别": (["公益性", "公益类", "经营性", "经营类", "到户类", "到户", "household"], ["公益"]),
    "县": (["东湖区", "360102"], ["西湖区"]),
    "乡镇": (["扬子洲镇", "扬子洲镇", "新洲乡"], ["无此镇"]),
    "村": (["下沙村"], ["塘头村"]),
    "建设年度": (["2021", 2019, "2021年", "——"], ["1800", "廿一"]),
    "资金来源": (["财政专项扶贫资金", "衔接资金", "以工代赈", "社会帮扶", "村集体自筹"], ["扶贫款"]),
    "资产原值": (
        ["100000.00", 2500.5, "1,234.56", "60000", 300.29999999999995],
        ["0", "-5", "100.005", "十万", "—", 300.305],
    ),
    "中央衔接资金": (["60000", 2500.5, "—", " - ", 59.970000000000006], ["1.00", 59.975]),
    "确权层级": (["村", "镇", "区", "县级", "户"], ["部门", "企业", "省"]),
    "确权主体": (["下沙村股份经济合作社", "县农业农村局"], ["主" * 21]),
    "确权日期": (GOOD_DATES, BAD_DATES),
    "移交日期": (GOOD_DATES, BAD_DATES),
    "取得日期": (GOOD_DATES, BAD_DATES),
    "管护主体": (["下沙村村民委员会", "张三"], []),
    "管护责任": (["巡查\n维修"], ["责" * 31]),
    "经营方式": (["出租", "承包经营"], ["放养"]),
    "户编号": (["H001"], ["H\x00"]),
    "户主姓名": (["王建国"], []),
    "受益户数": (["12", 12.0, "30户", "－"], ["十二", -1]),
    "资产状态": (["在用", "正常使用", "闲置"], ["已处置", "报废了"]),
}
REQUIRED = ["资产编号", "资产名称", "资产类别", "资产原值"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[object]]:
    optional = sorted(set(COLUMNS) - set(REQUIRED))
    headers = REQUIRED + draw(st.lists(st.sampled_from(optional), unique=True, max_size=12))
    if draw(st.booleans()):  # the shape districts publish: the place by names, confirmed by 确权层级 alone
        headers += [h for h in ("乡镇", "村", "确权层级", "建设年度") if h not in headers]
    cells = []
    for h in headers:
        good, bad = COLUMNS[h]
        roll = draw(st.integers(0, 39))
        pool = bad if roll == 0 and bad else EMPTY if roll == 1 else good
        cells.append(draw(st.sampled_from(pool)))
    return headers, cells


@settings(max_examples=800, deadline=None)
@given(tables())
def test_fast_and_careful_readers_agree(table: tuple[list[str], list[object]]) -> None:
    headers, cells = table
    columns = {c.field: c for c in map_header(headers, INDEX)}
    rules = {f: r for f, r in RULES.items() if f in _FastRows.TEXT_FIELDS}
    fast = _FastRows(len(headers), columns, REGIONS, rules).draft(list(cells))
    row = CellRow("t.csv", 2, list(cells), columns)
    careful = _draft(row, REGIONS, rules)
    if fast is not None:  # what the fast path reads, the careful reader reads the same, and finds nothing wrong
        assert (fast, row.findings) == (careful, []), (fast, careful, row.findings)
    elif careful is not None and not row.findings:  # declined a clean row: only for text on several lines, which
        assert any(isinstance(c, str) and "\n" in c for c in cells)  # the careful reader checks per field
