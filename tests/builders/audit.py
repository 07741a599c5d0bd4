"""Builders of the audit, contracts, awards and supervision-indicator tests: each calls the service its command calls
(named in its docstring), as the acting user it is given, and returns the service's result.

The common builders (regions, registers, roster, postings, users) are in `tests.builders`; these add the ones that
act as a named user (a test with users acts as them, not as ACTOR) and those of the areas above.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assetledger.domain.assets import AssetDraft
from assetledger.domain.booking import AssetPosting
from assetledger.domain.enums import AssetStatus
from assetledger.services.assets import change_status, register_asset
from assetledger.services.books import PostResult
from assetledger.services.contracts import ContractImportResult, import_contracts
from assetledger.services.journal import import_entries, post_for_asset
from assetledger.store.db import Database
from tests.builders import ACTOR, Rows, _csv


def post(
    db: Database,
    asset_id: str,
    amount: str,
    on: dt.date | str,
    *,
    actor: str = ACTOR,
    direction: str = "revenue",
    kind: str = "rent",
) -> int:
    """The id of the entry that books `amount` yuan of an asset's revenue (or expense) as `actor`
    (`ledger post --asset --revenue/--expense`)."""
    posting = AssetPosting(asset_id, _date(on), direction, kind, Decimal(amount))
    result = post_for_asset(db, posting, actor)
    assert len(result.posted) == 1 and not result.skipped, result  # a builder's posting is new
    return result.posted[0]


def status(db: Database, asset_id: str, to: AssetStatus, on: dt.date | str, *, actor: str = ACTOR) -> bool:
    """An asset's status changed from a date (`asset status`); False when it already had it."""
    return change_status(db, asset_id, to, _date(on), actor)


def entries(db: Database, rows: Rows, *, actor: str = ACTOR) -> PostResult:
    """Entries from an entry file's header and rows (`ledger import-entries`)."""
    with _csv("entries.csv", rows) as path:
        return import_entries(db, path, actor)


def asset(db: Database, draft: AssetDraft, *, actor: str = ACTOR) -> None:
    """One asset registered (`asset register`)."""
    register_asset(db, draft, actor)


def _date(on: dt.date | str) -> dt.date:
    return on if isinstance(on, dt.date) else dt.date.fromisoformat(on)


def contracts(db: Database, rows: Rows, *, actor: str = ACTOR) -> ContractImportResult:
    """Operating contracts from a contracts file's header and rows (`contract import`)."""
    with _csv("contracts.csv", rows) as path:
        return import_contracts(db, path, actor)
