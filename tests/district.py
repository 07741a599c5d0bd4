"""A district's register (台账) in the shape districts publish it, with the words they use: a generator for tests.

Columns 资产编号, 资产名称, 资产类别, 县, 乡镇, 村, 项目名称, 建设年度, 资金来源, 资产原值, 确权层级 (plus a note column
the importer does not use). The district (区) is county level; its assets are confirmed to 区 / 镇 / 村 / 户, and
household-level (到户类) rows come without their households, as published.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

DISTRICT = "东湖区"
DISTRICT_CODE = "360102"
TOWNSHIPS = [("彭家桥街道", "360102001"), ("扬子洲镇", "360102101"), ("新洲乡", "360102201")]
VILLAGES = [("南昌社区", "001"), ("下沙村", "002"), ("塘头村", "003"), ("河埂嘎查", "004")]
HEADER = ["资产编号", "资产名称", "资产类别", "县", "乡镇", "村", "项目名称", "建设年度", "资金来源", "资产原值",
          "确权层级", "备注"]  # fmt: skip
FUNDS = [
    "财政专项扶贫资金", "中央财政衔接推进乡村振兴补助资金", "省级财政衔接推进乡村振兴补助资金", "衔接资金",
    "统筹整合财政涉农资金", "以工代赈", "东西部协作资金", "定点帮扶资金", "社会帮扶", "捐赠", "地方政府专项债券",
    "村集体自筹", "农户自筹",
]  # fmt: skip
# (register as written, level as written, where it sits: "county" / "township" / "village")
SHAPES = [
    ("公益性", "村", "village"), ("公益类", "村", "village"), ("公益性", "镇", "township"),
    ("公益性", "区", "county"), ("经营性", "村", "village"), ("经营类", "镇", "township"),
    ("经营性", "区", "county"), ("到户类", "户", "village"), ("到户", "户", "village"),
]  # fmt: skip
LEVEL = {"区": "county", "镇": "township", "村": "village", "户": "household"}


@dataclass
class District:
    regions: list[list[object]]
    rows: list[list[object]]  # header first
    count: Counter[str] = field(default_factory=Counter)  # by owner level (county/township/village/household)
    value: dict[str, Decimal] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # asset id -> the standard owner expected


def district_register(assets: int = 624, seed: int = 20, *, numbers: bool = False) -> District:
    """`assets` rows; with `numbers` the values and years are numbers (as an XLSX holds them), else text."""
    rng = random.Random(seed)
    regions: list[list[object]] = [["县", "县代码", "乡镇", "乡镇代码", "村", "村代码"]]
    for township, t_code in TOWNSHIPS:
        for village, v_code in VILLAGES:
            regions.append([DISTRICT, DISTRICT_CODE, township, t_code, village, t_code + v_code])
    district = District(regions, [HEADER])
    for n in range(1, assets + 1):
        register, level, where = SHAPES[n % len(SHAPES)]
        township = TOWNSHIPS[rng.randrange(len(TOWNSHIPS))][0]
        village = VILLAGES[rng.randrange(len(VILLAGES))][0]
        year = rng.randint(2014, 2025)
        value = Decimal(rng.randint(100, 300_000_000)) / 100  # up to 3,000,000.00 yuan, to the fen
        asset_id = f"DH-{year}-{n:04d}"
        row: list[object] = [
            asset_id,
            {"到户类": "能繁母牛", "到户": "农机具"}.get(register, f"资产{n}"),
            register,
            DISTRICT,
            township if where != "county" else None,
            village if where == "village" else None,
            f"{year}年{township}产业项目",
            year if numbers else str(year),
            FUNDS[rng.randrange(len(FUNDS))],
            float(value) if numbers else f"{value:.2f}",
            level,
            "已验收" if n % 7 else None,
        ]
        district.rows.append(row)
        kind = LEVEL[level]
        district.count[kind] += 1
        district.value[kind] = district.value.get(kind, Decimal("0.00")) + value
        district.owners[asset_id] = {
            "county": f"{DISTRICT}人民政府",
            "township": f"{township}人民政府",
            "village": f"{village}股份经济合作社",
            "household": "受益农户（待落实）",
        }[kind]
    return district
