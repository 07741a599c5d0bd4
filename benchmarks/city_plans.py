"""Query plans of the analytic SQL at city scale: every statement the scan and the awards evaluation send is
captured with its parameters and timed; the slowest are explained (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS);
SQLite: EXPLAIN QUERY PLAN). Run through `benchmarks/city.py measure` or on its own:

    python benchmarks/city_plans.py URL     # JSON on stdout
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from assetledger.rules.award_policy import parse_policy
from assetledger.services.awards import evaluate_year
from assetledger.services.governance import scan
from assetledger.store.db import Database

try:
    from benchmarks.city_measure import POLICY, YEAR
except ImportError:
    from city_measure import POLICY, YEAR  # type: ignore[no-redef, import-not-found]


@dataclass
class Statement:
    sql: str
    params: Any
    seconds: float
    called_by: str


def capture(db: Database) -> list[Statement]:
    """Run the scan and the evaluation once, recording each statement, its parameters and its time."""
    seen: list[Statement] = []
    current = {"who": ""}
    started: dict[int, float] = {}

    def before(_conn: Any, cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_conn: Any, cursor: Any, statement: str, params: Any, _context: Any, many: bool) -> None:
        took = time.perf_counter() - started.pop(id(cursor), time.perf_counter())
        if not many and statement.lstrip().upper().startswith("SELECT"):
            seen.append(Statement(statement, params, took, current["who"]))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        current["who"] = "scan"
        scan(db, dt.date(YEAR, 12, 31), "city-bench")
        current["who"] = "awards"
        evaluate_year(db, YEAR, parse_policy(POLICY), "city-bench")
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return seen


def explain(db: Database, statement: Statement) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(prefix + statement.sql, statement.params)
        rows = cursor.fetchall()
    finally:
        raw.rollback()
        raw.close()
    if db.is_sqlite:
        return [f"{row[1]}>{row[0]} {row[3]}" for row in rows]
    return [str(row[0]) for row in rows]


def plans(url: str, slowest: int = 4) -> list[dict[str, Any]]:
    db = Database(url)
    try:
        statements = capture(db)
        statements.sort(key=lambda s: -s.seconds)
        out = []
        for s in statements[:slowest]:
            out.append({"called_by": s.called_by, "seconds": s.seconds, "sql": " ".join(s.sql.split()),
                        "plan": explain(db, s)})  # fmt: skip
        out.append({"statements": len(statements), "total_seconds": sum(s.seconds for s in statements)})
        return out
    finally:
        db.dispose()


if __name__ == "__main__":
    print(json.dumps(plans(sys.argv[1]), ensure_ascii=False, indent=1))
