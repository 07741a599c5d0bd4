"""Demo awards: the city fund receives its money; the city evaluates its counties for 2025 on its own indicators
(for comparison), and pays the awards of the province's two evaluations by the province's results — the
fund-performance evaluation's 等次 and the consolidation evaluation's 等次 and 名次 — from its own books."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.io.output import write_xlsx
from assetledger.rules.award_policy import parse_policy
from assetledger.services.award_policies import store_policy
from assetledger.services.award_results import read_given
from assetledger.services.awards import Evaluation, PostOutcome, evaluate_year, post_awards
from assetledger.services.books import Books, Located
from assetledger.store.db import Database

CITY = "360900"  # 宜春市: a region of level 市 above the demo counties; its books are S360900
YEAR = 2025
# The province's results, as it sends them. 丰和县 (360921) is 良好 B in the fund-performance evaluation and 优秀 A
# in the consolidation evaluation; the province ranks a neighbour first, whatever the city's own indicators say.
FUND_RESULTS = [("360921", "B"), ("360923", "A"), ("360925", "A")]
CONSOLIDATION_RESULTS = [("360925", "优秀", 1, "95.20"), ("360921", "优秀", 2, "93.85"), ("360923", "良好", 3, "88.10")]


@dataclass(frozen=True)
class DemoAwards:
    own: Evaluation  # the city's own evaluation, shown beside the province's
    paid: tuple[Evaluation, ...]  # the evaluations whose awards the city paid
    posted: tuple[PostOutcome, ...]


def run_awards(db: Database, folder: Path, policies: Path, actor: str) -> DemoAwards:
    """`policies`: the folder of the example policies (ledgers/policy)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = _county_names(db)
    # The city's own evaluation as the example writes it, except (demo only) grade A from 75 points: with the
    # example's 90 no demo county would be 优秀.
    own_path = folder / "awards-city-policy.toml"
    text = (policies / "awards-city-example.toml").read_text(encoding="utf-8")
    own_path.write_text(text.replace("A = 90 ", "A = 75 ").replace("B = 80 ", "B = 70 "), encoding="utf-8")
    own = evaluate_year(db, YEAR, parse_policy(own_path), actor)
    fund_file = folder / f"{YEAR}年度资金绩效评价结果.csv"
    with fund_file.open("w", encoding="gb18030", newline="") as fh:  # as a provincial office's Excel saves it
        writer = csv.writer(fh)
        writer.writerow(["序号", "区划代码", "单位名称", "评价等次"])
        writer.writerows([i, code, names[code], grade] for i, (code, grade) in enumerate(FUND_RESULTS, 1))
    consolidation_file = write_xlsx(
        folder / f"{YEAR}年度巩固衔接考核结果.xlsx",
        {"考核结果": [{"序号": i, "区划代码": code, "单位名称": names[code], "等次": grade, "名次": rank, "得分": score}
                      for i, (code, grade, rank, score) in enumerate(CONSOLIDATION_RESULTS, 1)]},
        title=f"{YEAR}年度巩固拓展脱贫攻坚成果同乡村振兴有效衔接考核结果",
    )  # fmt: skip
    copies = []
    for name in ("awards-fund-performance", "awards-consolidation"):  # the examples as the city keeps them
        copy = folder / f"{name}.toml"
        copy.write_bytes((policies / f"{name}-example.toml").read_bytes())
        copies.append(copy)
    for path in (own_path, *copies):  # stored for the web's awards page, as the bureau would set them there
        store_policy(db, path.read_bytes(), path.name, actor)
    fund = evaluate_year(db, YEAR, parse_policy(copies[0]), actor, read_given(fund_file))
    consolidation = evaluate_year(db, YEAR, parse_policy(copies[1]), actor, read_given(consolidation_file))
    with db.transaction() as session:
        books = Books(session, actor)
        entity = books.ensure_entity(EntityKind.CITY, CITY)
        money = Decimal("10000000.00")
        entry = JournalEntry(
            entity, dt.date(2026, 1, 5), "市级财政奖补资金到位",
            (Posting("Assets:Bank", money), Posting("Income:Subsidy", -money)), EntryKind.GENERAL,
            ref="demo:city-fund:2026",
        )  # fmt: off
        books.post([entry], [Located("demo")])
    paid = (fund, consolidation)
    posted = post_awards(db, paid, f"S{CITY}", dt.date(2026, 3, 1), actor)
    return DemoAwards(own, paid, tuple(posted))


def _county_names(db: Database) -> dict[str, str]:
    from sqlalchemy import select

    from assetledger.store.models import Region

    with db.reading() as session:
        return dict(session.execute(select(Region.code, Region.name).where(Region.level == "county")).all())
