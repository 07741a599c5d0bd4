"""Issue 20 item 6: one catalogue of register fields drives the importer's headers, the labels of findings, the
bulk change files and the list columns, and its parser kinds agree with the importer's readers."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from assetledger.domain.assets import FIELD_LABELS
from assetledger.domain.register_fields import BY_CODE, FIELDS, IMPORTED, by_column, label
from assetledger.io import change_rows
from assetledger.io.asset_rows import INDEX, _FastRows
from assetledger.io.headers import normalise
from assetledger.services.asset_queries import LIST_COLUMNS
from assetledger.store.audit_role import ReaderNames
from assetledger.store.db import Database
from assetledger.store.models import Asset


def test_no_header_names_two_fields() -> None:
    seen: dict[str, str] = {}
    for f in IMPORTED:
        for header in (f.code, *f.headers):
            assert seen.setdefault(normalise(header), f.code) == f.code, (header, f.code, seen[normalise(header)])


def test_every_header_of_the_catalogue_reaches_its_field() -> None:
    """Through the importer's index and the bulk change files' (no later entry, fund column or alias shadows
    one)."""
    assert all(INDEX[normalise(h)] == f.code for f in IMPORTED for h in f.headers)
    changes = {c for required, optional in change_rows.KINDS.values() for c in (*required, *optional)}
    assert all(change_rows.INDEX[normalise(h)] == c for c in changes for h in BY_CODE[c].headers)
    assert all(zh for zh, _ in FIELD_LABELS.values())


def test_the_importers_readers_agree_with_the_parser_kinds() -> None:
    for code in _FastRows.TEXT_FIELDS:  # read as text (a region by its name or code)
        assert BY_CODE[code].parser in ("text", "region"), code
    for code in _FastRows.TYPED_FIELDS:  # read by a typed parser
        assert BY_CODE[code].parser not in ("text", "region"), code
    assert {*_FastRows.TEXT_FIELDS, *_FastRows.TYPED_FIELDS} == {f.code for f in IMPORTED}


def test_list_columns_are_register_columns() -> None:
    assert set(LIST_COLUMNS) <= set(Asset.__table__.columns.keys())
    stored = set(Asset.__table__.columns.keys())
    assert {f.column for f in FIELDS if f.column} <= stored
    assert by_column("county_code") is BY_CODE["county"]


def test_the_labels_that_used_to_disagree() -> None:
    assert label("register") == "资产类别" and "台账类别" in BY_CODE["register"].aliases
    assert label("category") == "资产分类" and "资产小类" in BY_CODE["category"].aliases
    assert label("owner_kind") == "确权层级" and "确权级别" in BY_CODE["owner_kind"].aliases
    assert label("register", "en") == "register" and label("unknown") == "unknown"


COMMENT = (
    "SELECT col_description(c.oid, a.attnum) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = :schema AND c.relname = 'v_assets' "
    "AND a.attname = :column"
)


def test_the_auditors_views_name_register_columns_as_the_catalogue(db: Database) -> None:
    """PostgreSQL keeps column comments: the auditor's v_assets names its columns as the register does."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("column comments are PostgreSQL's")
    with db.engine.connect() as conn:
        schema = ReaderNames.current(conn).schema
        level = conn.scalar(text(COMMENT), {"schema": schema, "column": "owner_kind"})
        fen = conn.scalar(text(COMMENT), {"schema": schema, "column": "original_value_fen"})
    assert level == "确权层级 ownership level"
    assert fen == "资产原值 original value，单位：分 (in fen)"
