"""Acceptances (竣工验收) of assets built by projects: the clock of "accepted but not registered" (验收后未登记).

A project's asset is accepted on a date, and the county's measures want it on the register (登记入账) within N days.
The register only holds what was registered, so the acceptance is its own record, kept whether or not the asset
is registered yet: the id it is (or will be) registered under, its name, its place, the date and the acceptance
document. Finance (县财政局) records acceptances in its scope; each is a row of record with actor and time, sealed;
a correction is a later acceptance of the same id (the latest counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from assetledger.domain.access import Action
from assetledger.errors import Finding, InputError, RuleViolation
from assetledger.services.access import require
from assetledger.services.context import now, today
from assetledger.services.regions import load_index
from assetledger.store.db import Database
from assetledger.store.publication_models import AssetAcceptance
from assetledger.store.text_rules import require_fits


@dataclass(frozen=True)
class Acceptance:
    asset_id: str
    name: str
    region_code: str  # where the asset stands (a village, township or county)
    accepted_on: dt.date
    document: str | None = None  # 验收文号


def record_acceptance(db: Database, a: Acceptance, actor: str) -> int:
    """Record an acceptance; returns its number. Refused: a date after today, a region not in the hierarchy,
    text its column would refuse. The same acceptance again (id, date, document, place) records nothing."""
    source = "asset accept"
    a = Acceptance(a.asset_id.strip(), a.name.strip(), a.region_code.strip(), a.accepted_on, a.document)
    require_fits(source, ("asset id", a.asset_id, AssetAcceptance.asset_id), ("--name", a.name, AssetAcceptance.name),
                 ("--doc", a.document, AssetAcceptance.document))  # fmt: skip
    if not a.asset_id.strip() or not a.name.strip():
        raise InputError([Finding(source, None, "asset id/--name", None, "give the asset's id and name")])
    if a.accepted_on > today():
        raise RuleViolation(f"验收日期 {a.accepted_on} 晚于今天 (an acceptance cannot be dated after today, {today()})")
    with db.transaction() as session:
        try:
            place = load_index(session).place_of(a.region_code)
        except LookupError as exc:
            raise InputError([Finding(source, None, "--region", a.region_code, str(exc))]) from exc
        require(session, actor, Action.REGISTER, [a.region_code])
        latest = session.scalar(
            select(AssetAcceptance).where(
                AssetAcceptance.id
                == select(func.max(AssetAcceptance.id)).where(AssetAcceptance.asset_id == a.asset_id).scalar_subquery()
            )
        )
        same = latest is not None and (
            (latest.accepted_on, latest.document, latest.name, latest.village_code or latest.township_code)
            == (a.accepted_on, a.document, a.name, place.village_code or place.township_code)
        )
        if same:
            assert latest is not None
            return latest.id
        row = AssetAcceptance(
            asset_id=a.asset_id,
            name=a.name,
            county_code=place.county_code,
            township_code=place.township_code,
            village_code=place.village_code,
            accepted_on=a.accepted_on,
            document=a.document,
            actor=actor,
            recorded_at=now(),
        )
        session.add(row)
        session.flush()
        return row.id
