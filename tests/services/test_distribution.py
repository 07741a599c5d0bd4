"""Distribution end to end: roster, rule versions, distribution, idempotence, payouts, notices, household report."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assetledger.errors import InputError, RuleViolation
from assetledger.reports.notice import write_notice
from assetledger.services import distribution, distribution_settlement
from assetledger.services.beneficiaries import import_roster, remove_household, roster
from assetledger.services.book_reports import balances
from assetledger.services.distribution_reports import household_history, notice_data
from assetledger.services.ledger_files import check_entities
from assetledger.services.reconcile import reconcile
from assetledger.store.db import Database
from tests.builders import ACTOR
from tests.builders import roster as roster_of
from tests.builders.distribution import ROSTER_HEADER, database_of, publish, rule, village_with_revenue
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv

RULES = Path(__file__).parents[2] / "ledgers" / "rules"
VILLAGE = "360921101201"


def _village_with_revenue(run: Cli) -> None:
    """The built state `village` (tests/conftest.py), built through the services on the database of `run`."""
    village_with_revenue(database_of(run))


def _payable(db: Database) -> list[Decimal]:
    """The balances of the village's accounts payable to households (none once every share is paid)."""
    return [
        r.balance
        for r in balances(db, f"V{VILLAGE}", actor=ACTOR)
        if r.name.startswith("Liabilities:DistributionPayable")
    ]


def _books_check(db: Database) -> list[str]:
    """Beancount's errors over every entity's books (`ledger check`): none."""
    return [f"{r.entity}: {e}" for r in check_entities(db, ACTOR) for e in r.errors]


@pytest.mark.usefixtures("village")
def test_distribution_posts_once_and_pays_out(db: Database) -> None:
    first, added = distribution.register_rule(db, RULES / "example-village-rule.toml", ACTOR)
    assert added and (first.code, first.version, first.village) == ("HQ-2025", 1, VILLAGE)
    again, added = distribution.register_rule(db, RULES / "example-village-rule.toml", ACTOR)
    assert not added and again == first  # already recorded
    before = table_counts(db)
    dry = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, dry_run=True)
    assert (dry.revenue, dry.costs, dry.split.total) == (Decimal("18000.01"), Decimal("0.01"), Decimal("18000.00"))
    assert dry.dry_run and not dry.already_done and dry.distribution_id is None
    assert table_counts(db) == before
    done = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 1))
    assert not done.dry_run and not done.already_done and done.distribution_id is not None
    assert done.split == dry.split
    twice = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR)
    assert twice.already_done and twice.distribution_id == done.distribution_id  # already distributed
    after = table_counts(db)
    assert after["distributions"] == before["distributions"] + 1 and after["entries"] == before["entries"] + 1
    assert table_counts(db) == after  # the second run changed nothing
    # 40% of 18,000.00 = 7,200.00 to households; weights: H1 1.0x3, H2 1.2x1.5x3, H3 1.0x1.2x1.3x2 (died in May),
    # H4 0.8x1 (joined in June)
    h1, h2, h3, h4 = (
        Decimal(3),
        Decimal("1.2") * Decimal("1.5") * 3,
        Decimal("1.2") * Decimal("1.3") * 2,
        Decimal("0.8"),
    )
    weights = h1 + h2 + h3 + h4
    _, shares = household_history(db, "H3", ACTOR)
    assert shares[0].months == 2
    assert abs(shares[0].amount - Decimal("7200") * h3 / weights) < Decimal("0.01")
    assert sum(_payable(db)) == Decimal("-7200.00")
    publish(db, VILLAGE, "2025Q2")  # 公示, dated the distribution's date
    paid = distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 10), ACTOR)
    assert (paid.paid, paid.cash) == (4, Decimal("7200.00"))
    nothing = distribution_settlement.pay(db, VILLAGE, "2025Q2", dt.date(2025, 7, 11), ACTOR)
    assert (nothing.paid, nothing.cash) == (0, Decimal("0.00"))
    assert _payable(db) == []
    assert reconcile(db, ACTOR) == []
    assert _books_check(db) == []


@pytest.mark.usefixtures("village")
def test_rule_not_applied_before_notice_ends(db: Database, tmp_path: Path) -> None:
    late = tmp_path / "late.toml"
    text = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    late.write_text(text.replace("start = 2025-01-11", "start = 2025-06-28"), encoding="utf-8")
    rule(db, late)
    before = table_counts(db)
    with pytest.raises(RuleViolation, match="in force from 2025-07-05") as early:
        distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 2))
    assert early.value.exit_code == 5 and table_counts(db) == before
    distribution.distribute(db, VILLAGE, "2025Q2", ACTOR, on=dt.date(2025, 7, 5))
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("risk_reserve = 5", "risk_reserve = 5\n# changed"), encoding="utf-8")
    with pytest.raises(RuleViolation, match="raise the version") as same_version:
        distribution.register_rule(db, changed, ACTOR)
    assert same_version.value.exit_code == 5


@pytest.mark.usefixtures("village")
def test_notice_html_and_xlsx(db: Database, tmp_path: Path) -> None:
    """The notice for the village board names each head in full; a household number that is an ID-card number is
    printed masked but for its last four characters (domain/publication.mask_number)."""
    roster_of(db, [ROSTER_HEADER, ["360921199001011234", VILLAGE, "张大", "4", "脱贫户", "", "2024-01-01", "", ""]])
    rule(db)
    distribution.distribute(db, VILLAGE, "2025Q2", ACTOR)
    [data] = notice_data(db, VILLAGE, "2025Q2", ACTOR)
    html_path, xlsx_path = write_notice(data, tmp_path / "notices")  # what `distribute notice` writes
    assert html_path == tmp_path / "notices" / f"公示-{VILLAGE}-2025Q2-HQ-2025.html"
    page = html_path.read_text(encoding="utf-8")
    for text in ("示范县东风镇红旗村", "2025Q2 扶贫项目资产收益分配公示", "18,000.00", "王二", "农户分红", "未发放",
                 "张大", "**************1234"):  # fmt: skip
        assert text in page
    assert "360921199001011234" not in page
    assert xlsx_path == html_path.with_suffix(".xlsx")
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["分配方案", "农户分配明细"]
    shares = [row for row in book["农户分配明细"].iter_rows(min_row=3, values_only=True)]
    assert sum(Decimal(str(r[6])) for r in shares) == Decimal("7200.00")
    assert "**************1234" in [r[0] for r in shares] and "H1" in [r[0] for r in shares]
    assert not any("360921199001011234" in str(cell) for row in shares for cell in row)


@pytest.mark.usefixtures("village")
def test_roster_changes_and_refusals(db: Database, tmp_path: Path) -> None:
    before = table_counts(db)
    bad = write_csv(tmp_path / "bad.csv", [
        ROSTER_HEADER,
        ["H9", "无此村", "甲", "2", "脱贫户", "", "2024-01-01", "", ""],
        ["H8", VILLAGE, "乙", "0", "脱贫户", "", "2024-01-01", "", ""],
        ["H7", VILLAGE, "丙", "2", "富裕户", "", "2024-01-01", "", ""],
        ["H6", VILLAGE, "丁", "2", "脱贫户", "会飞", "2024-01-01", "", ""],
        ["H5", VILLAGE, "戊", "2", "脱贫户", "", "2024-01-01", "2024-06-01", ""],
    ])  # fmt: skip
    with pytest.raises(InputError) as refused:
        import_roster(db, bad, ACTOR)
    assert refused.value.exit_code == 2
    found = [(f.source, f.row, f.column, f.value) for f in refused.value.findings]
    for where in [(str(bad), 2, "村", "无此村"), (str(bad), 3, "人口", "0"), (str(bad), 4, "类别", "富裕户"),
                  (str(bad), 5, "因素", "会飞")]:  # fmt: skip
        assert where in found, found
    assert (str(bad), 6, "退出原因") in [(s, r, c) for s, r, c, _ in found], found
    assert table_counts(db) == before
    remove_household(db, "H1", dt.date(2025, 9, 1), "exit", ACTOR)
    with pytest.raises(RuleViolation) as twice:
        remove_household(db, "H1", dt.date(2025, 9, 2), "exit", ACTOR)
    assert twice.value.exit_code == 5
    listed = roster(db, VILLAGE, ACTOR)
    assert {h.household_id: h.left_reason for h in listed} == {"H1": "exit", "H2": None, "H3": "death", "H4": None}
    facts, _ = household_history(db, "H3", ACTOR)
    assert (facts.head, facts.left_on, facts.left_reason) == ("王三", dt.date(2025, 5, 20), "death")
    assert facts.factors == ("elderly", "sick")


@pytest.mark.usefixtures("village")
def test_yaml_rule_per_person(db: Database, tmp_path: Path) -> None:
    per_person = tmp_path / "rule.yaml"
    shutil.copy(RULES / "example-village-rule.yaml", per_person)
    text = per_person.read_text(encoding="utf-8")
    per_person.write_text(text.replace('"360921101202"', f'"{VILLAGE}"'), encoding="utf-8")
    rule(db, per_person)
    result = distribution.distribute(db, VILLAGE, "2025Q2", ACTOR)
    assert (result.revenue, result.costs) == (Decimal("18000.01"), Decimal("0.01"))
    assert result.split.total == Decimal("18000.01")  # base = revenue


@pytest.mark.usefixtures("village")
def test_rule_codes_villages_and_notice_days_are_checked_at_rule_add(db: Database, tmp_path: Path) -> None:
    """Issue #17 item 8: a code with "/" made its notice impossible to write; a township code posted a 0.00
    distribution; notice.days = 99999999999 was an OverflowError."""
    before = table_counts(db)
    example = (RULES / "example-village-rule.toml").read_text(encoding="utf-8")
    cases = {
        "slash.toml": (example.replace('code = "HQ-2025"', 'code = "HQ/2025"'),
                       "列「code」 (column)，值「HQ/2025」 (value)"),
        "dots.toml": (example.replace('code = "HQ-2025"', 'code = "../../x"'),
                      "列「code」 (column)，值「../../x」 (value)"),
        "township.toml": (example.replace('village = "360921101201"', 'village = "360921101"'),
                          "列「village」 (column)，值「360921101」 (value)"
                          "：东风镇 不是村 (东风镇 is a township, not a village)"),
        "days.toml": (example.replace("days = 7", "days = 99999999999"),
                      "列「notice.days」 (column)，值「99999999999」 (value)"),
        "version.toml": (example.replace("version = 1", "version = 99999999999"), "列「version」 (column)"),
    }  # fmt: skip
    for name, (body, expected) in cases.items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        with pytest.raises(InputError) as refused:
            distribution.register_rule(db, path, ACTOR)
        assert refused.value.exit_code == 2 and expected in str(refused.value), (name, str(refused.value))
        assert all(f.source == str(path) for f in refused.value.findings), refused.value.findings
    assert table_counts(db) == before
    chinese = tmp_path / "chinese.toml"
    chinese.write_text(example.replace('code = "HQ-2025"', 'code = "红旗村_2025-方案"'), encoding="utf-8")
    recorded, added = distribution.register_rule(db, chinese, ACTOR)
    assert added and recorded.code == "红旗村_2025-方案"


def test_a_notice_file_name_never_leaves_its_folder(tmp_path: Path) -> None:
    """A rule recorded before codes were restricted may hold "/" or ".."; its notice is still written, inside."""
    from assetledger.domain.publication import NoticeData

    rule = {
        "code": "../../HQ/2025",
        "version": 1,
        "approval_body": "村民代表大会",
        "approval_date": "2025-01-10",
        "approval_document": None,
        "notice_start": "2025-01-11",
        "notice_days": 7,
        "basis": "per_household",
    }
    data = NoticeData(VILLAGE, "红旗村", "东风镇", "示范县", "2025Q2", rule, 1, 0, 1, "2025-07-01", [], [])
    folder = tmp_path / "notices"
    html_path, xlsx_path = write_notice(data, folder)
    assert html_path.parent == folder and xlsx_path.parent == folder
    assert html_path.name == f"公示-{VILLAGE}-2025Q2-______HQ_2025.html"
