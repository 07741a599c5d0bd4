"""A county with published and unpublished notices, and personal data that must never reach the public page
(issue 24): built on the web tests' county (tests/web/conftest.py) with the real CLI.

红旗村 (VILLAGE): rent on A-1 in May 2025 (¥12,000) distributed for 2025Q2 and published; rent in August (¥5,000,
with a bank account in its narration) distributed for 2025Q3 and NOT published; a household whose number is an
ID-card number; a custodian with a phone number; a household-level asset of a named household. 向阳村
(OTHER_VILLAGE): rent on its cold store (冷库) distributed for 2025Q2 and published — on its own page only.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, write_csv
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
    """On top of the web tests' county: see the module's notes."""
    run("beneficiary", "add", "--id", ID_NUMBER, "--village", VILLAGE, "--head", HEAD, "--persons", "2",
        "--category", "脱贫户", "--joined", "2024-01-01", user="zhang")  # fmt: skip
    run("beneficiary", "add", "--id", "X1", "--village", OTHER_VILLAGE, "--head", OTHER_HEAD, "--persons", "3",
        "--category", "脱贫户", "--joined", "2024-01-01", user="zhang")  # fmt: skip
    unowned = {"确权主体": "", "确权级别": "", "确权日期": "", "移交日期": "", "管护主体": ""}
    cow = asset_row("H-9", 资产名称="能繁母牛", 资产类别="到户类", 户编号="H1", **unowned)
    cow[ASSET_HEADER.index("户主姓名")] = HOUSEHOLD_ASSET_HEAD
    rows = [ASSET_HEADER, cow]
    run("asset", "import", str(write_csv(run.cwd / "household-assets.csv", rows)), user="zhang")
    run("asset", "custodian", "A-1", "--name", f"张三 {PHONE}", "--from", "2022-01-01", user="zhang")
    other_rule = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    other_rule = other_rule.replace('code = "HQ-2025"', 'code = "XY-2025"').replace(VILLAGE, OTHER_VILLAGE)
    rule_file = run.cwd / "xy-rule.toml"
    rule_file.write_text(other_rule, encoding="utf-8")
    run("distribute", "rule", "add", str(rule_file), user="zhang")

    def rent(asset: str, amount: str, on: str, ref: str, narration: str = "租金") -> None:
        run("ledger", "post", "--asset", asset, "--revenue", "rent", "--amount", amount, "--date", on, "--ref", ref,
            "--narration", narration, user="zhang")  # fmt: skip

    rent("A-1", "12000", "2025-05-15", "PZ-1")
    rent("A-1", "5000", "2025-08-10", "PZ-2", f"租金 转入账户{BANK_ACCOUNT}")
    rent("B-1", "7777", "2025-05-20", "PZ-1")
    run("distribute", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-01", user="li")
    run("distribute", "--village", VILLAGE, "--period", "2025Q3", "--date", "2025-10-01", user="li")
    run("distribute", "--village", OTHER_VILLAGE, "--period", "2025Q2", "--date", "2025-07-01", user="zhang")
    run("distribute", "publish", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-07-02", user="zhang")
    run("distribute", "publish", "--village", OTHER_VILLAGE, "--period", "2025Q2", "--date", "2025-07-03",
        user="zhang")  # fmt: skip
    return run


def public_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html"))
