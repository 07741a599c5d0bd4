"""A county with published and unpublished notices, and personal data that must never reach the public page
(issue 24): built on the web tests' county (tests/web/conftest.py) through the services.

红旗村 (VILLAGE): rent on A-1 in May 2025 (¥12,000) distributed for 2025Q2 and published; rent in August (¥5,000,
with a bank account in its narration) distributed for 2025Q3 and NOT published; a household whose number is an
ID-card number; a custodian with a phone number; a household-level asset of a named household. 向阳村
(OTHER_VILLAGE): rent on its cold store (冷库) distributed for 2025Q2 and published — on its own page only.
"""

from __future__ import annotations

from datetime import date as D
from pathlib import Path

from tests.builders.distribution import database_of, distribute, publish
from tests.builders.states import assets_file, custodian, household, posted, rule_text
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row
from tests.web.conftest import OTHER_VILLAGE, RULES, VILLAGE

ID_NUMBER = "360921199001011234"  # the household number of 钱多多: an ID-card number, as many villages use
HEAD = "钱多多"
PHONE = "13800138000"
BANK_ACCOUNT = "6222020200112233445"
HOUSEHOLD_ASSET_HEAD = "孙大圣"
OTHER_HEAD = "赵六六"
# What the public page of 红旗村 must never show.
SECRETS = (ID_NUMBER, HEAD, PHONE, BANK_ACCOUNT, HOUSEHOLD_ASSET_HEAD, OTHER_HEAD, "王一", "王二", "王三", "H1", "H2",
           "绿源公司", "冷库", "向阳村", "7,777.00", "5,000.00", "2025Q3", "红旗村村民委员会")  # fmt: skip


def build_published(run: Cli) -> Cli:
    """On top of the web tests' county: see the module's notes. Built through the services on the database of
    `run`."""
    db = database_of(run)
    household(db, ID_NUMBER, VILLAGE, HEAD, 2, "脱贫户", D(2024, 1, 1), actor="zhang")
    household(db, "X1", OTHER_VILLAGE, OTHER_HEAD, 3, "脱贫户", D(2024, 1, 1), actor="zhang")
    unowned = {"确权主体": "", "确权级别": "", "确权日期": "", "移交日期": "", "管护主体": ""}
    cow = asset_row("H-9", 资产名称="能繁母牛", 资产类别="到户类", 户编号="H1", **unowned)
    cow[ASSET_HEADER.index("户主姓名")] = HOUSEHOLD_ASSET_HEAD
    assets_file(db, "household-assets.csv", [ASSET_HEADER, cow], actor="zhang")
    custodian(db, "A-1", f"张三 {PHONE}", D(2022, 1, 1), actor="zhang")
    other_rule = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    other_rule = other_rule.replace('code = "HQ-2025"', 'code = "XY-2025"').replace(VILLAGE, OTHER_VILLAGE)
    rule_text(db, "xy-rule.toml", other_rule, actor="zhang")

    def rent(asset: str, amount: str, on: D, ref: str, narration: str = "租金") -> None:
        posted(db, asset, amount, on, ref=ref, narration=narration, actor="zhang")

    rent("A-1", "12000", D(2025, 5, 15), "PZ-1")
    rent("A-1", "5000", D(2025, 8, 10), "PZ-2", f"租金 转入账户{BANK_ACCOUNT}")
    rent("B-1", "7777", D(2025, 5, 20), "PZ-1")
    distribute(db, VILLAGE, "2025Q2", D(2025, 7, 1), actor="li")
    distribute(db, VILLAGE, "2025Q3", D(2025, 10, 1), actor="li")
    distribute(db, OTHER_VILLAGE, "2025Q2", D(2025, 7, 1), actor="zhang")
    publish(db, VILLAGE, "2025Q2", D(2025, 7, 2), actor="zhang")
    publish(db, OTHER_VILLAGE, "2025Q2", D(2025, 7, 3), actor="zhang")
    return run


def public_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html"))
