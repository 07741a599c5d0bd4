"""Builders of governance and supervision (闲置/亏损资产治理, disposal, the stored governance policy, contracts,
supervision warnings and rectification cases): each calls the service its command calls, as the command does
(tests/builders/__init__.py says how a builder works)."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.assets import AssetDraft, Custody, Handover, Ownership
from assetledger.domain.contracts import Frequency, Terms, Timing
from assetledger.domain.enums import AssetStatus, FundSource, OperatingMode, OwnerKind, Register
from assetledger.domain.governance import DisposalMethod
from assetledger.domain.inventory import parse_scope
from assetledger.io.contract_rows import ContractRow
from assetledger.rules.supervision_policy import load_policy
from assetledger.services.assets import (
    assign_custodian,
    change_status,
    confirm_ownership,
    record_handover,
    register_asset,
)
from assetledger.services.books import PostResult
from assetledger.services.contracts import ContractImportResult, add_contract, import_contracts
from assetledger.services.disposal import DisposalRequest, DisposalResult, dispose
from assetledger.services.distribution import DistributionResult, distribute, register_rule
from assetledger.services.distribution_settlement import Settlement, pay
from assetledger.services.governance_policies import PolicyInForce, store_policy
from assetledger.services.inventory import OpenResult, open_inventory
from assetledger.services.inventory_close import CloseResult, close_inventory
from assetledger.services.inventory_counts import RecordResult, record_counts
from assetledger.services.journal import close_period, import_entries
from assetledger.services.public_notices import Published, publish
from assetledger.services.rectification import CaseView, close_case, open_case
from assetledger.store.db import Database
from tests.builders import ACTOR, Rows, _csv


def entries(db: Database, rows: Rows, *, actor: str = ACTOR) -> PostResult:
    """Revenue and expenses of assets from an entries file's header and rows (`ledger import-entries`)."""
    with _csv("entries.csv", rows) as path:
        return import_entries(db, path, actor)


def status(db: Database, asset_id: str, new: AssetStatus, on: dt.date, *, actor: str = ACTOR) -> bool:
    """An asset's status from a date (`asset status ASSET STATUS --date`); False when it already was."""
    return change_status(db, asset_id, new, on, actor)


def disposed(
    db: Database,
    asset_id: str,
    on: dt.date,
    approved_by: ApprovalLevel | str,
    *,
    method: DisposalMethod | str = DisposalMethod.TRANSFER,
    proceeds: str = "0",
    approval: str = "x",
    actor: str = ACTOR,
) -> DisposalResult:
    """An asset disposed of with its approval (`asset dispose ASSET --method --date --proceeds --approval
    --approved-by`)."""
    request = DisposalRequest(
        asset_id, DisposalMethod(method), on, Decimal(proceeds), approval, ApprovalLevel(approved_by)
    )
    return dispose(db, request, actor)


def policy(db: Database, text: str, *, note: str | None = None, actor: str = ACTOR) -> PolicyInForce:
    """A governance policy (TOML text) stored as the next version for the actor's scope (`asset policy store FILE
    --note`); the version in force after it."""
    with tempfile.TemporaryDirectory(prefix="assetledger-builder-") as folder:
        path = Path(folder) / "policy.toml"
        path.write_text(text, encoding="utf-8")
        stored, _ = store_policy(db, path.read_bytes(), str(path), actor, note)
        return stored


def contracts(db: Database, rows: Rows, *, actor: str = ACTOR) -> ContractImportResult:
    """Operating contracts from a contracts file's header and rows (`contract import`)."""
    with _csv("contracts.csv", rows) as path:
        return import_contracts(db, path, actor)


def contract(
    db: Database,
    code: str,
    asset_id: str,
    operator: str,
    mode: OperatingMode | str,
    start: dt.date,
    end: dt.date,
    amount: str,
    frequency: Frequency | str = Frequency.ANNUAL,
    *,
    deposit: str | None = None,
    actor: str = ACTOR,
) -> str:
    """One operating contract, paid in arrears, with its deposit if any (`contract add --code --asset --operator
    --mode --start --end --amount --frequency --deposit`); its code."""
    terms = Terms(OperatingMode(mode), start, end, Decimal(amount), Frequency(frequency), Timing.ARREARS)
    held = None if deposit is None else Decimal(deposit)
    add_contract(db, ContractRow(0, code, (asset_id,), operator, None, terms, held, None, None), actor)
    return code


def well(db: Database, region: str, *, actor: str = ACTOR) -> str:
    """U-1, a 10,000 public-benefit well in `region` acquired on 2025-03-01, neither confirmed, handed over nor in
    anyone's custody (`asset register --id U-1 --name 水井 --register public_benefit --region --year 2025
    --acquired-on 2025-03-01 --value 10000 --fund central=10000`); its id."""
    draft = AssetDraft(
        "U-1", "水井", Register.PUBLIC_BENEFIT, region, Decimal("10000"), ((FundSource.CENTRAL, Decimal("10000")),),
        build_year=2025, acquired_on=dt.date(2025, 3, 1),
    )  # fmt: skip
    register_asset(db, draft, actor)
    return draft.asset_id


def confirmed(
    db: Database, asset_id: str, owner: str, kind: OwnerKind | str, on: dt.date, *, actor: str = ACTOR
) -> bool:
    """An asset's owner confirmed (`asset confirm ASSET --owner --owner-kind --date`)."""
    return confirm_ownership(db, asset_id, Ownership(owner, OwnerKind(kind), on), actor)


def handed_over(db: Database, asset_id: str, on: dt.date, by: str, *, actor: str = ACTOR) -> bool:
    """An asset handed over to its owner (`asset handover ASSET --date --from`)."""
    return record_handover(db, asset_id, Handover(on, by), actor)


def custodian(db: Database, asset_id: str, name: str, start: dt.date, *, actor: str = ACTOR) -> bool:
    """An asset's custodian from a date (`asset custodian ASSET --name --from`)."""
    return assign_custodian(db, asset_id, Custody(name, start), actor)


def books_closed(db: Database, entity: str, through: dt.date, *, actor: str = ACTOR) -> dt.date | None:
    """An entity's books closed through a date (`ledger close --entity --through`); the previous close."""
    return close_period(db, entity, through, actor)


def inventory(db: Database, year: int, scope: str, on: dt.date, *, actor: str = ACTOR) -> OpenResult:
    """An inventory opened over a scope such as 'county:360921' (`inventory open --year --scope --date`)."""
    return open_inventory(db, year, parse_scope(scope), actor, on)


def inventory_closed(db: Database, inventory_id: int, approval: str, on: dt.date, *, actor: str = ACTOR) -> CloseResult:
    """An inventory closed with its approval (`inventory close ID --approval --date`)."""
    return close_inventory(db, inventory_id, approval, actor, on)


def counts(db: Database, rows: Rows, *, actor: str = ACTOR) -> RecordResult:
    """A filled count sheet from its header and rows, 清查编号 among its columns (`inventory record`)."""
    with _csv("counts.csv", rows) as path:
        return record_counts(db, path, actor)


def rule(db: Database, path: Path, *, actor: str = ACTOR) -> bool:
    """A village's distribution rule recorded from its file (`distribute rule add FILE`); whether it was new."""
    _, added = register_rule(db, path, actor)
    return added


def distributed(db: Database, village: str, period: str, on: dt.date, *, actor: str = ACTOR) -> DistributionResult:
    """A village's revenue of a period shared by its rule (`distribute --village --period --date`)."""
    return distribute(db, village, period, actor, on=on)


def published(db: Database, village: str, period: str, *, actor: str = ACTOR) -> list[Published]:
    """A distribution's notice published on the distribution's date (`distribute publish --village --period`)."""
    return publish(db, village, period, actor)


def paid(db: Database, village: str, period: str, on: dt.date, *, actor: str = ACTOR) -> Settlement:
    """Every household's share of a distribution paid (`distribute pay --village --period --date`)."""
    return pay(db, village, period, on, actor)


def case_opened(
    db: Database, key: str, unit: str, deadline: dt.date, on: dt.date, *, policy: Path | None = None, actor: str = ACTOR
) -> CaseView:
    """A rectification case opened on a firing warning (`supervise open KEY --unit --deadline --date --policy`)."""
    return open_case(db, actor, key, unit, deadline, policy=load_policy(policy), on=on)


def case_closed(db: Database, number: int, on: dt.date, *, policy: Path | None = None, actor: str = ACTOR) -> CaseView:
    """A rectification case closed once its warning no longer fires (`supervise close CASE --date --policy`)."""
    return close_case(db, actor, number, policy=load_policy(policy), on=on)
