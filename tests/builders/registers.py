"""Builders of the registers' yearly work beside the common ones (tests/builders/__init__.py): the governance policy
stored for a scope, the annual inventory (open, its sheets, the filled sheets recorded).

Each calls the service as its command does and returns the service's typed result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assetledger.domain.inventory import parse_scope
from assetledger.services.governance_policies import PolicyInForce, store_policy
from assetledger.services.inventory import OpenResult, open_inventory, write_sheets
from assetledger.services.inventory_counts import RecordResult, record_counts
from assetledger.store.db import Database
from tests.builders import ACTOR


def policy(db: Database, toml: str, *, source: str = "governance.toml", actor: str = ACTOR) -> PolicyInForce:
    """The governance policy `toml` stored as the next version for the actor's scope (`asset policy store`)."""
    stored, _ = store_policy(db, toml.encode("utf-8"), source, actor)
    return stored


def inventory(db: Database, year: int, scope: str, *, on: dt.date | None = None, actor: str = ACTOR) -> OpenResult:
    """An inventory of `year` over `scope` ("county:360921") opened on `on` (`inventory open`)."""
    return open_inventory(db, year, parse_scope(scope), actor, on)


def sheets(db: Database, inventory_id: int, out: Path, *, actor: str = ACTOR) -> list[Path]:
    """The count sheets of an inventory written to the folder `out`, XLSX and HTML (`inventory sheets --out`)."""
    return write_sheets(db, inventory_id, out, actor)


def counts(db: Database, path: Path, *, actor: str = ACTOR) -> RecordResult:
    """A filled count sheet recorded (`inventory record`)."""
    return record_counts(db, path, actor)
