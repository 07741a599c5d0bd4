"""The bureau's pages (县财政局): register summary, asset search and history, register upload, governance list,
inventory progress (the awards page is web/awards.py). Auditors read them too, within their scope."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from flask import Blueprint, render_template, request

from assetledger.domain.access import Role
from assetledger.domain.documents import DocumentKind
from assetledger.domain.enums import PLACE_LEVELS, AssetStatus, RegionLevel, Register
from assetledger.errors import Finding, InputError
from assetledger.rules.governance_policy import load_policy
from assetledger.services.asset_queries import AssetFilter, list_assets, show_asset
from assetledger.services.assets import import_assets
from assetledger.services.audit import trail
from assetledger.services.contract_alerts import contract_alerts
from assetledger.services.contracts import contracts_of
from assetledger.services.documents import documents_of
from assetledger.services.governance import scan
from assetledger.services.inventory import list_inventories
from assetledger.services.inventory_reports import inventory_status
from assetledger.services.register_summary import register_summary
from assetledger.web.auth import database, roles, scope_region, user
from assetledger.web.cache import until_changed
from assetledger.web.reading import choice, region_names

bp = Blueprint("bureau", __name__)
READERS = (Role.FINANCE, Role.AUDITOR)
SHOWN_ASSETS = 200


@bp.route("/dashboard")
@roles(*READERS)
def dashboard() -> str:
    level = choice(RegionLevel, request.args.get("level") or "township", "level")
    region = (request.args.get("region") or "").strip() or scope_region(user())  # the service checks the scope
    rows = register_summary(database(), level, user().name, within=region)
    return render_template("dashboard.html", rows=rows, level=level.value, region=region or "",
                           levels=[lv.value for lv in PLACE_LEVELS])  # fmt: skip


@bp.route("/assets")
@roles(*READERS, Role.VILLAGE_ACCOUNTANT)
def assets() -> str:
    region = (request.args.get("region") or "").strip() or scope_region(user())  # the service checks the scope
    register = request.args.get("register") or None
    status = request.args.get("status") or None
    words = (request.args.get("q") or "").strip().lower()
    flt = AssetFilter(
        register=choice(Register, register, "register") if register else None,
        region=region,
        status=choice(AssetStatus, status, "status") if status else None,
        limit=None if words else SHOWN_ASSETS + 1,  # without words the first page is enough
    )
    rows = list_assets(database(), flt, user().name)
    if words:
        keys = ("asset_id", "name", "owner_name", "custodian", "category")
        rows = [r for r in rows if any(words in str(r[k] or "").lower() for k in keys)]
    total = len(rows) if words or len(rows) <= SHOWN_ASSETS else None
    return render_template("assets.html", rows=rows[:SHOWN_ASSETS], total=total, q=words, region=region or "",
                           register=register or "", status=status or "", registers=list(Register),
                           statuses=list(AssetStatus))  # fmt: skip


@bp.route("/assets/<asset_id>")
@roles(*READERS, Role.VILLAGE_ACCOUNTANT, Role.INVENTORY)  # the inventory team opens it from a label's QR code
def asset(asset_id: str) -> str:
    reader = user().name
    items = trail(database(), asset_id, reader)  # checks the reader's scope first
    history = show_asset(database(), asset_id, reader)
    return render_template("asset.html", a=history.asset, funding=history.funding, custodians=history.custodians,
                           trail=items, names=region_names(), documents=documents_of(database(), asset_id, reader),
                           contracts=contracts_of(database(), asset_id, reader),
                           kinds=list(DocumentKind))  # fmt: skip


@bp.route("/upload", methods=["GET", "POST"])
@roles(Role.FINANCE)
def upload() -> tuple[str, int] | str:
    if request.method == "GET":
        return render_template("upload.html", result=None, findings=None)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InputError([Finding("upload", None, "file", None, "choose a register file (XLSX or CSV)")])
    name = _safe_name(sent.filename)
    dry_run = request.form.get("dry_run") == "1"
    with tempfile.TemporaryDirectory(prefix="assetledger-upload-") as folder:
        path = Path(folder) / name
        sent.save(path)
        try:
            result = import_assets(database(), path, user().name, dry_run=dry_run)
        except InputError as exc:
            findings = [_shown(f, folder, name) for f in exc.findings]
            return render_template("upload.html", result=None, findings=findings, name=name), 422
    return render_template("upload.html", result=result, findings=None, name=name)


def _safe_name(filename: str) -> str:
    base = Path(filename.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-（）()\u4e00-\u9fff]", "_", base).lstrip(".")
    suffix = Path(cleaned).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".xls"):
        raise InputError([Finding(base, None, "file", suffix or base, "a register is an XLSX or CSV file")])
    return cleaned or f"upload{suffix}"


def _shown(f: Finding, folder: str, name: str) -> Finding:
    """The finding with the uploaded file's own name in place of the temporary path."""
    return Finding(f.source.replace(str(Path(folder) / name), name), f.row, f.column, f.value, f.reason)


@bp.route("/governance")
@roles(*READERS)
def governance() -> str:
    as_of = _date(request.args.get("as_of")) or dt.date.today()
    region = (request.args.get("region") or "").strip() or scope_region(user())  # the services check the scope
    policy = load_policy(None)
    rows = scan(database(), as_of, policy, user().name, within=region)
    alerts = contract_alerts(database(), as_of, policy.contracts, user().name, region)
    return render_template("governance.html", rows=rows, alerts=alerts, as_of=as_of, region=region or "")


@bp.route("/inventory")
@roles(*READERS, Role.INVENTORY)
def inventory() -> str:
    rows = list_inventories(database(), user().name)
    return render_template("inventory.html", rows=rows)


@bp.route("/inventory/<int(max=9223372036854775807):inventory_id>")  # beyond: 404, not 500
@roles(*READERS, Role.INVENTORY)
def inventory_detail(inventory_id: int) -> str:
    reader = user().name
    status = until_changed(  # kept per reader: the service checks the reader's scope when it computes
        database(), ("inventory", inventory_id, reader), lambda: inventory_status(database(), inventory_id, reader)
    )
    return render_template("inventory_detail.html", s=status, levels=list(PLACE_LEVELS))


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError([Finding("form", None, "date", text, "a date is YYYY-MM-DD")]) from exc
