"""Deterministic generators of regions and register rows, shared by the demo and the scale benchmarks.

The register mix follows one published district (624 assets: 502 public-benefit worth 260.5 M yuan,
33 operating worth 29.8 M, 89 household-level worth 18.4 M), scaled to the requested size.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from assetledger.domain.enums import FundSource
from assetledger.domain.money import allocate

SYLLABLES = (
    "安宝北昌城大东丰福高古观河和红华黄吉江金京康乐利良林"
    "龙马梅明南宁平青清庆泉仁瑞三山上石顺太天田万文西祥新兴阳永玉元云长中竹"
)
SUFFIX_TOWNSHIP = ("镇", "乡")

# (category, unit, value range in yuan) by register, with their weights in the mix
PUBLIC_BENEFIT = (
    ("村组道路", "公里", 80_000, 1_500_000, 30),
    ("安全饮水工程", "处", 30_000, 800_000, 20),
    ("小型水利灌溉渠", "米", 20_000, 600_000, 15),
    ("桥涵", "座", 50_000, 900_000, 8),
    ("村卫生室", "间", 100_000, 400_000, 6),
    ("文化广场", "处", 60_000, 300_000, 8),
    ("太阳能路灯", "盏", 10_000, 200_000, 13),
)
OPERATING = (
    ("村级光伏电站", "千瓦", 300_000, 2_000_000, 30, "lease"),
    ("冷库", "座", 200_000, 1_500_000, 15, "lease"),
    ("蔬菜大棚", "栋", 50_000, 600_000, 25, "contract_out"),
    ("扶贫车间", "平方米", 200_000, 1_200_000, 15, "lease"),
    ("入股企业股权", "股", 500_000, 1_000_000, 15, "shares"),
)
HOUSEHOLD = (
    ("能繁母牛", "头", 8_000, 30_000, 40),
    ("湖羊", "只", 2_000, 12_000, 25),
    ("农机具", "台", 3_000, 25_000, 20),
    ("庭院种植设施", "套", 2_000, 15_000, 15),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "建国明华春兰秀英志强海军桂芳玉平德胜金凤小红永福丽娟长生文军"
OPERATORS = (
    "{v}农业专业合作社",
    "{c}绿源农业有限公司",
    "{c}冷链物流有限公司",
    "{c}新能源科技有限公司",
    "种植大户{p}",
)


@dataclass(frozen=True)
class RegionRow:
    county: str
    county_code: str
    township: str
    township_code: str
    village: str
    village_code: str


def _name(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def regions(
    seed: int,
    counties: int = 1,
    townships: int = 10,
    villages_per_township: int = 10,
    county_base: int = 360900,
) -> list[RegionRow]:
    """One row per village with its township and county (the nested layout `region import` accepts)."""
    rng = random.Random(seed)
    rows = []
    for c in range(counties):
        county_code = str(county_base + 21 + c * 2)
        county = _name(rng, 2) + "县"
        used: set[str] = set()
        for t in range(townships):
            township_code = f"{county_code}{101 + t:03d}"
            township = _unique(rng, used, 2) + rng.choice(SUFFIX_TOWNSHIP)
            village_names: set[str] = set()
            for v in range(villages_per_township):
                village_code = f"{township_code}{201 + v:03d}"
                village = _unique(rng, village_names, 2) + "村"
                rows.append(RegionRow(county, county_code, township, township_code, village, village_code))
    return rows


def _unique(rng: random.Random, used: set[str], n: int) -> str:
    while True:
        name = _name(rng, n)
        if name not in used:
            used.add(name)
            return name


def _value(rng: random.Random, low: int, high: int) -> Decimal:
    # Round to the hundred yuan as budgets are, with a few odd fen so exactness is exercised.
    base = Decimal(rng.randrange(low // 100, high // 100) * 100)
    return base + (Decimal(rng.randrange(0, 100)) / 100 if rng.random() < 0.2 else Decimal(0))


def _funding(rng: random.Random, value: Decimal, year: int) -> dict[FundSource, Decimal]:
    if rng.random() < 0.05:
        sources = [FundSource.EAST_WEST] if rng.random() < 0.5 else [FundSource.PAIRED]
    elif year < 2019:
        sources = [FundSource.INTEGRATED, FundSource.COUNTY]
    else:
        sources = [FundSource.CENTRAL, FundSource.PROVINCIAL, FundSource.COUNTY]
    weights = [Decimal(rng.randrange(10, 70)) for _ in sources]
    return dict(zip(sources, allocate(value, weights), strict=True))


FUND_COLUMNS = [s for s in FundSource if s is not FundSource.REINVESTED]


COLUMNS = (
    "资产编号",
    "资产名称",
    "资产类别",
    "资产分类",
    "县",
    "乡镇",
    "村",
    "项目名称",
    "建设年度",
    "实施单位",
    "资产原值",
    "数量",
    "单位",
    *(s.label for s in FUND_COLUMNS),
    "确权主体",
    "确权级别",
    "确权日期",
    "确权文件",
    "移交日期",
    "移交单位",
    "管护主体",
    "管护责任",
    "管护起始日期",
    "经营方式",
    "经营主体",
    "合同起始日期",
    "合同截止日期",
    "年收益",
    "户编号",
    "户主姓名",
)


def asset_rows(seed: int, places: list[RegionRow], per_village: int = 30) -> Iterator[dict[str, object]]:
    """Register rows with Chinese headers, ~80% public-benefit, ~5% operating, ~15% household-level.

    About 4% stay unconfirmed, 3% not yet handed over, 2% handed over without a custodian: the gaps a real
    register has.
    """
    rng = random.Random(seed)
    serial = 0
    for place in places:
        for _ in range(max(1, int(rng.gauss(per_village, per_village * 0.2)))):
            serial += 1
            roll = rng.random()
            register = "公益性" if roll < 0.80 else ("经营性" if roll < 0.855 else "到户类")
            row = _asset(rng, place, register, f"{place.county_code}-{serial:07d}")
            yield {k: row.get(k) for k in COLUMNS}


def _asset(rng: random.Random, place: RegionRow, register: str, asset_id: str) -> dict[str, object]:
    year = rng.randint(2014, 2025)
    mode = None
    if register == "公益性":
        category, unit, low, high, _w = rng.choices(PUBLIC_BENEFIT, weights=[c[4] for c in PUBLIC_BENEFIT])[0]
    elif register == "经营性":
        category, unit, low, high, _w, mode = rng.choices(OPERATING, weights=[c[4] for c in OPERATING])[0]
    else:
        category, unit, low, high, _w = rng.choices(HOUSEHOLD, weights=[c[4] for c in HOUSEHOLD])[0]
    value = _value(rng, low, high)
    county_level = register == "公益性" and rng.random() < 0.08
    handover = dt.date(year, rng.randint(6, 12), rng.randint(1, 28)) if year < 2025 or rng.random() < 0.5 else None
    row: dict[str, object] = {
        "资产编号": asset_id,
        "资产名称": f"{place.village}{category}",
        "资产类别": register,
        "资产分类": category,
        "县": place.county,
        "乡镇": place.township,
        "村": None if county_level else place.village,
        "项目名称": f"{year}年{place.township}{category}项目",
        "建设年度": year,
        "实施单位": f"{place.county}{'交通运输局' if category == '村组道路' else '乡村振兴局'}",
        "资产原值": value,
        "数量": rng.randint(1, 20),
        "单位": unit,
    }
    funding = _funding(rng, value, year)
    for source in FUND_COLUMNS:
        row[source.label] = funding.get(source)
    if register == "到户类":
        head = person(rng)
        row["户编号"] = f"{place.village_code}{rng.randint(1, 400):04d}"
        row["户主姓名"] = head
        row["确权主体"] = head
        row["确权级别"] = "农户"
        row["确权日期"] = handover or dt.date(year, 12, 31)
        return row
    confirmed = rng.random() > 0.04
    if confirmed:
        if county_level:
            row["确权主体"] = f"{place.county}交通运输局" if category == "村组道路" else f"{place.county}水利局"
            row["确权级别"] = "部门"
        else:
            row["确权主体"] = f"{place.village}股份经济合作社"
            row["确权级别"] = "村集体"
        row["确权日期"] = handover or dt.date(year, 12, 31)
        row["确权文件"] = f"{place.county[:2]}资确〔{year}〕{rng.randint(1, 99)}号"
    if handover and rng.random() > 0.03:
        row["移交日期"] = handover
        row["移交单位"] = row["实施单位"]
        if rng.random() > 0.02:
            row["管护主体"] = f"{place.county}交通运输局" if county_level else f"{place.village}村民委员会"
            row["管护责任"] = "日常巡查、维修养护、安全管理"
            row["管护起始日期"] = handover
    if mode:
        row["经营方式"] = {"lease": "出租", "contract_out": "发包", "shares": "入股"}[mode]
        operator = rng.choice(OPERATORS).format(v=place.village, c=place.county[:2], p=person(rng))
        row["经营主体"] = operator
        start = handover or dt.date(year, 12, 1)
        row["合同起始日期"] = start
        row["合同截止日期"] = start.replace(year=start.year + rng.choice((3, 5, 10)))
        row["年收益"] = (value * Decimal(rng.choice(("0.06", "0.07", "0.08", "0.10")))).quantize(Decimal("1"))
    return row
