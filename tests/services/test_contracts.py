"""The operating contracts register: import (Chinese or English headers, all or nothing, once), add, terminate,
the asset's columns kept in step, and every contract alert of DOMAIN rule 20 on dated data — in the scan, the
county report and the web governance list — plus what contracts tell the idle/loss-making scan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from assetledger.domain.contracts import AlertKind, Frequency, Timing
from assetledger.domain.enums import OperatingMode
from assetledger.errors import InputError, PermissionDenied, RuleViolation
from assetledger.services.asset_queries import show_asset
from assetledger.services.contract_alerts import ContractAlert, contract_alerts
from assetledger.services.contracts import (
    adopt_register,
    contracts_of,
    import_contracts,
    list_contracts,
    terminate_contract,
)
from assetledger.services.governance import governance_report, scan
from assetledger.store.db import Database
from assetledger.store.models import AssetEvent
from tests.builders import ACTOR, assets, regions, user
from tests.builders.audit import contracts, entries
from tests.builders.governance import contract
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv, write_xlsx
from tests.services.test_journal import ENTRY_HEADER

OP = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "原经营者"}
HEADER = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金", "支付周期",
          "支付方式", "保证金", "续签合同编号", "已缴至"]  # fmt: skip


def _county(db: Database, *extra: Sequence[object]) -> None:
    """示范县: OP-1..OP-6 leased (冷库), SELF self-run, ROAD public-benefit, and `extra` rows of the register."""
    regions(db)
    own = {**OP, "经营方式": "自营"}
    leased = [asset_row(f"OP-{i}", 资产名称=f"冷库{i}", **OP) for i in range(1, 7)]
    rows: list[Sequence[object]] = [ASSET_HEADER, *leased, asset_row("SELF", 资产名称="自营车间", **own),
                                    asset_row("ROAD"), *extra]  # fmt: skip
    assets(db, rows)


def _alerts(db: Database, on: str, actor: str = ACTOR) -> dict[tuple[str, str], ContractAlert]:
    """The contract alerts as of a date, by finding (the kind's code) and asset (several joined by 、)."""
    found = contract_alerts(db, dt.date.fromisoformat(on), actor)
    return {(a.kind.value, "、".join(a.asset_ids)): a for a in found}


def test_import_keeps_the_assets_in_step_and_the_same_file_twice_is_a_no_op(db: Database, tmp_path: Path) -> None:
    _county(db)
    path = write_csv(tmp_path / "c.csv", [HEADER, ["HT-1", "OP-1", "绿源公司", "出租", "2023-01-01", "2027-12-31",
                                                   "40000", "按季", "后付", "5000", "", ""]])  # fmt: skip
    first = import_contracts(db, path, ACTOR)
    assert (first.contracts, first.assets, first.already_imported) == (1, 1, False)
    before = table_counts(db)
    again = import_contracts(db, path, ACTOR)
    assert again.already_imported and again.batch_id == first.batch_id
    assert table_counts(db) == before
    shown = show_asset(db, "OP-1", ACTOR)
    facts = shown.asset
    assert (facts["operator"], facts["operating_mode"], facts["contract_end"]) == (
        "绿源公司", "lease", dt.date(2027, 12, 31),
    )  # fmt: skip
    assert facts["contract_annual_income"] == Decimal("40000.00")
    (contract,) = contracts_of(db, "OP-1", ACTOR)
    assert (contract.amount, contract.frequency, contract.timing) == (
        Decimal("10000.00"), Frequency.QUARTERLY, Timing.ARREARS,
    )  # fmt: skip
    assert shown.events[-1].kind == "contract_recorded" and shown.events[-1].actor == ACTOR
    listed = list_contracts(db, ACTOR)
    assert [(c.code, c.asset_ids, c.annual) for c in listed] == [("HT-1", ("OP-1",), Decimal("40000.00"))]


def test_english_headers_several_assets_and_xlsx(db: Database, tmp_path: Path) -> None:
    _county(db)
    header = ["contract_no", "asset_ids", "operator", "mode", "start_on", "end_on", "amount_per_payment",
              "frequency", "timing"]  # fmt: skip
    path = write_xlsx(tmp_path / "c.xlsx", [header, ["EN-1", "OP-2、OP-3", "Coop", "joint", "2024-01-01",
                                                      "2026-12-31", "1500", "monthly", "advance"]])  # fmt: skip
    done = import_contracts(db, path, ACTOR)
    assert (done.contracts, done.assets) == (1, 2)
    (contract,) = list_contracts(db, ACTOR)
    assert (contract.asset_ids, contract.mode, contract.annual) == (
        ("OP-2", "OP-3"), OperatingMode.JOINT, Decimal("18000.00"),
    )  # fmt: skip


def test_a_bad_file_is_refused_whole_naming_every_row(db: Database, tmp_path: Path) -> None:
    _county(db)
    contracts(db, [HEADER, ["HT-1", "OP-1", "甲", "出租", "2023-01-01", "2027-12-31", "40000", "", "", "", "", ""]])
    before = table_counts(db)
    bad = write_csv(tmp_path / "bad.csv", [
        HEADER,
        ["HT-1", "OP-2", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],  # code taken
        ["HT-2", "NO-SUCH", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],
        ["HT-3", "ROAD", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],  # public-benefit
        ["HT-4", "OP-1", "乙", "出租", "2025-01-01", "2026-12-31", "1000", "", "", "", "", ""],  # overlaps HT-1
        ["HT-5", "OP-3", "乙", "出租", "2026-01-01", "2025-12-31", "1000", "", "", "", "", ""],  # ends before it starts
        ["HT-6", "OP-4", "乙", "租给", "2024-01-01", "2026-12-31", "1000.001", "每周", "", "", "", ""],
        ["HT-7", "SELF", "乙", "自营", "2024-01-01", "2026-12-31", "1000", "", "", "", "", ""],
        ["HT-8", "OP-5", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "按月", "", "", "", ""],  # 1000/12: not fen
        ["HT-9", "OP-6", "乙", "出租", "2024-01-01", "2026-12-31", "1000", "", "", "", "HT-404", ""],
    ])  # fmt: skip
    with pytest.raises(InputError) as refused:
        import_contracts(db, bad, ACTOR)
    assert refused.value.exit_code == 2
    findings = refused.value.findings
    assert {f.source for f in findings} == {str(bad)}
    said = "\n".join(str(f) for f in findings)  # each finding says its row, column, value and reason
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
        assert expected in said, (expected, said)
    assert table_counts(db) == before


def test_each_contract_alert_on_dated_data(db: Database) -> None:
    """One asset per finding, each seen on the date it applies and not on a date it does not."""
    _county(db)
    contracts(db, [
        HEADER,
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
    ])  # fmt: skip
    rows = [ENTRY_HEADER, ["2025-03-31", "OP-4", "收入", "租金", "10000", "", "PZ-1"]]
    for year in (2022, 2023, 2024):
        for asset in ("OP-1", "OP-2", "OP-3", "OP-5"):
            rows.append([f"{year}-12-31", asset, "收入", "租金", "12000" if asset != "OP-5" else "1000", "", ""])
    rows.append(["2025-12-31", "OP-2", "收入", "租金", "12000", "", ""])
    entries(db, rows)

    early = _alerts(db, "2025-07-20")
    assert set(early) == {
        ("expired", "OP-1"),
        ("over_legal_term", "OP-3"),
        ("low_rent", "OP-5"),
        ("no_contract", "OP-6"),
    }  # OP-2 ends in 164 days; OP-4's first quarter is posted, its second is within the grace period
    late = _alerts(db, "2025-11-15")
    arrears = late[("arrears", "OP-4")]
    # due by 2025-10-16 (30 days' grace): Q1, Q2 and Q3 = 30,000; posted 10,000
    assert (arrears.expected, arrears.posted, arrears.amount) == (
        Decimal("30000.00"), Decimal("10000.00"), Decimal("20000.00"),
    )  # fmt: skip
    assert ("expiring", "OP-2") in late
    assert late[("expired", "OP-1")].end == dt.date(2024, 12, 31)
    assert "民法典第705条" in late[("over_legal_term", "OP-3")].detail
    # a renewal recorded for OP-2 ends the expiring alert; one far below the rent it renews is low rent
    contracts(db, [HEADER, ["X-2", "OP-2", "乙", "出租", "2026-01-01", "2030-12-31", "9000", "", "", "", "X-1", ""]])
    renewed = _alerts(db, "2025-11-15")
    assert ("expiring", "OP-2") not in renewed
    assert "续约" in renewed[("low_rent", "OP-2")].detail
    kinds = {(a.kind, a.asset_ids) for a in contract_alerts(db, dt.date(2025, 11, 15), ACTOR)}
    assert (AlertKind.ARREARS, ("OP-4",)) in kinds and (AlertKind.NO_CONTRACT, ("OP-6",)) in kinds
    assert not any("SELF" in ids or "ROAD" in ids for _, ids in kinds)


def test_a_terminated_contract_leaves_the_asset_without_one(db: Database) -> None:
    _county(db)
    contracts(db, [HEADER, ["T-1", "OP-1", "甲", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "",
                            "2024-12-31"]])  # fmt: skip
    assert not [k for k in _alerts(db, "2025-06-30") if k[1] == "OP-1"]
    before = table_counts(db)
    with pytest.raises(RuleViolation, match="outside it") as refused:
        terminate_contract(db, "T-1", dt.date(2030, 1, 1), "违约", ACTOR)
    assert refused.value.exit_code == 5 and table_counts(db) == before
    ended = terminate_contract(db, "T-1", dt.date(2025, 3, 31), "承租方违约", ACTOR)
    assert (ended.terminated_on, ended.termination_reason, ended.effective_end) == (
        dt.date(2025, 3, 31), "承租方违约", dt.date(2025, 3, 31),
    )  # fmt: skip
    found = _alerts(db, "2025-06-30")[("expired", "OP-1")]
    assert "解除" in found.detail and found.end == dt.date(2025, 3, 31)
    with pytest.raises(RuleViolation, match="already terminated") as twice:
        terminate_contract(db, "T-1", dt.date(2025, 4, 30), "x", ACTOR)
    assert twice.value.exit_code == 5


def test_a_yearly_rent_is_not_idle_between_its_payments_and_shows_in_the_scan(db: Database) -> None:
    """Without a contract, an asset paid once a year looks idle six months after its last payment; its contract
    says nothing was due, so the scan does not list it — until a payment is missed."""
    _county(db)
    entries(db, [ENTRY_HEADER, ["2024-12-31", "OP-1", "收入", "租金", "12000", "", ""]])
    assert "OP-1" in {r.asset_id for r in scan(db, dt.date(2025, 8, 31), ACTOR)}
    contracts(db, [HEADER, ["Y-1", "OP-1", "甲", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "", ""]])
    assert "OP-1" not in {r.asset_id for r in scan(db, dt.date(2025, 8, 31), ACTOR)}
    missed = {r.asset_id: r for r in scan(db, dt.date(2026, 3, 31), ACTOR)}
    assert missed["OP-1"].finding == "no_revenue" and missed["OP-1"].contract == "Y-1"
    assert missed["OP-1"].expected_revenue is not None and missed["OP-1"].expected_revenue > 0
    assert ("arrears", "OP-1") in _alerts(db, "2026-03-31")  # what the scan's table lists beside it


def test_the_county_report_counts_the_alerts(db: Database) -> None:
    _county(db)
    # settled through 2023 before it was recorded: 2024's 12,000 is due and was never posted
    contracts(db, [HEADER, ["E-1", "OP-1", "甲", "出租", "2022-01-01", "2024-12-31", "12000", "", "", "", "",
                            "2023-12-31"]])  # fmt: skip
    (county,) = governance_report(db, 2025, ACTOR)
    assert county.expired == 1 and county.no_contract == 5  # OP-2..OP-6; SELF is self-run
    assert county.arrears == 1 and county.arrears_amount == Decimal("12000.00")  # 2024's rent, never posted


def test_contracts_are_read_within_the_readers_scope(db: Database) -> None:
    _county(db, asset_row("QS-1", 资产名称="青山冷库", 乡镇="青山乡", **OP))
    contracts(db, [HEADER, ["Q-1", "QS-1", "甲", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "", ""],
                   ["D-1", "OP-1", "乙", "出租", "2024-01-01", "2028-12-31", "12000", "", "", "", "", ""]])  # fmt: skip
    user(db, "zhang", "finance", "360921")
    user(db, "wang", "auditor", "360921101", actor="zhang")
    assert [c.code for c in list_contracts(db, "wang")] == ["D-1"]
    with pytest.raises(PermissionDenied):
        list_contracts(db, "wang", within="360921102")
    alerts = contract_alerts(db, dt.date(2025, 6, 30), "wang")
    assert alerts and all(a.township_code == "360921101" for a in alerts)
    before = table_counts(db)
    with pytest.raises(PermissionDenied):
        terminate_contract(db, "Q-1", dt.date(2025, 1, 31), "x", "wang")
    assert table_counts(db) == before
    with pytest.raises(PermissionDenied):
        list_contracts(db, "nobody")


def test_adopt_records_the_registers_contract_facts_once(db: Database) -> None:
    """Assets registered with 合同起始日期/合同截止日期/年收益 before the contracts register existed."""
    regions(db)
    header = [*ASSET_HEADER, "合同起始日期", "合同截止日期", "年收益"]
    rows: list[Sequence[object]] = [header, [*asset_row("R-1", **OP), "2024-01-01", "2026-12-31", "30000"],
            [*asset_row("R-2", **OP), None, None, None]]  # fmt: skip
    assets(db, rows)
    assert "contract adopt" in _alerts(db, "2025-06-30")[("no_contract", "R-1")].detail
    before = table_counts(db)
    dry = adopt_register(db, ACTOR, dry_run=True)
    assert (dry.contracts, dry.dry_run) == (1, True) and table_counts(db) == before
    assert adopt_register(db, ACTOR, paid_through=dt.date(2024, 12, 31)).contracts == 1
    assert table_counts(db)["contracts"] == before["contracts"] + 1
    (adopted,) = list_contracts(db, ACTOR)
    assert (adopted.code, adopted.annual) == ("TZ-R-1", Decimal("30000.00"))
    assert adopted.paid_through == dt.date(2024, 12, 31)
    assert adopt_register(db, ACTOR).contracts == 0  # once
    assert ("no_contract", "R-1") not in _alerts(db, "2025-06-30")


def test_contracts_feed_the_award_indicators(db: Database) -> None:
    """Coverage: operating assets under a contract at year end; collection: rent posted / rent due in the year."""
    from assetledger.services.indicators import Request, compute

    _county(db)
    quarterly = ["C-1", "OP-1", "甲", "出租", "2025-01-01", "2029-12-31", "40000", "按季", "", "", "", ""]
    ended = ["C-2", "OP-2", "乙", "出租", "2024-01-01", "2025-06-30", "12000", "", "", "", "", "2024-12-31"]
    contracts(db, [HEADER, quarterly, ended])
    entries(db, [ENTRY_HEADER, *([f"2025-{m:02d}-28", "OP-1", "收入", "租金", "10000", "", ""] for m in (3, 6, 9)),
                 ["2025-07-10", "OP-2", "收入", "租金", "6000", "", ""]])  # fmt: skip
    requests = [Request("cover", "contract_coverage", {}), Request("collect", "rent_collection", {})]
    table = compute(db, ACTOR, 2025, "county", requests, workers=1)
    cover, collect = table.measures["360921"]["cover"], table.measures["360921"]["collect"]
    assert (cover.numerator, cover.denominator) == (Decimal(1), Decimal(6))  # OP-1 only; C-2 ended; SELF is self-run
    # due in 2025: C-1's four quarters (40,000) and C-2's last 181 days (5,950.68, due 2025-06-30); posted
    # 30,000 + 6,000 (paid late, after C-2 ended: it still counts)
    assert (collect.numerator, collect.denominator) == (Decimal("36000.00"), Decimal("45950.68"))
    assert collect.value == Decimal("78.34")


def test_a_library_callers_whole_yuan_rent_is_recorded_with_its_two_places(db: Database) -> None:
    """`contract add --amount 10000` parses 10000.00; a library caller's Decimal("10000") is the same rent, and the
    asset's event says it the same way."""
    _county(db)
    contract(db, "L-1", "OP-1", "甲", "lease", dt.date(2024, 1, 1), dt.date(2026, 12, 31), "10000", deposit="500")
    with db.reading() as session:
        payload = session.scalars(
            select(AssetEvent.payload).where(AssetEvent.asset_id == "OP-1", AssetEvent.kind == "contract_recorded")
        ).one()
    assert payload["annual"] == "10000.00"
