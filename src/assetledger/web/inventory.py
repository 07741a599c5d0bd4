"""The inventory team's count sheets (清查表) in the browser: download them as `inventory sheets` writes them (one
XLSX per village, or all of them in a ZIP), and upload one filled in. An upload is recorded all or nothing by the
same service as `inventory record`; any problem lists every finding (file, row, column as the sheet names it,
value) and nothing is written. A sheet recorded may still have something to say, as `inventory record` says it on
stderr: a 合计 row skipped, a 数量 or 资产原值 that is not the register's (which stands), a 合计 that does not add
up; the page lists those notes below the result, in a table like the findings'."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

from flask import Blueprint, render_template, request, send_file
from werkzeug.wrappers import Response

from assetledger.domain.access import Role
from assetledger.errors import Finding, InputError, NotFoundError
from assetledger.io.tabular import reporting_notes
from assetledger.services.inventory import sheet_names, write_sheets
from assetledger.services.inventory_counts import record_counts
from assetledger.web.auth import database, roles, user

bp = Blueprint("count_sheets", __name__)
TEAM = (Role.INVENTORY, Role.FINANCE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_BYTES = 32 * 1024 * 1024
ID = "<int(max=9223372036854775807):inventory_id>"


def _page(inventory_id: int, **shown: object) -> str:
    names = sheet_names(database(), inventory_id, user().name)  # checks the reader's scope
    values = {"result": None, "findings": None, "notes": None, "name": ""} | shown
    return render_template("count_sheets.html", inventory_id=inventory_id, names=names, **values)


@bp.route(f"/inventory/{ID}/sheets", methods=["GET"])
@roles(*TEAM)
def sheets(inventory_id: int) -> str:
    return _page(inventory_id)


@bp.route(f"/inventory/{ID}/sheets/download")
@roles(*TEAM)
def download(inventory_id: int) -> Response:
    """One place's sheet (?place=<region code>), or every sheet of the inventory in one ZIP."""
    place = (request.args.get("place") or "").strip() or None
    with tempfile.TemporaryDirectory(prefix="assetledger-sheets-") as folder:
        written = write_sheets(database(), inventory_id, Path(folder), user().name, html=False, only=place)
        if place is not None:
            if not written:
                raise NotFoundError("count sheet", place)
            data, name = written[0].read_bytes(), written[0].name
            return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.name)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"清查表-{inventory_id}.zip")  # fmt: skip


@bp.route(f"/inventory/{ID}/sheets", methods=["POST"])
@roles(*TEAM)
def upload(inventory_id: int) -> tuple[str, int]:
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InputError([Finding("清查表", None, "file", None, "请选择填好的清查表 (choose a filled count sheet)")])
    name = _safe_name(sent.filename)
    data = sent.read(MAX_SHEET_BYTES + 1)
    if len(data) > MAX_SHEET_BYTES:
        raise InputError([Finding(name, None, None, None, "一个清查表最大 32 MB (a sheet is at most 32 MB)")])
    with tempfile.TemporaryDirectory(prefix="assetledger-counts-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        told: list[Finding] = []
        try:
            with reporting_notes(told.append):  # what `inventory record` says on stderr, told here instead
                result = record_counts(database(), path, user().name, inventory_id)
        except InputError as exc:
            findings = [_shown(f, path, name) for f in exc.findings]
            return _page(inventory_id, findings=findings, name=name), 422
    # Recorded, and what the counter is told beside it, as the CLI tells it: the sheet's rows skipped (合计) as it is
    # read, then the result's notes (a 数量 or 资产原值 not the register's, a 合计 that does not add up): a table of
    # file, row, column, value and reason, in the page's language.
    notes = [_shown(f, path, name) for f in sorted(told, key=lambda f: f.row or 0)]
    return _page(inventory_id, result=result, notes=notes, name=name), 200


def _safe_name(filename: str) -> str:
    base = Path(filename.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-（）()\u4e00-\u9fff]", "_", base).lstrip(".")
    suffix = Path(cleaned).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise InputError(
            [Finding(base, None, "file", suffix or base, "清查表为 XLSX 或 CSV 文件 (a sheet is XLSX or CSV)")]
        )
    return cleaned


def _shown(f: Finding, path: Path, name: str) -> Finding:
    """The finding with the uploaded file's own name in place of the temporary path."""
    return Finding(f.source.replace(str(path), name), f.row, f.column, f.value, f.reason)
