"""Build the state of a distribution test through the services, as the `distribute` and `ledger` commands do:
entries from a file, a village's rule, a distribution, its notice published, its households paid, a reversal.

The built states `village`, `rule_ready` and `distributed` (tests/conftest.py STATES) are built on a `Cli`; the
functions that build them there take its database (`database_of`) and call these.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assetledger.domain.distribution import DistributionRule
from assetledger.services import distribution, distribution_settlement, journal, public_notices
from assetledger.services.books import PostResult
from assetledger.services.distribution import DistributionResult
from assetledger.services.distribution_settlement import Reversed, Settlement
from assetledger.services.public_notices import Published
from assetledger.store.db import Database
from tests.builders import ACTOR, Rows, _csv, assets, regions, roster
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row

EXAMPLE_RULE = Path(__file__).parents[2] / "ledgers" / "rules" / "example-village-rule.toml"
VILLAGE = "360921101201"  # 红旗村, the example rule's
ENTRY_HEADER = ["日期", "资产编号", "收支", "类型", "金额", "摘要", "凭证号"]
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]

# 红旗村's leased power station A-2 earns 18,000.01 in 2025Q2 less 0.01 of costs, and 9,999.00 in July.
REVENUE = [
    ENTRY_HEADER,
    ["2025-04-30", "A-2", "收入", "租金", "6000.00", "", ""],
    ["2025-05-31", "A-2", "收入", "租金", "6000.00", "", ""],
    ["2025-06-30", "A-2", "收入", "租金", "6000.01", "", ""],
    ["2025-06-30", "A-2", "支出", "经营成本", "0.01", "", ""],
    ["2025-07-31", "A-2", "收入", "租金", "9999.00", "", ""],  # outside Q2
]
# Four households: H3 died in May 2025, H4 joined in June 2025.
HOUSEHOLDS = [
    ROSTER_HEADER,
    ["H1", VILLAGE, "王一", "3", "脱贫户", "", "2024-01-01", "", ""],
    ["H2", VILLAGE, "王二", "2", "监测户", "无劳动能力", "2024-01-01", "", ""],
    ["H3", VILLAGE, "王三", "4", "脱贫户", "老年、患病", "2024-01-01", "2025-05-20", "死亡"],
    ["H4", VILLAGE, "王四", "1", "其他困难户", "", "2025-06-03", "", ""],
]


def database_of(run: Cli) -> Database:
    """The database the commands of `run` share (made now if none has run yet; `run.close` disposes of it)."""
    if run.database is None:
        run.database = Database(run.url)
    return run.database


def village_with_revenue(db: Database) -> None:
    """红旗村 with its leased A-2's revenue of April to July 2025 (REVENUE) and four households (HOUSEHOLDS): the
    built state `village`."""
    regions(db)
    leased = asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司")
    assets(db, [ASSET_HEADER, leased])
    entries(db, REVENUE)
    joined = roster(db, HOUSEHOLDS)
    assert (joined.joined, joined.changed, joined.left) == (4, 0, 1), joined


def entries(db: Database, rows: Rows, *, actor: str = ACTOR) -> PostResult:
    """Revenue and expense entries from an entry file's header and rows (`ledger import-entries`)."""
    with _csv("entries.csv", rows) as path:
        return journal.import_entries(db, path, actor)


def rule(db: Database, path: Path = EXAMPLE_RULE, *, actor: str = ACTOR) -> tuple[DistributionRule, bool]:
    """A village's distribution rule from its file, and whether it was new (`distribute rule add`)."""
    return distribution.register_rule(db, path, actor)


def distribute(
    db: Database, village: str, period: str, on: dt.date | None = None, *, actor: str = ACTOR
) -> DistributionResult:
    """A village's revenue of a period distributed by its rule, dated `on` or today (`distribute`)."""
    return distribution.distribute(db, village, period, actor, on=on)


def publish(
    db: Database, village: str, period: str, on: dt.date | None = None, *, actor: str = ACTOR
) -> list[Published]:
    """The notices of a village's distributions of a period published, on `on` or their own date
    (`distribute publish`)."""
    return public_notices.publish(db, village, period, actor, on)


def pay(db: Database, village: str, period: str, on: dt.date, *, actor: str = ACTOR) -> Settlement:
    """The households of a village's distribution of a period paid on `on` (`distribute pay`)."""
    return distribution_settlement.pay(db, village, period, on, actor)


def reverse(
    db: Database, village: str, period: str, reason: str, on: dt.date | None = None, *, actor: str = ACTOR
) -> list[Reversed]:
    """A village's distribution of a period taken back for `reason`, dated `on` or today (`distribute reverse`)."""
    return distribution_settlement.reverse_distribution(db, village, period, reason, actor, on=on)
