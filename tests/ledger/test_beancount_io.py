"""The Beancount bridge against the real Beancount: its loader, bean-check, beanquery and its printer."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from hypothesis import given, settings
from hypothesis import strategies as st

from assetledger.domain.journal import AccountSpec, EntryKind, JournalEntry, Posting, account_name_problem
from assetledger.errors import InputError
from assetledger.ledger.beancount_io import EntityBooks, check, parse_ledger, render, run_bql, to_directives
from assetledger.ledger.chart import chart_template_path, load_chart

DAY0 = dt.date(2025, 1, 1)
ASSETS = ("A-1", "360921-0000002")


def accounts() -> list[AccountSpec]:
    chart = [AccountSpec(a.name, a.cn_name, DAY0) for a in load_chart()]
    return chart + [AccountSpec(f"Income:Rent:A{i}", f"租金 {a}", DAY0, a) for i, a in enumerate(ASSETS)]


def entry(day: int, amount: str, asset: int = 0, *, id: int, meta: dict[str, str] | None = None) -> JournalEntry:
    value = Decimal(amount)
    postings = (Posting("Assets:Bank", value), Posting(f"Income:Rent:A{asset}", -value))
    when = DAY0 + dt.timedelta(days=day)
    return JournalEntry("V1", when, f"租金 #{id}", postings, EntryKind.REVENUE, ASSETS[asset], meta=meta or {}, id=id)


def books() -> EntityBooks:
    reversal = replace(entry(3, "-12.34", 1, id=4), kind=EntryKind.REVERSAL, ref="reversal:3", reverses=3)
    return EntityBooks(
        "V1",
        '红旗村 "集体"',
        accounts(),
        [
            entry(2, "12.34", 1, id=3, meta={"type": "rent", "note": "多行\n说明 \\ 反斜杠"}),
            replace(entry(1, "30000", 0, id=2), ref="rent:2025"),
            reversal,
            entry(1, "0.01", 0, id=1),
        ],
    )


def test_chart_is_read_with_beancount_and_names_are_ascii() -> None:
    chart = load_chart()
    assert chart_template_path().name == "chart-of-accounts.beancount"
    assert len({a.name for a in chart}) == len(chart) > 20
    assert all(account_name_problem(a.name) is None and a.code for a in chart)
    assert next(a for a in chart if a.name == "Assets:Cash").cn_name == "库存现金"
    chart.clear()  # the caller's copy: the cached chart is unharmed
    assert load_chart()


def test_directives_carry_the_journal_fields_as_metadata() -> None:
    directives = to_directives(books())
    opens = {d.account: d for d in directives if isinstance(d, data.Open)}
    txns = [d for d in directives if isinstance(d, data.Transaction)]
    assert directives[: len(opens)] == list(opens.values())  # opens first, as in the file
    rent = opens["Income:Rent:A1"]
    assert (rent.meta["asset"], rent.meta["name_cn"], rent.currencies) == (ASSETS[1], f"租金 {ASSETS[1]}", ["CNY"])
    assert [t.meta["entry_id"] for t in txns] == ["1", "2", "3", "4"]  # (date, id) order
    meta = txns[-1].meta
    assert (meta["kind"], meta["reverses"], meta["ref"], txns[-1].flag) == ("reversal", "3", "reversal:3", "*")
    assert [str(p.units) for p in txns[1].postings] == ["30000.00 CNY", "-30000.00 CNY"]


def test_directives_refuse_what_the_text_would_lose() -> None:
    with pytest.raises(ValueError, match="more than two decimal places"):
        to_directives(EntityBooks("V1", "x", [], [entry(1, "0.001", id=1)]))
    with pytest.raises(ValueError, match="not valid Beancount keys"):
        to_directives(EntityBooks("V1", "x", [], [entry(1, "1", id=1, meta={"Bad key": "x"})]))


def test_render_is_accepted_by_the_loader_and_by_bean_check(tmp_path: Path) -> None:
    text = render(books())
    assert text.startswith('option "title" "红旗村 \\"集体\\" (V1)"\noption "operating_currency" "CNY"\n\n')
    assert check(text) == []
    ledger = tmp_path / "v1.beancount"
    ledger.write_text(text, encoding="utf-8")
    bean_check = Path(sys.executable).parent / "bean-check"
    done = subprocess.run([str(bean_check), str(ledger)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_reports_what_bean_check_refuses() -> None:
    text = render(books()).replace("2025-01-01 open Assets:Bank ", "2025-01-09 open Assets:Bank ")
    text += '2025-03-01 * "unbalanced"\n  Assets:Bank  1.00 CNY\n  Income:Rent:A0  -2.00 CNY\n'
    problems = check(text)
    assert any("inactive account" in p and "Assets:Bank" in p for p in problems), problems
    assert any(p.startswith(f"line {text.count(chr(10)) - 2}: Transaction does not balance") for p in problems)


def test_bql_income_per_asset_matches_a_sum_done_by_hand() -> None:
    b = books()
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for e in b.entries:
        for p in e.postings:
            if p.account.startswith("Income:"):
                expected[e.asset_id or ""] += -p.amount
    columns, rows = run_bql(
        b,
        "SELECT entry_meta('asset') AS asset, sum(position) AS income, count(*) AS n "
        "WHERE account ~ '^Income' GROUP BY asset ORDER BY asset",
    )
    assert columns == ["asset", "income", "n"]
    assert {asset: -income for asset, income, _ in rows} == expected == {"A-1": Decimal("30000.01"), ASSETS[1]: 0}
    assert all(isinstance(r[1], Decimal) for r in rows)


def test_bql_gives_decimals_for_amounts_positions_and_balances_and_takes_directives() -> None:
    directives = to_directives(books())
    _, rows = run_bql(directives, "SELECT date, position, units(position), balance WHERE account = 'Assets:Bank'")
    assert rows[-1] == (dt.date(2025, 1, 4), Decimal("-12.34"), Decimal("-12.34"), Decimal("30000.01"))
    _, cancelled = run_bql(directives, "SELECT sum(position) AS s WHERE account = 'Income:Rent:A1'")
    assert cancelled == [(Decimal("0.00"),)]  # an empty inventory: the reversal undid the rent
    assert run_bql(directives, "SELECT sum(position) AS s WHERE account = 'Assets:Cash'")[1] == []


def test_bql_refuses_a_bad_query_as_input() -> None:
    with pytest.raises(InputError, match="SELEC x"):
        run_bql(books(), "SELEC x")


def test_export_import_export_is_the_identity(tmp_path: Path) -> None:
    text = render(books())
    path = tmp_path / "v1.beancount"
    path.write_text(text, encoding="utf-8")
    for source in (text, path):
        accounts_, entries, findings = parse_ledger(source, "V2")
        assert findings == []
        assert render(EntityBooks("V1", '红旗村 "集体"', accounts_, entries)) == text
    reversal = entries[-1]
    assert (reversal.kind, reversal.ref) == (EntryKind.REVERSAL, "reversal:3")
    assert reversal.reverses is None and reversal.id is None  # the store gives ids; the source's are metadata
    assert reversal.meta == {"entry_id": "4", "reverses": "3"}
    assert entries[2].meta == {"entry_id": "3", "note": "多行\n说明 \\ 反斜杠", "type": "rent"}
    assert {a.name: a.asset_id for a in accounts_}["Income:Rent:A1"] == ASSETS[1]


FOREIGN_OK = """option "operating_currency" "CNY"
2020-01-01 commodity CNY
2020-01-01 open Assets:Bank
  name_cn: "银行存款"
2020-01-01 open Income:Other CNY
2020-02-01 * "租户" "租金"
  kind: "no-such-kind"
  Assets:Bank  10.50 CNY
  Income:Other
2020-02-02 balance Assets:Bank  10.50 CNY
2020-02-03 * "分红"
  kind: "revenue"
  asset: "A-1"
  ref: "dividend:2020"
  Assets:Bank  1.00 CNY
  Income:Other  -1.00 CNY
"""


def test_import_takes_interpolated_amounts_payees_kinds_and_balance_checks() -> None:
    accounts_, entries, findings = parse_ledger(FOREIGN_OK, "V9")
    assert findings == []
    assert [(a.name, a.cn_name) for a in accounts_] == [("Assets:Bank", "银行存款"), ("Income:Other", "Income:Other")]
    first, second = entries
    assert first.narration == "租户 租金" and first.kind is EntryKind.IMPORTED and first.entity == "V9"
    assert first.postings == (Posting("Assets:Bank", Decimal("10.50")), Posting("Income:Other", Decimal("-10.50")))
    assert (second.kind, second.asset_id, second.ref, second.meta) == (EntryKind.REVENUE, "A-1", "dividend:2020", {})


OPEN = "2020-01-01 open Assets:Bank\n2020-01-01 open Income:Other\n"  # no currency constraint: we refuse, not it
TXN = '2020-02-01 * "t"\n'


@pytest.mark.parametrize(
    ("body", "row", "column", "value", "reason"),
    [
        ("2020-01-01 open Assets:Broker USD\n", 3, "open", "USD", "only CNY accounts"),
        ("2020-01-01 open Assets:银行 CNY\n", 3, None, None, "Invalid account name: Assets:银行"),
        ("2020-01-01 open Assets:bank CNY\n", 3, None, None, "Invalid token: 'Assets:bank'"),
        (TXN + "  Assets:Bank  5 USD\n  Income:Other  -5 USD\n", 3, "transaction", "5 USD", "only CNY amounts"),
        (TXN + "  Assets:Bank  1 HOUSE {10.00 CNY}\n  Income:Other\n", 3, "transaction", None, "costs and prices"),
        (TXN + "  Assets:Bank  10.00 CNY @ 1 CNY\n  Income:Other\n", 3, "transaction", "1 CNY", "costs and prices"),
        (TXN + "  Assets:Bank  0.001 CNY\n  Income:Other\n", 3, "transaction", "0.001", "more than two decimal"),
        (TXN.replace("*", "!") + "  Assets:Bank  1.00 CNY\n  Income:Other\n", 3, "transaction", "!", "complete"),
        (TXN[:-1] + " #tag ^link\n  Assets:Bank  1.00 CNY\n  Income:Other\n", 3, "transaction", "tag link", "tags"),
        (TXN + "  ! Assets:Bank  1.00 CNY\n  Income:Other\n", 3, "transaction", "!", "posting flags"),
        (TXN + '  Assets:Bank  1.00 CNY\n    note: "x"\n  Income:Other\n', 3, "transaction", None, "posting meta"),
        (TXN + "  Assets:Bank  0.00 CNY\n  Income:Other  0.00 CNY\n", 3, "transaction", None, "zero amount"),
        ('2020-02-01 * ""\n  Assets:Bank  1.00 CNY\n  Income:Other\n', 3, "transaction", None, "needs a narration"),
        (TXN + "  Assets:Bank  1.00 CNY\n  Income:Other  -2.00 CNY\n", 3, None, None, "does not balance"),
        ("\n\n2020-02-01 balance Assets:Bank  1.00 CNY\n", 5, None, None, "Balance failed"),
        (
            "2020-01-01 open Equity:Opening\n2020-02-01 pad Assets:Bank Equity:Opening\n"
            "2020-02-02 balance Assets:Bank  5.00 CNY\n",
            4,
            "pad",
            None,
            "pad directives",
        ),
        ("2020-03-01 close Assets:Bank\n", 3, "close", None, "close directives"),
        ("2020-03-01 price USD 7.10 CNY\n", 3, "price", None, "price directives"),
        ('2020-03-01 note Assets:Bank "n"\n', 3, "note", None, "note directives"),
        ('2020-03-01 event "location" "x"\n', 3, "event", None, "event directives"),
        ('2020-03-01 custom "budget" "x"\n', 3, "custom", None, "custom directives"),
        ("2020-01-01 commodity USD\n", 3, "commodity", None, "commodity directives"),
        ('plugin "beancount.plugins.auto_accounts"\n', None, "plugin", "beancount.plugins.auto_accounts", "plugins"),
        ('include "other.beancount"\n', None, "include", "other.beancount", "includes are not followed"),
        ('option "documents" "/"\n', None, "documents", "/", "not scanned"),
        ('2020-13-45 * "x"\n', 3, None, None, "month must be in 1..12"),
    ],
)
def test_import_refuses_what_the_books_cannot_represent(
    body: str, row: int | None, column: str | None, value: str | None, reason: str
) -> None:
    _, entries, findings = parse_ledger(OPEN + body, "V9")
    assert findings, "nothing refused"
    found = findings[0]
    assert (found.source, found.row, found.column) == ("<ledger>", row, column), findings
    assert value is None or found.value == value, findings
    assert reason in found.reason, findings
    assert entries == []


def test_import_names_the_file_and_line_of_each_refusal(tmp_path: Path) -> None:
    path = tmp_path / "foreign.beancount"
    path.write_text(OPEN + TXN + "  Assets:Bank  5 USD\n  Income:Other  -5 USD\n" + "2020-03-01 close Assets:Bank\n")
    _, _, findings = parse_ledger(path, "V9")
    assert [str(f) for f in findings] == [
        f"{path}，第3行 (row 3)，列「transaction」 (column)，值「5 USD」 (value)：only CNY amounts can be imported",
        f"{path}，第3行 (row 3)，列「transaction」 (column)，值「-5 USD」 (value)：only CNY amounts can be imported",
        f"{path}，第6行 (row 6)，列「close」 (column)：close directives cannot be represented in the books",
    ]


AMOUNTS = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2).filter(bool)
NARRATIONS = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(str.strip)
META = st.dictionaries(st.from_regex(r"[a-z][a-z0-9_-]{1,8}", fullmatch=True), NARRATIONS, max_size=3)


@st.composite
def balanced_entries(draw: st.DrawFn) -> list[JournalEntry]:
    names = [a.name for a in accounts()]
    made = []
    for i in range(draw(st.integers(1, 8))):
        amounts = draw(st.lists(AMOUNTS, min_size=1, max_size=4))
        chosen = draw(st.lists(st.sampled_from(names), min_size=len(amounts) + 1, max_size=len(amounts) + 1))
        rest = -sum(amounts, Decimal(0))
        postings = [Posting(a, n) for a, n in zip(chosen, amounts, strict=False)]
        ends = (
            [Posting(chosen[-1], rest)]
            if rest
            else [Posting(chosen[-1], Decimal("0.01")), Posting(chosen[0], Decimal("-0.01"))]
        )
        postings += ends
        made.append(
            JournalEntry(
                "V1",
                draw(st.dates(DAY0, dt.date(2030, 12, 31))),
                draw(NARRATIONS),
                tuple(postings),
                draw(st.sampled_from(list(EntryKind))),
                draw(st.none() | st.sampled_from(ASSETS)),
                draw(st.none() | NARRATIONS),
                meta=draw(META),
                id=i + 1,
            )
        )
    return made


@settings(max_examples=60, deadline=None)
@given(balanced_entries(), NARRATIONS)
def test_random_balanced_books_pass_check_and_round_trip(entries: list[JournalEntry], name: str) -> None:
    b = EntityBooks("V1", name, accounts(), entries)
    text = render(b)
    assert check(text) == []
    accounts_, parsed, findings = parse_ledger(text, "V1")
    assert findings == []
    assert render(EntityBooks("V1", name, accounts_, parsed)) == text
    by_ref = {(e.date, e.narration, e.postings) for e in parsed}
    assert by_ref == {(e.date, e.narration, e.postings) for e in entries}
