"""Acceptances (竣工验收) of assets built by projects: the clock of "accepted but not registered" (验收后未登记).

A project's asset is accepted on a date, and the county's measures want it on the register (登记入账) within N days.
The register only holds what was registered, so the acceptance is its own record, kept whether or not the asset
is registered yet: the id it is (or will be) registered under, its name, its place, the date and the acceptance
document. Finance (县财政局) records acceptances in its scope; each is a row of record with actor and time, sealed;
a correction is a later acceptance of the same id (the latest counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.assets import AssetDraft
from assetledger.domain.regions import Place, RegionIndex
from assetledger.errors import Finding, InputError, RuleViolation
from assetledger.io.acceptance_rows import AcceptanceRow, parse_acceptances, unused_columns
from assetledger.io.tabular import read_table
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
        raise InputError(
            [Finding(source, None, "asset id/--name", None, "请填写资产编号和名称 (give the asset's id and name)")]
        )
    if a.accepted_on > today():
        raise RuleViolation(f"验收日期 {a.accepted_on} 晚于今天 (an acceptance cannot be dated after today, {today()})")
    with db.transaction() as session:
        try:
            place = load_index(session).place_of(a.region_code)
        except LookupError as exc:
            raise InputError([Finding(source, None, "--region", a.region_code, str(exc))]) from exc
        require(session, actor, Action.REGISTER, [a.region_code])
        return _record(session, a, place, actor)[0]


def _record(session: Session, a: Acceptance, place: Place, actor: str, *, write: bool = True) -> tuple[int, bool]:
    """Keep the acceptance unless the latest one of the id says the same: (its number, whether it is new). With
    `write` False nothing is kept (a dry run): the number of a new one is 0."""
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
        return latest.id, False
    if not write:
        return 0, True
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
    return row.id, True


@dataclass(frozen=True)
class AcceptanceImport:
    source: str
    rows: int
    recorded: int  # new acceptances (the others said again what was kept)
    dry_run: bool
    notes: tuple[str, ...] = ()  # columns of the file not used


def import_acceptances(
    db: Database, path: Path, actor: str, *, dry_run: bool = False, sheet: str | None = None
) -> AcceptanceImport:
    """An acceptance list (竣工验收清单), all or nothing: every bad row listed (file, row, the file's own header,
    value), nothing written; a row saying again what is kept records nothing, so the same file twice is a no-op.
    `sheet`: the workbook's sheet to read (else its one visible sheet with data)."""
    table = read_table(path, sheet=sheet)
    rows, findings = parse_acceptances(table)
    findings += table.empty_findings()
    if findings:
        raise InputError(findings)
    with db.transaction() as session:
        index = load_index(session)
        placed: list[tuple[AcceptanceRow, Place]] = []
        for r in rows:
            try:
                place = index.locate(r.region_code, *r.names)  # a code and names that disagree: refused
            except LookupError as exc:
                shown = r.region_code or "/".join(n for n in r.names if n)
                findings.append(Finding(table.source, r.row, r.place_column, shown, str(exc)))
                continue
            if r.accepted_on > today():
                findings.append(Finding(table.source, r.row, "验收日期", str(r.accepted_on), "晚于今天 (after today)"))
                continue
            placed.append((r, place))
        seen: dict[str, int] = {}
        for r, _ in placed:
            if r.asset_id in seen:
                findings.append(
                    Finding(
                        table.source,
                        r.row,
                        "资产编号",
                        r.asset_id,
                        f"与第 {seen[r.asset_id]} 行重复 (also in row {seen[r.asset_id]})",
                    )
                )
            seen.setdefault(r.asset_id, r.row)
        if findings:
            raise InputError(findings)
        require(session, actor, Action.REGISTER, sorted({p.village_code or p.township_code or p.county_code
                                                         for _, p in placed}))  # fmt: skip
        recorded = 0
        for r, place in placed:
            code = place.village_code or place.township_code or place.county_code
            accepted = Acceptance(r.asset_id, r.name, code, r.accepted_on, r.document)
            recorded += _record(session, accepted, place, actor, write=not dry_run)[1]
        return AcceptanceImport(table.source, len(rows), recorded, dry_run, tuple(unused_columns(table)))


def accepted_on_registering(session: Session, drafts: Sequence[AssetDraft], index: RegionIndex, actor: str) -> int:
    """The acceptances a register file brings (its 验收日期 column), kept as `asset accept` keeps them, inside the
    import's unit of work: an acceptance the latest one of the id already says records nothing. Returns how many
    were recorded."""
    recorded = 0
    for d in drafts:
        if d.accepted_on is not None:
            accepted = Acceptance(d.asset_id, d.name, d.region_code, d.accepted_on, None)
            recorded += _record(session, accepted, index.place_of(d.region_code), actor)[1]
    return recorded


def after_today(source: str, rows: Iterable[tuple[int, AssetDraft]]) -> list[Finding]:
    """A finding for each acceptance dated after today (the rule `asset accept` keeps)."""
    return [Finding(source, row, "验收日期", str(d.accepted_on), f"验收日期晚于今天 (after today ({today()}))")
            for row, d in rows if d.accepted_on is not None and d.accepted_on > today()]  # fmt: skip
