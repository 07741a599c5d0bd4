"""Disposal (处置): the asset leaves the active register and the books, the gain or loss is booked, and proceeds of
collective assets are restricted money for consolidation and revitalisation (DOMAIN rule 9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.asset_events import ApprovalLevel, AssetEventKind, Disposed, current, refusal, status_after
from assetledger.domain.booking import books_of, value_account
from assetledger.domain.contracts import ContractPolicy, effective_end, in_force
from assetledger.domain.enums import OwnerKind
from assetledger.domain.governance import (
    DisposalMethod,
    disposal_method_problem,
)
from assetledger.domain.journal import EntryKind, JournalEntry, Posting
from assetledger.errors import Finding, InputError, NotFoundError, RuleViolation
from assetledger.services.access import require
from assetledger.services.asset_books import book_value, entries_after, later_entries_message, load_booked
from assetledger.services.assets import asset_region, refuse_unknown_values
from assetledger.services.books import Books, Located, require_amount
from assetledger.services.context import now
from assetledger.services.governance_policies import policy_for_region
from assetledger.store import contract_repo
from assetledger.store.db import Database
from assetledger.store.governance_models import Disposal, DisposalPolicy
from assetledger.store.models import Asset, AssetEvent
from assetledger.store.text_rules import require_fits

GAIN_ACCOUNT = ("Income:Other:DisposalGain", "其他收入-资产处置收益")
LOSS_ACCOUNT = ("Expenses:Other:DisposalLoss", "其他支出-资产处置损失")
RESTRICTED = ("Assets:RestrictedBank", "银行存款-处置收入专户（限定用途）")


@dataclass(frozen=True)
class DisposalRequest:
    asset_id: str
    method: DisposalMethod
    on: dt.date
    proceeds: Decimal
    approval_doc: str
    approved_by: ApprovalLevel  # the level that approved


@dataclass(frozen=True)
class DisposalResult:
    asset_id: str
    book_value: Decimal
    proceeds: Decimal
    gain: Decimal
    required_level: ApprovalLevel
    entry_id: int | None
    policy: str  # the policy that set the level: a stored version, or the shipped file
    policy_sha256: str


def dispose(db: Database, request: DisposalRequest, actor: str) -> DisposalResult:
    """The approval level is set by the governance policy stored for the asset's region (else the shipped
    ledgers/policy file), never by a file given now; the disposal records that policy's version and sha256."""
    problem = disposal_method_problem(request.method)
    if problem:
        raise InputError([Finding("asset dispose", None, "--method", request.method.value, problem)])
    require_fits("asset dispose", ("--approval", request.approval_doc, Disposal.approval_doc))
    request = replace(request, proceeds=require_amount("asset dispose", "--proceeds", request.proceeds, positive=False))
    if not request.approval_doc.strip():
        raise InputError(
            [Finding("asset dispose", None, "--approval", request.approval_doc, "须有批准文件 (approval is required)")]
        )
    if request.method is DisposalMethod.SCRAP and request.proceeds < 0:
        raise InputError(
            [Finding("asset dispose", None, "--proceeds", str(request.proceeds), "不能为负数 (cannot be negative)")]
        )
    with db.transaction() as session:
        asset = session.get(Asset, request.asset_id, with_for_update=True)
        if asset is None:
            raise NotFoundError("asset", request.asset_id)
        require(session, actor, Action.REGISTER, [asset_region(asset)])
        refuse_unknown_values(asset)  # a stored text that is none of its vocabulary decides no disposal
        judged = policy_for_region(session, asset_region(asset))
        policy = judged.policy
        before, event = current(asset.status), Disposed(request.approved_by)
        refused = refusal(before, event)
        if refused is not None:
            zh, en = refused.removesuffix(")").split(" (", 1)  # "中文 (English)": the date goes into both
            raise RuleViolation(f"{zh}（{asset.disposed_on}） ({en} on {asset.disposed_on})", asset_id=request.asset_id)
        booked = load_booked(session, [request.asset_id])[request.asset_id]
        place = books_of(booked)
        books = Books(session, actor)
        entity = books.ensure_entity(*place) if place else None
        value = asset.current_value
        if entity:
            value, _ = book_value(books, entity, value_account(booked)[0])
        required = policy.required_level(value)
        if not request.approved_by.suffices_for(required):
            given = request.approved_by
            raise RuleViolation(
                f"账面价值 {value} 须经{required.label}批准，{given.label}批准不够 "
                f"(book value {value} needs {required.english} approval; {given.english} approval is not enough)",
                asset_id=request.asset_id,
            )
        last_entry = session.scalar(
            select(AssetEvent.event_date).where(AssetEvent.asset_id == request.asset_id).order_by(AssetEvent.id.desc())
        )
        if last_entry and request.on < last_entry:
            raise RuleViolation(
                f"处置日期 {request.on} 早于该资产最近一次变动的日期 {last_entry} "
                f"(disposal date {request.on} is before the asset's last event ({last_entry}))"
            )
        _refuse_later_entries(session, request.asset_id, request.on)
        _refuse_live_contracts(session, request.asset_id, request.on, policy.contracts)
        gain = request.proceeds - value
        entry_id = None
        if entity:
            entry_id = _post(books, entity, booked.asset_id, value_account(booked)[0], asset.owner_kind, request, value)
        asset.status = status_after(asset.status, event)
        asset.disposed_on = request.on
        asset.current_value = Decimal("0.00")
        at = now()
        disposal = Disposal(
            asset_id=request.asset_id, method=request.method.value, disposed_on=request.on,
            proceeds=request.proceeds, book_value=value, gain=gain, approval_doc=request.approval_doc,
            approval_level=request.approved_by.value, entity_code=entity, entry_id=entry_id, actor=actor,
            recorded_at=at,
        )  # fmt: off
        session.add(disposal)
        session.flush()
        session.add(DisposalPolicy(disposal_id=disposal.id, policy_version_id=judged.version_id,
                                   sha256=judged.sha256, required_level=required.value, recorded_at=at))  # fmt: skip
        session.add(
            AssetEvent(
                asset_id=request.asset_id, kind=AssetEventKind.DISPOSED.value, event_date=request.on, actor=actor,
                recorded_at=at,
                payload={"method": request.method.value, "proceeds": str(request.proceeds), "book_value": str(value),
                         "gain": str(gain), "approval": request.approval_doc, "approved_by": request.approved_by.value,
                         "entry": entry_id, "required": required, "policy": judged.name,
                         "policy_sha256": judged.sha256},
            )
        )  # fmt: off
        return DisposalResult(request.asset_id, value, request.proceeds, gain, required, entry_id, judged.name,
                              judged.sha256)  # fmt: skip


def _refuse_later_entries(session: Session, asset_id: str, on: dt.date) -> None:
    """No posting may stand after a disposal (DOMAIN rule 16): a back-dated disposal names the entries in the way."""
    later = entries_after(session, [asset_id], on).get(asset_id)
    if later:
        raise RuleViolation(later_entries_message(on, later), asset_id=asset_id)


def _refuse_live_contracts(session: Session, asset_id: str, on: dt.date, policy: ContractPolicy) -> None:
    """An asset under a contract in force on the disposal date cannot leave the register: the contract would stay
    live on an asset that is gone (DOMAIN rule 20). It is terminated first; its arrears stay listed."""
    live = [c for c in contract_repo.load_contracts(session, asset_ids=[asset_id]) if in_force(c.terms, policy, on)]
    if not live:
        return
    c, end = live[0], effective_end(live[0].terms, policy)
    raise RuleViolation(
        f"资产 {asset_id} 在处置日期 {on} 仍在经营合同 {c.code}（{c.terms.start} 至 {end}）期内，"
        f"请先用 contract terminate {c.code} 解除合同（最后一日早于处置日期） "
        f"(asset {asset_id} is under contract {c.code} ({c.terms.start} – {end}) on the disposal date {on}; "
        f"end it first with `contract terminate {c.code}`, its last day before {on})",
        asset_id=asset_id,
    )


def _post(
    books: Books, entity: str, asset_id: str, account: str, owner_kind: str | None, r: DisposalRequest, value: Decimal
) -> int | None:
    collective = owner_kind in (OwnerKind.VILLAGE.value, OwnerKind.TOWNSHIP.value)
    cash = RESTRICTED[0] if collective else "Assets:Bank"
    postings = [Posting(account, -value)] if value else []
    if r.proceeds:
        postings.append(Posting(cash, r.proceeds))
    gain = r.proceeds - value
    if gain > 0:
        postings.append(Posting(GAIN_ACCOUNT[0], -gain))
    elif gain < 0:
        postings.append(Posting(LOSS_ACCOUNT[0], -gain))
    books.open_accounts((entity, name, cn, dt.date(2000, 1, 1), None) for name, cn in (GAIN_ACCOUNT, LOSS_ACCOUNT))
    labels = {"auction": "拍卖", "transfer": "转让", "scrap": "报废", "write-off": "核销"}
    entry = JournalEntry(
        entity, r.on, f"资产处置（{labels[r.method.value]}）{asset_id}", tuple(postings), EntryKind.DISPOSAL, asset_id,
        f"disposal:{asset_id}", meta={"approval": r.approval_doc, "method": r.method.value},
    )  # fmt: off
    if len(postings) < 2:
        return None  # nothing on the books and nothing received: the register alone records the disposal
    return books.post([entry], [Located("asset dispose")]).posted[0]
