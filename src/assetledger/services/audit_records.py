"""Acts of record that the audit package carries as they were recorded, one JSON line per row: households attached
to household-level assets (到户类), notices published for villagers (公示上网), acceptances of built assets (竣工验收),
objections to a distribution's notice (异议) and their decisions, operating contracts (经营合同), disposals (处置),
inventories, their counts and write-offs (清查盘点, 盘亏核销), maintenance-fund records (维修), custodians (管护) and
user grants (授权).

Each file holds exactly the columns of the auditor's view of the same name (store/audit_views.py: v_asset_households,
v_notice_publications, v_asset_acceptances, v_notice_objections, v_notice_objection_decisions, v_contracts,
v_disposals, v_inventories, v_inventory_counts, v_inventory_write_offs, v_maintenance_applications,
v_custodian_assignments, v_user_grants), scoped as the view is (a row belongs to the package when any of the view's
region columns is in it), money as integer fen like the view, and the manifest names each column in Chinese and
English from the view's labels, so that the package and `audit sql` cannot tell an auditor different things.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.sqltypes import NullType

from assetledger.domain.inventory import INVENTORY_LOSS_ACCOUNT
from assetledger.domain.journal import EntryKind
from assetledger.store.access_models import UserGrant
from assetledger.store.audit_views import VIEWS, AuditView
from assetledger.store.contract_models import Contract, ContractAsset, ContractTermination
from assetledger.store.distribution_models import AssetHousehold, Distribution, Household
from assetledger.store.governance_models import Disposal, MaintenanceApplication
from assetledger.store.inventory_models import Inventory, InventoryClose, InventoryCount
from assetledger.store.journal_models import Account, Entity, Entry, PostingRow
from assetledger.store.models import Asset, CustodianAssignment
from assetledger.store.objection_models import NoticeObjection, NoticeObjectionDecision
from assetledger.store.publication_models import AssetAcceptance, NoticePublication

# file in the package -> its view
FILES = {
    "asset_households.jsonl": "v_asset_households",
    "notice_publications.jsonl": "v_notice_publications",
    "asset_acceptances.jsonl": "v_asset_acceptances",
    "notice_objections.jsonl": "v_notice_objections",
    "notice_objection_decisions.jsonl": "v_notice_objection_decisions",
    "contracts.jsonl": "v_contracts",
    "disposals.jsonl": "v_disposals",
    "inventories.jsonl": "v_inventories",
    "inventory_counts.jsonl": "v_inventory_counts",
    "inventory_write_offs.jsonl": "v_inventory_write_offs",
    "maintenance_applications.jsonl": "v_maintenance_applications",
    "custodian_assignments.jsonl": "v_custodian_assignments",
    "user_grants.jsonl": "v_user_grants",
}


def _view(name: str) -> AuditView:
    return next(v for v in VIEWS if v.name == name)


def view_columns(name: str) -> tuple[str, ...]:
    """The column names of an audit view, in its order (the last word of each select item)."""
    return tuple(part.strip().rsplit(" ", 1)[-1].rsplit(".", 1)[-1] for part in _view(name).columns.split(","))


def labels(file: str) -> dict[str, str]:
    """Column -> "中文 English" of a package file, from its view."""
    return dict(_view(FILES[file]).labels)


def _within(regions: Collection[str] | None, *columns: Any) -> list[ColumnElement[bool]]:
    if regions is None:
        return []
    codes = sorted(regions)
    return [or_(*(c.in_(codes) for c in columns))]


def _fen(column: Any) -> Any:
    """A money column as the views show it: the integer fen stored, not the yuan the ORM makes of it."""
    return type_coerce(column, BigInteger)


def _stored(column: Any) -> Any:
    """A column as the database gives it to the view (a count's quantity: NUMERIC on PostgreSQL, what SQLite
    stored on SQLite), not as the ORM would convert it."""
    return type_coerce(column, NullType())


def _queries(regions: Collection[str] | None) -> dict[str, Select[Any]]:
    return _acts(regions) | _assets(regions) | _inventories(regions) | _grants(regions)


def _acts(regions: Collection[str] | None) -> dict[str, Select[Any]]:
    ah, h, a = AssetHousehold, Household, Asset
    np, d, c = NoticePublication, Distribution, AssetAcceptance
    o, od = NoticeObjection, NoticeObjectionDecision
    return {
        "asset_households.jsonl": select(ah.id, ah.asset_id, ah.household_id, h.head, h.village_code, ah.attached_on,
                                         ah.actor, ah.recorded_at)
        .join(a, a.asset_id == ah.asset_id)
        .join(h, h.household_id == ah.household_id)
        .where(*_within(regions, a.county_code, a.township_code, a.village_code))
        .order_by(ah.id),
        "notice_publications.jsonl": select(np.id, np.distribution_id, np.village_code, d.period, np.published_on,
                                            np.actor, np.recorded_at)
        .join(d, d.id == np.distribution_id)
        .where(*_within(regions, np.village_code))
        .order_by(np.id),
        "asset_acceptances.jsonl": select(c.id, c.asset_id, c.name, c.county_code, c.township_code, c.village_code,
                                          c.accepted_on, c.document, c.actor, c.recorded_at)
        .where(*_within(regions, c.county_code, c.township_code, c.village_code))
        .order_by(c.id),
        "notice_objections.jsonl": select(o.id, o.distribution_id, o.village_code, d.period, o.raised_on,
                                          o.household_id, o.raised_by, o.text, o.actor, o.recorded_at)
        .join(d, d.id == o.distribution_id)
        .where(*_within(regions, o.village_code))
        .order_by(o.id),
        "notice_objection_decisions.jsonl": select(od.id, od.objection_id, o.distribution_id, o.village_code,
                                                   od.decided_on, od.outcome, od.reason, od.actor, od.recorded_at)
        .join(o, o.id == od.objection_id)
        .where(*_within(regions, o.village_code))
        .order_by(od.id),
    }  # fmt: skip


def _assets(regions: Collection[str] | None) -> dict[str, Select[Any]]:
    """Records of an asset, scoped by the asset's place: contracts, disposals, maintenance, custodians."""
    a, c, ca, t = Asset, Contract, ContractAsset, ContractTermination
    d, m, g = Disposal, MaintenanceApplication, CustodianAssignment
    place = _within(regions, a.county_code, a.township_code, a.village_code)
    return {
        "contracts.jsonl": select(c.id, c.code, ca.asset_id, c.operator, c.mode, c.signed_on, c.start_on, c.end_on,
                                  _fen(c.amount), c.frequency, c.timing, c.paid_through, _fen(c.deposit), c.renews_id,
                                  t.terminated_on, t.reason, c.actor, c.recorded_at)
        .join(ca, ca.contract_id == c.id)
        .join(a, a.asset_id == ca.asset_id)
        .outerjoin(t, t.contract_id == c.id)
        .where(*place)
        .order_by(c.id, ca.asset_id),
        "disposals.jsonl": select(d.id, d.asset_id, d.method, d.disposed_on, _fen(d.proceeds), _fen(d.book_value),
                                  _fen(d.gain), d.approval_doc, d.approval_level, d.entity_code, d.entry_id, d.actor,
                                  d.recorded_at)
        .join(a, a.asset_id == d.asset_id)
        .where(*place)
        .order_by(d.id),
        "maintenance_applications.jsonl": select(m.id, m.asset_id, m.applied_on, _fen(m.amount), m.reason,
                                                 m.decision, m.decided_on, m.approves_id, m.entry_id, m.actor,
                                                 m.recorded_at)
        .join(a, a.asset_id == m.asset_id)
        .where(*place)
        .order_by(m.id),
        "custodian_assignments.jsonl": select(g.id, g.asset_id, g.custodian, g.duties, g.start_on, g.actor,
                                              g.recorded_at)
        .join(a, a.asset_id == g.asset_id)
        .where(*place)
        .order_by(g.id),
    }  # fmt: skip


def _inventories(regions: Collection[str] | None) -> dict[str, Select[Any]]:
    i, x, k = Inventory, InventoryClose, InventoryCount
    p, e, ac, n, r = PostingRow, Entry, Account, Entity, aliased(Entry)
    return {
        "inventories.jsonl": select(i.id, i.year, i.scope_level, i.scope_code, i.opened_on, i.actor, i.recorded_at,
                                    x.closed_on, x.approval_doc, x.actor, x.recorded_at)
        .outerjoin(x, x.inventory_id == i.id)
        .where(*_within(regions, i.scope_code))
        .order_by(i.id),
        "inventory_counts.jsonl": select(k.id, k.inventory_id, k.asset_id, k.place_code, k.result, k.condition,
                                         k.counted_by, k.counted_on, k.name, k.register, k.category, k.location,
                                         _stored(k.quantity), k.unit, _fen(k.value), k.custodian, k.actor,
                                         k.recorded_at)
        .where(*_within(regions, k.place_code))
        .order_by(k.id),
        "inventory_write_offs.jsonl": select(e.id, e.entity_code, e.date, e.asset_id, _fen(p.amount), e.ref,
                                             e.narration, r.id, e.actor, e.recorded_at)
        .select_from(p)
        .join(e, and_(e.id == p.entry_id, e.kind == EntryKind.INVENTORY.value))
        .join(ac, and_(ac.id == p.account_id, ac.name == INVENTORY_LOSS_ACCOUNT[0]))
        .join(n, n.code == e.entity_code)
        .outerjoin(r, r.reverses_id == e.id)
        .where(*_within(regions, n.region_code))
        .order_by(e.id, p.id),
    }  # fmt: skip


def _grants(regions: Collection[str] | None) -> dict[str, Select[Any]]:
    """Grants whose region lies within the package's: who was granted what, by whom, when (never a password)."""
    u = UserGrant
    return {
        "user_grants.jsonl": select(u.id, u.name, u.role, u.scope, case((u.revoked, 1), else_=0), u.granted_by,
                                    u.granted_at)
        .where(*_within(regions, u.scope))
        .order_by(u.id),
    }  # fmt: skip


def package_records(session: Session, regions: Collection[str] | None) -> dict[str, list[dict[str, Any]]]:
    """file -> its rows as plain values (dates and times as the database's types), of `regions` (None: all). The
    caller has checked the reader's scope and named the regions within it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for file, query in _queries(regions).items():
        names = view_columns(FILES[file])
        found[file] = [dict(zip(names, row, strict=True)) for row in session.execute(query)]
    return found
