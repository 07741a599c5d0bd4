"""The bureau's pages (县财政局): register summary, asset search and history, register upload, governance list,
inventory progress (the awards page is web/awards.py). Auditors read them too, within their scope."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from flask import Blueprint, g, render_template, request
from werkzeug.wrappers import Response

from assetledger.domain.access import Role
from assetledger.domain.documents import DocumentKind
from assetledger.domain.enums import PLACE_LEVELS, AssetStatus, RegionLevel, Register
from assetledger.domain.governance import FlaggedAsset, GovernanceAction
from assetledger.domain.journal import EntryKind
from assetledger.errors import Finding, InputError
from assetledger.io.household_rows import household_word
from assetledger.services.asset_queries import (
    SORTS,
    AssetFilter,
    AssetRow,
    WideAssetRow,
    asset_choices,
    asset_page,
    list_assets,
    show_asset,
)
from assetledger.services.assets import import_assets
from assetledger.services.audit import asset_story
from assetledger.services.contract_alerts import contract_alerts
from assetledger.services.contracts import contracts_of
from assetledger.services.distribution_queries import SORTS as DISTRIBUTION_SORTS
from assetledger.services.distribution_queries import DistributionFilter, distribution_page, distribution_years
from assetledger.services.documents import documents_of
from assetledger.services.entry_queries import SORTS as ENTRY_SORTS
from assetledger.services.entry_queries import EntryFilter, EntryLine, entry_page, entry_years
from assetledger.services.governance import scan
from assetledger.services.household_queries import SORTS as HOUSEHOLD_SORTS
from assetledger.services.household_queries import (
    HouseholdFilter,
    HouseholdRow,
    household_categories,
    household_page,
)
from assetledger.services.inventory import list_inventories
from assetledger.services.inventory_reports import inventory_status
from assetledger.services.paging import Sorting
from assetledger.services.regions import region_path
from assetledger.services.register_summary import register_summary
from assetledger.web import history as story
from assetledger.web import labelled
from assetledger.web.auth import database, roles, scope_region, user
from assetledger.web.cache import until_changed
from assetledger.web.i18n import field, mark, one_side, translate
from assetledger.web.inventory_summary import summary as inventory_summary
from assetledger.web.listing import (
    SIZES,
    choice_arg,
    date_arg,
    export,
    export_arg,
    listing,
    paged,
    words_arg,
    year_arg,
)
from assetledger.web.reading import choice, region_names

bp = Blueprint("bureau", __name__)
READERS = (Role.FINANCE, Role.AUDITOR)


@bp.route("/dashboard")
@roles(*READERS)
def dashboard() -> str:
    level = choice(RegionLevel, request.args.get("level") or "township", "level")
    region = (request.args.get("region") or "").strip() or scope_region(user())  # the service checks the scope
    path = region_path(database(), region, user().name) if region else []
    if path and path[-1].level in LEVEL_ORDER and LEVEL_ORDER.index(path[-1].level) > LEVEL_ORDER.index(level):
        level = RegionLevel(path[-1].level)  # the county level of one township is the township's own figures
    rows = register_summary(database(), level, user().name, within=region)
    below = LEVEL_ORDER[LEVEL_ORDER.index(level) + 1] if level.value != "village" else None
    return render_template("dashboard.html", rows=rows, level=level.value, region=region or "", path=path,
                           below=below, levels=[lv.value for lv in PLACE_LEVELS])  # fmt: skip


LEVEL_ORDER = [lv.value for lv in PLACE_LEVELS]
LEVEL_WORDS = (mark("county"), mark("township"), mark("village"))  # the dashboard and inventory pages show t(level)
ASSET_HEADERS = ("asset_id", "name", "register", "category", "township", "village", "project", "build_year",
                 "value", "status", "owner", "owner_kind", "custodian")  # fmt: skip
CATALOGUE_CODE = {"project": "project_name", "value": "original_value", "owner": "owner_name"}


@bp.route("/assets")
@roles(*READERS, Role.VILLAGE_ACCOUNTANT)
def assets() -> Response | str:
    args = request.args
    register = args.get("register") or None
    status = args.get("status") or None
    village = (args.get("village") or "").strip()
    township = (args.get("township") or "").strip()
    region = village or township or (args.get("region") or "").strip() or scope_region(user())
    flt = AssetFilter(
        register=choice(Register, register, "register") if register else None,
        region=region,  # the service checks the scope
        status=choice(AssetStatus, status, "status") if status else None,
        year=year_arg(args),
        words=words_arg(args),
    )
    order = listing(args, tuple(SORTS), "asset_id")
    wanted = export_arg(args)
    reader = user().name
    names = region_names()
    flt = replace(flt, sort=order.sort, descending=order.descending, wide=True)
    if wanted:  # everything the filter shows, in the shown order
        rows = list_assets(database(), flt, reader)
        headers = {k: field(CATALOGUE_CODE.get(k, k), g.lang) for k in ASSET_HEADERS}  # the register's own headers
        return export([_exported(r, names) for r in rows], headers, wanted, translate("assets_file", g.lang))

    def fetch(sorting: Sorting) -> tuple[list[AssetRow], int]:  # the filter holds the order
        found = asset_page(database(), replace(flt, limit=order.size, offset=sorting.offset), reader)
        return found.rows, found.total

    rows, pager = paged(fetch, order)
    return render_template("assets.html", rows=rows, pager=pager, order=order, q=args.get("q", ""),
                           region=region or "", township=township, village=village, register=register or "",
                           status=status or "", year=args.get("year", ""), registers=list(Register),
                           statuses=list(AssetStatus), choices=asset_choices(database(), reader), names=names,
                           path=region_path(database(), region, reader) if region else [],
                           sizes=SIZES)  # fmt: skip


def _exported(row: AssetRow, names: dict[str, str]) -> dict[str, Any]:
    lang = g.lang
    return {
        "asset_id": row.asset_id,
        "name": row.name,
        "register": labelled(row.register, "register", lang),
        "category": row.category,
        "township": names.get(row.township_code or "", row.township_code),
        "village": names.get(row.village_code or "", row.village_code),
        "project": row.project_name if isinstance(row, WideAssetRow) else None,
        "build_year": row.build_year,
        "value": row.original_value,
        "status": labelled(row.status, "status", lang),
        "owner": row.owner_name,
        "owner_kind": labelled(row.owner_kind, "owner_kind", lang) if row.owner_kind else None,
        "custodian": row.custodian,
    }


@bp.route("/assets/<asset_id>")
@roles(*READERS, Role.VILLAGE_ACCOUNTANT, Role.INVENTORY)  # the inventory team opens it from a label's QR code
def asset(asset_id: str) -> str:
    reader = user().name
    items = asset_story(database(), asset_id, reader)  # checks the reader's scope first
    history = show_asset(database(), asset_id, reader)
    names = region_names()
    lines = [_rule_named(asdict(i), names.get(history.asset["village_code"] or "", "")) for i in items]
    shown = [i | {"area": story.area(i["area"], g.lang), "what": story.what(i, g.lang),
                  "details": story.details(i, g.lang, names)} for i in lines]  # fmt: skip
    return render_template("asset.html", a=history.asset, funding=history.funding, custodians=history.custodians,
                           trail=shown, names=names, documents=documents_of(database(), asset_id, reader),
                           contracts=contracts_of(database(), asset_id, reader),
                           path=region_path(database(), _place(history.asset), reader),
                           kinds=list(DocumentKind))  # fmt: skip


def _rule_named(line: dict[str, Any], village: str) -> dict[str, Any]:
    """A distribution's rule by its name and edition ("瑞宁村收益分配方案（第1版）"), not its code."""
    facts = line.get("facts") or {}
    if line.get("area") != "distribution" or not facts.get("rule") or not village:
        return line
    edition = facts.get("edition")
    named = translate("rule_of_edition", g.lang, village=village, edition=edition) if edition else (
        translate("rule_of", g.lang, village=village))  # fmt: skip
    return line | {"facts": facts | {"rule": named}}


def _place(asset: dict[str, Any]) -> str:
    return str(asset["village_code"] or asset["township_code"] or asset["county_code"])


@bp.route("/upload", methods=["GET", "POST"])
@roles(Role.FINANCE)
def upload() -> tuple[str, int] | str:
    if request.method == "GET":
        return render_template("upload.html", result=None, findings=None)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InputError(
            [Finding(translate("upload", g.lang), None, "file", None, translate("choose_register", g.lang))]
        )
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
        raise InputError([Finding(base, None, "file", suffix or base, translate("register_kind", g.lang))])
    return cleaned or f"upload{suffix}"


def _shown(f: Finding, folder: str, name: str) -> Finding:
    """The finding with the uploaded file's own name in place of the temporary path."""
    return Finding(f.source.replace(str(Path(folder) / name), name), f.row, f.column, f.value, f.reason)


GOVERNANCE_SORTS: dict[str, Callable[[FlaggedAsset], Any]] = {
    "asset_id": lambda r: r.asset_id,
    "name": lambda r: r.name,
    "place": lambda r: r.place,
    "finding": lambda r: r.finding,
    "last_revenue": lambda r: r.last_revenue or dt.date.min,
    "trailing_revenue": lambda r: r.trailing_revenue,
    "trailing_costs": lambda r: r.trailing_costs,
    "net": lambda r: r.net,
}
FINDINGS = ("idle", "loss")
FINDING_WORDS = {
    "marked_idle": mark("finding_marked_idle"),
    "no_revenue": mark("finding_no_revenue"),
    "loss_making": mark("finding_loss_making"),
    "idle": mark("finding_idle"),
    "loss": mark("finding_loss"),
}
DECISION_WORDS: dict[str, str] = {  # keyed by GovernanceAction
    GovernanceAction.REVITALISE: mark("decision_revitalise"),
    GovernanceAction.DISPOSE: mark("decision_dispose"),
}


def _decision_word(decision: str | None, lang: str) -> str | None:
    """A governance decision in words; a stored text that is none (written around the product) as it is."""
    return translate(DECISION_WORDS[decision], lang) if decision in DECISION_WORDS else decision


GOVERNANCE_HEADERS = (
    mark("asset_id"),
    mark("name"),
    mark("township"),
    mark("village"),
    mark("status"),
    mark("finding"),
    mark("last_revenue"),
    mark("trailing_revenue"),
    mark("trailing_costs"),
    mark("net"),
    mark("decision"),
)


@bp.route("/governance")
@roles(*READERS)
def governance() -> Response | str:
    """Idle and loss-making assets: the region and the search words narrow the scan in SQL; the finding filter,
    the order and the page apply to its result (the contracts decide which assets stay listed, after the query)."""
    args = request.args
    as_of = date_arg(args, "as_of") or dt.date.today()
    village = (args.get("village") or "").strip()
    township = (args.get("township") or "").strip()
    region = village or township or (args.get("region") or "").strip() or scope_region(user())
    kind = choice_arg(args, "finding", FINDINGS)
    order = listing(args, tuple(GOVERNANCE_SORTS), "place")
    reader = user().name
    # each county's assets judged by its own stored governance policy (services/governance.scan_in), as in the CLI
    rows = scan(database(), as_of, reader, within=region, words=words_arg(args))  # the services check scope
    if kind == "idle":
        rows = [r for r in rows if r.idle]
    elif kind == "loss":
        rows = [r for r in rows if r.loss_making]
    rows.sort(key=lambda r: (GOVERNANCE_SORTS[order.sort](r), r.asset_id), reverse=order.descending)
    names = region_names()
    wanted = export_arg(args)
    if wanted:
        lang = g.lang
        shown = [{"asset_id": r.asset_id, "name": r.name,
                  "township": names.get(r.township_code or "", r.township_code),
                  "village": names.get(r.village_code or "", r.village_code),
                  "status": labelled(r.status, "status", lang),
                  "finding": "、".join(translate(FINDING_WORDS[x], lang) for x in r.finding.split("+")),
                  "last_revenue": r.last_revenue, "trailing_revenue": r.trailing_revenue,
                  "trailing_costs": r.trailing_costs, "net": r.net,
                  "decision": _decision_word(r.decision, lang)}
                 for r in rows]  # fmt: skip
        headers = {k: translate(k, lang) for k in GOVERNANCE_HEADERS}
        return export(shown, headers, wanted, translate("governance_file", lang))
    pager = order.of(len(rows))
    alerts = contract_alerts(database(), as_of, reader, region)
    judged = "；".join(translate("judged_months", g.lang, policy=name, idle=idle, loss=loss)
                      for name, idle, loss in dict.fromkeys((r.policy, r.idle_months, r.loss_months)
                                                            for r in rows))  # fmt: skip
    return render_template("governance.html", rows=rows[(pager.page - 1) * pager.size : pager.page * pager.size],
                           pager=pager, order=order, alerts=alerts, judged=judged, as_of=as_of, region=region or "",
                           one_side=one_side,
                           finding_words=FINDING_WORDS, decision_words=DECISION_WORDS,
                           township=township, village=village, finding=kind or "", q=args.get("q", ""),
                           choices=asset_choices(database(), reader), names=names, sizes=SIZES,
                           path=region_path(database(), region, reader) if region else [])  # fmt: skip


HOUSEHOLD_HEADERS = (
    mark("household"),
    mark("village"),
    mark("head"),
    mark("persons"),
    mark("household_category"),
    mark("factors"),
    mark("joined_on"),
    mark("left_on"),
    mark("left_reason"),
)


@bp.route("/households")
@roles(*READERS, Role.VILLAGE_ACCOUNTANT)
def households() -> Response | str:
    """The beneficiary households of the reader's scope: paged, sorted, filtered and counted in SQL."""
    args = request.args
    village = (args.get("village") or "").strip()
    township = (args.get("township") or "").strip()
    region = village or township or scope_region(user())
    state = choice_arg(args, "state", ("current", "left"))
    flt = HouseholdFilter(region=region, words=words_arg(args), current=None if state is None else state == "current",
                          category=(args.get("category") or "").strip() or None)  # fmt: skip
    order = listing(args, tuple(HOUSEHOLD_SORTS), "household_id")
    reader = user().name
    names = region_names()
    if export_arg(args):
        found = household_page(database(), flt, reader, order.sorting(1))
        shown = [{"household": r.household_id, "village": names.get(r.village_code, r.village_code),
                  "head": r.head, "persons": r.persons, "household_category": _household_word(r.category),
                  "factors": "、".join(_household_word(f) for f in r.factors or []), "joined_on": r.joined_on,
                  "left_on": r.left_on, "left_reason": _household_word(r.left_reason)}
                 for r in found.rows]  # fmt: skip
        headers = {k: translate(k, g.lang) for k in HOUSEHOLD_HEADERS}
        return export(shown, headers, str(export_arg(args)), translate("households_file", g.lang))

    def fetch(sorting: Sorting) -> tuple[list[HouseholdRow], int]:
        found = household_page(database(), replace(flt, limit=order.size), reader, sorting)
        return found.rows, found.total

    rows, pager = paged(fetch, order)
    return render_template("households.html", rows=rows, pager=pager, order=order, q=args.get("q", ""),
                           township=township, village=village, state=state or "", category=flt.category or "",
                           categories=household_categories(database(), reader), word=_household_word,
                           choices=asset_choices(database(), reader), names=names, sizes=SIZES,
                           path=region_path(database(), region, reader) if region else [])  # fmt: skip


DISTRIBUTION_HEADERS = (
    mark("distribution_no"),
    mark("village"),
    mark("period_col"),
    mark("distributed_on"),
    mark("rule"),
    mark("revenue"),
    mark("costs"),
    mark("distributable"),
    mark("households"),
    mark("reversed_on"),
    mark("reversal_reason"),
)


@bp.route("/distributions")
@roles(*READERS, Role.VILLAGE_ACCOUNTANT)
def distributions() -> Response | str:
    """The distributions of the reader's scope, latest first: paged, sorted, filtered and counted in SQL."""
    args = request.args
    village = (args.get("village") or "").strip()
    township = (args.get("township") or "").strip()
    region = village or township or scope_region(user())
    state = choice_arg(args, "state", ("standing", "reversed"))
    flt = DistributionFilter(region=region, year=year_arg(args), words=words_arg(args),
                             reversed=None if state is None else state == "reversed")  # fmt: skip
    order = listing(args, tuple(DISTRIBUTION_SORTS), "distributed_on", default_desc=True)
    reader = user().name
    names = region_names()
    wanted = export_arg(args)
    if wanted:
        rows, _ = distribution_page(database(), flt, reader, order.sorting(1))
        shown = [{"distribution_no": r.id, "village": names.get(r.village_code, r.village_code),
                  "period_col": r.period, "distributed_on": r.distributed_on,
                  "rule": translate("rule_of_edition", g.lang, village=names.get(r.village_code, r.village_code),
                                    edition=r.rule_version),
                  "revenue": r.revenue, "costs": r.costs, "distributable": r.total,
                  "households": r.households, "reversed_on": r.reversed_on,
                  "reversal_reason": r.reversal_reason} for r in rows]  # fmt: skip
        headers = {k: translate(k, g.lang) for k in DISTRIBUTION_HEADERS}
        return export(shown, headers, wanted, translate("distributions_file", g.lang))
    rows, pager = paged(lambda sorting: distribution_page(database(), replace(flt, limit=order.size), reader, sorting),
                        order)  # fmt: skip
    return render_template("distributions.html", rows=rows, pager=pager, order=order, q=args.get("q", ""),
                           township=township, village=village, state=state or "", year=args.get("year", ""),
                           years=distribution_years(database(), reader), choices=asset_choices(database(), reader),
                           names=names, sizes=SIZES,
                           path=region_path(database(), region, reader) if region else [])  # fmt: skip


ENTRY_HEADERS = (
    mark("entry_no"),
    mark("date"),
    mark("entity"),
    mark("entry_kind"),
    mark("asset_id"),
    mark("narration"),
    mark("ref"),
    mark("amount"),
    mark("actor"),
    mark("entry_state"),
)


@bp.route("/entries")
@roles(*READERS, Role.VILLAGE_ACCOUNTANT)
def entries() -> Response | str:
    """The journal entries of the reader's scope, latest first: paged, sorted, filtered and counted in SQL."""
    args = request.args
    village = (args.get("village") or "").strip()
    township = (args.get("township") or "").strip()
    region = village or township or scope_region(user())
    kind = choice_arg(args, "kind", [k.value for k in EntryKind])
    flt = EntryFilter(region=region, kind=kind, year=year_arg(args), words=words_arg(args))
    order = listing(args, tuple(ENTRY_SORTS), "date", default_desc=True)
    reader = user().name
    lang = g.lang
    wanted = export_arg(args)
    if wanted:
        rows, _ = entry_page(database(), flt, reader, order.sorting(1))
        shown = [{"entry_no": r.id, "date": r.date, "entity": f"{r.entity_code} {r.entity_name}",
                  "entry_kind": story.code_label(r.kind, lang), "asset_id": r.asset_id,
                  "narration": r.narration, "ref": story.ref_shown(r.ref, r.ref_words, lang), "amount": r.amount,
                  "actor": r.actor,
                  "entry_state": _entry_state(r)} for r in rows]  # fmt: skip
        headers = {k: translate(k, lang) for k in ENTRY_HEADERS}
        return export(shown, headers, wanted, translate("entries_file", lang))
    rows, pager = paged(lambda sorting: entry_page(database(), replace(flt, limit=order.size), reader, sorting), order)
    return render_template("entries.html", rows=rows, pager=pager, order=order, q=args.get("q", ""),
                           township=township, village=village, kind=kind or "", year=args.get("year", ""),
                           kinds=[(k.value, story.code_label(k.value, lang)) for k in EntryKind],
                           years=entry_years(database(), reader), choices=asset_choices(database(), reader),
                           names=region_names(), sizes=SIZES, state=_entry_state,
                           ref_shown=lambda ref, words: story.ref_shown(ref, words, lang),
                           path=region_path(database(), region, reader) if region else [])  # fmt: skip


def _entry_state(row: EntryLine) -> str:
    if row.reverses_id:
        return translate("reverses", g.lang, id=row.reverses_id)
    return translate("state_reversed", g.lang) if row.reversed else ""


def _household_word(code: str | None) -> str:
    """A household's category, factor or reason for leaving by its name (in English: the code as words)."""
    if not code:
        return ""
    if g.lang != "zh":
        return code.replace("_", " ")
    return household_word(code)


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
    return render_template("inventory_detail.html", s=status, levels=list(PLACE_LEVELS),
                           summary=inventory_summary(status, g.lang, status.opened_by))  # fmt: skip
