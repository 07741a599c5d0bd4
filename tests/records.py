"""A county with every act of record an auditor reads beside the registers (built on tests/public_notices.py): notices
published in two villages, household-level assets (到户类) registered without their households and attached later by
the roster, and acceptances (验收), one of them corrected."""

from __future__ import annotations

from datetime import date as D

from assetledger.domain.access import Role
from tests.builders import roster, user
from tests.builders.distribution import database_of
from tests.builders.states import assets_file
from tests.builders.yearly_work import accepted
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row
from tests.web.conftest import OTHER_VILLAGE, VILLAGE

ROSTER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "受益资产编号"]
UNNAMED = {"确权主体": "", "确权级别": "农户", "移交日期": "", "管护主体": ""}
UNCONFIRMED = {"确权主体": "", "确权级别": "", "确权日期": "", "移交日期": "", "管护主体": ""}


def build_records(run: Cli) -> Cli:
    """On the published county (tests/public_notices.py: a notice published in each village): a household-level
    asset in each village registered without its household and attached to one by the roster, acceptances in both
    villages (one corrected), and an auditor of 向阳村 (OTHER_VILLAGE) only. The built state `records`
    (tests/conftest.py), built through the services on the database of `run`."""
    cows = [
        ASSET_HEADER,
        asset_row("H-7", 资产名称="能繁母牛", 资产类别="到户类", **UNNAMED),  # confirmed to households (待落实)
        asset_row("X-7", 资产名称="农机具", 资产类别="到户类", 村="向阳村", **UNCONFIRMED),  # not confirmed at all
    ]
    db = database_of(run)
    assets_file(db, "cows.csv", cows, actor="zhang")
    attach = [
        ROSTER,
        ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "H-7"],
        ["H2", VILLAGE, "王二", "2", "监测户", "无劳动能力", "2024-01-01", "H-7"],
        ["X1", OTHER_VILLAGE, "赵六六", "3", "脱贫户", "", "2024-01-01", "X-7"],
    ]
    roster(db, attach, actor="zhang")
    for asset_id, region, on, doc in [
        ("A-9", VILLAGE, D(2025, 3, 1), "县验〔2025〕1号"),
        ("A-9", VILLAGE, D(2025, 3, 2), "县验〔2025〕1号（更正）"),
        ("Y-1", OTHER_VILLAGE, D(2025, 4, 1), "县验〔2025〕2号"),
    ]:
        accepted(db, asset_id, "冷库", region, on, doc=doc, actor="zhang")
    user(db, "zhou", Role.AUDITOR, OTHER_VILLAGE, actor="zhang")
    return run
