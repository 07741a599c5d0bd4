"""Issue 20 item 4: bulk changes from a file to assets already registered — confirm, hand over, assign custodians,
change status — all or nothing, idempotent, every problem listed in the file's own words, on the same rules and
events as the one-asset commands, and `audit verify` clean afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.district import District, district_register
from tests.helpers import table_counts, write_csv, write_xlsx

pytestmark = pytest.mark.both_backends  # bulk changes write through store/bulk_update, on both databases

TOWNSHIP = "360102101"  # 扬子洲镇


def _registered(run: Cli, assets: int = 36) -> District:
    """A district's register imported as published but without its 确权层级 column: nothing confirmed yet."""
    district = district_register(assets=assets)
    run("region", "import", str(write_csv(run.cwd / "regions.csv", district.regions)))
    run("asset", "import", str(write_csv(run.cwd / "register.csv", [r[:10] for r in district.rows])))
    return district


def _write(path: Path, rows: list[list[object]]) -> Path:
    return write_xlsx(path, rows) if path.suffix == ".xlsx" else write_csv(path, rows)


def _events(run: Cli, asset_id: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = json.loads(run("asset", "show", asset_id, "--format", "json").output)["events"]
    return events


def _listed(run: Cli) -> dict[str, dict[str, str]]:
    return {r["asset_id"]: r for r in json.loads(run("asset", "list", "--format", "json").output)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bulk_confirm_by_level_then_again_is_a_no_op(run: Cli, db: Database, kind: str) -> None:
    district = _registered(run)
    assert not any(r["owner_kind"] for r in _listed(run).values())
    rows: list[list[object]] = [["资产编号", "确权层级", "确权日期", "确权文号", "备注"]]
    rows += [[r[0], r[10], "2024-05-01", "区农〔2024〕7号", "核实"] for r in district.rows[1:]]
    path = _write(run.cwd / f"确权.{kind}", rows)
    before = table_counts(db)
    dry = run("asset", "bulk", "confirm", str(path), "--dry-run")
    assert "would apply 36 of 36 rows" in dry.output and table_counts(db) == before
    result = run("asset", "bulk", "confirm", str(path))
    assert "applied 36 of 36 rows; 0 already applied" in result.output, result.output
    assert "列 备注 未使用 column 备注 not used" in result.output
    listed = _listed(run)
    assert {k: r["owner_name"] for k, r in listed.items()} == district.owners
    assert "the record verifies clean" in run("audit", "verify").output  # seals, events, books and register agree
    after = table_counts(db)
    again = run("asset", "bulk", "confirm", str(path))
    assert "applied 0 of 36 rows; 36 already applied" in again.output
    assert table_counts(db) == after
    village = next(k for k, r in listed.items() if r["owner_kind"] == "village")
    confirmed = [e for e in _events(run, village) if e["kind"] == "ownership_confirmed"]
    assert len(confirmed) == 1 and confirmed[0]["date"] == "2024-05-01"
    details = {"owner": district.owners[village], "owner_kind": "village", "doc": "区农〔2024〕7号"}
    assert confirmed[0]["details"] == details
    entities = run("ledger", "entities").output
    assert f"V{listed[village]['village_code']}" in entities  # the confirmation moved it to the village's books


def test_the_bulk_and_the_one_asset_path_record_the_same(run: Cli) -> None:
    district = _registered(run, assets=9)
    one, other = [r[0] for r in district.rows[1:] if r[10] == "村"][:2]
    name = district.owners[one]
    run("asset", "confirm", str(one), "--owner", name, "--owner-kind", "village", "--date", "2024-05-01")
    again = run("asset", "confirm", str(one), "--owner", name, "--owner-kind", "village", "--date", "2024-05-01")
    assert "already recorded" in again.output
    path = write_csv(run.cwd / "c.csv", [["资产编号", "确权层级", "确权日期"], [one, "村", "2024-05-01"],
                                         [other, "村", "2024-05-01"]])  # fmt: skip
    assert "applied 1 of 2 rows; 1 already applied" in run("asset", "bulk", "confirm", str(path)).output
    shown = [[{k: e[k] for k in ("kind", "date")} | {"details": e["details"]} for e in _events(run, a)[1:]]
             for a in (one, other)]  # fmt: skip
    assert shown[0][0]["kind"] == "ownership_confirmed"
    assert shown[0][0]["details"]["owner_kind"] == shown[1][0]["details"]["owner_kind"] == "village"  # type: ignore[index]
    assert [e["kind"] for e in shown[0]] == [e["kind"] for e in shown[1]]  # the same events, entries too
    assert "the record verifies clean" in run("audit", "verify").output


def test_every_problem_is_listed_in_the_files_words_and_nothing_changes(run: Cli, db: Database) -> None:
    district = _registered(run, assets=9)
    ids = [str(r[0]) for r in district.rows[1:]]
    rows = [
        ["资产编码", "确权级别", "确权时间"],
        [ids[0], "村", "2024-05-01"],
        ["NO-SUCH", "村", "2024-05-01"],  # an id the register lacks: listed with the rest, not after they are fixed
        [ids[1], "省", "2024-05-01"],
        [ids[2], "村", "2024-02-30"],
        [ids[0], "镇", "2024-05-01"],
    ]
    before = table_counts(db)
    result = run("asset", "bulk", "confirm", str(write_csv(run.cwd / "bad.csv", rows)), ok=False)
    assert result.exit_code == 2, result.output
    out = result.output
    assert "第4行 (row 4)，列「确权级别 (ownership level)」 (column)，值「省」 (value)：未知确权层级" in out
    assert (
        "第5行 (row 5)，列「确权时间 (confirmation date)」 (column)，值「2024-02-30」 (value)"
        "：日期不存在 not a real date" in out
    )
    assert (
        f"第6行 (row 6)，列「资产编码 (asset id)」 (column)，值「{ids[0]}」 (value)：与第 2 行重复 duplicate of row 2"
        in out
    )
    assert (
        "第3行 (row 3)，列「资产编码 (asset id)」 (column)，值「NO-SUCH」 (value)"
        "：台账中没有这项资产，请先导入或登记 (not in the register" in out
    )
    assert table_counts(db) == before
    rows = [["资产编号", "确权层级"], ["NO-SUCH", "村"]]
    missing = run("asset", "bulk", "confirm", str(write_csv(run.cwd / "missing.csv", rows)), ok=False)
    assert (
        missing.exit_code == 2
        and "第2行 (row 2)，列「资产编号 (asset id)」 (column)，值「NO-SUCH」 (value)"
        "：台账中没有这项资产，请先导入或登记 "
        "(not in the register"
        in (missing.output)
    )
    rows = [["资产编号", "移交单位"], [ids[0], "区农业农村局"]]
    no_column = run("asset", "bulk", "handover", str(write_csv(run.cwd / "h.csv", rows)), ok=False)
    assert (
        no_column.exit_code == 2
        and "移交日期 (handover date)」 (column)：缺少必需的列 (required column is missing)" in no_column.output
    )
    assert table_counts(db) == before


def test_a_rule_refusal_refuses_the_whole_file(run: Cli, db: Database) -> None:
    district = _registered(run, assets=9)
    household = next(str(r[0]) for r in district.rows[1:] if r[2] in ("到户类", "到户"))
    public = next(str(r[0]) for r in district.rows[1:] if r[10] == "村")
    rows = [["资产编号", "确权层级", "确权日期"], [public, "村", "2024-05-01"], [household, "村", "2024-05-01"]]
    before = table_counts(db)
    result = run("asset", "bulk", "confirm", str(write_csv(run.cwd / "c.csv", rows)), ok=False)
    assert result.exit_code == 5, result.output
    assert "第3行 (row 3)，列「确权层级 (ownership level)」 (column)，值「村」 (value)：" in result.output
    assert "belongs to its household (户有户管)" in result.output
    assert table_counts(db) == before  # the good row was not applied either


def test_an_unknown_asset_and_a_rule_refusal_are_listed_together(run: Cli, db: Database) -> None:
    """Every problem at once: the row naming no asset and the row a rule refuses, in one answer (exit 2, the
    first code that applies), so the user fixes the file once."""
    district = _registered(run, assets=9)
    household = next(str(r[0]) for r in district.rows[1:] if r[2] in ("到户类", "到户"))
    rows = [["资产编号", "确权层级", "确权日期"], ["NO-SUCH-1", "村", "2024-05-01"], [household, "村", "2024-05-01"]]
    before = table_counts(db)
    result = run("asset", "bulk", "confirm", str(write_csv(run.cwd / "c.csv", rows)), ok=False)
    assert result.exit_code == 2, result.output
    assert "第2行 (row 2)" in result.output and "NO-SUCH-1" in result.output
    assert "第3行 (row 3)" in result.output and "belongs to its household (户有户管)" in result.output
    assert table_counts(db) == before


def test_handover_custodian_and_status_from_files(run: Cli, db: Database) -> None:
    district = _registered(run, assets=9)
    ids = [str(r[0]) for r in district.rows[1:4]]
    handover = [["资产编号", "移交日期", "移交单位", "移交文件"]] + [[a, "2024-06-01", "区农业农村局", "移〔2024〕2号"]
                                                                   for a in ids]  # fmt: skip
    assert "applied 3 of 3" in run("asset", "bulk", "handover", str(write_csv(run.cwd / "h.csv", handover))).output
    assert "3 already applied" in run("asset", "bulk", "handover", str(write_csv(run.cwd / "h.csv", handover))).output
    later = [handover[0], [ids[0], "2024-07-01", None, None]]
    refused = run("asset", "bulk", "handover", str(write_csv(run.cwd / "h2.csv", later)), ok=False)
    assert refused.exit_code == 5 and "already handed over on 2024-06-01" in refused.output
    custody = [["资产编号", "管护主体", "管护起始日期", "管护责任"]]
    custody += [[a, "村民委员会", "2024-06-02", "巡查"] for a in ids]
    assert "applied 3 of 3" in run("asset", "bulk", "custodian", str(write_xlsx(run.cwd / "k.xlsx", custody))).output
    earlier = [custody[0], [ids[1], "张三", "2024-01-01", None]]
    refused = run("asset", "bulk", "custodian", str(write_csv(run.cwd / "k2.csv", earlier)), ok=False)
    assert (
        refused.exit_code == 5
        and "列「管护起始日期 (custody start)」 (column)，值「2024-01-01」 (value)" in refused.output
    )
    status = [["资产编号", "资产状态", "变更日期", "变更原因"], [ids[0], "闲置", "2025-03-01", "停产"],
              [ids[1], "毁损", "2025-03-02", "水毁"]]  # fmt: skip
    assert "applied 2 of 2" in run("asset", "bulk", "status", str(write_csv(run.cwd / "s.csv", status))).output
    assert "2 already applied" in run("asset", "bulk", "status", str(write_csv(run.cwd / "s.csv", status))).output
    disposed = [status[0], [ids[2], "已处置", "2025-03-01", None]]
    refused = run("asset", "bulk", "status", str(write_csv(run.cwd / "s2.csv", disposed)), ok=False)
    assert refused.exit_code == 5 and "use `asset dispose`" in refused.output
    listed = _listed(run)
    assert [listed[a]["status"] for a in ids] == ["idle", "damaged", "in_use"]
    assert {listed[a]["custodian"] for a in ids} == {"村民委员会"}
    events = [e["kind"] for e in _events(run, ids[0])]
    assert events == ["registered", "handed_over", "custodian_assigned", "status_changed"]
    assert _events(run, ids[0])[-1]["details"] == {"from": "in_use", "to": "idle", "reason": "停产"}
    assert "the record verifies clean" in run("audit", "verify").output


def test_an_actor_outside_the_region_is_refused(run: Cli, db: Database) -> None:
    district = _registered(run, assets=18)
    run("user", "add", "zhang", "--role", "finance", "--scope", TOWNSHIP, user="setup")
    rows = [["资产编号", "确权层级"]] + [[r[0], r[10]] for r in district.rows[1:]]
    before = table_counts(db)
    result = run("asset", "bulk", "confirm", str(write_csv(run.cwd / "c.csv", rows)), user="zhang", ok=False)
    assert result.exit_code == 6 and "may not act on" in result.output, result.output
    assert table_counts(db) == before


def test_rows_outside_the_scope_are_named_with_the_files_other_problems(run: Cli, db: Database) -> None:
    """A row out of scope names the file, its row and its own asset id, never the asset's village (what the register
    holds out of scope), and the file's other problems are listed with it (exit 6, nothing changed); a rule's refusal
    of a row within the scope is listed too."""
    district = _registered(run, assets=18)
    run("user", "add", "zhang", "--role", "finance", "--scope", TOWNSHIP, user="setup")
    village_rows = [r for r in district.rows[1:] if r[5] is not None]
    inside = [r for r in village_rows if r[4] == "扬子洲镇"]
    outside = next(r for r in village_rows if r[4] != "扬子洲镇")
    rows = [
        ["资产编号", "资产状态", "变更日期", "变更原因"],
        [inside[0][0], "闲置", "2025-03-01", "停产"],
        [outside[0], "闲置", "2025-03-01", "停产"],
        [inside[1][0], "已处置", "2025-03-01", None],
    ]
    before = table_counts(db)
    path = write_csv(run.cwd / "状态.csv", rows)
    result = run("asset", "bulk", "status", str(path), user="zhang", ok=False)
    assert result.exit_code == 6, result.output
    assert f"状态.csv，第3行 (row 3)，列「资产编号 (asset id)」 (column)，值「{outside[0]}」 (value)" in result.output
    assert "无权操作：不在zhang的管辖范围" in result.output and "may not act on it" in result.output
    assert outside[5] not in result.output and outside[4] not in result.output
    assert "row 4" in result.output and "use `asset dispose`" in result.output
    assert "row 2," not in result.output
    bad = [rows[0], rows[1], rows[2], [inside[1][0], "不知道", "2025-03-01", None]]
    result = run("asset", "bulk", "status", str(write_csv(run.cwd / "状态2.csv", bad)), user="zhang", ok=False)
    assert (
        result.exit_code == 6
        and "状态2.csv，第3行 (row 3)" in result.output
        and "状态2.csv，第4行 (row 4)" in result.output
    )
    assert table_counts(db) == before


SAME = [
    ("confirm", ["资产编号", "确权层级", "确权主体", "确权日期", "确权文件"],
     ["村", "某村股份经济合作社", "2024-05-01", "确1号"],
     ["confirm", "--owner", "某村股份经济合作社", "--owner-kind", "村", "--date", "2024-05-01", "--doc", "确1号"]),
    ("handover", ["资产编号", "移交日期", "移交单位", "移交文件"], ["2024-06-01", "区农业农村局", "移2号"],
     ["handover", "--date", "2024-06-01", "--from", "区农业农村局", "--doc", "移2号"]),
    ("custodian", ["资产编号", "管护主体", "管护起始日期", "管护责任"], ["村民委员会", "2024-06-02", "巡查"],
     ["custodian", "--name", "村民委员会", "--from", "2024-06-02", "--duties", "巡查"]),
    ("status", ["资产编号", "资产状态", "变更日期", "变更原因"], ["闲置", "2025-03-01", "停产"],
     ["status", "闲置", "--date", "2025-03-01", "--reason", "停产"]),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "header", "cells", "command"), SAME, ids=[s[0] for s in SAME])
def test_a_file_row_and_the_one_asset_command_record_the_same(
    run: Cli, kind: str, header: list[str], cells: list[str], command: list[str]
) -> None:
    """One rule lives once: the same change made by `asset bulk KIND` on one asset and by the one-asset command on
    another (alike) records the same events and the same register facts; the books agree with both (verify)."""
    district = _registered(run, assets=18)
    one, other = [str(r[0]) for r in district.rows[1:] if r[10] == "村" and r[2] in ("公益性", "公益类")][:2]
    run("asset", command[0], one, *command[1:])
    run("asset", "bulk", kind, str(write_csv(run.cwd / "c.csv", [header, [other, *cells]])))

    own = ("asset_id", "name", "original_value", "build_year", "township_code", "village_code")

    def recorded(asset_id: str) -> tuple[object, ...]:
        events = [{k: e[k] for k in ("kind", "date", "actor", "details")} for e in _events(run, asset_id)[1:]]
        return events, {k: v for k, v in _listed(run)[asset_id].items() if k not in own}

    assert recorded(one) == recorded(other)
    assert "the record verifies clean" in run("audit", "verify").output
