"""Publishing a distribution's notice from the web (公示上网, issue 24): the village accountant or finance, after
distributing, makes the notice readable at /public/<village>. The service checks the role and scope and keeps the
act of record (services/public_notices.py)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request

from assetledger.domain.access import Role
from assetledger.errors import Finding, InputError
from assetledger.services.context import today
from assetledger.services.public_notices import publish
from assetledger.web.auth import database, roles, user
from assetledger.web.i18n import mark
from assetledger.web.village import no_village_period

bp = Blueprint("publishing", __name__)


@bp.route("/notice/publish", methods=["POST"])
@roles(Role.FINANCE, Role.VILLAGE_ACCOUNTANT)
def publish_notice() -> str:
    village = (request.form.get("village") or "").strip()
    period = (request.form.get("period") or "").strip()
    if not village or not period:
        raise no_village_period(mark("form_source"))
    text = (request.form.get("date") or "").strip()
    try:
        on = dt.date.fromisoformat(text) if text else today()  # the button publishes now unless told otherwise
    except ValueError as exc:
        raise InputError([Finding("form", None, "date", text, "日期应写作 YYYY-MM-DD (a date is YYYY-MM-DD)")]) from exc
    done = publish(database(), village, period, user().name, on)
    return render_template("published.html", done=done, village=village)
