"""Builders of governance and supervision (闲置/亏损资产治理, disposal, the stored governance policy, contracts,
supervision warnings and rectification cases): each calls the service its command calls, as the command does
(tests/builders/__init__.py says how a builder works)."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.enums import AssetStatus
from assetledger.domain.governance import DisposalMethod
from assetledger.services.assets import change_status
from assetledger.services.books import PostResult
from assetledger.services.contracts import ContractImportResult, import_contracts
from assetledger.services.disposal import DisposalRequest, DisposalResult, dispose
from assetledger.services.governance_policies import PolicyInForce, store_policy
from assetledger.services.journal import import_entries
from assetledger.store.db import Database
from tests.builders import ACTOR, Rows, _csv


def entries(db: Database, rows: Rows, *, actor: str = ACTOR) -> PostResult:
    """Revenue and expenses of assets from an entries file's header and rows (`ledger import-entries`)."""
    with _csv("entries.csv", rows) as path:
        return import_entries(db, path, actor)


def status(db: Database, asset_id: str, new: AssetStatus, on: dt.date, *, actor: str = ACTOR) -> bool:
    """An asset's status from a date (`asset status ASSET STATUS --date`); False when it already was."""
    return change_status(db, asset_id, new, on, actor)


def disposed(
    db: Database,
    asset_id: str,
    on: dt.date,
    approved_by: ApprovalLevel | str,
    *,
    method: DisposalMethod | str = DisposalMethod.TRANSFER,
    proceeds: str = "0",
    approval: str = "x",
    actor: str = ACTOR,
) -> DisposalResult:
    """An asset disposed of with its approval (`asset dispose ASSET --method --date --proceeds --approval
    --approved-by`)."""
    request = DisposalRequest(
        asset_id, DisposalMethod(method), on, Decimal(proceeds), approval, ApprovalLevel(approved_by)
    )
    return dispose(db, request, actor)


def policy(db: Database, text: str, *, note: str | None = None, actor: str = ACTOR) -> PolicyInForce:
    """A governance policy (TOML text) stored as the next version for the actor's scope (`asset policy store FILE
    --note`); the version in force after it."""
    with tempfile.TemporaryDirectory(prefix="assetledger-builder-") as folder:
        path = Path(folder) / "policy.toml"
        path.write_text(text, encoding="utf-8")
        stored, _ = store_policy(db, path.read_bytes(), str(path), actor, note)
        return stored


def contracts(db: Database, rows: Rows, *, actor: str = ACTOR) -> ContractImportResult:
    """Operating contracts from a contracts file's header and rows (`contract import`)."""
    with _csv("contracts.csv", rows) as path:
        return import_contracts(db, path, actor)
