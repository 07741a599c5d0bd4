"""A county's register as Excel saved it (tester's report), through `asset import`: amounts left by formulas
(=100.1*3 stored as 300.29999999999995) are taken as Excel shows them, and a lone dash (—) in an amount or date
column is an empty cell."""

from __future__ import annotations

from decimal import Decimal

from python_calamine import CalamineWorkbook
from sqlalchemy import select

from assetledger.store.db import Database
from assetledger.store.models import Asset, AssetFunding
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, store_numbers, table_counts, write_csv, write_xlsx

AMOUNTS = {"资产原值（元）": 1.5, "中央衔接资金": "240.33", "县级衔接资金": 1.5, "数量": 1.5}


def test_amounts_excel_rounded_import_as_excel_shows_them(run: Cli, db: Database) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    path = write_xlsx(run.cwd / "台账.xlsx", [ASSET_HEADER, asset_row("A-1", **AMOUNTS)])
    store_numbers(path, {"I2": ("300.29999999999995", "100.1*3"), "K2": ("59.970000000000006", "19.99*3"),
                         "L2": ("0.30000000000000004", None)})  # fmt: skip
    cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet").to_python()
    assert [cells[1][i] for i in (8, 10, 11)] == [300.29999999999995, 59.970000000000006, 0.30000000000000004]

    assert "1 rows are valid" in run("asset", "import", str(path), "--dry-run").output
    run("asset", "import", str(path))
    with db.reading() as session:
        asset = session.get(Asset, "A-1")
        assert asset is not None
        assert str(asset.original_value) == "300.30" and asset.original_value == Decimal("300.30")
        assert asset.quantity == Decimal("0.3")
        funding = {
            source: amount for source, amount in session.execute(select(AssetFunding.source, AssetFunding.amount))
        }
    assert funding == {"central": Decimal("240.33"), "county": Decimal("59.97")}


def test_an_amount_excel_shows_with_a_third_decimal_is_refused(run: Cli, db: Database) -> None:
    """305.30499999999995 (=100.1*3.05) is 305.305 in Excel: refused, naming file, row, the user's header and the
    value as the user sees it."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, asset_row("A-1", **AMOUNTS), asset_row("A-2", **AMOUNTS)]
    path = write_xlsx(run.cwd / "台账.xlsx", rows)
    store_numbers(path, {"I2": ("300.305", None), "K2": ("60.005", None), "L2": ("1", None),
                         "I3": ("305.30499999999995", "100.1*3.05"), "K3": ("64.975", None),
                         "L3": ("1", None)})  # fmt: skip
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    where = f"{path} [工作表 sheet Sheet]"
    for row, value in ((2, "300.305"), (3, "305.305")):
        assert (
            f"{where}，第{row}行 (row {row})，列「资产原值（元） (original value)」 (column)，值「{value}」 (value)："
            in (out.output)
        ), out.output
    assert "小数超过两位" in out.output and "30499999" not in out.output
    assert table_counts(db) == before


def test_a_register_with_dashes_for_nothing_imports(run: Cli, db: Database) -> None:
    """省级衔接资金 “—”, 县级衔接资金 “-”, 数量 “－”, 确权日期 “—”: empty cells. A dash for the required 资产原值 is
    named as missing (file, row, column, the dash); nothing is written."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    header = [*ASSET_HEADER, "省级衔接资金"]
    rows = [header, [*asset_row("A-1", 数量="－", 确权日期="—"), "—"],
            [*asset_row("A-2", 县级衔接资金="-", 中央衔接资金="100000.00"), " —— "]]  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "台账.csv", rows, encoding="gbk")))
    with db.reading() as session:
        one, two = session.get(Asset, "A-1"), session.get(Asset, "A-2")
        assert one is not None and two is not None
        assert (one.quantity, one.confirmed_on is not None) == (None, True)
        funding = sorted(session.execute(select(AssetFunding.asset_id, AssetFunding.source, AssetFunding.amount)))
    assert [tuple(f) for f in funding] == [("A-1", "central", Decimal("60000.00")),
                                           ("A-1", "county", Decimal("40000.00")),
                                           ("A-2", "central", Decimal("100000.00"))]  # fmt: skip

    path = write_csv(
        run.cwd / "台账2.csv", [header, [*asset_row("A-3", **{"资产原值（元）": "—"}), "—"]], encoding="gbk"
    )
    before = table_counts(db)
    out = run("asset", "import", str(path), ok=False)
    assert out.exit_code == 2, out.output
    assert f"{path}，第2行 (row 2)，列「资产原值（元） (original value)」 (column)，值「—」 (value)：" in out.output, (
        out.output
    )
    assert table_counts(db) == before
