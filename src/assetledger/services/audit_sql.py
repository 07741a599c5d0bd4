"""Read-only SQL for auditors: one SELECT over the audit views of the reader's scope, in a sandbox (store/audit_reader).

The views (store/audit_views.py): v_assets, v_postings, v_events, v_distributions, v_payouts, v_households,
v_asset_households, v_notice_publications, v_notice_objections, v_notice_objection_decisions, v_asset_acceptances,
v_contracts, v_disposals, v_inventories, v_inventory_counts, v_inventory_write_offs, v_maintenance_applications,
v_custodian_assignments, v_user_grants, v_entities, v_accounts, v_regions. Money is integer fen (`*_fen`), exact on
every database; divide by 100 for yuan. Base tables, credentials, other regions, files, extensions and locks are out
of reach; the query gets a time limit and a row limit, and the result says how many rows there were in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assetledger.errors import Finding, InputError
from assetledger.services.access import read_audit, visible_regions
from assetledger.store import audit_reader
from assetledger.store.audit_reader import AuditQueryRefused, Limits, Refusal
from assetledger.store.audit_views import VIEW_NAMES
from assetledger.store.db import Database

DEFAULT_MAX_ROWS = 2000
DEFAULT_TIME_LIMIT = 10.0  # seconds, not money
MAX_ROWS_CEILING = 1_000_000
TIME_LIMIT_CEILING = 600.0  # seconds, not money
_FIRST_WORD = re.compile(r"\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*(\w+)", re.DOTALL)
REASONS = {
    Refusal.STATEMENT: "只能是一条 SELECT 查询 (one SELECT statement only)",
    Refusal.REFUSED: "拒绝：只能读取审计视图 (refused: only the audit views of your scope can be read)",
    Refusal.TIME: "超过时间限制，已停止 (stopped at the time limit)",
    Refusal.LOCK: "拒绝：审计查询不得加锁 (refused: an audit query may not take or wait for locks)",
    Refusal.UNAVAILABLE: "审计查询环境不可用 (the audit SQL sandbox is not available)",
}


@dataclass(frozen=True)
class SqlResult:
    """The first `len(rows)` rows of a query's `total` (more than `total` when `total_known` is False)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: int
    total_known: bool

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.total or not self.total_known


def read_only_sql(
    db: Database,
    sql: str,
    actor: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    time_limit: float = DEFAULT_TIME_LIMIT,  # not money: seconds
) -> SqlResult:
    """Run one SELECT (or WITH … SELECT) over the audit views, seeing the actor's scope only.

    Refused, as an InputError with one finding: anything but one SELECT; reading anything but the views; running
    past `time_limit` seconds; taking a lock. At most `max_rows` rows come back; the rest are counted.
    """
    statement = sql.strip()
    if statement.endswith(";"):
        statement = statement[:-1].rstrip()
    first = _FIRST_WORD.match(statement)
    if first is None or first.group(1).lower() not in ("select", "with"):
        raise _refused(sql, Refusal.STATEMENT, f"可查询的视图 (views: {', '.join(VIEW_NAMES)})")
    if not 1 <= max_rows <= MAX_ROWS_CEILING:
        raise InputError(
            [
                Finding(
                    "audit sql",
                    None,
                    "max rows",
                    str(max_rows),
                    f"行数应为 1 至 {MAX_ROWS_CEILING:,} (must be 1..{MAX_ROWS_CEILING:,})",
                )
            ]
        )
    if not 0 < time_limit <= TIME_LIMIT_CEILING:
        raise InputError([Finding("audit sql", None, "time limit", str(time_limit),
                                  f"时限应大于 0 且不超过 {TIME_LIMIT_CEILING:g} 秒 "
                                  f"(must be more than 0 and at most {TIME_LIMIT_CEILING:g} seconds)")])  # fmt: skip
    with db.reading() as session:
        read_audit(session, actor)
        regions = visible_regions(session, actor)
    try:
        fetched = audit_reader.run(
            db.engine, statement, None if regions is None else frozenset(regions), Limits(max_rows, time_limit)
        )
    except AuditQueryRefused as exc:
        detail = f"{exc.detail}; limit {time_limit:g} s" if exc.kind is Refusal.TIME else exc.detail
        raise _refused(sql, exc.kind, detail) from exc
    return SqlResult(fetched.columns, fetched.rows, fetched.total, fetched.total_known)


def _refused(sql: str, kind: Refusal, detail: str) -> InputError:
    shown = sql if len(sql) <= 300 else sql[:300] + "…"
    return InputError([Finding("audit sql", None, "query", shown, f"{REASONS[kind]}: {detail}")])
