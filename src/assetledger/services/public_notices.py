"""Notices villagers can read without an account (村务公开): publishing a distribution's notice, and what a village's
public page shows.

Publishing (`publish`) is an act of record: which distribution's notice (公示), on what date, by whom — a row of
`notice_publications`, append-only and sealed. The village accountant (村会计) of the village and finance (县财政局)
publish; the same notice again is kept once.

The public page (`public_village`) is read by anyone, with no actor and no scope: so it shows only what was
published, and nothing personal beyond what the notice itself shows —
- the published notices, with household heads' names masked and without the households' own numbers
  (domain/publication.py); a notice reversed after it was published says so (冲销, with the reason);
- the village's public-benefit and operating assets: name, register, build year, original value, status (never a
  custodian, operator, owner or document); household-level assets (到户类) only as a count and a total, since each
  belongs to a named household;
- what the assets earned: the revenue the village's books hold per asset and year, through the end of the last
  published period (a later month is not public until its notice is).
A village with nothing published has no public page (NotFoundError), as an unknown code has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.booking import entity_code
from assetledger.domain.enums import AssetStatus, RegionLevel, Register
from assetledger.domain.journal import EntityKind, EntryKind
from assetledger.domain.money import ZERO
from assetledger.domain.publication import (
    NoticeData,
    PublicAsset,
    PublicEarning,
    PublicHousehold,
    PublicNotice,
    PublicVillage,
    mask_name,
)
from assetledger.errors import NotFoundError, RuleViolation
from assetledger.rules.distribution_file import load_purposes
from assetledger.services.access import require
from assetledger.services.context import now, today
from assetledger.services.distribution import parse_period
from assetledger.services.distribution_reports import build_notice
from assetledger.store.db import Database
from assetledger.store.distribution_models import Distribution, DistributionReversal
from assetledger.store.journal_models import Account, Entry, PostingRow
from assetledger.store.models import Asset, Region
from assetledger.store.publication_models import NoticePublication

RULE_SHOWN = ("code", "version", "approval_body", "approval_date", "approval_document", "notice_days")


@dataclass(frozen=True)
class Published:
    """A distribution's notice published (or found published already)."""

    distribution_id: int
    period: str
    rule_code: str
    published_on: dt.date
    published_by: str
    already: bool  # published before: nothing was written


def publish(db: Database, village: str, period_text: str, actor: str, on: dt.date | None = None) -> list[Published]:
    """Publish the notices of a village's distributions of a period (every rule's), dated `on` — by default the
    distribution's own date, the date its notice bears (DOMAIN rule 16: not the machine's clock) —, not before the
    distribution and not after today. A notice published already is kept as it was."""
    if on is not None and on > today():
        raise RuleViolation(f"公示日期 {on} 晚于今天 (a notice cannot be published after today, {today()})")
    period = parse_period(period_text, "distribute publish")
    with db.transaction() as session:
        require(session, actor, Action.DISTRIBUTE, [village])
        dists = session.scalars(
            select(Distribution)
            .where(
                Distribution.village_code == village,
                Distribution.period_start == period.start,
                Distribution.period_end == period.end,
            )
            .order_by(Distribution.id)
        ).all()
        if not dists:
            raise NotFoundError("distribution", f"{village} {period.label}")
        out = []
        at = now()
        for d in dists:
            done = session.scalar(select(NoticePublication).where(NoticePublication.distribution_id == d.id))
            if done is not None:
                out.append(Published(d.id, d.period, d.rule_code, done.published_on, done.actor, True))
                continue
            dated = on or d.distributed_on
            if dated < today():  # 补录: its objection period would have run before anyone could read it here
                require(session, actor, Action.RECORD_PAST, [village])
            if dated < d.distributed_on:
                raise RuleViolation(
                    f"{d.period} 的分配 {d.distributed_on} 才作出，不能早于此公示 "
                    f"(distribution {d.id} was made on {d.distributed_on}; its notice cannot be published on {dated})"
                )
            session.add(NoticePublication(distribution_id=d.id, village_code=village, published_on=dated, actor=actor,
                                          recorded_at=at))  # fmt: skip
            out.append(Published(d.id, d.period, d.rule_code, dated, actor, False))
    return out


def public_village(db: Database, village: str) -> PublicVillage:
    """A village's public page: its published notices, its assets and what they earned (see the module's notes).
    Read without an actor; NotFoundError for a village with nothing published (or no such village)."""
    with db.reading() as session:
        region = session.get(Region, village)
        if region is None or region.level != RegionLevel.VILLAGE.value:
            raise NotFoundError("public page", village)
        published = session.execute(
            select(Distribution, DistributionReversal, NoticePublication.published_on)
            .join(NoticePublication, NoticePublication.distribution_id == Distribution.id)
            .outerjoin(DistributionReversal, DistributionReversal.distribution_id == Distribution.id)
            .where(NoticePublication.village_code == village, Distribution.village_code == village)
            .order_by(NoticePublication.published_on, NoticePublication.id)
        ).all()
        if not published:
            raise NotFoundError("public page", village)
        names, parents = _names(session, village)
        purposes, _ = load_purposes()
        notices = tuple(
            _public(number, build_notice(session, d, reversal, names, parents, purposes), published_on)
            for number, (d, reversal, published_on) in enumerate(published, 1)
        )
        through = max(d.period_end for d, _, _ in published)
        assets, count, value = _assets(session, village)
        earnings = _earnings(session, village, through)
    township = parents.get(village)
    county = parents.get(township) if township else None
    return PublicVillage(
        village=village,
        village_name=names.get(village, village),
        township_name=names.get(township, "") if township else "",
        county_name=names.get(county, "") if county else "",
        notices=notices,
        assets=assets,
        household_assets=count,
        household_value=value,
        earnings=earnings,
        earned_through=through,
    )


def _names(session: Session, village: str) -> tuple[dict[str, str], dict[str, str | None]]:
    """Names and parents of the village, its township and county (and nothing else of the hierarchy)."""
    names: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    code: str | None = village
    while code is not None and code not in names:
        row = session.execute(select(Region.name, Region.parent_code).where(Region.code == code)).one_or_none()
        if row is None:
            break
        names[code], parents[code] = row.name, row.parent_code
        code = row.parent_code
    return names, parents


def _public(number: int, n: NoticeData, published_on: dt.date) -> PublicNotice:
    households = tuple(
        PublicHousehold(
            number=i,
            head=mask_name(h["head"]),
            category=h["category"],
            persons=h["persons"],
            weight=h["weight"],
            months=h["months"],
            amount=Decimal(h["amount"]),
            note=h["note"],
            paid_on=h["paid_on"],
        )
        for i, h in enumerate(n.households, 1)
    )
    return PublicNotice(
        anchor=f"n{number}",
        period=n.period,
        published_on=published_on,
        rule={k: n.rule[k] for k in RULE_SHOWN},
        revenue=Decimal(n.revenue),
        costs=Decimal(n.costs),
        total=Decimal(n.total),
        distributed_on=n.distributed_on,
        first_payout_day=n.first_payout_day,
        purposes=tuple(dict(p) for p in n.purposes),
        households=households,
        reversed_on=n.reversed_on,
        reversal_reason=n.reversal_reason,
    )


def _assets(session: Session, village: str) -> tuple[tuple[PublicAsset, ...], int, Decimal]:
    rows = session.execute(
        select(Asset.name, Asset.register, Asset.build_year, Asset.original_value, Asset.status)
        .where(Asset.village_code == village)
        .order_by(Asset.register, Asset.build_year, Asset.asset_id)
    ).all()
    shown, count, value = [], 0, ZERO
    for r in rows:
        register = r.register
        if not isinstance(register, Register):  # a stored text that is none: it may be a household's, never listed
            continue
        if register is Register.HOUSEHOLD:  # belongs to a named household: counted, never listed
            count += 1
            value += r.original_value
            continue
        status = AssetStatus._value2member_map_.get(r.status, r.status)  # a stored text that is none: as it is
        shown.append(PublicAsset(r.name, register, r.build_year, r.original_value, status))
    return tuple(shown), count, value


# A gain on a disposal or an inventory surplus is income of the books, not what the asset earned by working.
NOT_EARNED = (EntryKind.DISPOSAL.value, EntryKind.INVENTORY.value)


def _earnings(session: Session, village: str, through: dt.date) -> tuple[PublicEarning, ...]:
    """Revenue (income accounts, shown positive) of each asset per year in the village's books, through `through`,
    summed in the database; corrections (reversals) count against what they reverse."""
    year = extract("year", Entry.date)
    rows = session.execute(
        select(Entry.asset_id, Asset.name, year.label("year"), func.sum(PostingRow.amount).label("amount"))
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .join(Asset, Asset.asset_id == Entry.asset_id)
        .where(
            Entry.entity_code == entity_code(EntityKind.VILLAGE, village),
            Entry.date <= through,
            Entry.kind.not_in(NOT_EARNED),
            func.substr(Account.name, 1, 7) == "Income:",
        )
        .group_by(Entry.asset_id, Asset.name, year)
        .order_by(Entry.asset_id, year)
    ).all()
    return tuple(PublicEarning(r.name, int(r.year), -Decimal(r.amount)) for r in rows if r.amount)
