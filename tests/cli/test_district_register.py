"""Issue 20: a district's register, exactly as districts publish it, imports in one command (CSV and XLSX)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.conftest import Cli
from tests.district import district_register
from tests.helpers import write_csv, write_xlsx

pytestmark = pytest.mark.both_backends  # a district's register through the bulk path, on both databases


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_district_register_imports_as_published(run: Cli, kind: str) -> None:
    district = district_register(numbers=kind == "xlsx")
    run("region", "import", str(write_csv(run.cwd / "regions.csv", district.regions)))
    path = run.cwd / f"东湖区台账.{kind}"
    if kind == "csv":
        write_csv(path, district.rows)
    else:
        write_xlsx(path, [["东湖区扶贫项目资产台账"], *district.rows])
    result = run("asset", "import", str(path))
    assert "imported 624 assets" in result.output, result.output
    assert "列 备注 未使用 column 备注 not used" in result.output
    listed = json.loads(run("asset", "list", "--format", "json").output)
    assert len(listed) == 624
    assert all(r["owner_kind"] for r in listed)  # every asset confirmed at its level
    count: Counter[str] = Counter()
    value: dict[str, Decimal] = {}
    for r in listed:
        count[r["owner_kind"]] += 1
        value[r["owner_kind"]] = value.get(r["owner_kind"], Decimal("0.00")) + Decimal(r["original_value"])
        assert r["owner_name"] == district.owners[r["asset_id"]]
    assert count == district.count
    assert value == district.value  # to the fen
    by_owner = json.loads(run("report", "registers", "--by-owner", "--format", "json").output)
    total = by_owner[-1]
    assert total["register"] == "total" and total["assets"] == 624 and total["unconfirmed_count"] == 0
    for level in ("county", "township", "village", "household"):  # the published 确权到区/镇/村/户：项数、金额
        assert (total[f"{level}_count"], Decimal(total[f"{level}_value"])) == (district.count[level], value[level])
    assert sum(Decimal(r["value"]) for r in by_owner[:-1]) == Decimal(total["value"]) == sum(value.values())
    run("report", "registers", "--by-owner", "--format", "xlsx", "--out", str(run.cwd / "by-owner.xlsx"))
    sheet = load_workbook(run.cwd / "by-owner.xlsx").active
    assert sheet is not None
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "确权到县级-金额" in cells and "到户类" in cells and "合计" in cells
    assert "确权到村集体-项数" in run("report", "registers", "--by-owner").output
    assert "the record verifies clean" in run("audit", "verify").output  # events, books and Beancount agree
    shown = json.loads(run("asset", "show", "DH-" + listed[0]["asset_id"][3:], "--format", "json").output)
    registered = shown["events"][0]
    assert registered["kind"] == "registered"
    assert district.owners[listed[0]["asset_id"]] in json.dumps(registered, ensure_ascii=False)


def test_household_level_rows_as_published_and_the_reports_that_list_them(run: Cli) -> None:
    district = district_register(assets=9)
    run("region", "import", str(write_csv(run.cwd / "regions.csv", district.regions)))
    header = [*district.rows[0], "户编号", "户主姓名", "受益户数"]
    rows = [header]
    for n, row in enumerate(district.rows[1:]):
        household = row[2] in ("到户类", "到户")
        extra = [["H-01", None, None], [None, "王建国", None], [None, None, "12户"]][n % 3] if household else []
        rows.append([*row, *(extra or [None, None, None])])
    rows.append(["DH-X-1", "农机具", "到户类", "东湖区", "扬子洲镇", "下沙村", "项目", "2024", "农户自筹", "3000", "户",
                 None, None, None, "25"])  # fmt: skip
    result = run("asset", "import", str(write_csv(run.cwd / "households.csv", rows)))
    assert "imported 10 assets" in result.output, result.output
    listed = {r["asset_id"]: r for r in json.loads(run("asset", "list", "--format", "json").output)}
    households = {k: r for k, r in listed.items() if r["register"] == "household"}
    assert {r["owner_kind"] for r in households.values()} == {"household"}
    waiting = json.loads(run("asset", "list", "--without-household", "--format", "json").output)
    assert {r["asset_id"] for r in waiting} == {
        k for k, r in households.items() if r["owner_name"] == "受益农户（待落实）"
    }
    assert "DH-X-1" in {r["asset_id"] for r in waiting}
    shown = json.loads(run("asset", "show", "DH-X-1", "--format", "json").output)
    assert '"households": 25' in json.dumps(shown["events"][0], ensure_ascii=False)
    value = sum((Decimal(r["original_value"]) for r in waiting), Decimal("0.00"))
    summary = json.loads(run("report", "registers", "--format", "json").output)
    assert (summary[-1]["no_household"], Decimal(summary[-1]["no_household_value"])) == (len(waiting), value)
    governance = json.loads(run("report", "governance", "--year", "2025", "--format", "json").output)
    assert [(g["no_household"], Decimal(g["no_household_value"])) for g in governance] == [(len(waiting), value)]
    table = run("report", "governance", "--year", "2025").output
    assert "到户类未落实到户" in table


def test_an_unknown_fund_source_says_what_is_accepted_and_a_county_file_adds_it(run: Cli) -> None:
    district = district_register(assets=3)
    run("region", "import", str(write_csv(run.cwd / "regions.csv", district.regions)))
    district.rows[2][8] = "扶贫发展资金"
    path = write_csv(run.cwd / "register.csv", district.rows)
    refused = run("asset", "import", str(path), ok=False)
    assert refused.exit_code == 2
    assert (
        "第3行 (row 3)，列「资金来源 (fund source)」 (column)，值「扶贫发展资金」 (value)"
        "：未知资金来源 (unknown fund source)" in refused.output
    )
    assert "中央衔接资金 central" in refused.output and "--vocabulary" in refused.output
    words = run.cwd / "本县词表.toml"
    words.write_text('["资金来源"]\ncentral = ["扶贫发展资金"]\n', encoding="utf-8")
    imported = run("--vocabulary", str(words), "asset", "import", str(path))
    assert "imported 3 assets" in imported.output
    listed = json.loads(run("asset", "list", "--fund-source", "central", "--format", "json").output)
    assert district.rows[2][0] in {r["asset_id"] for r in listed}
    assert "扶贫发展资金" not in run("vocabulary", "--format", "csv").output  # the next command: shipped names only


def test_region_levels_in_the_words_of_every_province(run: Cli) -> None:
    rows = [
        ["区划代码", "名称", "级别", "上级代码"],
        ["150102", "新城区", "区", None],
        ["152921", "阿拉善左旗", "旗", None],
        ["152921101", "巴彦浩特镇", "镇", "152921"],
        ["152921201", "吉兰泰苏木", "苏木", "152921"],
        ["152921201201", "乌兰嘎查", "嘎查", "152921201"],
        ["150102001", "海东路街道", "街道", "150102"],
        ["150102001001", "海东路社区", "社区", "150102001"],
    ]
    result = run("region", "import", str(write_csv(run.cwd / "regions.csv", rows)))
    assert "added 2 县, 3 乡镇, 2 村" in result.output, result.output


def test_a_bad_vocabulary_file_is_refused_before_anything_runs(run: Cli) -> None:
    words = run.cwd / "词表.toml"
    words.write_text('["资金来源"]\n中央 = ["扶贫款"]\n', encoding="utf-8")
    refused = run("--vocabulary", str(words), "vocabulary", ok=False)
    assert refused.exit_code == 2 and "不是 TOML 文件 (not a TOML file)" in refused.output
    assert (
        '中文名称要加引号 (write Chinese names in quotes): ["资金来源"] and "中央衔接资金" = ["..."]' in refused.output
    )
    words.write_text('["资金来源"]\n"中央" = ["扶贫款"]\n', encoding="utf-8")
    refused = run("--vocabulary", str(words), "vocabulary", ok=False)
    assert (
        "列「[资金来源] 中央」 (column)：不是资金来源 (not a fund source)；可用 (accepted): 中央衔接资金 central"
        in refused.output
    )
    listed = run("vocabulary", "--kind", "owner_kind").output
    assert "区" in listed and "确权层级 ownership level" in listed
