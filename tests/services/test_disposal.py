"""Disposal (处置, DOMAIN rules 9, 19, 20): the approval level comes from the governance policy stored for the
asset's county (versioned, sealed, stored by finance), never from a file given at disposal time, and the disposal
records which version judged it; an asset under a contract in force is not disposed of, and the arrears of its
terminated contract stay listed after it is."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.contracts import AlertKind
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import InputError, PermissionDenied, RuleViolation
from assetledger.services.asset_queries import show_asset
from assetledger.services.contract_alerts import contract_alerts
from assetledger.services.contracts import list_contracts, terminate_contract
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.governance import governance_report
from assetledger.services.governance_policies import policy_history, policy_in_force, store_policy
from assetledger.store.db import Database
from assetledger.store.governance_models import Disposal, DisposalPolicy, GovernancePolicyVersion
from tests.builders import assets, regions, user
from tests.builders.governance import contracts
from tests.helpers import ASSET_HEADER, asset_row, table_counts

SHIPPED = Path(__file__).parents[2] / "ledgers" / "policy" / "governance.toml"
BIG = {"资产名称": "冷链物流中心", "资产类别": "经营性", "经营方式": "自营", "资产原值（元）": "500000.00",
       "中央衔接资金": "500000.00", "县级衔接资金": None}  # fmt: skip
LEASED = {"资产名称": "标准化厂房", "资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
STRICT = b'[[approval]]\nmax_value = 10000\nlevel = "village"\n[[approval]]\nlevel = "county"\n'
CONTRACT_HEADER = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金", "支付周期",
                   "支付方式"]  # fmt: skip
LEASE = ["HT-R1", "RT-0003", "某公司", "出租", "2025-01-01", "2043-12-31", "36000", "按年", "后付"]


def _county(db: Database) -> None:
    regions(db)
    assets(db, [ASSET_HEADER, asset_row("RT-0001", **BIG), asset_row("RT-0002", **BIG), asset_row("RT-0003", **LEASED)])
    user(db, "zhang", "finance", "360921")
    user(db, "li", "village-accountant", "360921101201", actor="zhang")


def _disposal(asset_id: str, on: str, level: str) -> DisposalRequest:
    """What `asset dispose ASSET --method transfer --proceeds 1 --approval x --date --approved-by` asks for."""
    return DisposalRequest(
        asset_id, DisposalMethod.TRANSFER, dt.date.fromisoformat(on), Decimal("1"), "x", ApprovalLevel(level)
    )


def _judged(db: Database, asset_id: str) -> DisposalPolicy:
    with db.reading() as session:
        disposal = session.scalar(select(Disposal.id).where(Disposal.asset_id == asset_id))
        row = session.scalar(select(DisposalPolicy).where(DisposalPolicy.disposal_id == disposal))
        assert row is not None
        session.expunge(row)
        return row


def test_a_policy_file_given_at_disposal_time_is_not_read(db: Database) -> None:
    """`asset dispose` takes no policy file (its --policy is refused as a usage error: tests/cli); the service has
    no way to be given one."""
    _county(db)
    before = table_counts(db)
    with pytest.raises(RuleViolation, match="needs township approval") as refused:
        dispose(db, _disposal("RT-0001", "2026-11-30", "village"), "zhang")
    assert refused.value.exit_code == 5
    assert table_counts(db) == before
    # nothing stored: the shipped ledgers/policy/governance.toml judged it, and the disposal says so
    done = dispose(db, _disposal("RT-0001", "2026-11-30", "township"), "zhang")
    digest = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert "ledgers/policy/governance.toml" in done.policy and done.policy_sha256 == digest
    assert done.required_level is ApprovalLevel.TOWNSHIP
    judged = _judged(db, "RT-0001")
    assert (judged.policy_version_id, judged.sha256, judged.required_level) == (None, digest, "township")
    event = show_asset(db, "RT-0001", "zhang").events[-1]
    assert event.kind == "disposed" and event.details["policy_sha256"] == digest


def test_the_stored_policy_sets_the_level_and_each_version_is_kept(db: Database) -> None:
    _county(db)
    before = table_counts(db)
    with pytest.raises(PermissionDenied) as not_finance:
        store_policy(db, STRICT, "strict.toml", "li")
    assert not_finance.value.exit_code == 6
    with pytest.raises(InputError) as refused:
        store_policy(db, b'[[approval]]\nlevel = "province"\n', "bad.toml", "zhang")
    assert refused.value.exit_code == 2
    assert [(f.source, f.column, f.value) for f in refused.value.findings] == [
        ("bad.toml", "approval[0].level", "province")
    ]
    assert table_counts(db) == before
    stored, new = store_policy(db, STRICT, "strict.toml", "zhang", "县财〔2026〕8号")
    assert new and stored.name == "360921 第1版 (v1)"
    again, new = store_policy(db, STRICT, "strict.toml", "zhang")
    assert not new and again.version_id == stored.version_id  # nothing stored
    with pytest.raises(RuleViolation, match="needs county approval") as township:
        dispose(db, _disposal("RT-0002", "2026-11-30", "township"), "zhang")
    assert township.value.exit_code == 5
    done = dispose(db, _disposal("RT-0002", "2026-11-30", "county"), "zhang")
    assert done.policy == "360921 第1版 (v1)" and done.required_level is ApprovalLevel.COUNTY
    with db.reading() as session:
        (version,) = session.scalars(select(GovernancePolicyVersion)).all()
        assert (version.scope, version.version, version.actor, version.note) == (
            "360921",
            1,
            "zhang",
            "县财〔2026〕8号",
        )
        version_id = version.id
    judged = _judged(db, "RT-0002")
    digest = hashlib.sha256(STRICT).hexdigest()
    assert (judged.policy_version_id, judged.sha256, judged.required_level) == (version_id, digest, "county")
    # a later version governs later disposals; the first stays, and neither can be rewritten
    store_policy(db, SHIPPED.read_bytes(), str(SHIPPED), "zhang", "恢复")
    assert policy_in_force(db, "li").name == "360921 第2版 (v2)"  # in force first
    shown = policy_history(db, "li")
    assert [p.name for p in shown] == ["360921 第2版 (v2)", "360921 第1版 (v1)"]
    assert shown[1].actor == "zhang" and shown[1].sha256 == digest
    with pytest.raises(DatabaseError), db.engine.begin() as conn:
        conn.execute(text("UPDATE governance_policy_versions SET text = '' WHERE id = :i"), {"i": version_id})
    with pytest.raises(DatabaseError), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM disposal_policies"))


def _arrears(db: Database, on: str) -> dict[str | None, Decimal | None]:
    found = contract_alerts(db, dt.date.fromisoformat(on), "zhang")
    return {a.contract: a.amount for a in found if a.kind is AlertKind.ARREARS}


def test_an_asset_under_a_contract_in_force_is_not_disposed_of_and_its_arrears_stay(db: Database) -> None:
    _county(db)
    contracts(db, [CONTRACT_HEADER, LEASE], actor="zhang")
    assert _arrears(db, "2026-06-01") == {"HT-R1": Decimal("36000.00")}  # 2025's rent, never posted
    before = table_counts(db)
    for day in ("2026-11-30", "2025-12-31"):
        with pytest.raises(RuleViolation) as live:
            dispose(db, _disposal("RT-0003", day, "county"), "zhang")
        assert live.value.exit_code == 5
        assert "HT-R1" in str(live.value) and "contract terminate" in str(live.value), live.value
    assert table_counts(db) == before
    terminated = terminate_contract(db, "HT-R1", dt.date(2025, 12, 31), "协商解除", "zhang")
    assert terminated.asset_ids == ("RT-0003",)
    assert _arrears(db, "2026-06-01") == {"HT-R1": Decimal("36000.00")}  # terminated: the debt stays
    with pytest.raises(RuleViolation, match="HT-R1") as on_last_day:
        dispose(db, _disposal("RT-0003", "2025-12-31", "county"), "zhang")
    assert on_last_day.value.exit_code == 5  # it binds through its last day
    dispose(db, _disposal("RT-0003", "2026-01-15", "county"), "zhang")
    assert _arrears(db, "2027-06-01") == {"HT-R1": Decimal("36000.00")}  # disposed of: the debt stays
    alerts = contract_alerts(db, dt.date(2027, 6, 1), "zhang")
    assert [a.kind for a in alerts if "RT-0003" in a.asset_ids] == [AlertKind.ARREARS]  # nothing else on it
    assert list_contracts(db, "zhang", as_of=dt.date(2027, 6, 1)) == []
    [report] = governance_report(db, 2026, "zhang")
    assert (report.arrears, report.arrears_amount) == (1, Decimal("36000.00"))


@pytest.mark.parametrize("given", [Decimal("0"), Decimal("0.0"), Decimal("0E+3")])
def test_proceeds_are_recorded_with_their_two_places_whoever_calls(db: Database, given: Decimal) -> None:
    """The CLI parses "0" as 0.00; a library caller's Decimal("0") is the same amount, and the record says it the
    same way (the disposal's event and its row), not as "0"."""
    _county(db)
    request = DisposalRequest("RT-0001", DisposalMethod.SCRAP, dt.date(2026, 11, 30), given, "x", ApprovalLevel.COUNTY)
    done = dispose(db, request, "zhang")
    event = show_asset(db, "RT-0001", "zhang").events[-1]
    assert event.kind == "disposed" and event.details["proceeds"] == "0.00"
    assert str(done.proceeds) == "0.00" and str(done.gain) == "-500000.00"
