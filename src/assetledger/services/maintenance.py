"""The maintenance fund for public-benefit assets (运维基金, DOMAIN rule 11): the county's fund receives
contributions; owners apply upwards for serious damage; approved money is spent against the damaged asset.
Applications, decisions and spending are rows of one append-only table; every yuan is in the county's books."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import BOOKS_START, entity_code
from assetledger.domain.enums import AssetStatus, Register
from assetledger.domain.governance import MaintenanceDecision
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.errors import NotFoundError, RuleViolation
from assetledger.services.access import entity_name, read_scope, require
from assetledger.services.asset_queries import ASSET_PLACE
from assetledger.services.books import Books, Located, require_amount
from assetledger.services.context import now, today
from assetledger.services.stored import unknown_asset_value
from assetledger.store.db import Database
from assetledger.store.governance_models import MaintenanceApplication
from assetledger.store.journal_models import PostingRow
from assetledger.store.models import Asset
from assetledger.store.text_rules import require_fits

# the rows that decide an application (the others after it are its spending)
DECISIONS = (MaintenanceDecision.APPROVED, MaintenanceDecision.REFUSED)
FUND = ("Liabilities:SpecialPayable:MaintenanceFund", "专项应付款-公益性资产运维基金")


def _fund_balance(books: Books, entity: str) -> Decimal:
    found = books.accounts(entity).get(FUND[0])
    if found is None:
        return Decimal("0.00")
    total = books.session.scalar(select(func.sum(PostingRow.amount)).where(PostingRow.account_id == found[0]))
    return -(total or Decimal("0.00"))


def contribute(db: Database, county: str, amount: Decimal, on: dt.date, actor: str, note: str | None = None) -> int:
    amount = require_amount("maintenance contribute", "--amount", amount)
    with db.transaction() as session:
        require(session, actor, Action.REGISTER, [county])
        books = Books(session, actor)
        entity = books.ensure_entity(EntityKind.COUNTY, county)
        books.open_accounts([(entity, FUND[0], FUND[1], BOOKS_START, None)])
        entry = JournalEntry(
            entity, on, note or "运维基金注入", (Posting("Assets:Bank", amount), Posting(FUND[0], -amount)),
            EntryKind.GENERAL, meta={"fund": "maintenance"},
        )  # fmt: off
        return books.post([entry], [Located("maintenance contribute")]).posted[0]


def apply(db: Database, asset_id: str, amount: Decimal, reason: str, on: dt.date, actor: str) -> int:
    amount = require_amount("maintenance apply", "--amount", amount)
    require_fits("maintenance apply", ("--reason", reason, MaintenanceApplication.reason))
    with db.transaction() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise NotFoundError("asset", asset_id)
        require(session, actor, Action.BOOKS, [asset.village_code or asset.township_code or asset.county_code])
        for what, value, vocabulary in (("register", asset.register, Register), ("status", asset.status, AssetStatus)):
            if not isinstance(value, vocabulary):  # a stored text that is none decides nothing
                raise unknown_asset_value(asset_id, what, value)
        if asset.register != Register.PUBLIC_BENEFIT:
            raise RuleViolation("the maintenance fund is for public-benefit assets (公益性资产)", asset_id=asset_id)
        if asset.status.off_books:
            status = asset.status.label
            raise RuleViolation(f"资产{status}，不在账上 (the asset has left the books ({status}))", asset_id=asset_id)
        row = MaintenanceApplication(
            asset_id=asset_id, applied_on=on, amount=amount, reason=reason, actor=actor, recorded_at=now()
        )
        session.add(row)
        session.flush()
        return row.id


def _require_county(session: Any, asset_id: str, actor: str) -> None:
    asset = session.get(Asset, asset_id)
    require(session, actor, Action.REGISTER, [asset.county_code])


def _application(session: Session, application_id: int) -> MaintenanceApplication:
    row = session.get(MaintenanceApplication, application_id)
    if row is None or row.approves_id is not None:
        raise NotFoundError("maintenance application", str(application_id))
    return row


def _state(session: Any, application_id: int) -> tuple[MaintenanceDecision | None, Decimal, dt.date | None]:
    """(decision, amount spent so far, date of the decision) of an application."""
    rows = session.execute(
        select(MaintenanceApplication.decision, MaintenanceApplication.amount, MaintenanceApplication.decided_on)
        .where(MaintenanceApplication.approves_id == application_id)
        .order_by(MaintenanceApplication.id)
    ).all()
    decided = next(((d, on) for d, _, on in rows if d in DECISIONS), (None, None))
    spent = sum((a for d, a, _ in rows if d is MaintenanceDecision.SPENT), Decimal("0.00"))
    return decided[0], spent, decided[1]


def _refuse_spend_date(application_id: int, on: dt.date, approved_on: dt.date | None) -> None:
    """Money is spent only once approved (DOMAIN rule 11): not before the approval's date, and not in the future."""
    if on > today():
        raise RuleViolation(f"支出日期 {on} 晚于今天 (a spend cannot be dated after today, {today()})")
    if approved_on is not None and on < approved_on:
        raise RuleViolation(
            f"支出日期 {on} 早于第 {application_id} 号维修申请的批准日期 {approved_on} "
            f"(spend dated {on} is before application {application_id} was approved on {approved_on})"
        )


def decide(db: Database, application_id: int, approve: bool, on: dt.date, actor: str) -> None:
    with db.transaction() as session:
        app = _application(session, application_id)
        _require_county(session, app.asset_id, actor)
        decision, _, _ = _state(session, application_id)
        if decision is not None:
            done = "批准" if decision is MaintenanceDecision.APPROVED else "不予批准"
            raise RuleViolation(
                f"第 {application_id} 号维修申请已{done} (application {application_id} was already {decision})"
            )
        if on > today() or on < app.applied_on:
            raise RuleViolation(
                f"审批日期 {on} 须在申请日期 {app.applied_on} 与今天之间 "
                f"(a decision is dated between the application ({app.applied_on}) and today ({today()}))"
            )
        session.add(
            MaintenanceApplication(
                asset_id=app.asset_id, applied_on=app.applied_on, amount=app.amount, reason=app.reason,
                decision=MaintenanceDecision.APPROVED if approve else MaintenanceDecision.REFUSED, decided_on=on,
                approves_id=application_id, actor=actor, recorded_at=now(),
            )
        )  # fmt: off


def spend(db: Database, application_id: int, amount: Decimal, on: dt.date, actor: str) -> int:
    amount = require_amount("maintenance spend", "--amount", amount)
    with db.transaction() as session:
        app = _application(session, application_id)
        _require_county(session, app.asset_id, actor)
        decision, spent, approved_on = _state(session, application_id)
        if decision is not MaintenanceDecision.APPROVED:
            raise RuleViolation(
                f"第 {application_id} 号维修申请未获批准 (application {application_id} is not approved)"
            )
        _refuse_spend_date(application_id, on, approved_on)
        if spent + amount > app.amount:
            raise RuleViolation(
                f"第 {application_id} 号维修申请批准 {app.amount} 元，已支出 {spent} 元，本次支出超出批准金额 "
                f"(application {application_id} approved {app.amount}; {spent} already spent)"
            )
        asset = session.get(Asset, app.asset_id)
        assert asset is not None
        books = Books(session, actor)
        entity = entity_code(EntityKind.COUNTY, asset.county_code)
        if _fund_balance(books, entity) < amount:
            held = _fund_balance(books, entity)
            raise RuleViolation(
                f"{entity_name(session, entity)}运维基金余额只有 {held} 元，不足支付 {amount} 元 "
                f"(the maintenance fund of {entity} holds {held})"
            )
        entry = JournalEntry(
            entity, on, f"运维基金支出：{asset.name}（申请#{application_id}）",
            (Posting(FUND[0], amount), Posting("Assets:Bank", -amount)), EntryKind.EXPENSE, app.asset_id,
            meta={"fund": "maintenance", "application": str(application_id)},
        )  # fmt: off
        entry_id = books.post([entry], [Located("maintenance spend")]).posted[0]
        session.add(
            MaintenanceApplication(
                asset_id=app.asset_id, applied_on=app.applied_on, amount=amount, reason=app.reason,
                decision=MaintenanceDecision.SPENT, decided_on=on, approves_id=application_id, entry_id=entry_id,
                actor=actor, recorded_at=now(),
            )
        )  # fmt: off
        return entry_id


@dataclass(frozen=True)
class Application:
    """An application to the maintenance fund (运维基金): the asset, when and how much was asked and why, the decision
    (approved or refused; None while pending) and the amount spent on it so far."""

    id: int
    asset_id: str
    applied_on: dt.date
    amount: Decimal
    reason: str
    decision: MaintenanceDecision | None  # None: pending (待审批)
    spent: Decimal


def applications(db: Database, actor: str) -> list[Application]:
    """The applications for assets within the reader's scope, with their decisions and spending."""
    query = (
        select(MaintenanceApplication)
        .where(MaintenanceApplication.approves_id.is_(None))
        .order_by(MaintenanceApplication.id)
    )
    with db.reading() as session:
        visible = read_scope(session, actor)
        if visible is not None:
            query = query.join(Asset, Asset.asset_id == MaintenanceApplication.asset_id).where(
                ASSET_PLACE.in_(sorted(visible))
            )
        apps = session.scalars(query).all()
        out = []
        for a in apps:
            decision, spent, _ = _state(session, a.id)
            out.append(Application(a.id, a.asset_id, a.applied_on, a.amount, a.reason, decision, spent))
        return out
