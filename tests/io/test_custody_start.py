"""A register row whose custody (管护起始日期) starts before the asset existed is refused on import, naming the row,
the file's own header and the value, as `asset custodian` refuses it later (domain/assets.custody_start_problem)."""

from __future__ import annotations

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv


def test_custody_from_before_the_build_year_is_refused(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    before = table_counts(db)
    header = [*ASSET_HEADER, "管护起始日期"]
    rows = [header, [*asset_row("A-1"), "2022-01-01"], [*asset_row("A-2"), "2019-06-30"]]  # built in 2021
    out = run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)), ok=False)
    assert out.exit_code == 2, out.output
    assert "管护起始日期" in out.output and "2019-06-30" in out.output and "assets.csv" in out.output
    assert "row 3" in out.output or "第3行" in out.output, out.output
    assert "A-1" not in out.output.replace("A-1,", "")  # the good row is not named
    assert table_counts(db) == before
    run("asset", "custodian", "A-9", "--name", "x", "--from", "2020-01-01", ok=False)  # unknown asset: refused


def test_asset_custodian_before_the_acquisition_is_refused(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", [ASSET_HEADER, asset_row("A-1")])))
    before = table_counts(db)
    refused = run("asset", "custodian", "A-1", "--name", "张三", "--from", "2020-01-01", ok=False)
    assert refused.exit_code == 5 and "2020-01-01" in refused.output and "existed" in refused.output
    assert table_counts(db) == before
    run("asset", "custodian", "A-1", "--name", "张三", "--from", "2022-01-01")
