"""Issue 20: a district's register, exactly as districts publish it, imports in one command (CSV and XLSX)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import pytest

from tests.conftest import Cli
from tests.district import district_register
from tests.helpers import write_csv, write_xlsx


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
    shown = json.loads(run("asset", "show", "DH-" + listed[0]["asset_id"][3:], "--format", "json").output)
    registered = shown["events"][0]
    assert registered["kind"] == "registered"
    assert district.owners[listed[0]["asset_id"]] in json.dumps(registered, ensure_ascii=False)
