"""Demo awards: the city fund receives its money, the city evaluates its counties for 2025 and pays the awards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.rules.award_policy import parse_policy
from assetledger.services.awards import Evaluation, evaluate_year, post_awards
from assetledger.services.books import Books, Located
from assetledger.store.db import Database

CITY = "360900"  # 市本级: the city fund keeps county-kind books of its own


def run_awards(db: Database, folder: Path, policy_file: Path, actor: str) -> Evaluation:
    policy_path = folder / "awards-policy.toml"
    # The example policy as the city wrote it, except: the city's own books are not a county, and (demo only) grade A
    # starts at 75 points — with the example's 90 no demo county would earn an award to post.
    text = policy_file.read_text(encoding="utf-8").replace("exclude = []", f'exclude = ["{CITY}"]')
    text = text.replace("A = 90 ", "A = 75 ").replace("B = 80 ", "B = 70 ")
    policy_path.write_text(text, encoding="utf-8")
    policy = parse_policy(policy_path)
    with db.transaction() as session:
        books = Books(session, actor)
        entity = books.ensure_entity(EntityKind.COUNTY, CITY)
        money = Decimal("10000000.00")
        entry = JournalEntry(
            entity, dt.date(2026, 1, 5), "市级财政奖补资金到位",
            (Posting("Assets:Bank", money), Posting("Income:Subsidy", -money)), EntryKind.GENERAL,
            ref="demo:city-fund:2026",
        )  # fmt: off
        books.post([entry], [Located("demo")])
    evaluation = evaluate_year(db, 2025, policy)
    post_awards(db, evaluation, f"C{CITY}", dt.date(2026, 3, 1), actor)
    return evaluation
