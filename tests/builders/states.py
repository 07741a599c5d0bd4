"""Builders of the built states (tests/conftest.py STATES) beside the common ones (tests/builders/__init__.py): what
their commands did that no other builder does, or not as the state needs it (a file of its own name, a user other
than ACTOR acting, an option such as --duties, --deposit or --allow-uncounted).

Each calls the service its command calls, as the command does, and returns the service's result. A file a command
read is written under the name it had (an import batch records the name of its file).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from assetledger.domain.assets import Custody
from assetledger.domain.booking import AssetPosting
from assetledger.domain.distribution import DistributionRule
from assetledger.domain.money import parse_money
from assetledger.domain.objections import Outcome
from assetledger.io.household_rows import CATEGORIES, HouseholdRow
from assetledger.services import maintenance, users
from assetledger.services.assets import ImportResult, assign_custodian, import_assets
from assetledger.services.beneficiaries import add_household
from assetledger.services.contracts import ContractView, terminate_contract
from assetledger.services.distribution import register_rule
from assetledger.services.inventory_close import CloseResult, close_inventory
from assetledger.services.inventory_counts import RecordResult, record_counts
from assetledger.services.journal import post_for_asset
from assetledger.services.notice_objections import Objection, decide_objection, raise_objection
from assetledger.store.db import Database
from tests.builders import ACTOR, Rows, _csv


def assets_file(db: Database, name: str, rows: Rows, *, actor: str = ACTOR) -> ImportResult:
    """A register from a file named `name` with this header and rows (`asset import FILE`)."""
    with _csv(name, rows) as path:
        return import_assets(db, path, actor)


def password(db: Database, name: str, text: str, *, actor: str = ACTOR) -> None:
    """A user's web password set (`user password NAME --password-stdin`), hashed as the test process hashes
    (tests/conftest.py CHEAP_ARGON2)."""
    users.set_password(db, name, text, actor)


def household(
    db: Database,
    household_id: str,
    village: str,
    head: str,
    persons: int,
    category: str,
    joined: dt.date,
    *,
    actor: str = ACTOR,
) -> None:
    """One household joining a village's roster; `category` as the command takes it, e.g. 脱贫户 (`beneficiary add
    --id --village --head --persons --category --joined`)."""
    row = HouseholdRow(household_id, village, head, persons, CATEGORIES[category], (), joined, None, None)
    add_household(db, row, village, actor)


def custodian(
    db: Database, asset_id: str, name: str, start: dt.date, *, duties: str | None = None, actor: str = ACTOR
) -> bool:
    """An asset's custodian from a date (`asset custodian ASSET --name --from --duties`); False when it already
    was."""
    return assign_custodian(db, asset_id, Custody(name, start, duties), actor)


def posted(
    db: Database,
    asset_id: str,
    amount: str,
    on: dt.date,
    *,
    direction: str = "revenue",
    kind: str = "rent",
    narration: str | None = None,
    ref: str | None = None,
    actor: str = ACTOR,
) -> int:
    """The id of the entry that books an asset's revenue (or expense) with its voucher number and narration
    (`ledger post --asset --revenue/--expense --amount --date --ref --narration`)."""
    posting = AssetPosting(asset_id, on, direction, kind, parse_money(amount), narration=narration, ref=ref)
    result = post_for_asset(db, posting, actor)
    assert len(result.posted) == 1 and not result.skipped, result  # a builder's posting is new
    return result.posted[0]


def rule_text(db: Database, name: str, text: str, *, actor: str = ACTOR) -> DistributionRule:
    """A village's distribution rule from a file named `name` holding `text` (`distribute rule add FILE`)."""
    with tempfile.TemporaryDirectory(prefix="assetledger-builder-") as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        parsed, added = register_rule(db, path, actor)
    assert added, parsed  # a builder's rule is new
    return parsed


def objection(
    db: Database,
    village: str,
    period: str,
    on: dt.date,
    text: str,
    *,
    household: str | None = None,
    name: str | None = None,
    actor: str = ACTOR,
) -> Objection:
    """An objection to the notice of a village's distribution, raised by a household of its roster or a person by
    name (`distribute objection add --village --period --date --household/--name --text`)."""
    return raise_objection(db, village, period, on, text, actor, household=household, raised_by=name)


def decided(
    db: Database, objection_id: int, on: dt.date, outcome: Outcome, reason: str, *, actor: str = ACTOR
) -> Objection:
    """The decision on an objection (`distribute objection decide ID --date --uphold/--dismiss --reason`)."""
    return decide_objection(db, objection_id, on, outcome, reason, actor)


def terminated(db: Database, code: str, on: dt.date, reason: str, *, actor: str = ACTOR) -> ContractView:
    """A contract ended before its term (`contract terminate CODE --date --reason`)."""
    return terminate_contract(db, code, on, reason, actor)


def contributed(db: Database, county: str, amount: str, on: dt.date, *, actor: str = ACTOR) -> int:
    """Money put into a county's maintenance fund (`maintenance contribute --county --amount --date`); the entry's
    id."""
    return maintenance.contribute(db, county, parse_money(amount), on, actor)


def applied(db: Database, asset_id: str, amount: str, reason: str, on: dt.date, *, actor: str = ACTOR) -> int:
    """An application to the maintenance fund for a public-benefit asset (`maintenance apply ASSET --amount --reason
    --date`); its id."""
    return maintenance.apply(db, asset_id, parse_money(amount), reason, on, actor)


def approved(db: Database, application_id: int, on: dt.date, *, actor: str = ACTOR) -> None:
    """An application to the maintenance fund approved (`maintenance decide ID --approve --date`)."""
    maintenance.decide(db, application_id, True, on, actor)


def spent(db: Database, application_id: int, amount: str, on: dt.date, *, actor: str = ACTOR) -> int:
    """Approved maintenance money spent (`maintenance spend ID --amount --date`); the entry's id."""
    return maintenance.spend(db, application_id, parse_money(amount), on, actor)


def counts_file(db: Database, name: str, rows: Rows, *, actor: str = ACTOR) -> RecordResult:
    """A filled count sheet, 清查编号 among its columns, from a file named `name` (`inventory record FILE`)."""
    with _csv(name, rows) as path:
        return record_counts(db, path, actor)


def inventory_closed(
    db: Database, inventory_id: int, approval: str, on: dt.date, *, allow_uncounted: bool = False, actor: str = ACTOR
) -> CloseResult:
    """An inventory closed with its approval (`inventory close ID --approval --date --allow-uncounted`)."""
    return close_inventory(db, inventory_id, approval, actor, on, allow_uncounted=allow_uncounted)
