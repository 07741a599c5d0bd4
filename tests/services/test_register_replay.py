"""The register is what its events say, field by field (issue #19 item 2: one `apply` for the writers and verify).

A change writer stores the values its recorded event says (`asset_events.register_values`), and `audit verify`
replays the same events with the same `apply`: every register field an event speaks for (owner, level, date and
document of the confirmation; date, party and document of the handover; custodian, start and duties) is compared,
so an out-of-band edit of any of them is named by its label, besides the row seal's own finding.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine

from assetledger.domain.assets import Custody, Handover, Ownership
from assetledger.domain.enums import OwnerKind
from assetledger.services.assets import assign_custodian, confirm_ownership, record_handover
from assetledger.services.audit import verify
from assetledger.store.db import Database
from tests import builders
from tests.builders import ACTOR
from tests.helpers import ASSET_HEADER, asset_row

ON = dt.date(2025, 3, 1)


def _register(db: Database) -> None:
    """A-1 registered with its owner, handover and custodian; A-2 registered bare, then confirmed, handed over and
    given a custodian by the change writers."""
    builders.regions(db)
    bare = asset_row("A-2", 确权主体=None, 确权级别=None, 确权日期=None, 移交日期=None, 管护主体=None)
    builders.assets(db, [ASSET_HEADER, asset_row("A-1"), bare])
    owner = Ownership("红旗村股份经济合作社", OwnerKind.VILLAGE, ON, "确〔2025〕9号")
    assert confirm_ownership(db, "A-2", owner, ACTOR)
    assert record_handover(db, "A-2", Handover(ON, "县农业农村局", "交〔2025〕2号"), ACTOR)
    assert assign_custodian(db, "A-2", Custody("张三", ON, "日常巡查、汛期看护"), ACTOR)


def _register_findings(db: Database) -> list[str]:
    return [what for check, what in verify(db, ACTOR, bean_check=False) if check == "register"]


def _edit(db: Database, statement: str) -> None:
    """An edit made outside assetledger, on a connection of its own."""
    engine = create_engine(db.engine.url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_the_change_writers_store_what_the_events_say(db: Database) -> None:
    _register(db)
    assert _register_findings(db) == []


@pytest.mark.parametrize(
    ("asset_id", "column", "value", "label"),
    [
        ("A-2", "confirm_doc", "'伪造〔2025〕1号'", "确权文件"),
        ("A-2", "confirmed_on", "'2020-01-01'", "确权日期"),
        ("A-2", "owner_kind", "'township'", "确权层级"),
        ("A-2", "handed_over_by", "'别的单位'", "移交单位"),
        ("A-2", "handover_doc", "NULL", "移交文件"),
        ("A-2", "custodian_duties", "'无'", "管护责任"),
        ("A-2", "custodian_since", "'2019-06-01'", "管护起始日期"),
        ("A-1", "confirm_doc", "'伪造'", "确权文件"),  # said by the registration itself
        ("A-1", "custodian_since", "'2019-06-01'", "管护起始日期"),
    ],
)
def test_an_edited_register_field_is_named(db: Database, asset_id: str, column: str, value: str, label: str) -> None:
    _register(db)
    _edit(db, f"UPDATE assets SET {column} = {value} WHERE asset_id = '{asset_id}'")
    found = _register_findings(db)
    assert len(found) == 1, found
    assert f"资产 {asset_id} 的{label}在台账中是" in found[0]
    assert f"(asset {asset_id}: {column} is" in found[0]
