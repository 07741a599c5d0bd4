"""Build a test's state by calling the services, as the CLI's commands do, without parsing arguments or printing.

A service test starts from its database (the `db` fixture: a migrated template copied per test), builds what it
needs here, then calls the service it tests and reads its typed result. What the commands print and how they exit
is tested in tests/cli.

Files go through the readers the CLI uses (io/tabular.read_table, on a CSV written with helpers.write_csv to a
folder of its own that is gone when the service returns): a builder takes the same header and rows a test would
write to a file. Set-up mode: with no users added, any actor name may act (services/context.py); `ACTOR` is the
one the tests use.

This package's own module holds what most tests need (regions, registers, rosters, postings, users); a module
beside it holds the builders of one area (e.g. `tests.builders.distribution`), and `tests.builders.states` what
the states built once per run (tests/conftest.py STATES) need besides.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from assetledger.domain.access import Role
from assetledger.domain.booking import AssetPosting
from assetledger.io.tabular import read_table
from assetledger.services.assets import ImportResult, import_assets
from assetledger.services.beneficiaries import RosterResult, import_roster
from assetledger.services.journal import post_for_asset
from assetledger.services.regions import RegionImportResult, import_regions
from assetledger.services.users import grant
from assetledger.store.db import Database
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, write_csv

ACTOR = "tester"

Rows = Sequence[Sequence[object]]

# The registers most tests of the books start from: one asset for each place an asset's books can be.
BOOKS_ASSETS: list[Sequence[object]] = [
    ASSET_HEADER,
    asset_row("A-1"),  # public-benefit, the village's: its books
    asset_row("A-2", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="绿源公司"),  # operating, leased
    asset_row("A-3", 确权主体=None, 确权级别=None, 确权日期=None),  # unconfirmed: the county's books
    asset_row(
        "H-1",
        资产名称="能繁母牛",
        资产类别="到户类",
        户编号="H001",
        户主姓名="王建国",
        确权主体="王建国",
        确权级别="农户",
        管护主体=None,
    ),  # household-level: off the public books
]


@contextmanager
def _csv(name: str, rows: Rows) -> Iterator[Path]:
    """`rows` written to a CSV file named `name`, in a folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="assetledger-builder-") as folder:
        yield write_csv(Path(folder) / name, rows)


def regions(db: Database, rows: Rows = REGIONS, *, actor: str = ACTOR) -> RegionImportResult:
    """The administrative hierarchy from a region file's header and rows (`region import`)."""
    with _csv("regions.csv", rows) as path:
        return import_regions(db, read_table(path), actor)


def assets(db: Database, rows: Rows, *, actor: str = ACTOR) -> ImportResult:
    """A register from its header and rows, e.g. `[ASSET_HEADER, asset_row("A-1")]` (`asset import`): the assets,
    their events and their opening entries in the books."""
    with _csv("assets.csv", rows) as path:
        return import_assets(db, path, actor)


def registers(db: Database) -> None:
    """示范县's regions (helpers.REGIONS) and BOOKS_ASSETS: A-1 and A-2 in 红旗村's books (V360921101201), A-3 in
    the county's (C360921), the household's H-1 in none."""
    regions(db)
    assets(db, BOOKS_ASSETS)


def roster(db: Database, rows: Rows, *, on: dt.date | None = None, actor: str = ACTOR) -> RosterResult:
    """Households joining, changing or leaving the beneficiary roster, from its header and rows
    (`beneficiary import`); `on` dates the changes whose rows give no date of their own (--date)."""
    with _csv("roster.csv", rows) as path:
        return import_roster(db, path, actor, on=on)


def revenue(
    db: Database, asset_id: str, amount: str, on: dt.date | str, *, kind: str = "rent", ref: str | None = None
) -> int:
    """The id of the entry that books `amount` yuan of an asset's revenue (`ledger post --revenue`)."""
    return _post(db, AssetPosting(asset_id, _date(on), "revenue", kind, Decimal(amount), ref=ref))


def expense(
    db: Database, asset_id: str, amount: str, on: dt.date | str, *, kind: str = "maintenance", ref: str | None = None
) -> int:
    """The id of the entry that books `amount` yuan of an asset's expense (`ledger post --expense`)."""
    return _post(db, AssetPosting(asset_id, _date(on), "expense", kind, Decimal(amount), ref=ref))


def _post(db: Database, posting: AssetPosting) -> int:
    result = post_for_asset(db, posting, ACTOR)
    assert len(result.posted) == 1 and not result.skipped, result  # a builder's posting is new
    return result.posted[0]


def _date(on: dt.date | str) -> dt.date:
    return on if isinstance(on, dt.date) else dt.date.fromisoformat(on)


def user(db: Database, name: str, role: Role | str, scope: str, *, actor: str = ACTOR) -> str:
    """`name`, granted `role` over the region `scope` ('*' for all) (`user add`); the name, to act as. The first
    user ends set-up mode: from then on only users act, so a test adds its users after building as ACTOR, or
    grants ACTOR a role first."""
    grant(db, name, Role(role), scope, actor)
    return name
