"""Acceptances (验收) and the rule "accepted but not registered" (验收后未登记, issue 24) on dated data: raised by an
acceptance the register does not follow within the policy's days, cleared by registering the asset; a case on it
closes only once the asset is registered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from assetledger.store.db import Database
from assetledger.store.publication_models import AssetAcceptance
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, asset_row, table_counts, write_csv
from tests.services.test_rectification import _county_with_users
from tests.services.test_supervision import POLICY, VILLAGE, found

KEY = "unregistered_after_acceptance:A-9"
TODAY = dt.date.today()
ACCEPTED = TODAY - dt.timedelta(days=60)  # the machine's today: registering stamps it, so the test dates follow it


def _accept(run: Cli, *extra: str, user: str = "zhang", ok: bool = True, on: dt.date = ACCEPTED) -> object:
    return run("asset", "accept", "A-9", "--name", "冷库", "--region", VILLAGE, "--date", on.isoformat(), *extra,
               user=user, ok=ok)  # fmt: skip


def _register(run: Cli) -> None:
    run("asset", "register", "--id", "A-9", "--name", "冷库", "--register", "operating", "--region", VILLAGE,
        "--year", str(ACCEPTED.year), "--acquired-on", ACCEPTED.isoformat(), "--value", "500000", "--fund",
        "central=500000", "--operating-mode", "lease", "--operator", "冷链公司", user="zhang")  # fmt: skip


def test_an_accepted_asset_not_registered_in_time_is_warned_until_it_is(run: Cli, db: Database) -> None:
    _county_with_users(run)
    _accept(run, "--doc", "县验〔2026〕5号")
    within = (ACCEPTED + dt.timedelta(days=30)).isoformat()  # the example policy gives 30 days
    assert KEY not in found(run, within, user="zhang")
    late = ACCEPTED + dt.timedelta(days=45)
    w = found(run, late.isoformat(), user="zhang")[KEY]
    assert w["since"] == ACCEPTED.isoformat() and w["overdue_days"] == 15
    assert "竣工验收（县验〔2026〕5号）" in w["evidence"] and "not on the register 45 days later" in w["evidence"]
    assert w["refs"] == ["验收记录 acceptance #1"] and w["village_code"] == VILLAGE

    run("supervise", "open", KEY, "--unit", "东风镇人民政府", "--deadline", TODAY.isoformat(), "--date",
        late.isoformat(), "--policy", str(POLICY), user="zhang")  # fmt: skip
    refused = run("supervise", "close", "1", "--date", TODAY.isoformat(), "--policy", str(POLICY), user="zhang",
                  ok=False)  # fmt: skip
    assert refused.exit_code == 5 and "still fires" in refused.output

    _register(run)
    assert KEY not in found(run, TODAY.isoformat(), user="zhang")
    assert KEY in found(run, late.isoformat(), user="zhang")  # as of then, it was not registered yet
    closed = run("supervise", "close", "1", "--date", TODAY.isoformat(), "--policy", str(POLICY), user="zhang")
    assert "case 1 closed" in closed.output


def test_acceptances_are_of_record_and_refused_when_wrong(run: Cli, db: Database) -> None:
    _county_with_users(run)
    before = table_counts(db)
    assert _accept(run, on=TODAY + dt.timedelta(days=1), ok=False).exit_code == 5  # type: ignore[attr-defined]
    outside = run("asset", "accept", "A-9", "--name", "冷库", "--region", "999999", "--date", ACCEPTED.isoformat(),
                  user="zhang", ok=False)  # fmt: skip
    assert outside.exit_code == 2 and "999999" in outside.output
    assert _accept(run, user="li", ok=False).exit_code == 6  # type: ignore[attr-defined]  # an accountant
    assert _accept(run, "--doc", "县验\x1b[2J", ok=False).exit_code == 2  # type: ignore[attr-defined]
    assert table_counts(db) == before
    _accept(run)
    _accept(run)  # the same again: nothing new
    assert table_counts(db)["asset_acceptances"] == before["asset_acceptances"] + 1
    _accept(run, on=ACCEPTED + dt.timedelta(days=20))  # a correction: the later acceptance counts
    assert KEY not in found(run, (ACCEPTED + dt.timedelta(days=45)).isoformat(), user="zhang")
    assert "verifies clean" in run("audit", "verify", "--skip-bean-check", user="wang").output


LIST_HEADER = ["资产编号", "资产名称", "县", "乡镇", "村", "验收日期", "验收文号"]


def test_an_acceptance_list_is_all_or_nothing_and_once(run: Cli, db: Database) -> None:
    _county_with_users(run)
    day = ACCEPTED.isoformat()
    bad = [LIST_HEADER, ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, "县验〔2026〕5号"],
           ["A-10", "", "示范县", "东风镇", "无此村", "2026-13-01", ""],
           ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, ""]]  # fmt: skip
    before = table_counts(db)
    refused = run("asset", "accept", "--file", str(write_csv(run.cwd / "验收清单.csv", bad)), user="zhang", ok=False)
    assert refused.exit_code == 2
    assert (
        "第3行 (row 3)，列「资产名称」 (column)" in refused.output
        and "第3行 (row 3)，列「验收日期」 (column)" in refused.output
    )
    assert "2026-13-01" in refused.output
    assert table_counts(db) == before
    good = [[*LIST_HEADER, "备注"], ["A-9", "冷库", "示范县", "东风镇", "红旗村", day, "县验〔2026〕5号", ""],
            ["A-10", "水池", "示范县", "东风镇", "红旗村", day, "", ""]]  # fmt: skip
    path = write_csv(run.cwd / "验收清单.csv", good)
    dry = run("asset", "accept", "--file", str(path), "--dry-run", user="zhang")
    assert "2 row(s); would record 2" in dry.output and table_counts(db) == before
    assert "列 备注 未使用 (column 备注 is not used)" in dry.output  # reported, never dropped silently
    assert "recorded 2" in run("asset", "accept", "--file", str(path), user="zhang").output
    assert "recorded 0" in run("asset", "accept", "--file", str(path), user="zhang").output
    assert run("asset", "accept", "--file", str(path), user="li", ok=False).exit_code == 6
    late = found(run, (ACCEPTED + dt.timedelta(days=45)).isoformat(), user="zhang")
    assert KEY in late and "unregistered_after_acceptance:A-10" in late


def test_a_register_file_brings_its_acceptance_dates(run: Cli, db: Database) -> None:
    """验收日期 in a register file is kept as the asset's acceptance, as `asset accept` keeps it: the supervision rule
    then knows the asset was registered 60 days after acceptance (late, as of the day before it was registered)."""
    _county_with_users(run)
    header = [*ASSET_HEADER, "验收日期"]
    accepted = ACCEPTED.isoformat()
    rows = [header, [*asset_row("A-9", 资产名称="冷库", 村="红旗村"), accepted], [*asset_row("A-8"), ""]]
    imported = run("asset", "import", str(write_csv(run.cwd / "台账.csv", rows)), user="zhang")
    assert "验收日期" not in imported.output  # used, not reported as an unused column
    with db.reading() as session:
        kept = session.execute(select(AssetAcceptance.asset_id, AssetAcceptance.accepted_on)).all()
    assert kept == [("A-9", ACCEPTED)]
    assert KEY not in found(run, TODAY.isoformat(), user="zhang")
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    assert KEY in found(run, yesterday, user="zhang")  # 59 days after acceptance and not yet on the register
    run("asset", "accept", "A-9", "--name", "冷库", "--region", VILLAGE, "--date", accepted, user="zhang")
    with db.reading() as session:  # the same acceptance said again records nothing
        assert session.scalar(select(func.count()).select_from(AssetAcceptance)) == 1


def test_an_acceptance_date_after_today_in_a_register_file_is_a_finding(run: Cli, db: Database) -> None:
    _county_with_users(run)
    before = table_counts(db)
    rows = [[*ASSET_HEADER, "验收日期"], [*asset_row("A-9"), (TODAY + dt.timedelta(days=1)).isoformat()]]
    refused = run("asset", "import", str(write_csv(run.cwd / "台账.csv", rows)), user="zhang", ok=False)
    assert refused.exit_code == 2 and "验收日期" in refused.output and "after today" in refused.output
    assert table_counts(db) == before
