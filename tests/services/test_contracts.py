"""The operating contracts register: import (Chinese or English headers, all or nothing, once), add, terminate,
the asset's columns kept in step, and every contract alert of DOMAIN rule 20 on dated data — in the scan, the
county report and the web governance list — plus what contracts tell the idle/loss-making scan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from assetledger.domain.contracts import AlertKind
from assetledger.services.contract_alerts import contract_alerts
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv, write_xlsx
from tests.services.test_journal import ENTRY_HEADER

OP = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "原经营者"}
HEADER = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金", "支付周期",
          "支付方式", "保证金", "续签合同编号", "已缴至"]  # fmt: skip


def _county(run: Cli, *extra: Sequence[object]) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    own = {**OP, "经营方式": "自营"}
    rows = [ASSET_HEADER, *(asset_row(f"OP-{i}", 资产名称=f"冷库{i}", **OP) for i in range(1, 7)),
            asset_row("SELF", 资产名称="自营车间", **own), asset_row("ROAD"), *extra]  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))


def _contracts(run: Cli, name: str, *rows: Sequence[object], header: Sequence[str] = HEADER, ok: bool = True) -> Any:
    return run("contract", "import", str(write_csv(run.cwd / name, [list(header), *rows])), ok=ok)


def _alerts(run: Cli, on: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = json.loads(run("contract", "alerts", "--as-of", on, "--format", "json").output)
    return {(r["finding"], r["asset_id"]): r for r in rows}


def test_import_keeps_the_assets_in_step_and_the_same_file_twice_is_a_no_op(run: Cli, db: Database) -> None:
    _county(run)
    out = _contracts(run, "c.csv", ["HT-1", "OP-1", "绿源公司", "出租", "2023-01-01", "2027-12-31", "40000", "按季",
                                     "后付", "5000", "", ""]).output  # fmt: skip
    assert "imported 1 contracts on 1 assets" in out
    again = _contracts(run, "c.csv", ["HT-1", "OP-1", "绿源公司", "出租", "2023-01-01", "2027-12-31", "40000",
                                       "按季", "后付", "5000", "", ""]).output  # fmt: skip
    assert "already imported" in again
    shown = json.loads(run("asset", "show", "OP-1", "--format", "json").output)
    facts = shown["asset"]
    assert (facts["operator"], facts["operating_mode"], facts["contract_end"]) == ("绿源公司", "lease", "2027-12-31")
    assert facts["contract_annual_income"] == "40000.00"
    (contract,) = shown["contracts"]
    assert (contract["amount"], contract["frequency"], contract["timing"]) == ("10000.00", "quarterly", "arrears")
    assert shown["events"][-1]["kind"] == "contract_recorded" and shown["events"][-1]["actor"] == "tester"
    listed = json.loads(run("contract", "list", "--format", "json").output)
    assert [(c["code"], c["assets"], c["annual"]) for c in listed] == [("HT-1", "OP-1", "40000.00")]


def test_english_headers_several_assets_and_xlsx(run: Cli) -> None:
    _county(run)
    header = ["contract_no", "asset_ids", "operator", "mode", "start_on", "end_on", "amount_per_payment",
              "frequency", "timing"]  # fmt: skip
    path = write_xlsx(run.cwd / "c.xlsx", [header, ["EN-1", "OP-2、OP-3", "Coop", "joint", "2024-01-01",
                                                     "2026-12-31", "1500", "monthly", "advance"]])  # fmt: skip
    run("contract", "import", str(path))
    (contract,) = json.loads(run("contract", "list", "--format", "json").output)
    assert (contract["assets"], contract["mode"], contract["annual"]) == ("OP-2、OP-3", "joint", "18000.00")


def test_a_bad_file_is_refused_whole_naming_every_row(run: Cli, db: Database) -> None:
    _county(run)
    _contracts(run, "ok.csv", ["HT-1", "OP-1", "甲", "出租", "2023-01-01", "2027-12-31", "40000", "", "", "", "", ""])
    before = table_counts(db)
    result = _contracts(
        run, "bad.csv",
        ["HT-1", "OP-2", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],  # code taken
        ["HT-2", "NO-SUCH", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],
        ["HT-3", "ROAD", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],  # public-benefit
        ["HT-4", "OP-1", "乙", "出租", "2025-01-01", "2026-12-31", "1000", "", "", "", "", ""],  # overlaps HT-1
        ["HT-5", "OP-3", "乙", "出租", "2026-01-01", "2025-12-31", "1000", "", "", "", "", ""],  # ends before it starts
        ["HT-6", "OP-4", "乙", "租给", "2024-01-01", "2026-12-31", "1000.001", "每周", "", "", "", ""],
        ["HT-7", "SELF", "乙", "自营", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],
        ["HT-8", "OP-5", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "按月", "", "", "", ""],  # 1000/12: not fen
        ["HT-9", "OP-6", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "HT-404", ""],
        ok=False,
    )  # fmt: skip
    out = result.output
    assert result.exit_code == 2, out
    for expected in (
        "第2行 (row 2)，列「合同编号」 (column)，值「HT-1」 (value)"
        "：合同编号已登记 (contract code is already registered)",
        "第3行 (row 3)，列「资产编号」 (column)，值「NO-SUCH」 (value)：资产未登记 (asset is not registered)",
        "第4行 (row 4)，列「资产编号」 (column)，值「ROAD」 (value)：只有经营性资产有经营合同",
        "第5行 (row 5)，列「合同起始日期」 (column)，值「2025-01-01」 (value)：资产 OP-1 已有合同 HT-1",
        "第6行 (row 6)，列「合同截止日期」 (column)，值「2025-12-31」 (value)",
        "第7行 (row 7)，列「经营方式」 (column)，值「租给」 (value)",
        "第7行 (row 7)，列「年租金」 (column)，值「1000.001」 (value)",
        "第7行 (row 7)，列「支付周期」 (column)，值「每周」 (value)",
        "第8行 (row 8)，列「经营方式」 (column)，值「自营」 (value)",
        "第9行 (row 9)，列「年租金」 (column)，值「1000」 (value)",
        "第10行 (row 10)，列「续签合同编号」 (column)，值「HT-404」 (value)"
        "：没有这个编号的合同 (no contract with this code)",
    ):
        assert expected in out, (expected, out)
    assert table_counts(db) == before


def test_each_contract_alert_on_dated_data(run: Cli, db: Database) -> None:
    """One asset per finding, each seen on the date it applies and not on a date it does not."""
    _county(run)
    _contracts(
        run, "c.csv",
        # OP-1 expired at the end of 2024 and is still in use
        ["E-1", "OP-1", "甲", "出租", "2022-01-01", "2024-12-31", "12000", "", "", "", "", ""],
        # OP-2 ends 2025-12-31: expiring from 90 days before
        ["X-1", "OP-2", "乙", "出租", "2023-01-01", "2025-12-31", "12000", "", "", "", "", ""],
        # OP-3: a 30-year lease; void beyond 20 years
        ["L-1", "OP-3", "丙", "出租", "2020-01-01", "2049-12-31", "12000", "", "", "", "", "2021-12-31"],
        # OP-4: 10,000 a quarter in arrears from 2025; only the first quarter is posted
        ["A-1", "OP-4", "丁", "出租", "2025-01-01", "2029-12-31", "40000", "按季", "后付", "", "", ""],
        # OP-5: 1,000 a year on an asset worth 100,000 (1 %)
        ["R-1", "OP-5", "戊", "发包", "2024-01-01", "2028-12-31", "1000", "", "", "", "", ""],
        # OP-6 has no contract at all; SELF is self-run; ROAD is public-benefit
    )  # fmt: skip
    entries = [ENTRY_HEADER, ["2025-03-31", "OP-4", "收入", "租金", "10000", "", "PZ-1"]]
    for year in (2022, 2023, 2024):
        for asset in ("OP-1", "OP-2", "OP-3", "OP-5"):
            entries.append([f"{year}-12-31", asset, "收入", "租金", "12000" if asset != "OP-5" else "1000", "", ""])
    entries.append(["2025-12-31", "OP-2", "收入", "租金", "12000", "", ""])
    run("ledger", "import-entries", str(write_csv(run.cwd / "entries.csv", entries)))

    early = _alerts(run, "2025-07-20")
    assert set(early) == {
        ("expired", "OP-1"),
        ("over_legal_term", "OP-3"),
        ("low_rent", "OP-5"),
        ("no_contract", "OP-6"),
    }  # OP-2 ends in 164 days; OP-4's first quarter is posted, its second is within the grace period
    late = _alerts(run, "2025-11-15")
    arrears = late[("arrears", "OP-4")]
    # due by 2025-10-16 (30 days' grace): Q1, Q2 and Q3 = 30,000; posted 10,000
    assert (arrears["expected"], arrears["posted"], arrears["amount"]) == ("30000.00", "10000.00", "20000.00")
    assert ("expiring", "OP-2") in late
    assert late[("expired", "OP-1")]["end"] == "2024-12-31"
    assert "民法典第705条" in late[("over_legal_term", "OP-3")]["detail"]
    # a renewal recorded for OP-2 ends the expiring alert; one far below the rent it renews is low rent
    renewal = ["X-2", "OP-2", "乙", "出租", "2026-01-01", "2030-12-31", "9000", "", "", "", "X-1", ""]
    _contracts(run, "renew.csv", renewal)
    renewed = _alerts(run, "2025-11-15")
    assert ("expiring", "OP-2") not in renewed
    assert "续约" in renewed[("low_rent", "OP-2")]["detail"]
    # the same as objects, through the service
    kinds = {(a.kind, a.asset_ids) for a in contract_alerts(db, dt.date(2025, 11, 15), "tester")}
    assert (AlertKind.ARREARS, ("OP-4",)) in kinds and (AlertKind.NO_CONTRACT, ("OP-6",)) in kinds
    assert not any("SELF" in ids or "ROAD" in ids for _, ids in kinds)


def test_a_terminated_contract_leaves_the_asset_without_one(run: Cli) -> None:
    _county(run)
    _contracts(run, "c.csv", ["T-1", "OP-1", "甲", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "",
                              "2024-12-31"])  # fmt: skip
    assert not [k for k in _alerts(run, "2025-06-30") if k[1] == "OP-1"]
    refused = run("contract", "terminate", "T-1", "--date", "2030-01-01", "--reason", "违约", ok=False)
    assert refused.exit_code == 5 and "outside it" in refused.output
    run("contract", "terminate", "T-1", "--date", "2025-03-31", "--reason", "承租方违约")
    found = _alerts(run, "2025-06-30")[("expired", "OP-1")]
    assert "解除" in found["detail"] and found["end"] == "2025-03-31"
    twice = run("contract", "terminate", "T-1", "--date", "2025-04-30", "--reason", "x", ok=False)
    assert twice.exit_code == 5 and "already terminated" in twice.output


def test_a_yearly_rent_is_not_idle_between_its_payments_and_shows_in_the_scan(run: Cli) -> None:
    """Without a contract, an asset paid once a year looks idle six months after its last payment; its contract
    says nothing was due, so the scan does not list it — until a payment is missed."""
    _county(run)
    run("ledger", "import-entries", str(write_csv(run.cwd / "e.csv", [
        ENTRY_HEADER, ["2024-12-31", "OP-1", "收入", "租金", "12000", "", ""]])))  # fmt: skip
    scanned = json.loads(run("asset", "scan", "--as-of", "2025-08-31", "--format", "json").output)
    assert "OP-1" in {r["asset_id"] for r in scanned}
    _contracts(run, "c.csv", ["Y-1", "OP-1", "甲", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "", ""])
    scanned = json.loads(run("asset", "scan", "--as-of", "2025-08-31", "--format", "json").output)
    assert "OP-1" not in {r["asset_id"] for r in scanned}
    missed = {r["asset_id"]: r for r in json.loads(run("asset", "scan", "--as-of", "2026-03-31", "--format",
                                                            "json").output)}  # fmt: skip
    assert missed["OP-1"]["finding"] == "no_revenue" and missed["OP-1"]["contract"] == "Y-1"
    assert Decimal(missed["OP-1"]["expected_revenue"]) > 0
    table = run("asset", "scan", "--as-of", "2026-03-31").output
    assert "经营合同预警 contract alerts" in table and "欠缴租金/收益" in table


def test_the_county_report_counts_the_alerts(run: Cli) -> None:
    _county(run)
    # settled through 2023 before it was recorded: 2024's 12,000 is due and was never posted
    _contracts(run, "c.csv", ["E-1", "OP-1", "甲", "出租", "2022-01-01", "2024-12-31", "12000", "", "", "", "",
                              "2023-12-31"])  # fmt: skip
    rows = json.loads(run("report", "governance", "--year", "2025", "--format", "json").output)
    (county,) = rows
    assert county["expired"] == 1 and county["no_contract"] == 5  # OP-2..OP-6; SELF is self-run
    assert county["arrears"] == 1 and county["arrears_amount"] == "12000.00"  # 2024's rent, never posted


def test_contracts_are_read_within_the_readers_scope(run: Cli) -> None:
    _county(run, asset_row("QS-1", 资产名称="青山冷库", 乡镇="青山乡", **OP))
    _contracts(run, "c.csv", ["Q-1", "QS-1", "甲", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "", ""],
               ["D-1", "OP-1", "乙", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "", ""])  # fmt: skip
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921")
    run("user", "add", "wang", "--role", "auditor", "--scope", "360921101", user="zhang")
    listed = json.loads(run("contract", "list", "--format", "json", user="wang").output)
    assert [c["code"] for c in listed] == ["D-1"]
    refused = run("contract", "list", "--within", "360921102", user="wang", ok=False)
    assert refused.exit_code == 6
    alerts = json.loads(run("contract", "alerts", "--as-of", "2025-06-30", "--format", "json", user="wang").output)
    assert all(r["township_code"] == "360921101" for r in alerts)
    denied = run("contract", "terminate", "Q-1", "--date", "2025-01-31", "--reason", "x", user="wang", ok=False)
    assert denied.exit_code == 6
    nobody = run("contract", "list", user="nobody", ok=False)
    assert nobody.exit_code == 6


def test_adopt_records_the_registers_contract_facts_once(run: Cli, db: Database) -> None:
    """Assets registered with 合同起始日期/合同截止日期/年收益 before the contracts register existed."""
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    header = [*ASSET_HEADER, "合同起始日期", "合同截止日期", "年收益"]
    rows = [header, [*asset_row("R-1", **OP), "2024-01-01", "2026-12-31", "30000"],
            [*asset_row("R-2", **OP), None, None, None]]  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    hint = _alerts(run, "2025-06-30")[("no_contract", "R-1")]["detail"]
    assert "contract adopt" in hint
    assert "would record 1 contracts" in run("contract", "adopt", "--dry-run").output
    before = table_counts(db)["contracts"]
    run("contract", "adopt", "--paid-through", "2024-12-31")
    assert table_counts(db)["contracts"] == before + 1
    (adopted,) = json.loads(run("contract", "list", "--format", "json").output)
    assert (adopted["code"], adopted["annual"], adopted["paid_through"]) == ("TZ-R-1", "30000.00", "2024-12-31")
    assert "recorded 0 contracts" in run("contract", "adopt").output  # once
    assert ("no_contract", "R-1") not in _alerts(run, "2025-06-30")


def test_contracts_feed_the_award_indicators(run: Cli, db: Database) -> None:
    """Coverage: operating assets under a contract at year end; collection: rent posted / rent due in the year."""
    from assetledger.services.indicators import Request, compute

    _county(run)
    quarterly = ["C-1", "OP-1", "甲", "出租", "2025-01-01", "2029-12-31", "40000", "按季", "", "", "", ""]
    ended = ["C-2", "OP-2", "乙", "出租", "2024-01-01", "2025-06-30", "12000", "", "", "", "", "2024-12-31"]
    _contracts(run, "c.csv", quarterly, ended)
    run("ledger", "import-entries", str(write_csv(run.cwd / "e.csv", [
        ENTRY_HEADER, *([f"2025-{m:02d}-28", "OP-1", "收入", "租金", "10000", "", ""] for m in (3, 6, 9)),
        ["2025-07-10", "OP-2", "收入", "租金", "6000", "", ""]])))  # fmt: skip
    requests = [Request("cover", "contract_coverage", {}), Request("collect", "rent_collection", {})]
    table = compute(db, "tester", 2025, "county", requests, workers=1)
    cover, collect = table.measures["360921"]["cover"], table.measures["360921"]["collect"]
    assert (cover.numerator, cover.denominator) == (1, 6)  # OP-1 only; C-2 ended; SELF is self-run
    # due in 2025: C-1's four quarters (40,000) and C-2's last 181 days (5,950.68, due 2025-06-30); posted
    # 30,000 + 6,000 (paid late, after C-2 ended: it still counts)
    assert (collect.numerator, collect.denominator) == (Decimal("36000.00"), Decimal("45950.68"))
    assert collect.value == Decimal("78.34")
