"""Builders of the audit, contracts, awards and supervision-indicator tests: each calls the service its command calls
(named in its docstring), as the acting user it is given, and returns the service's result.

The common builders (regions, registers, roster, postings, users) are in `tests.builders`; these add the ones that
act as a named user (a test with users acts as them, not as ACTOR) and those of the areas above.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from assetledger.domain.assets import AssetDraft
from assetledger.domain.booking import AssetPosting
from assetledger.domain.distribution import DistributionRule
from assetledger.domain.enums import AssetStatus
from assetledger.domain.inventory import parse_scope
from assetledger.services.assets import change_status, register_asset
from assetledger.services.books import PostResult
from assetledger.services.contracts import ContractImportResult, import_contracts
from assetledger.services.disposal import DisposalRequest, DisposalResult, dispose
from assetledger.services.distribution import DistributionResult, distribute, register_rule
from assetledger.services.governance import Revitalisation, decide_disposal, revitalise
from assetledger.services.inventory import OpenResult, open_inventory
from assetledger.services.inventory_counts import RecordResult, record_counts
from assetledger.services.journal import import_entries, post_for_asset
from assetledger.services.ledger_files import import_ledger
from assetledger.services.reinvest import reinvest_existing
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


def rule(db: Database, path: Path, *, actor: str = ACTOR) -> DistributionRule:
    """A village's distribution rule recorded from its file (`distribute rule add`)."""
    parsed, _ = register_rule(db, path, actor)
    return parsed


def distributed(db: Database, village: str, period: str, *, actor: str = ACTOR) -> DistributionResult:
    """A village's revenue of a period shared by its rule (`distribute --village --period`)."""
    return distribute(db, village, period, actor)


def ledger(db: Database, text: str, entity: str, *, actor: str = ACTOR) -> int:
    """How many entries a Beancount ledger's text brought into an entity's books (`ledger import --entity`)."""
    with tempfile.TemporaryDirectory(prefix="assetledger-builder-") as folder:
        path = Path(folder) / f"{entity}.beancount"
        path.write_text(text, encoding="utf-8")
        return import_ledger(db, path, entity, actor)


def revitalised(db: Database, asset_id: str, on: dt.date | str, *, operator: str | None = None) -> None:
    """An idle or loss-making asset revitalised (`asset revitalise --operator`)."""
    revitalise(db, asset_id, Revitalisation(operator, None, _date(on), None), ACTOR)


def decided_disposal(db: Database, asset_id: str, on: dt.date | str) -> None:
    """The governance decision to dispose of an asset (`asset decide-dispose`)."""
    decide_disposal(db, asset_id, _date(on), None, ACTOR)


def disposed(db: Database, request: DisposalRequest) -> DisposalResult:
    """An asset disposed of (`asset dispose`)."""
    return dispose(db, request, ACTOR)


def reinvested(db: Database, asset_id: str, amount: str, on: dt.date | str, *, source: str = "reserve") -> None:
    """Revenue reinvested in an existing asset (`reinvest --asset --amount --from`)."""
    reinvest_existing(db, asset_id, Decimal(amount), _date(on), source, ACTOR)


def inventory(db: Database, year: int, scope: str, on: dt.date | str) -> OpenResult:
    """An inventory opened over a scope such as "county:360921" (`inventory open`)."""
    return open_inventory(db, year, parse_scope(scope), ACTOR, _date(on))


def counts(db: Database, rows: Rows) -> RecordResult:
    """An inventory's counts from a count sheet's header and rows (`inventory record`)."""
    with _csv("counts.csv", rows) as path:
        return record_counts(db, path, ACTOR)
