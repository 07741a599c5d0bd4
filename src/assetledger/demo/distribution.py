"""Demo beneficiaries, rules and quarterly distributions for a handful of villages, with joins and exits."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import func, select

from assetledger.demo.generate import person
from assetledger.domain.distribution import Period
from assetledger.domain.objections import Outcome
from assetledger.io.output import write_csv
from assetledger.services import beneficiaries, distribution, distribution_settlement, notice_objections, public_notices
from assetledger.store.db import Database
from assetledger.store.journal_models import Entry
from assetledger.store.models import Region

RULE = """code = "{code}"
version = 1
village = "{village}"
effective_from = 2024-01-01
base = "net"

[purposes]
household_shares = {households}
public_welfare_jobs = 20
maintenance_reserve = 10
village_public_goods = 10
reinvestment = {reinvest}
risk_reserve = 5

[households]
basis = "{basis}"
join_counts_from = "join_month"

[households.category_weights]
poverty_exited = 1.0
monitored = 1.2
other = 0.8

[households.factor_weights]
no_labour = 1.5
elderly = 1.2
sick = 1.3
disabled = 1.5

[approval]
body = "{name}村民代表大会"
date = 2024-01-05
document = "{name}〔2024〕1号"

[notice]
start = 2024-01-06
days = 7
"""
HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]
FACTOR_CHOICES = ["", "", "", "无劳动能力", "老年", "患病", "残疾", "老年、患病"]


def villages_with_revenue(db: Database, count: int) -> list[tuple[str, str]]:
    """The villages whose books earned most, so the demo's distributions have something to share."""
    with db.reading() as session:
        rows = session.execute(
            select(Entry.entity_code, func.count())
            .where(Entry.kind == "revenue", Entry.entity_code.like("V%"))
            .group_by(Entry.entity_code)
            .order_by(func.count().desc(), Entry.entity_code)
            .limit(count)
        ).all()
        names = dict(session.execute(select(Region.code, Region.name)).all())
    return [(code[1:], names[code[1:]]) for code, _ in rows]


def write_roster(folder: Path, village: str, rng: random.Random) -> tuple[Path, Path]:
    """Two roster files: the roster at the start of 2024, and the changes of 2025 (exits, a death, newcomers)."""
    first, changes = folder / f"roster-{village}.csv", folder / f"roster-{village}-2025.csv"
    households = []
    for i in range(rng.randint(25, 60)):
        households.append(
            [
                f"{village}{i + 1:04d}",
                village,
                person(rng),
                rng.randint(1, 6),
                rng.choice(["脱贫户", "脱贫户", "脱贫户", "监测户", "其他困难户"]),
                rng.choice(FACTOR_CHOICES),
                "2023-12-01",
                "",
                "",
            ]
        )
    write_csv(first, [HEADER, *households])
    leaving = rng.sample(households, 3)
    rows = []
    for row, (day, reason) in zip(
        leaving, [("2025-05-12", "退出"), ("2025-08-03", "死亡"), ("2025-02-20", "退出")], strict=True
    ):
        rows.append([*row[:7], day, reason])
    for j in range(2):
        rows.append(
            [
                f"{village}9{j:03d}",
                village,
                person(rng),
                rng.randint(1, 5),
                "监测户",
                "",
                f"2025-0{4 + j * 3}-15",
                "",
                "",
            ]
        )
    write_csv(changes, [HEADER, *rows])
    return first, changes


def run_distributions(db: Database, folder: Path, seed: int, actor: str, villages: int = 6) -> dict[str, int]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    chosen = villages_with_revenue(db, villages)
    done = {"villages": 0, "distributions": 0, "payouts": 0, "objections": 0}
    for n, (village, name) in enumerate(chosen):
        roster, changes = write_roster(folder, village, rng)
        beneficiaries.import_roster(db, roster, actor)
        rule = folder / f"rule-{village}.toml"
        rule.write_text(
            RULE.format(
                code=f"R{village}",
                village=village,
                name=name,
                households=40 if n % 2 else 45,
                reinvest=15 if n % 2 else 10,
                basis="per_person" if n % 3 == 0 else "per_household",
            ),
            encoding="utf-8",
        )
        distribution.register_rule(db, rule, actor)
        for quarter in ("2024Q1", "2024Q2", "2024Q3", "2024Q4"):
            distribution.distribute(db, village, quarter, actor, on=_made_on(quarter))  # history: dated as made
            public_notices.publish(db, village, quarter, actor)  # 公示上网, dated as the notice
            done["payouts"] += distribution_settlement.pay(db, village, quarter, _pay_day(quarter), actor).paid
            done["distributions"] += 1
        beneficiaries.import_roster(db, changes, actor)
        for quarter in ("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"):
            distribution.distribute(db, village, quarter, actor, on=_made_on(quarter))  # history: dated as made
            public_notices.publish(db, village, quarter, actor)
            if n == 0 and quarter == "2025Q2":
                done["objections"] += _objection_dismissed(db, village, quarter, actor)
            done["payouts"] += distribution_settlement.pay(db, village, quarter, _pay_day(quarter), actor).paid
            done["distributions"] += 1
        distribution.distribute(db, village, "2026Q3", actor, on=dt.date(2026, 10, 8))
        done["distributions"] += 1  # 2026Q3 is distributed but not yet paid (nor published): payables stay open
        done["villages"] += 1
    return done


def _objection_dismissed(db: Database, village: str, quarter: str, actor: str) -> int:
    """A household objects to the quarter's notice two days after it was published (异议); the village checks and
    dismisses it two days later, before the payout (DOMAIN rule 15)."""
    noticed = _made_on(quarter)  # the notice is published on the distribution's date
    raised = notice_objections.raise_objection(
        db, village, quarter, noticed + dt.timedelta(days=2), "家庭人口数登记有误，请核实", actor,
        household=f"{village}0001",
    )  # fmt: skip
    reason = "经村务监督委员会核实，人口数与名册一致"
    notice_objections.decide_objection(db, raised.id, noticed + dt.timedelta(days=4), Outcome.DISMISSED, reason, actor)
    return 1


def _made_on(quarter: str) -> dt.date:
    """The day a past quarter was distributed (recorded now, from the village's papers): the day after it ended."""
    return Period.parse(quarter).end + dt.timedelta(days=1)


def _pay_day(quarter: str) -> dt.date:
    year, q = int(quarter[:4]), int(quarter[-1])
    return dt.date(year + (q == 4), (3 * q) % 12 + 1, 15)
