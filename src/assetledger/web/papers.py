"""Documents of record on the web: download one, attach one to an asset, attach a ZIP matched by asset id; and
certificates and labels to print (HTML or PDF). The services check roles and scopes."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from assetledger.domain.access import Role
from assetledger.domain.documents import DocumentKind
from assetledger.errors import Finding, InputError, NotFoundError
from assetledger.services.certificates import certificates, labels
from assetledger.services.documents import attach_batch, attach_file, document_content
from assetledger.store.document_files import DocumentPlace
from assetledger.web.auth import database, roles, user

bp = Blueprint("papers", __name__)
READERS = (Role.FINANCE, Role.AUDITOR, Role.VILLAGE_ACCOUNTANT, Role.INVENTORY)
SHA256 = re.compile(r"[0-9a-f]{64}")


def place() -> DocumentPlace:
    held: DocumentPlace = current_app.extensions["assetledger_documents"]
    return held


def base_url() -> str:
    """The address QR codes point at: the configured one, else the address this page was asked at."""
    return str(current_app.config.get("BASE_URL") or request.url_root)


@bp.route("/assets/<asset_id>/documents/<sha256>")
@roles(*READERS)
def download(asset_id: str, sha256: str) -> Response:
    if not SHA256.fullmatch(sha256):
        raise NotFoundError("document", sha256)
    document, data = document_content(database(), place(), asset_id, sha256, user().name)
    return send_file(io.BytesIO(data), mimetype=document.media_type, as_attachment=True, download_name=document.name)


@bp.route("/assets/<asset_id>/documents", methods=["POST"])
@roles(Role.FINANCE, Role.INVENTORY)
def attach(asset_id: str) -> Response:
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InputError([Finding("upload", None, "file", None, "choose a file (PDF, JPG, PNG, DOCX, XLSX)")])
    kind = _kind(request.form.get("kind"))
    title = (request.form.get("title") or "").strip() or None
    on = _date(request.form.get("date"))
    name = _safe_name(sent.filename)
    with tempfile.TemporaryDirectory(prefix="assetledger-document-") as folder:
        path = Path(folder) / name
        sent.save(path)
        try:
            attach_file(database(), place(), asset_id, path, user().name, kind=kind, title=title, on=on)
        except InputError as exc:
            raise InputError([_shown(f, folder) for f in exc.findings]) from exc
    return redirect(url_for("bureau.asset", asset_id=asset_id) + "#documents", code=303)


@bp.route("/documents/upload", methods=["GET", "POST"])
@roles(Role.FINANCE)
def upload() -> tuple[str, int] | str:
    if request.method == "GET":
        return render_template("documents_upload.html", result=None, findings=None)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InputError([Finding("upload", None, "file", None, "choose a ZIP of documents")])
    name = _safe_name(sent.filename)
    if not name.lower().endswith(".zip"):
        raise InputError([Finding(name, None, "file", None, "a batch is a ZIP whose file names start with asset ids")])
    dry_run = request.form.get("dry_run") == "1"
    with tempfile.TemporaryDirectory(prefix="assetledger-documents-") as folder:
        path = Path(folder) / name
        sent.save(path)
        try:
            result = attach_batch(database(), place(), path, user().name, dry_run=dry_run)
        except InputError as exc:
            findings = [_shown(f, folder) for f in exc.findings]
            return render_template("documents_upload.html", result=None, findings=findings, name=name), 422
    return render_template("documents_upload.html", result=result, findings=None, name=name)


@bp.route("/print/<any(certificate, label):kind>")
@roles(*READERS)
def print_papers(kind: str) -> Response | str:
    """Certificates or labels of one asset (?asset=) or a region (?village=), as HTML to print or ?format=pdf."""
    asset_id = (request.args.get("asset") or "").strip() or None
    within = (request.args.get("village") or "").strip() or None
    make = certificates if kind == "certificate" else labels
    papers = make(database(), user().name, asset_id=asset_id, within=within, base_url=base_url())
    if request.args.get("format") == "pdf":
        from assetledger.reports.papers_pdf import certificates_pdf, cjk_font, labels_pdf

        with tempfile.TemporaryDirectory(prefix="assetledger-print-") as folder:
            target = Path(folder) / f"{kind}.pdf"
            (certificates_pdf if kind == "certificate" else labels_pdf)(papers.papers, target, cjk_font())
            data = target.read_bytes()
        name = f"{kind}-{asset_id or within}.pdf"
        return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name)
    from assetledger.reports.papers import certificates_html, labels_html

    return (certificates_html if kind == "certificate" else labels_html)(papers.papers)


def _kind(text: str | None) -> DocumentKind | None:
    if not text:
        return None
    try:
        return DocumentKind.parse(text)
    except ValueError as exc:
        raise InputError([Finding("form", None, "kind", text, str(exc))]) from exc


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError([Finding("form", None, "date", text, "a date is YYYY-MM-DD")]) from exc


def _safe_name(filename: str) -> str:
    """The file's own name, without folders, control characters or a leading dot (kept as its original name)."""
    base = Path(filename.replace("\\", "/")).name
    cleaned = re.sub(r"[\x00-\x1f\x7f/]", "_", base).lstrip(".").strip()
    return cleaned[:255] or "upload"


def _shown(f: Finding, folder: str) -> Finding:
    """The finding without the temporary folder's path."""
    return Finding(f.source.replace(folder + "/", ""), f.row, f.column, f.value, f.reason)
