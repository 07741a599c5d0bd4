"""The village accountant's pages (村会计): post revenue and costs of its assets, run a distribution (a dry run
first, then for real), print the public notice. The finance bureau may use them too."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from flask import Blueprint, g, render_template, request, send_file
from werkzeug.wrappers import Response

from assetledger.domain.access import Role
from assetledger.domain.booking import EXPENSE_ACCOUNTS, REVENUE_ACCOUNTS, AssetPosting
from assetledger.domain.enums import Register
from assetledger.domain.money import MoneyFormatError, parse_money
from assetledger.domain.publication import NoticeData
from assetledger.errors import Finding, InputError
from assetledger.reports.notice import notice_html, write_notice
from assetledger.rules.distribution_file import load_purposes
from assetledger.services.asset_queries import AssetFilter, AssetRow, list_assets
from assetledger.services.books import Located
from assetledger.services.distribution import distribute
from assetledger.services.distribution_reports import notice_data
from assetledger.services.journal import post_for_asset
from assetledger.web.auth import database, roles, scope_region, user
from assetledger.web.i18n import mark, translate
from assetledger.web.reading import region_names

bp = Blueprint("village", __name__)
WRITERS = (Role.FINANCE, Role.VILLAGE_ACCOUNTANT)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form_date(field: str, *, required: bool) -> dt.date | None:
    text = (request.form.get(field) or "").strip()
    if not text:
        if required:
            raise InputError([Finding("form", None, field, None, "a date is needed (YYYY-MM-DD)")])
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError([Finding("form", None, field, text, "a date is YYYY-MM-DD")]) from exc


def _my_assets() -> list[AssetRow]:
    region = scope_region(user())
    if region is None:
        return []
    return list_assets(database(), AssetFilter(region=region, register=Register.OPERATING, limit=300), user().name)


def no_village_period(source: str) -> InputError:
    """The refusal of a form or address that names no village or no period, in the page's language."""
    lang = g.lang
    column = f"{translate('village', lang)}/{translate('period', lang)}"
    return InputError([Finding(translate(source, lang), None, column, None, translate("give_village_period", lang))])


@bp.route("/post", methods=["GET", "POST"])
@roles(*WRITERS)
def post() -> Any:
    result = None
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("asset_id", "direction", "type", "amount", "date", "ref",
                                                       "narration")}  # fmt: skip
        direction = form["direction"] if form["direction"] in ("revenue", "expense") else "revenue"
        try:
            amount = parse_money(form["amount"])
        except MoneyFormatError as exc:
            raise InputError([Finding("form", None, "amount", form["amount"], str(exc))]) from exc
        on = _form_date("date", required=True)
        assert on is not None
        posting = AssetPosting(
            asset_id=form["asset_id"].strip(),
            date=on,
            direction=direction,
            type=form["type"],
            amount=amount,
            narration=form["narration"].strip() or None,
            ref=form["ref"].strip() or None,
        )
        result = post_for_asset(database(), posting, user().name, Located("form", date_column="date"))
    return render_template("post.html", result=result, form=form, assets=_my_assets(),
                           revenue_types=REVENUE_ACCOUNTS, expense_types=EXPENSE_ACCOUNTS)  # fmt: skip


@bp.route("/distribution", methods=["GET", "POST"])
@roles(*WRITERS)
def distribution() -> Any:
    mine = scope_region(user()) if user().role is Role.VILLAGE_ACCOUNTANT else None
    village = (request.values.get("village") or mine or "").strip()
    period = (request.values.get("period") or "").strip()
    result = None
    if request.method == "POST":
        if not village or not period:
            raise no_village_period(mark("form_source"))
        dry_run = request.form.get("action") != "distribute"
        on = _form_date("date", required=False)
        result = distribute(database(), village, period, user().name, on=on, dry_run=dry_run)
    labels = {code: p.label for code, p in load_purposes()[0].items()}
    return render_template("distribution.html", village=village, period=period, r=result, labels=labels,
                           date=request.form.get("date", ""), names=region_names())  # fmt: skip


def _notices() -> list[NoticeData]:
    village = (request.args.get("village") or "").strip()
    period = (request.args.get("period") or "").strip()
    if not village or not period:
        raise no_village_period("notice")
    try:
        return notice_data(database(), village, period, user().name)  # the service checks the reader's scope
    except ValueError as exc:
        raise InputError([Finding("notice", None, "period", period, str(exc))]) from exc


@bp.route("/notice.xlsx")
def notice_xlsx() -> Response:
    """The same notice as a workbook (分配方案 and 农户分配明细 sheets); several rules of one period: a ZIP."""
    notices = _notices()
    with tempfile.TemporaryDirectory(prefix="assetledger-notice-") as folder:
        books = [write_notice(d, Path(folder))[1] for d in notices]
        if len(books) == 1:
            data, name, kind = books[0].read_bytes(), books[0].name, XLSX
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for book in books:
                    archive.write(book, book.name)
            data, name, kind = (
                buffer.getvalue(),
                f"公示-{notices[0].village}-{notices[0].period}.zip",
                "application/zip",
            )
    return send_file(io.BytesIO(data), mimetype=kind, as_attachment=True, download_name=name)


@bp.route("/notice")
def notice() -> str:
    """The public notice (公示) of a village's distribution, ready to print."""
    notices = _notices()
    pages = [notice_html(d) for d in notices]
    if len(pages) == 1:
        return pages[0]
    bodies = [p.split("<body>", 1)[1].rsplit("</body>", 1)[0] for p in pages]
    return (
        pages[0].split("<body>", 1)[0]
        + "<body>"
        + '<hr style="page-break-after:always">'.join(bodies)
        + "</body></html>"
    )
