"""Stored texts that are none of their vocabularies (written around the product, or by a later version; store/types.
EnumText reads them back as the texts): a rule that would decide from one refuses by name (the record and the text,
exit 5) and writes nothing; where the value is only shown, it is shown as it was stored. Never a traceback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from assetledger.domain.asset_events import ApprovalLevel
from assetledger.domain.assets import Custody, Handover
from assetledger.domain.booking import AssetPosting
from assetledger.domain.enums import AssetStatus
from assetledger.domain.governance import DisposalMethod
from assetledger.errors import AssetLedgerError, InputError, RuleViolation
from assetledger.services import maintenance as fund
from assetledger.services.asset_queries import AssetFilter, list_assets, show_asset
from assetledger.services.assets import assign_custodian, change_status, record_handover
from assetledger.services.audit import export_package
from assetledger.services.certificates import certificates
from assetledger.services.contracts import adopt_register
from assetledger.services.disposal import DisposalRequest, dispose
from assetledger.services.documents import documents_of
from assetledger.services.entry_queries import EntryFilter, entry_page
from assetledger.services.governance import Revitalisation, decide_disposal, revitalise
from assetledger.services.journal import post_for_asset, reverse
from assetledger.services.ledger_files import check_entities, export_entity, query_entity
from assetledger.services.reinvest import reinvest_existing
from assetledger.store.db import Database
from assetledger.store.document_files import documents_place
from tests.builders import ACTOR, assets, regions, registers, revenue
from tests.builders.governance import contract
from tests.builders.yearly_work import attach
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards, table_counts

ON = dt.date(2026, 1, 10)
VILLAGE = "V360921101201"


def _assets(db: Database) -> None:
    regions(db)
    op = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
    rows: list[Sequence[object]] = [ASSET_HEADER, asset_row("SHED", 资产名称="冷库", **op), asset_row("ROAD")]
    assets(db, rows)


def _tamper(db: Database, sql: str) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(sql)


def _refused(db: Database, act: Callable[[], object], *said: str) -> AssetLedgerError:
    """`act` refused (exit 5), its message naming each of `said`, and nothing written."""
    before = table_counts(db)
    with pytest.raises(RuleViolation) as refused:
        act()
    message = str(refused.value)
    assert refused.value.exit_code == 5 and "Traceback" not in message, message
    for words in said:
        assert words in message, message
    assert table_counts(db) == before
    return refused.value


CHANGES: dict[str, Callable[[Database, str], object]] = {
    "status": lambda db, a: change_status(db, a, AssetStatus.IDLE, ON, ACTOR),
    "custodian": lambda db, a: assign_custodian(db, a, Custody("张三", ON), ACTOR),
    "handover": lambda db, a: record_handover(db, a, Handover(ON, "县农业农村局"), ACTOR),
    "revitalise": lambda db, a: revitalise(db, a, Revitalisation(None, None, ON), ACTOR),
    "reinvest": lambda db, a: reinvest_existing(db, a, Decimal("100.00"), ON, "reserve", ACTOR),
    "decide-dispose": lambda db, a: decide_disposal(db, a, ON, None, ACTOR),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_stored_status_that_is_none_takes_no_change(db: Database, change: str) -> None:
    """Every change to one asset decides from its status (off the books: refused): a status written around the
    product is refused by name, the asset and the text, before anything is decided or written."""
    _assets(db)
    _tamper(db, "UPDATE assets SET status = 'stolen' WHERE asset_id = 'SHED'")
    refused = _refused(
        db,
        lambda: CHANGES[change](db, "SHED"),
        "资产 SHED 在台账中的状态「stolen」不是本版本认识的状态",
        "asset SHED: its stored status 'stolen' is no status this version knows",
        "audit verify",
    )
    assert getattr(refused, "asset_id", None) == "SHED"


@pytest.mark.parametrize(
    ("column", "what", "zh"),
    [("register", "register", "资产类别"), ("owner_kind", "owner kind", "所有权人类别"),
     ("operating_mode", "operating mode", "经营方式")],
)  # fmt: skip
@pytest.mark.parametrize("change", ["status", "custodian", "revitalise", "reinvest"])
def test_a_stored_register_owner_kind_or_mode_that_is_none_takes_no_change(
    db: Database, change: str, column: str, what: str, zh: str
) -> None:
    """The register, the owner's kind and the operating mode decide the books a change posts to (or whether it may
    be made): a text that is none of them is refused by name too."""
    _assets(db)
    _tamper(db, f"UPDATE assets SET {column} = 'mystery' WHERE asset_id = 'SHED'")
    _refused(
        db,
        lambda: CHANGES[change](db, "SHED"),
        f"资产 SHED 在台账中的{zh}「mystery」不是本版本认识的{zh}",
        f"its stored {what} 'mystery' is no {what} this version knows",
    )


def test_the_other_assets_still_change(db: Database) -> None:
    """Only the asset whose stored text is none is refused: the rest of the register works as before."""
    _assets(db)
    _tamper(db, "UPDATE assets SET status = 'stolen' WHERE asset_id = 'SHED'")
    assert change_status(db, "ROAD", AssetStatus.IDLE, ON, ACTOR)
    revitalise(db, "ROAD", Revitalisation(None, None, ON), ACTOR)


def test_the_maintenance_fund_refuses_an_asset_whose_stored_status_or_register_is_none(db: Database) -> None:
    """`maintenance apply` decides from the asset's register (public-benefit only) and status (not off the books):
    a text written around the product is refused by name, and no application is recorded."""
    _assets(db)
    _tamper(db, "UPDATE assets SET status = 'stolen' WHERE asset_id = 'ROAD'")
    apply = lambda: fund.apply(db, "ROAD", Decimal("500.00"), "修路", ON, ACTOR)  # noqa: E731
    _refused(db, apply, "资产 ROAD 在台账中的状态「stolen」", "its stored status 'stolen' is no status")
    _tamper(db, "UPDATE assets SET status = 'in_use', register = 'mystery' WHERE asset_id = 'ROAD'")
    _refused(db, apply, "资产 ROAD 在台账中的资产类别「mystery」", "its stored register 'mystery' is no register")
    _tamper(db, "UPDATE assets SET register = 'public_benefit' WHERE asset_id = 'ROAD'")
    assert fund.apply(db, "ROAD", Decimal("500.00"), "修路", ON, ACTOR) > 0


def test_an_entry_kind_that_is_none_is_exported_and_checked_as_it_is_and_reversed_by_no_rule(
    db: Database, tmp_path: Path
) -> None:
    """An entry's kind written around the product reads back as its text: the ledger export (and so bean-check in
    `audit verify`), BQL and the entry lists show it as it was stored; a reversal, which decides from the kind
    whether the entry may be reversed here, refuses by name (the entry and the text) and posts nothing."""
    registers(db)
    entry_id = revenue(db, "A-1", "1000", "2025-06-28")
    drop_append_only_guards(db, "entries")
    _tamper(db, f"UPDATE entries SET kind = 'grant' WHERE id = {entry_id}")
    out, _ = export_entity(db, VILLAGE, tmp_path / "v.beancount", ACTOR)
    assert f'entry_id: "{entry_id}"\n  kind: "grant"' in out.read_text(encoding="utf-8")
    [checked] = [c for c in check_entities(db, ACTOR) if c.entity == VILLAGE]
    assert checked.errors == [], checked.errors
    _, rows = query_entity(db, VILLAGE, "SELECT entry_meta('kind') AS kind, narration", ACTOR)
    assert ("grant",) in {r[:1] for r in rows}
    lines, _ = entry_page(db, EntryFilter(), ACTOR)
    assert [r.kind for r in lines if r.id == entry_id] == ["grant"]
    _refused(
        db,
        lambda: reverse(db, entry_id, "录错", ACTOR, dt.date(2025, 7, 2)),
        f"第 {entry_id} 号分录 在账簿中的分录类别「grant」不是本版本认识的分录类别",
        f"entry {entry_id}: its stored entry kind 'grant' is no entry kind this version knows",
    )


def test_a_stored_register_status_owner_kind_or_document_kind_that_is_none_is_shown_as_it_is(
    db: Database, tmp_path: Path
) -> None:
    """Where those values are only shown — `asset list` and `asset show`, the asset's documents, its certificate and
    label, the audit package — a text written around the product is shown as it was stored, not a traceback."""
    _assets(db)
    report = tmp_path / "验收报告.pdf"
    report.write_bytes(b"%PDF-1.4\n%%EOF\n")
    attach(db, report, asset_id="SHED")
    drop_append_only_guards(db, "document_links")
    _tamper(
        db, "UPDATE assets SET status = 'stolen', register = 'mystery', owner_kind = 'clan' WHERE asset_id = 'SHED'"
    )
    _tamper(db, "UPDATE document_links SET kind = 'deed'")
    listed = {a.asset_id: a for a in list_assets(db, AssetFilter(), ACTOR)}
    assert (listed["SHED"].register, listed["SHED"].status, listed["SHED"].owner_kind) == ("mystery", "stolen", "clan")
    assert listed["ROAD"].status is AssetStatus.IN_USE
    shown = show_asset(db, "SHED", ACTOR).asset
    assert (shown["register"], shown["status"], shown["owner_kind"]) == ("mystery", "stolen", "clan")
    [document] = documents_of(db, "SHED", ACTOR)
    assert (document.kind, document.kind_label, document.kind_code) == ("deed", "deed", "deed")
    [paper] = certificates(db, ACTOR, asset_id="SHED").papers
    assert (paper.register, paper.owner_kind) == ("mystery", "clan")
    package = export_package(db, tmp_path / "package", ACTOR, documents=documents_place(db.url))
    listing = (package.folder / "documents" / "documents.csv").read_text(encoding="utf-8-sig")
    assert ",deed," in listing, listing


def test_a_contract_is_decided_for_no_asset_whose_stored_register_status_or_mode_is_none(db: Database) -> None:
    """`contract add` and `contract import` decide from the asset's register (operating only) and status (not
    disposed of), `contract adopt` makes the terms from its operating mode: a text written around the product is
    refused by name (the asset and the text), and nothing is recorded."""
    regions(db)
    header = [*ASSET_HEADER, "合同起始日期", "合同截止日期", "年收益"]
    op = {"资产类别": "经营性", "经营方式": "出租", "经营主体": "某公司"}
    assets(db, [header, [*asset_row("R-1", **op), "2024-01-01", "2026-12-31", "30000"]])
    _tamper(db, "UPDATE assets SET status = 'stolen' WHERE asset_id = 'R-1'")
    add = lambda: contract(db, "Q-1", "R-1", "某公司", "lease", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "1000")  # noqa: E731
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        add()
    said = str(refused.value)
    assert (
        "资产 R-1 在台账中的状态「stolen」不是本版本认识的状态" in said
        and "asset R-1: its stored status 'stolen'" in said
    )
    assert table_counts(db) == before
    _tamper(db, "UPDATE assets SET status = 'in_use', operating_mode = 'barter' WHERE asset_id = 'R-1'")
    with pytest.raises(InputError) as unknown_mode:
        adopt_register(db, ACTOR)
    said = str(unknown_mode.value)
    assert "资产 R-1 在台账中的经营方式「barter」" in said and "its stored operating mode 'barter'" in said, said
    assert table_counts(db) == before


def test_a_disposal_is_decided_for_no_asset_whose_stored_status_is_none(db: Database) -> None:
    _assets(db)
    _tamper(db, "UPDATE assets SET status = 'stolen' WHERE asset_id = 'ROAD'")
    request = DisposalRequest(
        "ROAD", DisposalMethod.SCRAP, ON, Decimal("0.00"), "示政〔2026〕1号", ApprovalLevel("county")
    )
    _refused(
        db, lambda: dispose(db, request, ACTOR), "资产 ROAD 在台账中的状态「stolen」", "its stored status 'stolen'"
    )


def test_no_place_is_decided_from_a_stored_region_level_that_is_none(db: Database) -> None:
    """Registering places an asset level by level: while a region's stored level is none of the levels, the import
    is refused naming the region and the text (exit 5), and nothing is written."""
    _assets(db)
    _tamper(db, "UPDATE regions SET level = 'hamlet' WHERE code = '360921101'")
    _refused(
        db,
        lambda: assets(db, [ASSET_HEADER, asset_row("NEW")]),
        "区划 360921101 在区划表中的区划级别「hamlet」不是本版本认识的区划级别",
        "region 360921101: its stored region level 'hamlet' is no region level",
    )


def test_a_stored_fund_source_or_register_that_is_none_books_nothing(db: Database) -> None:
    """The books an asset's entries go to, and the capital accounts its value moves, are read from its register,
    its owner and its funding (store/register_repo): a text that is none of its vocabulary there is refused by
    name too (a reinvestment, a rent posted to it), never a KeyError."""
    _assets(db)
    _tamper(db, "UPDATE asset_funding SET source = 'lottery' WHERE asset_id = 'SHED' AND source = 'central'")
    _refused(
        db,
        lambda: reinvest_existing(db, "SHED", Decimal("100.00"), ON, "reserve", ACTOR),
        "资产 SHED 在台账中的资金来源「lottery」不是本版本认识的资金来源",
        "its stored fund source 'lottery' is no fund source this version knows",
    )
    _tamper(db, "UPDATE assets SET register = 'mystery' WHERE asset_id = 'ROAD'")
    rent = AssetPosting("ROAD", ON, "revenue", "rent", Decimal("100.00"), ref="R-1")
    _refused(db, lambda: post_for_asset(db, rent, ACTOR), "资产 ROAD 在台账中的资产类别「mystery」")
