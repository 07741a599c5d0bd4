"""Who may write where is checked before a file's rows are compared with the records (red-team report, item 1).

The attacker sends a file whose rows name a record outside the scope (a household, a contracted asset, an asset
of an inventory) with made-up values, and reads the refusal: before, the importers compared the rows with the
database first and printed the differences (户主 赵九 → X; 因素 患病 → 老年), another county's contract code and
terms, an asset's village. Now an unknown user or a role without the right is refused outright, and a row outside
the scope is refused naming only the file, the row and what the row itself gave. Each test asserts the output
holds none of the record's values, and that nothing was written. The county is test_read_scope's."""

from __future__ import annotations

from openpyxl import load_workbook

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import write_csv
from tests.security import test_read_scope
from tests.security.conftest import record
from tests.security.test_read_scope import (
    DONGSHAN,
    HONGQI,
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
    QINGSHAN,
    TOWNSHIP,
    XIANGYANG,
)

towns = test_read_scope.towns  # the fixture: two counties, their users, assets and households
ROSTER_HEADER = ["户编号", "村", "户主", "人口", "类别", "因素", "纳入日期", "退出日期", "退出原因"]
H9 = ["H9", QINGSHAN, "X", "1", "脱贫户", "老年", "2024-01-01", "", ""]  # 赵九, 4 persons, 患病 in the roster
H9_VALUES = ("赵九", "患病", "青山乡")


def _refused_without(result: object, values: tuple[str, ...], *shown: str) -> str:
    exit_code, output = result.exit_code, result.output  # type: ignore[attr-defined]
    assert exit_code == 6, output
    assert "Traceback" not in output
    for value in values:
        assert value not in output, output
    for text in shown:
        assert text in output, output
    return str(output)


def _users(towns: Cli) -> Cli:
    towns("user", "add", "jiang", "--role", "finance", "--scope", OTHER_COUNTY, user="root")
    towns("user", "add", "zhou", "--role", "finance", "--scope", TOWNSHIP, user="root")
    towns("user", "add", "inv", "--role", "inventory", "--scope", TOWNSHIP, user="root")
    return towns


# --- beneficiary import -----------------------------------------------------------------------------------------


def test_a_roster_row_outside_the_scope_shows_nothing_of_the_household(towns: Cli, db: Database) -> None:
    run = _users(towns)
    path = write_csv(run.cwd / "r.csv", [ROSTER_HEADER, H9])
    before = record(db)
    for actor in ("nobody", "sun", "inv", "jiang", "li"):  # unknown; auditor; inventory team; elsewhere; elsewhere
        result = run("beneficiary", "import", str(path), "--dry-run", user=actor, ok=False)
        _refused_without(result, (*H9_VALUES, "→", "2024-01-01"), actor)
    out = _refused_without(
        run("beneficiary", "import", str(path), user="li", ok=False),
        H9_VALUES,
        "r.csv，第2行 (row 2)，列「村」 (column)",
        QINGSHAN,
    )
    assert "无权操作" in out and "may not act on it" in out
    assert record(db) == before


def test_a_roster_row_that_moves_a_household_of_elsewhere_into_the_scope_is_not_compared(
    towns: Cli, db: Database
) -> None:
    """The row names li's own village but the id of a household of another village: refused, and nothing of the
    household (its head, factors, village) is shown."""
    run = _users(towns)
    row = ["H9", HONGQI, "X", "1", "脱贫户", "老年", "2024-01-01", "2024-06-01", "exit"]
    path = write_csv(run.cwd / "r.csv", [ROSTER_HEADER, row])
    before = record(db)
    result = run("beneficiary", "import", str(path), "--dry-run", user="li", ok=False)
    assert result.exit_code == 2, result.output
    for value in (*H9_VALUES, "→", QINGSHAN):
        assert value not in result.output, result.output
    assert "其他村" in result.output and "第2行 (row 2)，列「户编号」 (column)" in result.output
    assert record(db) == before


def test_a_roster_row_naming_an_asset_of_elsewhere_shows_nothing_of_the_asset(towns: Cli, db: Database) -> None:
    """Li's own household, attached (资产编号) to an asset of another township: refused before the asset's register
    and village are compared with the row."""
    row = ["H1", HONGQI, "王一", "3", "脱贫户", "", "2024-01-01", "", "", "Q-1"]
    path = write_csv(towns.cwd / "r.csv", [[*ROSTER_HEADER, "资产编号"], row])
    before = record(db)
    result = towns("beneficiary", "import", str(path), "--dry-run", user="li", ok=False)
    _refused_without(
        result, (QINGSHAN, "公益性", "青山乡", "水窖"), "r.csv，第2行 (row 2)，列「资产编号」 (column)", "Q-1"
    )
    assert record(db) == before


def test_a_roster_within_the_scope_still_shows_its_own_changes(towns: Cli) -> None:
    row = ["H1", HONGQI, "王一", "4", "脱贫户", "", "2024-01-01", "", ""]
    result = towns("beneficiary", "import", str(write_csv(towns.cwd / "r.csv", [ROSTER_HEADER, row])), user="li",
                   ok=False)  # fmt: skip
    assert result.exit_code == 2 and "人口 3 → 4" in result.output, result.output


# --- contract import --------------------------------------------------------------------------------------------

CONTRACT_HEADER = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金", "支付周期",
                   "支付方式", "保证金", "续签合同编号", "已缴至"]  # fmt: skip


def test_a_contract_row_on_another_countys_asset_shows_nothing_of_its_contract(towns: Cli, db: Database) -> None:
    run = _users(towns)
    held = ["HT-SECRET-7", "A-1", "绿源公司", "出租", "2023-01-01", "2030-12-31", "40000", "按年", "后付", "", "", ""]
    run("contract", "import", str(write_csv(run.cwd / "held.csv", [CONTRACT_HEADER, held])), user="root")
    mine = ["HT-NEW", "A-1", "某公司", "出租", "2025-01-01", "2026-12-31", "100", "按年", "后付", "", "", ""]
    path = write_csv(run.cwd / "c.csv", [CONTRACT_HEADER, mine])
    before = record(db)
    held_values = ("HT-SECRET-7", "2030-12-31", "2023-01-01", "绿源公司", "红旗村", "东风镇")
    for actor in ("nobody", "li", "sun", "inv"):
        _refused_without(run("contract", "import", str(path), user=actor, ok=False), held_values, actor)
    _refused_without(
        run("contract", "import", str(path), "--dry-run", user="jiang", ok=False),
        held_values,
        "c.csv，第2行 (row 2)",
        "A-1",
    )
    assert record(db) == before
    own = run("contract", "import", str(path), user="zhou", ok=False)  # within the scope: the overlap is told
    assert own.exit_code == 2 and "HT-SECRET-7" in own.output


# --- asset bulk changes -----------------------------------------------------------------------------------------


def test_a_bulk_change_row_outside_the_scope_does_not_name_the_assets_place(towns: Cli, db: Database) -> None:
    run = _users(towns)
    rows = [["资产编号", "资产状态", "变更日期", "变更原因"], ["Q-1", "闲置", "2025-03-01", "停产"],
            ["B-1", "闲置", "2025-03-01", "停产"]]  # fmt: skip
    path = write_csv(run.cwd / "s.csv", rows)
    before = record(db)
    _refused_without(run("asset", "bulk", "status", str(path), user="nobody", ok=False), ("青山乡", "水窖"))
    out = _refused_without(
        run("asset", "bulk", "status", str(path), user="zhou", ok=False), ("青山乡", "水窖", "红旗村"), "row 2", "Q-1"
    )
    assert "row 3" not in out
    assert record(db) == before


# --- inventory record -------------------------------------------------------------------------------------------


def _county_inventory(run: Cli) -> None:
    run("inventory", "open", "--year", "2026", "--scope", "county:360921", "--date", "2026-12-01", user="root")
    run("inventory", "sheets", "1", "--out", "sheets", user="root")


def _filled(run: Cli, name: str, rows: list[list[object]]) -> str:
    header = ["清查编号", "区划代码", "资产编号", "结果", "清查日期", "清查人", "资产名称", "资产原值（元）",
              "资产类别"]  # fmt: skip
    return str(write_csv(run.cwd / name, [header, *rows]))


def test_a_count_row_of_another_township_does_not_tell_where_the_asset_is(towns: Cli, db: Database) -> None:
    run = _users(towns)
    _county_inventory(run)
    before = record(db)
    wrong_place = _filled(run, "q.csv", [["1", HONGQI, "Q-1", "在用", "2026-12-02", "李四"]])
    for actor in ("nobody", "li", "sun"):
        _refused_without(run("inventory", "record", wrong_place, user=actor, ok=False), ("青山乡", OTHER_TOWNSHIP))
    out = _refused_without(
        run("inventory", "record", wrong_place, user="inv", ok=False), ("青山乡", OTHER_TOWNSHIP, QINGSHAN), "row 2"
    )
    assert "Q-1" in out
    elsewhere = _filled(run, "d.csv", [["1", DONGSHAN, "", "盘盈", "2026-12-02", "李四", "路灯", "800", "公益性"]])
    _refused_without(run("inventory", "record", elsewhere, user="inv", ok=False), ("东山",), DONGSHAN)
    assert record(db) == before


def test_counts_dated_before_the_opening_are_refused(towns: Cli, db: Database) -> None:
    run = _users(towns)
    _county_inventory(run)
    before = record(db)
    early = run("inventory", "record", _filled(run, "e.csv", [["1", HONGQI, "A-1", "在用", "2026-11-20", "李四"]]),
                user="inv", ok=False)  # fmt: skip
    assert early.exit_code == 2 and "e.csv，第2行 (row 2)，列「清查日期」 (column)" in early.output, early.output
    assert "2026-12-01" in early.output and "before the inventory was opened" in early.output
    assert record(db) == before
    run("inventory", "record", _filled(run, "ok.csv", [["1", HONGQI, "A-1", "在用", "2026-12-01", "李四"]]), user="inv")


# --- an inventory team's part of a larger inventory -------------------------------------------------------------


def test_a_township_team_reads_its_own_part_of_a_county_inventory(towns: Cli) -> None:
    run = _users(towns)
    _county_inventory(run)
    out = run.cwd / "mine"
    run("inventory", "sheets", "1", "--out", str(out), "--no-html", user="inv")
    assert sorted(p.name[:12] for p in out.glob("*.xlsx")) == sorted([HONGQI, XIANGYANG])
    assets = {
        str(row[3])
        for path in out.glob("*.xlsx")
        for row in load_workbook(path).active.iter_rows(min_row=3, values_only=True)  # type: ignore[union-attr]
        if row[3]
    }
    assert assets == {"A-1", "B-1"}
    one = run.cwd / "one"
    run("inventory", "sheets", "1", "--out", str(one), "--place", XIANGYANG, user="inv")
    assert [p.name[:12] for p in one.glob("*.xlsx")] == [XIANGYANG]
    refused = run("inventory", "sheets", "1", "--out", str(one), "--place", QINGSHAN, user="inv", ok=False)
    assert refused.exit_code == 3 and "青山乡" not in refused.output
    status = run("inventory", "status", "1", "--format", "json", user="inv")
    assert status.exit_code == 0 and "Q-1" not in status.output and "青山乡" not in status.output
    assert '"应查资产 assets due": 2' in status.output and "本人负责部分" in status.output
    whole = run("inventory", "status", "1", "--format", "json", user="root")
    assert '"应查资产 assets due": 3' in whole.output and "本人负责部分" not in whole.output
    listed = run("inventory", "list", "--format", "json", user="inv")
    assert '"items": 2' in listed.output
    assert run("inventory", "status", "1", user="jiang", ok=False).exit_code == 6


def test_an_asset_row_within_the_scope_counted_at_another_place_is_still_told_its_place(towns: Cli) -> None:
    """Both places within the writer's scope: the finding names where the asset is counted (nothing leaks)."""
    run = _users(towns)
    _county_inventory(run)
    result = run("inventory", "record", _filled(run, "x.csv", [["1", XIANGYANG, "A-1", "在用", "2026-12-02", "李"]]),
                 user="inv", ok=False)  # fmt: skip
    assert result.exit_code == 2 and "红旗村" in result.output, result.output


# --- ledger import-entries --------------------------------------------------------------------------------------


def test_an_entries_row_outside_the_scope_shows_nothing_of_the_asset(towns: Cli, db: Database) -> None:
    """li (红旗村's accountant) posts against 东山村's asset D-1: refused by scope before the row is compared with
    the register, so nothing tells where D-1 is or how it is booked."""
    run = _users(towns)
    header = ["日期", "资产编号", "收支", "类型", "金额", "摘要", "凭证号"]
    path = write_csv(run.cwd / "e.csv", [header, ["2025-03-01", "D-1", "收入", "租金", "100.00", "", "PZ-1"]])
    before = record(db)
    for actor in ("nobody", "sun", "inv", "li"):  # unknown; auditor; inventory team; another village's accountant
        result = run("ledger", "import-entries", str(path), "--dry-run", user=actor, ok=False)
        _refused_without(result, ("东山", "V360922", "到户类"), actor)
    out = _refused_without(
        run("ledger", "import-entries", str(path), user="li", ok=False), ("东山",), "e.csv，第2行 (row 2)"
    )
    assert "无权操作" in out
    assert record(db) == before
