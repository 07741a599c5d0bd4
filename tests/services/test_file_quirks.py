"""Quirks of real county files through the services, on SQLite and PostgreSQL (tester's brief): a 建设年度 after the
current year (2099 for 2019), and a 取得日期 after today, are refused by the register's rule, for a file (naming file,
row, header and value, from a GBK CSV and an XLSX) and for one asset registered through the library (as the CLI and
the web do). Count sheets: test_file_quirks_counts.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.assets import AssetDraft, future_acquired
from assetledger.domain.enums import FundSource, Register
from assetledger.errors import InputError
from assetledger.services.assets import import_assets, register_asset
from assetledger.services.context import today
from assetledger.store.db import Database
from tests.builders import ACTOR, regions
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv, write_xlsx

HONGQI = "360921101201"
NEXT_YEAR = today().year + 1
TOMORROW = today() + dt.timedelta(days=1)


def _cold_store(*, build_year: int | None = None, acquired_on: dt.date | None = None) -> AssetDraft:
    """B-1, a 50,000 public-benefit cold store in 红旗村 of central funds, with the dates given."""
    value = Decimal("50000.00")
    return AssetDraft("B-1", "冷库", Register.PUBLIC_BENEFIT, HONGQI, value, ((FundSource.CENTRAL, value),),
                      build_year=build_year, acquired_on=acquired_on)  # fmt: skip


def _write(kind: str, path: Path, rows: list[list[object]]) -> Path:
    if kind == "xlsx":
        return write_xlsx(path.with_suffix(".xlsx"), rows)
    return write_csv(path.with_suffix(".csv"), rows, encoding="gbk")


@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_build_year_after_this_year_refuses_the_register_file(db: Database, tmp_path: Path, kind: str) -> None:
    regions(db)
    rows = [ASSET_HEADER, asset_row("A-1", 建设年度=str(today().year)), asset_row("A-2", 建设年度="2099"),
            asset_row("A-3", 建设年度=f"{NEXT_YEAR}年")]  # fmt: skip
    path = _write(kind, tmp_path / "台账", rows)
    before = table_counts(db)
    for dry_run in (True, False):
        with pytest.raises(InputError) as refused:
            import_assets(db, path, ACTOR, dry_run=dry_run)
        source = f"{path} [工作表 sheet Sheet]" if kind == "xlsx" else str(path)
        found = [(f.source, f.row, f.column, f.value) for f in refused.value.findings]
        assert found == [(source, 3, "建设年度 (build year)", "2099"),
                         (source, 4, "建设年度 (build year)", f"{NEXT_YEAR}年")]  # fmt: skip
        assert all("晚于今年" in f.reason and "after the current year" in f.reason for f in refused.value.findings)
    assert table_counts(db) == before
    good = _write(kind, tmp_path / "台账2", [ASSET_HEADER, asset_row("A-1", 建设年度=str(today().year))])
    assert import_assets(db, good, ACTOR).rows == 1  # this year is fine


def test_a_build_year_after_this_year_refuses_one_asset_registered(db: Database) -> None:
    """The library's (and the CLI's `asset register --year`) registration keeps the same rule."""
    regions(db)
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        register_asset(db, _cold_store(build_year=NEXT_YEAR), ACTOR)
    [finding] = refused.value.findings
    assert (finding.column, finding.value) == ("建设年度 build year", str(NEXT_YEAR)), finding
    assert f"建设年度 {NEXT_YEAR} 晚于今年" in finding.reason
    assert table_counts(db) == before


@pytest.mark.parametrize("kind", ["xlsx", "gbk.csv"])
def test_a_date_acquired_after_today_refuses_the_register_file(db: Database, tmp_path: Path, kind: str) -> None:
    """取得日期 (here under the county's own header 入账日期) after today: refused naming file, row, header and value,
    in a dry run too, and nothing is written; today itself is fine. An XLSX holds real date cells, a CSV text."""
    regions(db)
    header = [*ASSET_HEADER, "入账日期"]
    on = (lambda d: dt.datetime(d.year, d.month, d.day)) if kind == "xlsx" else (lambda d: d.isoformat())
    rows = [header, [*asset_row("A-1"), on(today())], [*asset_row("A-2"), on(dt.date(2099, 3, 1))],
            [*asset_row("A-3"), on(TOMORROW)], [*asset_row("A-4"), None]]  # fmt: skip
    path = _write(kind, tmp_path / "台账", rows)
    before = table_counts(db)
    for dry_run in (True, False):
        with pytest.raises(InputError) as refused:
            import_assets(db, path, ACTOR, dry_run=dry_run)
        source = f"{path} [工作表 sheet Sheet]" if kind == "xlsx" else str(path)
        found = [(f.source, f.row, f.column, f.value) for f in refused.value.findings]
        assert found == [(source, 3, "入账日期 (acquisition date)", "2099-03-01"),
                         (source, 4, "入账日期 (acquisition date)", TOMORROW.isoformat())]  # fmt: skip
        reasons = [f.reason for f in refused.value.findings]
        assert reasons == [future_acquired(dt.date(2099, 3, 1), today()), future_acquired(TOMORROW, today())]
        assert reasons[0].startswith("取得日期 2099-03-01 晚于今天") and "after today" in reasons[0]
    assert table_counts(db) == before
    good = _write(kind, tmp_path / "台账2", [header, [*asset_row("A-1"), on(today())], [*asset_row("A-4"), None]])
    assert import_assets(db, good, ACTOR).rows == 2


def test_a_date_acquired_after_today_refuses_one_asset_registered(db: Database) -> None:
    """The library's (and the CLI's `asset register --acquired-on`) registration keeps the same rule."""
    regions(db)
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        register_asset(db, _cold_store(acquired_on=TOMORROW), ACTOR)
    [finding] = refused.value.findings
    assert (finding.column, finding.value) == ("取得日期 acquisition date", TOMORROW.isoformat()), finding
    assert finding.reason == future_acquired(TOMORROW, today())
    assert table_counts(db) == before
    register_asset(db, _cold_store(acquired_on=today()), ACTOR)
    assert table_counts(db) != before
