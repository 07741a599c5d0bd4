"""The `ledger` commands over the books' services, and the asset commands whose dates the books take
(tests/services/test_journal.py and test_entry_dates.py hold what the services do): the words each command prints,
its options, formats and files, and the exit code of each refusal (2 bad input, 5 refused by a rule: cli/main.py
maps the services' errors)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.services.book_reports import postings
from assetledger.services.journal import close_period, reverse
from assetledger.store.db import Database
from tests.builders import ACTOR, expense, registers, revenue
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv
from tests.services.test_journal import ENTRY_HEADER, VILLAGE


def test_entities_keep_their_codes_in_json_and_a_table_names_the_kinds(run: Cli, db: Database) -> None:
    registers(db)
    entities = json.loads(run("ledger", "entities", "--format", "json").output)
    assert {e["code"] for e in entities} == {VILLAGE, "C360921"}
    assert {e["kind"] for e in entities} == {"village", "county"}  # json keeps the codes
    table = run("ledger", "entities").output  # a person reads it: the kind by name
    assert "级次" in table and "村" in table and "县" in table and "village" not in table and "kind" not in table, table
    assert "0 mismatch(es)" in run("ledger", "reconcile").output


TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()

# Each refusal from a state of the books: an entry reversed (#reversed), one standing (#october) and March closed
# (#march is in it); the words the output says.
REFUSALS = {
    "reversed twice": (["reverse", "#reversed", "--reason", "again"], 5, ["already reversed"]),
    "reversed into a closed period": (["reverse", "#march", "--reason", "错", "--date", "2025-03-15"], 5,
                                      ["closed through 2025-03-31"]),
    "reversed after today": (["reverse", "#october", "--reason", "录错", "--date", "2099-01-01"], 5,
                             ["冲销日期 2099-01-01 晚于今天"]),
    "household asset": (["post", "--asset", "H-1", "--revenue", "other", "--amount", "1", "--date", "2025-01-01"], 5,
                        ["off the public books"]),
    "unbalanced": (["post", "--entity", VILLAGE, "--date", "2025-07-03", "--narration", "x", "--posting",
                    "Assets:Cash=500", "--posting", "Assets:Bank=-499.99"], 2, ["do not balance"]),
    "account not open": (["post", "--entity", VILLAGE, "--date", "2025-07-03", "--narration", "x", "--posting",
                          "Assets:Nowhere=5", "--posting", "Assets:Bank=-5"], 2, ["Assets:Nowhere is not open"]),
    "closed period": (["post", "--asset", "A-2", "--revenue", "rent", "--amount", "10", "--date", "2025-03-31"], 5,
                      ["closed through 2025-03-31"]),
    "dated after today": (["post", "--asset", "A-2", "--revenue", "rent", "--amount", "100", "--date", TOMORROW], 5,
                          ["记账日期晚于今天", "列「--date」 (column)", f"值「{TOMORROW}」 (value)"]),
    "closed earlier": (["close", "--entity", VILLAGE, "--through", "2025-01-31"], 5, ["already closed through"]),
}  # fmt: skip


@pytest.mark.parametrize(("args", "code", "words"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_entry_exits_with_its_code_and_says_why(
    run: Cli, db: Database, args: list[str], code: int, words: list[str]
) -> None:
    registers(db)
    ids = {
        "#march": revenue(db, "A-2", "10", "2025-03-01"),
        "#reversed": expense(db, "A-2", "5", "2025-04-01"),
        "#october": revenue(db, "A-2", "100", "2025-10-15"),
    }
    reverse(db, ids["#reversed"], "录错", ACTOR, dt.date(2025, 4, 2))
    close_period(db, VILLAGE, dt.date(2025, 3, 31), ACTOR)
    before = table_counts(db)
    refused = run("ledger", *[str(ids.get(a, a)) for a in args], ok=False)
    assert refused.exit_code == code, refused.output
    assert all(said in refused.output for said in words), refused.output
    assert "Traceback" not in refused.output
    assert table_counts(db) == before


def test_reverse_says_its_date_and_when_the_correction_counts_in_a_later_month(run: Cli, db: Database) -> None:
    registers(db)
    today = dt.date.today()
    done = run("ledger", "reverse", str(revenue(db, "A-2", "100", "2025-10-15")), "--reason", "录错")
    now = f"{today.year}-{today.month:02d}"
    assert f"on {today.isoformat()}" in done.output, done.output
    assert f"冲销记入 {now}，原分录在 2025-10" in done.output and f"counts in {now}" in done.output
    same = revenue(db, "A-2", "200", "2025-11-03")
    dated = run("ledger", "reverse", str(same), "--reason", "录错", "--date", "2025-11-20")
    assert "on 2025-11-20" in dated.output and "冲销记入" not in dated.output  # the same month: no note


def test_post_says_what_it_posted_or_that_the_voucher_is_already_posted(run: Cli, db: Database) -> None:
    registers(db)
    post = ["ledger", "post", "--asset", "A-2", "--expense", "maintenance", "--amount", "1200.50", "--date",
            "2025-07-02", "--ref", "PZ-7"]  # fmt: skip
    assert "posted entry " in run(*post).output
    assert "already posted" in run(*post).output


def test_import_entries_says_how_many_and_lists_every_bad_row(run: Cli, db: Database) -> None:
    registers(db)
    good = [ENTRY_HEADER, ["2025-01-31", "A-2", "收入", "租金", "2500.00", "一月租金", ""],
            ["2025-03-05", "A-1", "支出", "维修", "800", "道路修补", "PZ-1"]]  # fmt: skip
    path = write_csv(run.cwd / "entries.csv", good)
    assert "posted 2 entries; 0 already posted" in run("ledger", "import-entries", str(path)).output
    assert "posted 0 entries; 2 already posted" in run("ledger", "import-entries", str(path)).output
    bad = [ENTRY_HEADER, ["2025-04-31", "A-2", "收入", "租金", "1", "", ""],
           ["2025-04-01", "A-2", "收入", "维修", "1", "", ""]]  # fmt: skip
    result = run("ledger", "import-entries", str(write_csv(run.cwd / "bad.csv", bad)), ok=False)
    assert result.exit_code == 2
    for expected in (
        "bad.csv，第2行 (row 2)，列「日期」 (column)，值「2025-04-31」 (value)",
        "bad.csv，第3行 (row 3)，列「类型」 (column)，值「维修」 (value)",
    ):
        assert expected in result.output, result.output
    unknown = [ENTRY_HEADER, ["2025-04-01", "NOPE", "收入", "租金", "1", "", ""]]
    result = run("ledger", "import-entries", str(write_csv(run.cwd / "bad2.csv", unknown)), ok=False)
    assert "第2行 (row 2)，列「资产编号」 (column)，值「NOPE」 (value)：没有这项资产 (no such asset)" in result.output
    future = write_csv(run.cwd / "future.csv", [["记账日期", "资产编号", "收支", "类型", "金额", "凭证号"],
                                                ["2025-03-01", "A-2", "收入", "租金", "1000", "R-1"],
                                                ["2099-01-01", "A-2", "收入", "租金", "1000", "R-2"]])  # fmt: skip
    result = run("ledger", "import-entries", str(future), ok=False)
    assert result.exit_code == 5, result.output
    said = f"{future}，第3行 (row 3)，列「记账日期」 (column)，值「2099-01-01」 (value)：记账日期晚于今天"
    assert said in result.output and "row 2," not in result.output and "Traceback" not in result.output


def test_export_check_query_and_import_of_a_ledger_file(run: Cli, db: Database, tmp_path: Path) -> None:
    registers(db)
    revenue(db, "A-2", "30000", "2025-06-30")
    out = tmp_path / "v.beancount"
    assert f"wrote {out} (" in run("ledger", "export", "--entity", VILLAGE, "--out", str(out)).output
    assert out.exists()
    assert "2 entities (" in run("ledger", "check").output
    bql = run("ledger", "query", "--entity", VILLAGE, "--format", "json",
              "SELECT sum(number) AS total WHERE account ~ '^Income'").output  # fmt: skip
    assert Decimal(json.loads(bql)[0]["total"]) == Decimal("-30000.00")
    other = "V360921101202"
    assert "imported 3 entries" in run("ledger", "import", str(out), "--entity", other).output
    assert "imported 0 entries" in run("ledger", "import", str(out), "--entity", other).output
    foreign = tmp_path / "foreign.beancount"
    foreign.write_text(
        'option "operating_currency" "CNY"\n2020-01-01 open Assets:Broker USD\n',
        encoding="utf-8",
    )
    refused = run("ledger", "import", str(foreign), "--entity", VILLAGE, ok=False)
    assert refused.exit_code == 2
    assert "foreign.beancount，第2行 (row 2)，列「open」 (column)，值「USD」 (value)" in refused.output, refused.output


def test_asset_register_dates_the_opening_entry_by_its_acquisition_date_or_year(run: Cli, db: Database) -> None:
    registers(db)
    road = ["asset", "register", "--name", "村组道路", "--register", "public_benefit", "--region", VILLAGE[1:],
            "--value", "50000", "--fund", "central=50000"]  # fmt: skip
    run(*road, "--id", "N-2", "--acquired-on", "2023-03-15", "--year", "2022")
    run(*road, "--id", "N-3", "--year", "2022")
    opened = {(p.asset_id, p.kind, p.date) for p in postings(db, actor=ACTOR) if p.asset_id in ("N-2", "N-3")}
    assert opened == {("N-2", "opening", dt.date(2023, 3, 15)), ("N-3", "opening", dt.date(2022, 12, 31))}


def test_asset_dispose_names_the_postings_that_stand_after_it_and_exits_5(run: Cli, db: Database) -> None:
    registers(db)
    entry_id = revenue(db, "A-2", "3000", "2025-10-15")
    dispose = ["asset", "dispose", "A-2", "--method", "auction", "--date", "2025-09-30", "--proceeds", "90000",
               "--approval", "县〔2026〕3号", "--approved-by", "county"]  # fmt: skip
    refused = run(*dispose, ok=False)
    assert refused.exit_code == 5, refused.output
    assert f"#{entry_id} (2025-10-15, revenue)" in refused.output and "reverse them first" in refused.output
    reverse(db, entry_id, "处置前误录", ACTOR, dt.date(2025, 10, 20))
    run(*dispose)
    after = run("ledger", "post", "--asset", "A-2", "--revenue", "rent", "--amount", "1", "--date", "2025-10-01",
                ok=False)  # fmt: skip
    assert after.exit_code == 5 and "disposed of on 2025-09-30" in after.output
