"""Disposal (处置, DOMAIN rules 9, 19, 20): the approval level comes from the governance policy stored for the
asset's county (versioned, sealed, stored by finance), never from a file given at disposal time, and the disposal
records which version judged it; an asset under a contract in force is not disposed of, and the arrears of its
terminated contract stay listed after it is."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from assetledger.store.db import Database
from assetledger.store.governance_models import Disposal, DisposalPolicy, GovernancePolicyVersion
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, table_counts, write_csv

SHIPPED = Path(__file__).parents[2] / "ledgers" / "policy" / "governance.toml"
BIG = {"资产名称": "冷链物流中心", "资产类别": "经营性", "经营方式": "自营", "资产原值（元）": "500000.00",
       "中央衔接资金": "500000.00", "县级衔接资金": None}  # fmt: skip
LEASED = {"资产名称": "标准化厂房", "资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
DISPOSE = ("--method", "transfer", "--proceeds", "1", "--approval", "x")


def _county(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, asset_row("RT-0001", **BIG), asset_row("RT-0002", **BIG), asset_row("RT-0003", **LEASED)]
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921")
    run("user", "add", "li", "--role", "village-accountant", "--scope", "360921101201", user="zhang")


def _judged(db: Database, asset_id: str) -> DisposalPolicy:
    with db.reading() as session:
        disposal = session.scalar(select(Disposal.id).where(Disposal.asset_id == asset_id))
        row = session.scalar(select(DisposalPolicy).where(DisposalPolicy.disposal_id == disposal))
        assert row is not None
        session.expunge(row)
        return row


def test_a_policy_file_given_at_disposal_time_is_not_read(run: Cli, db: Database) -> None:
    _county(run)
    lax = run.cwd / "lax.toml"
    lax.write_text('[[approval]]\nlevel = "village"\n', encoding="utf-8")
    before = table_counts(db)
    bypass = run("asset", "dispose", "RT-0001", *DISPOSE, "--date", "2026-11-30", "--approved-by", "village",
                 "--policy", str(lax), user="zhang", ok=False)  # fmt: skip
    assert bypass.exit_code == 2 and "--policy" in bypass.output, bypass.output
    refused = run("asset", "dispose", "RT-0001", *DISPOSE, "--date", "2026-11-30", "--approved-by", "village",
                  user="zhang", ok=False)  # fmt: skip
    assert refused.exit_code == 5 and "needs township approval" in refused.output
    assert table_counts(db) == before
    # nothing stored: the shipped ledgers/policy/governance.toml judged it, and the disposal says so
    out = run("asset", "dispose", "RT-0001", *DISPOSE, "--date", "2026-11-30", "--approved-by", "township",
              user="zhang").output  # fmt: skip
    digest = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert "ledgers/policy/governance.toml" in out and digest[:12] in out
    judged = _judged(db, "RT-0001")
    assert (judged.policy_version_id, judged.sha256, judged.required_level) == (None, digest, "township")
    event = json.loads(run("asset", "show", "RT-0001", "--format", "json", user="zhang").output)["events"][-1]
    assert event["kind"] == "disposed" and event["details"]["policy_sha256"] == digest


def test_the_stored_policy_sets_the_level_and_each_version_is_kept(run: Cli, db: Database) -> None:
    _county(run)
    strict = run.cwd / "strict.toml"
    strict.write_text('[[approval]]\nmax_value = 10000\nlevel = "village"\n[[approval]]\nlevel = "county"\n',
                      encoding="utf-8")  # fmt: skip
    before = table_counts(db)
    not_finance = run("asset", "policy", "store", str(strict), user="li", ok=False)
    assert not_finance.exit_code == 6, not_finance.output
    bad = run.cwd / "bad.toml"
    bad.write_text('[[approval]]\nlevel = "province"\n', encoding="utf-8")
    refused = run("asset", "policy", "store", str(bad), user="zhang", ok=False)
    assert refused.exit_code == 2 and "approval[0].level" in refused.output
    assert table_counts(db) == before
    out = run("asset", "policy", "store", str(strict), "--note", "县财〔2026〕8号", user="zhang").output
    assert "stored governance policy 360921 第1版 (v1)" in out
    again = run("asset", "policy", "store", str(strict), user="zhang").output
    assert "nothing stored" in again
    township = run("asset", "dispose", "RT-0002", *DISPOSE, "--date", "2026-11-30", "--approved-by", "township",
                   user="zhang", ok=False)  # fmt: skip
    assert township.exit_code == 5 and "needs county approval" in township.output, township.output
    run("asset", "dispose", "RT-0002", *DISPOSE, "--date", "2026-11-30", "--approved-by", "county", user="zhang")
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
    digest = hashlib.sha256(strict.read_bytes()).hexdigest()
    assert (judged.policy_version_id, judged.sha256, judged.required_level) == (version_id, digest, "county")
    # a later version governs later disposals; the first stays, and neither can be rewritten
    run("asset", "policy", "store", str(SHIPPED), "--note", "恢复", user="zhang")
    shown = json.loads(run("asset", "policy", "show", "--format", "json", user="li").output)
    assert [r["policy"] for r in shown] == ["360921 第2版 (v2)", "360921 第1版 (v1)"]  # in force first
    assert shown[1]["actor"] == "zhang" and shown[1]["sha256"] == digest
    with pytest.raises(DatabaseError), db.engine.begin() as conn:
        conn.execute(text("UPDATE governance_policy_versions SET text = '' WHERE id = :i"), {"i": version_id})
    with pytest.raises(DatabaseError), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM disposal_policies"))


def _arrears(run: Cli, on: str) -> dict[str, str]:
    rows = json.loads(run("contract", "alerts", "--as-of", on, "--format", "json", user="zhang").output)
    return {r["contract"]: r["amount"] for r in rows if r["finding"] == "arrears"}


def test_an_asset_under_a_contract_in_force_is_not_disposed_of_and_its_arrears_stay(run: Cli, db: Database) -> None:
    _county(run)
    header = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金", "支付周期",
              "支付方式"]  # fmt: skip
    lease = ["HT-R1", "RT-0003", "某公司", "出租", "2025-01-01", "2043-12-31", "36000", "按年", "后付"]
    run("contract", "import", str(write_csv(run.cwd / "c.csv", [header, lease])), user="zhang")
    assert _arrears(run, "2026-06-01") == {"HT-R1": "36000.00"}  # 2025's rent, never posted
    before = table_counts(db)
    for day in ("2026-11-30", "2025-12-31"):
        live = run("asset", "dispose", "RT-0003", *DISPOSE, "--date", day, "--approved-by", "county", user="zhang",
                   ok=False)  # fmt: skip
        assert live.exit_code == 5 and "HT-R1" in live.output and "contract terminate" in live.output, live.output
    assert table_counts(db) == before
    run("contract", "terminate", "HT-R1", "--date", "2025-12-31", "--reason", "协商解除", user="zhang")
    assert _arrears(run, "2026-06-01") == {"HT-R1": "36000.00"}  # terminated: the debt stays
    on_last_day = run("asset", "dispose", "RT-0003", *DISPOSE, "--date", "2025-12-31", "--approved-by", "county",
                      user="zhang", ok=False)  # fmt: skip
    assert on_last_day.exit_code == 5 and "HT-R1" in on_last_day.output  # it binds through its last day
    run("asset", "dispose", "RT-0003", *DISPOSE, "--date", "2026-01-15", "--approved-by", "county", user="zhang")
    assert _arrears(run, "2027-06-01") == {"HT-R1": "36000.00"}  # disposed of: the debt stays
    alerts = json.loads(run("contract", "alerts", "--as-of", "2027-06-01", "--format", "json", user="zhang").output)
    assert [r["finding"] for r in alerts if r["asset_id"] == "RT-0003"] == ["arrears"]  # nothing else on it
    in_force = json.loads(run("contract", "list", "--as-of", "2027-06-01", "--format", "json", user="zhang").output)
    assert in_force == []
    report = json.loads(run("report", "governance", "--year", "2026", "--format", "json", user="zhang").output)
    assert report[0]["arrears"] == 1 and report[0]["arrears_amount"] == "36000.00"
