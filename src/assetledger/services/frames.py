"""The records as pandas DataFrames, for auditors and analysts working in a notebook.

Each function reads through the same service as the CLI and the web, so it checks the same scope: a region or
entity named outside the reader's scope is refused, and with none named the frame holds the scope's rows only.
Amounts stay `Decimal` (an object column) so sums are exact to the fen; convert to float only to plot.

    from assetledger.services import frames
    from assetledger.store.db import Database

    db = Database("sqlite:///assetledger.db")
    register = frames.assets(db, actor="wang")
    register.groupby("register")["original_value"].sum()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

import pandas as pd

from assetledger.domain.governance import FlaggedAsset
from assetledger.io.output import records
from assetledger.services import asset_performance as performance
from assetledger.services import book_reports, governance, register_summary
from assetledger.services.asset_queries import LIST_COLUMNS, AssetFilter, list_assets
from assetledger.store.db import Database

POSTING_COLUMNS = (
    "entry_id",
    "date",
    "entity",
    "kind",
    "ref",
    "narration",
    "asset_id",
    "account",
    "amount",
    "reverses_id",
)
INCOME_COLUMNS = ("entity_code", "asset_id", "asset_name", "income", "expenses", "net")
GOVERNANCE_COLUMNS = tuple(f.name for f in fields(FlaggedAsset))
PERFORMANCE_COLUMNS = tuple(f.name for f in fields(performance.AssetPerformance))


def _frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A frame with the columns named even when there are no rows (an empty scope is a result, not an error)."""
    return pd.DataFrame.from_records(list(rows), columns=list(columns))


def assets(db: Database, actor: str, flt: AssetFilter | None = None) -> pd.DataFrame:
    """The register (one row per asset) as `asset list` shows it, filtered like `asset list`."""
    flt = replace(flt, wide=False) if flt is not None else AssetFilter()  # the columns `asset list` shows
    return _frame(records(list_assets(db, flt, actor)), LIST_COLUMNS).set_index("asset_id")


def postings(
    db: Database,
    actor: str,
    entity: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Every posting of the books (one row per leg, reversals included as the entries they are), of one entity or
    of the entities within the scope, in the period [start, end]."""
    rows = book_reports.postings(db, entity, start, end, actor=actor)
    return _frame(records(rows), POSTING_COLUMNS)


def income_by_asset(
    db: Database,
    actor: str,
    entity: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Income, expenses and net per asset over a period, as `report books` shows them."""
    return _frame(records(book_reports.income_by_asset(db, entity, start, end, actor=actor)), INCOME_COLUMNS)


def registers_by_owner(db: Database, actor: str, within: str | None = None) -> pd.DataFrame:
    """Counts and original value by register and the level the asset is confirmed to, as the published table."""
    rows = register_summary.register_by_owner(db, actor, within)
    return pd.DataFrame.from_records(records(rows))


def governance_list(db: Database, actor: str, as_of: dt.date, within: str | None = None) -> pd.DataFrame:
    """The idle and loss-making assets as of a date (闲置低效亏损资产清单), one row per asset, as `asset scan` lists
    them: each judged by the governance policy stored for its region, with its evidence and the policy's name."""
    return _frame(records(governance.scan(db, as_of, actor, within)), GOVERNANCE_COLUMNS).set_index("asset_id")


def asset_performance(db: Database, actor: str, year: int, within: str | None = None) -> pd.DataFrame:
    """Each operating asset's revenue, costs and yield in the year and the year before, as `awards assets` lists
    them (for readers of awards: the finance bureau and auditors)."""
    rows = performance.asset_performance(db, year, actor, within=within)
    return _frame(records(rows), PERFORMANCE_COLUMNS).set_index("asset_id")
