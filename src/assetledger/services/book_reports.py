"""Balances and income statements per entity and per asset, summed in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.services.access import read_scope, region_of_entity, require_read
from assetledger.store.db import Database
from assetledger.store.journal_models import Account, Entity, Entry, PostingRow
from assetledger.store.models import Asset

Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class Balance:
    """One line of a trial balance: an account and its balance (debit positive)."""

    name: str
    cn_name: str
    asset_id: str | None
    balance: Decimal


@dataclass(frozen=True)
class AccountIncome:
    """One line of an income statement: an account of an entity and its amount over the period (income positive)."""

    entity_code: str
    name: str
    cn_name: str
    amount: Decimal


@dataclass(frozen=True)
class AssetIncome:
    """Income, expenses and net of one asset over a period."""

    entity_code: str
    asset_id: str
    asset_name: str
    income: Decimal
    expenses: Decimal
    net: Decimal


@dataclass(frozen=True)
class Posting:
    """One leg of an entry: the entry's date, entity, kind and narration with the account and amount of the leg."""

    entry_id: int
    date: dt.date
    entity: str
    kind: str
    ref: str | None
    narration: str
    asset_id: str | None
    account: str
    amount: Decimal
    reverses_id: int | None


@dataclass(frozen=True)
class EntitySummary:
    """An accounting entity (code, name, kind) with the number of its entries."""

    code: str
    name: str
    kind: str
    entries: int


def _period(query: Q, start: dt.date | None, end: dt.date | None) -> Q:
    if start:
        query = query.where(Entry.date >= start)
    if end:
        query = query.where(Entry.date <= end)
    return query


def balances(db: Database, entity: str, as_of: dt.date | None = None, *, actor: str) -> list[Balance]:
    """Trial balance: every account of the entity with its balance (debit positive), non-zero only; for a reader
    whose scope covers the entity."""
    query = (
        select(Account.name, Account.cn_name, Account.asset_id, func.sum(PostingRow.amount).label("balance"))
        .join(PostingRow, PostingRow.account_id == Account.id)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(Account.entity_code == entity)
        .group_by(Account.name, Account.cn_name, Account.asset_id)
        .order_by(Account.name)
    )
    query = _period(query, None, as_of)
    with db.reading() as session:
        require_read(session, actor, region_of_entity(entity), action=Action.BOOKS)
        rows = session.execute(query).all()
    return [Balance(r.name, r.cn_name, r.asset_id, r.balance) for r in rows if r.balance]


IS_INCOME = func.substr(Account.name, 1, 7) == "Income:"
IS_EXPENSE = func.substr(Account.name, 1, 9) == "Expenses:"


def income_by_account(
    db: Database, entity: str | None = None, start: dt.date | None = None, end: dt.date | None = None, *, actor: str
) -> list[AccountIncome]:
    """Income statement per entity and account over a period; income shown positive. Of one entity (refused outside
    the reader's scope), else of every entity within the scope."""
    query = (
        select(Entry.entity_code, Account.name, Account.cn_name, func.sum(PostingRow.amount).label("amount"))
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(IS_INCOME | IS_EXPENSE)
        .group_by(Entry.entity_code, Account.name, Account.cn_name)
        .order_by(Entry.entity_code, Account.name)
    )
    with db.reading() as session:
        query = _within(session, query, entity, actor)
        rows = session.execute(_period(query, start, end)).all()
    return [
        AccountIncome(r.entity_code, r.name, r.cn_name, -r.amount if r.name.startswith("Income") else r.amount)
        for r in rows
    ]


def income_by_asset(
    db: Database, entity: str | None = None, start: dt.date | None = None, end: dt.date | None = None, *, actor: str
) -> list[AssetIncome]:
    """Income, expenses and net per asset over a period (entries carry their asset); of one entity (refused outside
    the reader's scope), else of every entity within the scope."""
    zero = Decimal("0.00")
    query = (
        select(
            Entry.entity_code,
            Entry.asset_id,
            Asset.name.label("asset_name"),
            func.sum(PostingRow.amount).filter(IS_INCOME).label("income"),
            func.sum(PostingRow.amount).filter(IS_EXPENSE).label("expenses"),
        )
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .join(Asset, Asset.asset_id == Entry.asset_id)
        .where(IS_INCOME | IS_EXPENSE)
        .group_by(Entry.entity_code, Entry.asset_id, Asset.name)
        .order_by(Entry.entity_code, Entry.asset_id)
    )
    with db.reading() as session:
        query = _within(session, query, entity, actor)
        rows = session.execute(_period(query, start, end)).all()
    result = []
    for r in rows:
        income, expenses = -(r.income or zero), r.expenses or zero
        result.append(AssetIncome(r.entity_code, r.asset_id, r.asset_name, income, expenses, income - expenses))
    return result


def postings(
    db: Database, entity: str | None = None, start: dt.date | None = None, end: dt.date | None = None, *, actor: str
) -> list[Posting]:
    """Every leg of every entry in a period, in entry order: of one entity (refused outside the reader's scope),
    else of every entity within the scope."""
    query = (
        select(
            Entry.id.label("entry_id"),
            Entry.date,
            Entry.entity_code.label("entity"),
            Entry.kind,
            Entry.ref,
            Entry.narration,
            Entry.asset_id,
            Account.name.label("account"),
            PostingRow.amount,
            Entry.reverses_id,
        )
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .order_by(Entry.date, Entry.id, PostingRow.id)
    )
    with db.reading() as session:
        query = _within(session, query, entity, actor)
        rows = session.execute(_period(query, start, end)).all()
    return [
        Posting(
            r.entry_id, r.date, r.entity, r.kind, r.ref, r.narration, r.asset_id, r.account, r.amount, r.reverses_id
        )
        for r in rows
    ]


def _within(session: Session, query: Q, entity: str | None, actor: str) -> Q:
    """The entries of the entity named (refused outside the reader's scope), else of the entities within it."""
    if entity:
        require_read(session, actor, region_of_entity(entity), action=Action.BOOKS)
        return query.where(Entry.entity_code == entity)
    visible = read_scope(session, actor, action=Action.BOOKS)
    if visible is None:
        return query
    return query.where(Entry.entity_code.in_(select(Entity.code).where(Entity.region_code.in_(sorted(visible)))))


def entities(db: Database, actor: str) -> list[EntitySummary]:
    """The accounting entities the reader's scope covers, with the number of entries of each."""
    with db.reading() as session:
        visible = read_scope(session, actor, action=Action.BOOKS)
        query = select(Entity.code, Entity.name, Entity.kind).order_by(Entity.code)
        if visible is not None:
            query = query.where(Entity.region_code.in_(sorted(visible)))
        rows = session.execute(query).all()
        counts = dict(session.execute(select(Entry.entity_code, func.count()).group_by(Entry.entity_code)).all())
    return [EntitySummary(r.code, r.name, r.kind, counts.get(r.code, 0)) for r in rows]
