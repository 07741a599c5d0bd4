"""The auditor's pages (审计): BQL over an entity's books, read-only SQL over the audit views, the audit package
as a ZIP, and an entity opened in Fava when Fava is installed. Nothing here writes to the record."""

from __future__ import annotations

import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from assetledger.domain.access import AUDIT_READERS
from assetledger.services.audit import export_package
from assetledger.services.audit_sql import DEFAULT_TIME_LIMIT, read_only_sql
from assetledger.services.book_reports import entities
from assetledger.services.ledger_files import query_entity, readable_entity
from assetledger.web.auth import database, roles, scope_region, user
from assetledger.web.cache import until_changed
from assetledger.web.i18n import translate

bp = Blueprint("audit", __name__, url_prefix="/audit")
AUDITORS = AUDIT_READERS
MAX_ROWS = 2000
EXAMPLE_BQL = "SELECT account, sum(position) WHERE account ~ '^Income' GROUP BY account"
EXAMPLE_SQL = "SELECT register, count(*), sum(original_value_fen) FROM v_assets GROUP BY register"


@bp.route("/", methods=["GET", "POST"])
@roles(*AUDITORS)
def queries() -> str:
    kind = request.form.get("kind", "")
    entity = request.values.get("entity", "").strip()
    text = request.form.get("query", "").strip()
    columns: list[str] = []
    rows: list[tuple[Any, ...]] = []
    total, total_known = 0, True
    if request.method == "POST" and kind == "bql":
        reader = user().name  # the service checks the reader's scope before the cache is consulted
        columns, rows = until_changed(
            database(), ("bql", entity, text, reader), lambda: query_entity(database(), entity, text, reader)
        )
        total = len(rows)
    elif request.method == "POST" and kind == "sql":
        limit = float(current_app.config.get("AUDIT_TIME_LIMIT", DEFAULT_TIME_LIMIT))  # not money: seconds
        result = read_only_sql(database(), text, user().name, max_rows=MAX_ROWS, time_limit=limit)
        columns, rows, total, total_known = list(result.columns), list(result.rows), result.total, result.total_known
    shown = rows[:MAX_ROWS]
    return render_template("audit.html", kind=kind, entity=entity, query=text, columns=_headers(columns),
                           rows=[_cells(columns, r) for r in shown],
                           count=_count(len(shown), total, total_known), entities=entities(database(), user().name),
                           example_bql=EXAMPLE_BQL,
                           example_sql=EXAMPLE_SQL, fava=fava_installed())  # fmt: skip


def _in_fen(column: str) -> bool:
    """A column of the audit views in fen (分), or an aggregate of one: shown in yuan."""
    return "_fen" in column.lower()


def _headers(columns: list[str]) -> list[str]:
    yuan = translate("yuan", g.lang)
    return [f"{c}（{yuan}）" if _in_fen(c) else c for c in columns]


def _cells(columns: list[str], row: tuple[Any, ...]) -> list[tuple[str, bool]]:
    """One result row as shown: (text, is a number). Amounts with separators and two decimals (a fen column in
    yuan, exactly: Decimal), counts with separators. BQL's amounts arrive as Decimal or text (ledger.run_bql)."""
    from assetledger.web import money, number

    out: list[tuple[str, bool]] = []
    for column, value in zip(columns, row, strict=False):
        if value is None:
            out.append(("", False))
        elif isinstance(value, bool):
            out.append((str(value), False))
        elif isinstance(value, int) and _in_fen(column):
            out.append((money((Decimal(value) / 100).quantize(Decimal("0.01"))), True))
        elif isinstance(value, (Decimal, float)):  # a float: an average the database computed, shown rounded
            amount = Decimal(str(value))
            out.append((money(amount / 100 if _in_fen(column) else amount), True))
        elif isinstance(value, int):
            out.append((number(value), True))
        else:
            out.append((str(value), False))
    return out


def _count(shown: int, total: int, known: bool) -> str:
    """ "3 行", or "前 2,000 行，共 22,389 行" when the page shows only the first rows (in the page's language)."""
    if shown == total and known:
        return translate("rows_found", g.lang, n=f"{total:,}")
    if known:
        return translate("rows_first", g.lang, shown=f"{shown:,}", total=f"{total:,}")
    return translate("rows_first_of_more", g.lang, shown=f"{shown:,}", total=f"{total:,}")


@bp.route("/package")
@roles(*AUDITORS)
def package() -> Response:
    """The audit package (ledgers, registers.xlsx, events.jsonl, manifest.json with checksums) as one ZIP."""
    within = (request.args.get("scope") or "").strip() or scope_region(user())
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="assetledger-audit-") as folder:
        root = Path(folder) / "audit-package"
        export_package(database(), root, user().name, within, current_app.extensions["assetledger_documents"])
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, str(path.relative_to(root.parent)))
    buffer.seek(0)
    name = f"audit-package-{within or 'all'}.zip"
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=name)


def fava_installed() -> bool:
    from assetledger.web.fava_mount import fava_available

    return fava_available()


@bp.route("/fava", methods=["POST"])
@roles(*AUDITORS)
def fava() -> Any:
    """The entity's books in Fava, served by this app under /fava/<entity>/ (web/fava_mount.py)."""
    entity = request.form.get("entity", "").strip()
    readable_entity(database(), entity, user().name)
    return redirect(url_for("fava.serve", entity=entity), code=303)
