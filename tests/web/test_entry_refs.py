"""The lists of journal entries (/books, /entries) show what a system ref means, never the ref itself: a payout's
`payout:<distribution>:<household id>` names a household by its id (personal data, an identifier on screen)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from assetledger.services.entry_refs import describe_refs
from assetledger.store.db import Database
from assetledger.web.history import ref_shown
from tests.conftest import Cli
from tests.public_notices import ID_NUMBER
from tests.web.conftest import VILLAGE, login

SYSTEM_REF = re.compile(r"\b(?:payout|distribution|reversal|award|disposal|inventory):[\w:-]+")


def _paid(county: Cli) -> None:
    county("distribute", "pay", "--village", VILLAGE, "--period", "2025Q2", "--date", "2025-08-01", user="li")


def _cells(page: str) -> str:
    """The text of the cells of the page's list of entries (the ref column is one of them)."""
    table = page[page.index('<table id="entries">') :]
    table = table[: table.index("</table>")]
    return " ".join(re.findall(r"<td[^>]*>(.*?)</td>", table, re.S))


@pytest.mark.usefixtures("published")
def test_books_and_entries_say_what_a_system_ref_is(app: Flask, county: Cli) -> None:
    _paid(county)
    for name in ("li", "zhang", "wang"):  # the village's accountant, finance, the auditor: all read households
        client, _ = login(app, name)
        for url in (f"/books?entity=V{VILLAGE}", f"/entries?village={VILLAGE}&size=200"):
            page = client.get(url).get_data(as_text=True)
            cells = _cells(page)
            assert not SYSTEM_REF.search(cells), (name, url, SYSTEM_REF.search(cells))
            assert ID_NUMBER not in cells, (name, url)
            assert "2025年第2季度收益分配发放（户主 钱多多）" in cells, (name, url)
            assert "2025年第2季度收益分配" in cells, (name, url)
        english = client.get(f"/entries?village={VILLAGE}&size=200&lang=en").get_data(as_text=True)
        assert "payout of the 2025Q2 distribution (head of household 钱多多)" in _cells(english)
        exported = client.get(f"/entries?village={VILLAGE}&export=csv").get_data(as_text=True)
        assert not SYSTEM_REF.search(exported) and ID_NUMBER not in exported, name  # the export is what is shown


@pytest.mark.usefixtures("published")
def test_a_reader_who_may_not_read_households_gets_no_entries(app: Flask, county: Cli, db: object) -> None:
    """The inventory team reads no books (their payouts name households): the entries are refused it whole."""
    from assetledger.errors import PermissionDenied
    from assetledger.services.entry_queries import EntryFilter, entry_page

    _paid(county)
    county("user", "add", "qing", "--role", "inventory", "--scope", "360921", user="zhang")
    with pytest.raises(PermissionDenied, match="账簿"):
        entry_page(db, EntryFilter(region=VILLAGE), "qing")  # type: ignore[arg-type]


def test_a_household_id_with_a_colon_stays_off_the_page(db: Database) -> None:
    """The household id is the roster's own text and may hold a colon; a system ref that cannot be described is
    shown as made by the system, never as its identifiers."""
    with db.reading() as session:
        words = describe_refs(session, ["payout:7:HH:360921:0001"], "tester")
    assert "HH:360921:0001" not in words["payout:7:HH:360921:0001"].zh
    assert ref_shown("distribution:bogus", None, "zh") == "系统生成"
    assert ref_shown("payout:7:HH-1", None, "en") == "made by the system"
    assert ref_shown("记-0012", None, "zh") == "记-0012"  # a voucher number people typed, as typed
