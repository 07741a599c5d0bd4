"""Acts of record that the audit package carries as they were recorded, one JSON line per row: households attached
to household-level assets (到户类), notices published for villagers (公示上网), acceptances of built assets (竣工验收),
objections to a distribution's notice (异议) and their decisions.

Each file holds exactly the columns of the auditor's view of the same name (store/audit_views.py: v_asset_households,
v_notice_publications, v_asset_acceptances, v_notice_objections, v_notice_objection_decisions), scoped as the view
is (a row belongs to the package when any of the view's region columns is in it), and the manifest names each column
in Chinese and English from the view's labels, so that the package and `audit sql` cannot tell an auditor different
things.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from assetledger.store.audit_views import VIEWS, AuditView
from assetledger.store.distribution_models import AssetHousehold, Distribution, Household
from assetledger.store.models import Asset
from assetledger.store.objection_models import NoticeObjection, NoticeObjectionDecision
from assetledger.store.publication_models import AssetAcceptance, NoticePublication

# file in the package -> its view
FILES = {
    "asset_households.jsonl": "v_asset_households",
    "notice_publications.jsonl": "v_notice_publications",
    "asset_acceptances.jsonl": "v_asset_acceptances",
    "notice_objections.jsonl": "v_notice_objections",
    "notice_objection_decisions.jsonl": "v_notice_objection_decisions",
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


def _queries(regions: Collection[str] | None) -> dict[str, Select[Any]]:
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


def package_records(session: Session, regions: Collection[str] | None) -> dict[str, list[dict[str, Any]]]:
    """file -> its rows as plain values (dates and times as the database's types), of `regions` (None: all). The
    caller has checked the reader's scope and named the regions within it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for file, query in _queries(regions).items():
        names = view_columns(FILES[file])
        found[file] = [dict(zip(names, row, strict=True)) for row in session.execute(query)]
    return found
