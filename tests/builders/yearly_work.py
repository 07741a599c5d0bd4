"""Builders of the registers' yearly work beside the common ones (tests/builders/__init__.py): an asset registered by
hand, its acceptance (竣工验收), the governance policy stored for a scope, documents of record attached to assets, the
annual inventory (open, its sheets, the filled sheets recorded).

Each calls the service as its command does and returns the service's typed result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assetledger.domain.assets import AssetDraft
from assetledger.domain.documents import DocumentKind
from assetledger.domain.inventory import parse_scope
from assetledger.services.acceptance import Acceptance, record_acceptance
from assetledger.services.assets import register_asset
from assetledger.services.documents import AttachResult, attach_batch, attach_file
from assetledger.services.governance_policies import PolicyInForce, store_policy
from assetledger.services.inventory import OpenResult, open_inventory, write_sheets
from assetledger.services.inventory_counts import RecordResult, record_counts
from assetledger.store.db import Database
from assetledger.store.document_files import DocumentPlace, documents_place
from tests.builders import ACTOR


def registered(db: Database, draft: AssetDraft, *, actor: str = ACTOR) -> str:
    """One asset registered from its draft (`asset register`); its id."""
    register_asset(db, draft, actor)
    return draft.asset_id


def accepted(
    db: Database, asset_id: str, name: str, region: str, on: dt.date, *, doc: str | None = None, actor: str = ACTOR
) -> int:
    """An asset accepted (竣工验收) on `on` where it stands (`asset accept ASSET_ID --name --region --date --doc`);
    the acceptance's number."""
    return record_acceptance(db, Acceptance(asset_id, name, region, on, doc), actor)


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


def attach(
    db: Database,
    path: Path,
    *,
    asset_id: str | None = None,
    kind: DocumentKind | None = None,
    place: DocumentPlace | None = None,
    actor: str = ACTOR,
) -> AttachResult:
    """A file attached to `asset_id`, or a file, folder or ZIP matched by its names' asset ids (`asset attach`),
    kept in `place` (default: beside the database, as without --documents)."""
    kept = place if place is not None else documents_place(db.url)
    if asset_id is not None:
        return attach_file(db, kept, asset_id, path, actor, kind=kind)
    return attach_batch(db, kept, path, actor, kind=kind)
