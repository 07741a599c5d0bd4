"""Reinvestment (扩大再生产): revenue set aside in the reinvestment reserve, or restricted disposal proceeds, put into
an existing asset (its value rises) or into a new asset registered with fund source 'reinvested revenue'."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, select

from assetledger.domain.asset_events import AssetEventKind
from assetledger.domain.assets import AssetDraft, Ownership
from assetledger.domain.booking import books_of, capital_account, entity_code, value_account
from assetledger.domain.enums import FundSource, OwnerKind
from assetledger.domain.journal import EntityKind, EntryKind, JournalEntry, Posting
from assetledger.domain.money import amount_problem
from assetledger.errors import RuleViolation
from assetledger.services.access import entity_name, require_read
from assetledger.services.asset_books import load_booked
from assetledger.services.assets import load_for_change, register_in
from assetledger.services.books import Books, Located, require_amount
from assetledger.services.context import now
from assetledger.store.db import Database
from assetledger.store.journal_models import PostingRow
from assetledger.store.models import AssetEvent, Region

RESERVE = "Equity:PublicWelfareFund:Reinvestment"
SOURCES = {"reserve": "Assets:Bank", "restricted": "Assets:RestrictedBank"}


def _balance(books: Books, entity: str, account: str) -> Decimal:
    found = books.accounts(entity).get(account)
    if found is None:
        return Decimal("0.00")
    total = books.session.scalar(select(func.sum(PostingRow.amount)).where(PostingRow.account_id == found[0]))
    return total or Decimal("0.00")


def _check_funds(books: Books, entity: str, source: str, amount: Decimal) -> None:
    if source == "reserve":
        available = -_balance(books, entity, RESERVE)
        what = "reinvestment reserve (扩大再生产)"
        zh = "扩大再生产资金"
    else:
        available = _balance(books, entity, SOURCES["restricted"])
        what = "restricted disposal proceeds (处置收入专户)"
        zh = "处置收入专户"
    if amount > available:
        raise RuleViolation(
            f"{entity_name(books.session, entity)}的{zh}余额 {available} 元，少于 {amount} 元 "
            f"({entity}: the {what} holds {available}, less than {amount})"
        )


def reinvest_existing(
    db: Database, asset_id: str, amount: Decimal, on: dt.date, source: str, actor: str, note: str | None = None
) -> int:
    """Put money into an existing asset: its book and register value rise by the amount."""
    amount = require_amount("reinvest", "--amount", amount)
    with db.transaction() as session:
        asset = load_for_change(session, asset_id, actor)
        problem = amount_problem(asset.current_value + amount)
        if problem:  # the register value is an amount too: bounded, so that every sum of values stays exact
            raise RuleViolation(
                f"资产价值 {asset.current_value} 加上 {amount} 后不是可记的金额 "
                f"(its value {asset.current_value} plus {amount}: {problem})",
                asset_id=asset_id,
            )
        booked = load_booked(session, [asset_id])[asset_id]
        place = books_of(booked)
        if place is None:
            raise RuleViolation(
                "到户类资产不记入集体账 (household-level assets are off the public books)", asset_id=asset_id
            )
        entity = entity_code(*place)
        books = Books(session, actor)
        _check_funds(books, entity, source, amount)
        capital = capital_account(booked.register, FundSource.REINVESTED)
        books.open_accounts([(entity, capital[0], capital[1], dt.date(2000, 1, 1), None)])
        postings = [Posting(value_account(booked)[0], amount), Posting(SOURCES[source], -amount)]
        if source == "reserve":
            postings += [Posting(RESERVE, amount), Posting(capital[0], -amount)]
        entry = JournalEntry(
            entity, on, note or f"收益再投入 {asset_id} {asset.name}", tuple(postings), EntryKind.REINVESTMENT,
            asset_id, meta={"source": source},
        )  # fmt: off
        entry_id = books.post([entry], [Located("reinvest")]).posted[0]
        before = asset.current_value
        asset.current_value = before + amount
        session.add(
            AssetEvent(
                asset_id=asset_id, kind=AssetEventKind.REINVESTED.value, event_date=on, actor=actor, recorded_at=now(),
                payload={"amount": str(amount), "source": source, "value_before": str(before),
                         "value_after": str(asset.current_value), "entry": entry_id},
            )
        )  # fmt: off
        return entry_id


def reinvest_new(db: Database, draft: AssetDraft, on: dt.date, source: str, actor: str) -> int:
    """Build a new asset from a village's reinvested revenue: registered (fund source 'reinvested'), owned by the
    village collective, and paid for from the reserve or the restricted proceeds — all in one transaction."""
    draft = replace(draft, original_value=require_amount("reinvest", "--value", draft.original_value))
    with db.transaction() as session:
        region = session.get(Region, draft.region_code)
        if region is None or region.level != "village":
            where = region.name if region is not None else draft.region_code
            raise RuleViolation(
                f"{where}不是村：再投入形成的资产由村集体经济组织建设 "
                f"({draft.region_code}: a reinvested asset is built by a village collective)"
            )
        entity = entity_code(EntityKind.VILLAGE, region.code)
        owner = Ownership(f"{region.name}股份经济合作社", OwnerKind.VILLAGE, on, "收益再投入")
        draft = replace(
            draft, funding=((FundSource.REINVESTED, draft.original_value),), ownership=owner, acquired_on=on
        )
        books = Books(session, actor)
        books.ensure_entity(EntityKind.VILLAGE, region.code)
        _check_funds(books, entity, source, draft.original_value)
        register_in(session, draft, actor)
        capital = capital_account(draft.register, FundSource.REINVESTED)[0]
        debit = RESERVE if source == "reserve" else capital
        amount = draft.original_value
        entry = JournalEntry(
            entity, on, f"收益再投入新建 {draft.asset_id} {draft.name}",
            (Posting(debit, amount), Posting(SOURCES[source], -amount)), EntryKind.REINVESTMENT, draft.asset_id,
            meta={"source": source},
        )  # fmt: off
        return Books(session, actor).post([entry], [Located("reinvest")]).posted[0]


def available(db: Database, village: str, actor: str, source: str = "reserve") -> Decimal:
    """What a village collective can reinvest now: its reserve, or its restricted disposal proceeds (refused
    outside the reader's scope)."""
    entity = entity_code(EntityKind.VILLAGE, village)
    with db.reading() as session:
        require_read(session, actor, village)
        books = Books(session, actor)
        if not books.entity_exists(entity):
            return Decimal("0.00")
        if source == "reserve":
            return -_balance(books, entity, RESERVE)
        return _balance(books, entity, SOURCES["restricted"])
