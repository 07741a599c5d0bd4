"""What auditors need: an asset's whole story, a verification of the record, and a package (read-only SQL over the
audit views: services/audit_sql.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action, may_read
from assetledger.domain.asset_events import FIELDS, AssetState, apply, differences, event_of
from assetledger.domain.enums import Register
from assetledger.domain.journal import EntryKind
from assetledger.domain.money import MAX_AMOUNT
from assetledger.domain.register_fields import label
from assetledger.errors import NotFoundError
from assetledger.io.output import records, write_xlsx
from assetledger.services.access import (
    current_user,
    read_audit,
    reader,
    reads_households,
    regions_within,
    require_read,
)
from assetledger.services.asset_households import details_without_households
from assetledger.services.asset_queries import ASSET_PLACE, AssetFilter, list_assets
from assetledger.services.assets import asset_region
from assetledger.services.audit_records import labels as record_labels
from assetledger.services.audit_records import package_records
from assetledger.services.documents import package_documents, verify_documents
from assetledger.services.ledger_files import check_entities, entities_in, export_entity
from assetledger.services.reconcile import reconcile
from assetledger.services.rectification import case_records
from assetledger.store import integrity, register_repo
from assetledger.store.append_only import missing_row_guards, missing_truncate_guards
from assetledger.store.db import Database
from assetledger.store.document_files import DocumentPlace, documents_place
from assetledger.store.governance_models import Disposal, GovernanceDecision, MaintenanceApplication
from assetledger.store.integrity import chain_head_sealed, verify_chain
from assetledger.store.journal_models import Account, Entity, Entry, PostingRow
from assetledger.store.models import Asset, AssetEvent
from assetledger.store.state_seals import verify_state


@dataclass(frozen=True)
class TrailLine:
    """One line of an asset's trail: the day, when it was recorded, the area (register, books, governance, ...),
    what happened, who did it and the details as text."""

    date: dt.date | str  # an inventory count, read as its row stands, gives its day as text on SQLite
    recorded_at: dt.datetime | str | None
    area: str
    what: str
    actor: str
    details: str


@dataclass(frozen=True)
class StoryLine(TrailLine):
    """A trail line with what it is made of, for a reader to render in its own words: `kind` (the event or entry
    kind, a code) and `facts` (the event's payload; the entry's number, entity, narration and amount; ...)."""

    kind: str
    facts: Mapping[str, Any]


def trail(db: Database, asset_id: str, actor: str) -> list[TrailLine]:
    """Everything that happened to an asset, across register and books, in date order."""
    return [
        TrailLine(i.date, i.recorded_at, i.area, i.what, i.actor, i.details) for i in asset_story(db, asset_id, actor)
    ]


def asset_story(db: Database, asset_id: str, actor: str) -> list[StoryLine]:
    """`trail` with what each line is made of (`StoryLine.kind` and `.facts`)."""
    with db.reading() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise NotFoundError("asset", asset_id)
        require_read(session, actor, asset_region(asset))
        items: list[StoryLine] = []
        personal = asset.register != Register.HOUSEHOLD or reads_households(session, actor)
        for e in session.scalars(select(AssetEvent).where(AssetEvent.asset_id == asset_id).order_by(AssetEvent.id)):
            payload = dict(e.payload) if personal else details_without_households(e.payload)  # 户编号, 户主
            items.append(_item(e.event_date or e.recorded_at.date(), e.recorded_at, "register", e.kind, e.actor,
                               json.dumps(payload, ensure_ascii=False, default=str), payload))  # fmt: off
        entries = session.execute(
            select(Entry.id, Entry.date, Entry.recorded_at, Entry.kind, Entry.actor, Entry.narration, Entry.entity_code,
                   func.sum(PostingRow.amount).filter(PostingRow.amount > 0))
            .join(PostingRow, PostingRow.entry_id == Entry.id)
            .where(Entry.asset_id == asset_id)
            .group_by(Entry.id, Entry.date, Entry.recorded_at, Entry.kind, Entry.actor, Entry.narration,
                      Entry.entity_code)
        ).all()  # fmt: off
        codes = {row[6] for row in entries}
        entity_names = dict(session.execute(select(Entity.code, Entity.name).where(Entity.code.in_(codes))).all())
        for eid, on, at, kind, who, narration, code, amount in entries:
            entity = entity_names.get(code) or code  # the facts name the entity for a reader (issue 22)
            items.append(
                _item(
                    on,
                    at,
                    "books",
                    kind,
                    who,
                    f"#{eid} {code} {narration} ({amount})",
                    {"entry": eid, "entity": entity, "narration": narration, "amount": amount},
                )
            )
        for d in session.scalars(select(GovernanceDecision).where(GovernanceDecision.asset_id == asset_id)):
            items.append(
                _item(d.decided_on, d.recorded_at, "governance", d.decision, d.actor, d.note or "", {"note": d.note})
            )
        for m in session.scalars(select(MaintenanceApplication).where(MaintenanceApplication.asset_id == asset_id)):
            items.append(_item(m.decided_on or m.applied_on, m.recorded_at, "maintenance fund",
                               m.decision or "applied", m.actor, f"{m.amount} {m.reason}",
                               {"amount": m.amount, "reason": m.reason}))  # fmt: off
        for disposal in session.scalars(select(Disposal).where(Disposal.asset_id == asset_id)):
            items.append(
                _item(
                    disposal.disposed_on,
                    disposal.recorded_at,
                    "disposal",
                    disposal.method,
                    disposal.actor,
                    f"proceeds {disposal.proceeds}, book value {disposal.book_value}, approval {disposal.approval_doc}",
                    {
                        "proceeds": disposal.proceeds,
                        "book_value": disposal.book_value,
                        "approval": disposal.approval_doc,
                    },
                )
            )
        items += _inventory_items(session, asset_id)
        items += _distributions(session, asset)
    # Registration comes first (the asset's own dates come from its handover); then in date order.
    items.sort(key=lambda i: (i.what != "registered", str(i.date), str(i.recorded_at)))
    return items


def _item(
    on: Any, at: Any, area: str, kind: str, actor: str, details: str, facts: dict[str, Any] | None = None
) -> StoryLine:
    return StoryLine(on, at, area, kind, actor, details, kind, facts or {})


def _inventory_items(session: Session, asset_id: str) -> list[StoryLine]:
    """Inventory counts of the asset, when the inventory tables exist."""
    out = []
    for row in register_repo.inventory_counts_of(session, asset_id):
        on = row.get("counted_on") or row.get("recorded_at")
        result = row.get("result")
        out.append(_item(on, row.get("recorded_at"), "inventory", f"counted: {result}", row.get("actor", ""),
                         f"inventory {row.get('inventory_id')}",
                         {"inventory": row.get("inventory_id"), "result": result}))  # fmt: off
    return out


def _distributions(session: Session, asset: Asset) -> list[StoryLine]:
    """Village distributions whose period holds revenue of this asset."""
    if not asset.village_code:
        return []
    from assetledger.store.distribution_models import Distribution, DistributionRuleRow

    out = []
    for d in session.scalars(select(Distribution).where(Distribution.village_code == asset.village_code)):
        earned = session.scalar(
            select(func.count())
            .select_from(Entry)
            .where(
                Entry.asset_id == asset.asset_id,
                Entry.kind == EntryKind.REVENUE,
                Entry.date.between(d.period_start, d.period_end),
            )
        )
        if earned:
            edition = session.scalar(select(DistributionRuleRow.version).where(DistributionRuleRow.id == d.rule_id))
            out.append(_item(d.distributed_on, d.recorded_at, "distribution", d.period, d.actor,
                             f"distribution {d.id} of {d.total} by rule {d.rule_code}",
                             {"distribution": d.id, "total": d.total, "rule": d.rule_code,
                              "edition": edition}))  # fmt: off
    return out


def verify(
    db: Database, actor: str, *, bean_check: bool = True, documents: DocumentPlace | None = None
) -> Iterator[tuple[str, str]]:
    """Every check of the record, for a known user (an unknown or revoked name is refused first); yields (check,
    finding). No findings means the record verifies clean.

    The guards, the hash chain, the register's events and the balance of every entry are one for the whole database
    and are checked whole (their findings name rows by key, even outside the reader's scope); the books against the
    register and Beancount's own check read only the books within the reader's scope.
    `documents`: where the documents of record are kept (default: next to the database)."""
    with db.reading() as session:
        user = reader(session, actor)
        shown_books = user is None or may_read(user.role, Action.BOOKS)
        conn = session.connection()
        for table, guard in missing_row_guards(conn):
            yield (
                "guards",
                (
                    f"表 {table} 的只追加保护 {guard} 缺失或已失效，其记录可能被删改而不留痕迹；"
                    "请从备份恢复，并用保存的链头核对 "
                    f"(the append-only guard {guard} of {table} is missing or disabled: its rows may have been "
                    "deleted or changed unseen; restore from a backup and check against a chain head kept earlier)"
                ),
            )
        for table, guard in missing_truncate_guards(conn):
            yield (
                "guards",
                (
                    f"表 {table} 的防清空保护 {guard} 缺失或已失效，整表可能被清空 (TRUNCATE) 而不留痕迹；"
                    "请从备份恢复，并用保存的链头核对 "
                    f"(the TRUNCATE guard {guard} of {table} is missing or disabled: the whole table may have been "
                    "emptied unseen; restore from a backup and check against a chain head kept earlier)"
                ),
            )
        for tamper in verify_chain(conn):
            yield "integrity", str(tamper)
        for tamper in verify_state(conn):  # assets, funding, households, regions, entities: named by key
            yield "integrity", str(tamper)
        beyond = session.execute(
            select(PostingRow.entry_id, PostingRow.id)
            .where((PostingRow.amount > MAX_AMOUNT) | (PostingRow.amount < -MAX_AMOUNT))
            .order_by(PostingRow.id)
        ).all()
        for entry_id, posting_id in beyond:
            yield (
                "bounds",
                (
                    f"分录 {entry_id} 的金额超出 {MAX_AMOUNT:,} 元，请冲销该分录 "
                    f"(entry {entry_id}: posting {posting_id} is beyond {MAX_AMOUNT:,} yuan (reverse the entry))"
                ),
            )
        if beyond:
            return  # the sums below could overflow on SQLite: these postings come first
        unbalanced = session.execute(
            select(PostingRow.entry_id, func.sum(PostingRow.amount))
            .group_by(PostingRow.entry_id)
            .having(func.sum(PostingRow.amount) != 0)
        ).all()
        for entry_id, total in unbalanced:
            yield (
                "balance",
                f"分录 {entry_id} 借贷不平衡，合计 {total} (entry {entry_id} "
                f"does not balance: postings sum to {total})",
            )
        bare = session.execute(
            select(Entry.id).outerjoin(PostingRow, PostingRow.entry_id == Entry.id).where(PostingRow.id.is_(None))
        ).scalars()
        for entry_id in bare:
            yield "balance", f"分录 {entry_id} 没有分录行 (entry {entry_id} has no postings)"
        early = session.execute(
            select(Entry.id, Account.name, Account.opened_on, Entry.date)
            .join(PostingRow, PostingRow.entry_id == Entry.id)
            .join(Account, Account.id == PostingRow.account_id)
            .where((Entry.date < Account.opened_on) | (Account.entity_code != Entry.entity_code))
        ).all()
        for entry_id, account, opened, on in early:
            yield (
                "accounts",
                (
                    f"分录 {entry_id}（{on}）记入的科目 {account} 当时在其账簿中尚未开设（{opened} 开设） "
                    f"(entry {entry_id} ({on}) posts to {account}, not open in its books then ({opened}))"
                ),
            )
        yield from _projection(session)
        yield from verify_documents(session, documents or documents_place(db.url))
    for mismatch in reconcile(db, actor):
        yield "reconcile", str(mismatch)
    if bean_check:
        for result in check_entities(db, actor, action=None):
            if shown_books:
                for error in result.errors:
                    yield "beancount", f"{result.entity}: {error}"
            elif result.errors:  # the messages quote the books, which name households: a count for the others
                yield (
                    "beancount",
                    f"{result.entity}：Beancount 检查发现 {len(result.errors)} 处错误，请财政局或审计人员查看 "
                    f"({result.entity}: Beancount's check found {len(result.errors)} error(s); the finance bureau or "
                    "an auditor can read them)",
                )


def _projection(session: Session) -> Iterator[tuple[str, str]]:
    """The register's current state must be what its events say (catches out-of-band edits of asset rows): the
    events replayed by the writers' own `apply` (domain/asset_events.py), field by field."""
    expected: dict[str, AssetState] = {}
    for asset_id, kind, on, payload in session.execute(
        select(AssetEvent.asset_id, AssetEvent.kind, AssetEvent.event_date, AssetEvent.payload).order_by(AssetEvent.id)
    ):
        expected[asset_id] = apply(expected.get(asset_id, AssetState()), event_of(kind, on, payload))
    columns = [getattr(Asset, name) for name in FIELDS]
    for row in session.execute(select(Asset.asset_id, *columns).order_by(Asset.asset_id)):
        asset_id, *values = row
        state = expected.get(asset_id)
        if state is None:
            yield "register", f"资产 {asset_id} 没有登记记录 (asset {asset_id} has no registration event)"
            continue
        actual = {name: str(v) if isinstance(v, Enum) else v for name, v in zip(FIELDS, values, strict=True)}
        for name, value, said in differences(state, actual):
            yield (
                "register",
                (
                    f"资产 {asset_id} 的{label(name)}在台账中是 {_shown(value)}，变动记录却是 {_shown(said)} "
                    f"(asset {asset_id}: {name} is {value!r} but its events say {said!r})"
                ),
            )


def _shown(value: object) -> str:
    return "空 (empty)" if value is None else f"「{value}」"


@dataclass(frozen=True)
class AuditPackage:
    """An audit package as `export_package` wrote it: the folder that holds it, and its manifest in that folder."""

    folder: Path  # the package: what is handed to the auditor (the web sends it as one ZIP)
    manifest: Path  # folder / manifest.json: every file of the package with its sha256, the chain's head, labels


def export_package(
    db: Database, folder: Path, actor: str, within: str | None = None, documents: DocumentPlace | None = None
) -> AuditPackage:
    """Write the audit package into `folder` and return where it is: the folder, and its manifest.json in it.

    The package holds the Beancount ledgers, the registers as XLSX, the event log, the households attached to
    household-level assets, the published notices, the acceptances, contracts, disposals, inventories (counts,
    write-offs), maintenance, custodians and user grants (as their audit views show them, services/audit_records.py),
    the rectification cases (when there are any), the documents of record, and the manifest with checksums (and the
    labels of those files' columns): of the region `within` (refused outside the actor's scope), else of the actor's
    whole scope. The ledgers are the books of every entity whose region lies within it (villages, townships, the
    county, a city)."""
    within = None if within == "*" else within
    with db.reading() as session:
        visible = read_audit(session, actor, within)
        if within is None and visible is not None:
            user = current_user(session, actor)
            within = user.scope if user is not None else None
        regions = regions_within(session, within) if within else None
        books = entities_in(session, regions)
        head_seq, head, sealed_at = chain_head_sealed(session.connection())
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for entity in books:
        path, _ = export_entity(db, entity, folder / "ledgers" / f"{entity}.beancount", actor)
        files.append(path)
    assets = list_assets(db, AssetFilter(region=within), actor)
    files.append(write_xlsx(folder / "registers.xlsx", {"assets": records(assets)}, title="扶贫项目资产台账"))
    with db.reading() as session:
        query = select(AssetEvent).order_by(AssetEvent.id)
        if regions is not None:
            query = query.join(Asset, Asset.asset_id == AssetEvent.asset_id).where(ASSET_PLACE.in_(sorted(regions)))
        events = [
            {"id": e.id, "asset_id": e.asset_id, "kind": e.kind, "date": e.event_date, "payload": e.payload,
             "actor": e.actor, "recorded_at": e.recorded_at}
            for e in session.scalars(query)
        ]  # fmt: off
        acts = package_records(session, regions)
    events_path = folder / "events.jsonl"
    events_path.write_text(
        "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in events), encoding="utf-8"
    )
    files.append(events_path)
    for name, rows in acts.items():  # the acts of record of audit_records.py: as their audit views
        path = folder / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows), encoding="utf-8")
        files.append(path)
    cases = case_records(db, actor, within)
    if cases:  # rectification cases (整改) with their steps and close, one line each
        cases_path = folder / "rectification.jsonl"
        cases_path.write_text(
            "".join(json.dumps(c.line(), ensure_ascii=False, default=str) + "\n" for c in cases), encoding="utf-8"
        )
        files.append(cases_path)
    files += package_documents(db, documents or documents_place(db.url), folder, actor, within)
    manifest = {
        "scope": within or "*",
        "exported_by": actor,
        "chain_head": {"seq": head_seq, "hash": head, "sealed_at": sealed_at.isoformat() if sealed_at else None},
        "files": {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
        "columns": {name: record_labels(name) for name in acts},  # what each column of those files holds
    }
    manifest_path = folder / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return AuditPackage(folder, manifest_path)


@dataclass(frozen=True)
class ChainHead:
    """The newest seal of the hash chain: its number, hash and when it was sealed (None: nothing sealed yet).

    Deleting the newest rows together with their seals leaves a shorter chain that still verifies; only a head kept
    from before shows the cut (`audit verify --expect-head`), so verify prints the head for the auditor to keep."""

    seq: int
    hash: str
    sealed_at: dt.datetime | None


def chain_head_of(db: Database, actor: str) -> ChainHead:
    """The chain's head, for a known user (the chain is one for the whole database, as in `verify`)."""
    with db.reading() as session:
        reader(session, actor)
        return ChainHead(*chain_head_sealed(session.connection()))


def chain_contains(db: Database, head: str, actor: str) -> bool:
    """Is a previously published chain head still a link of the chain (history not rewritten since)? For a known
    user, as `verify`."""
    with db.reading() as session:
        reader(session, actor)
        return integrity.chain_contains(session.connection(), head)
