"""The village accountant's books (村会计账簿): its own entries a page at a time, the trial balance, revenue and
costs by asset, and the reversal (冲销) of a wrong entry with a reason, through the same service rule as
`ledger reverse`. Finance and auditors of a wider scope choose the entity; the services check every scope."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from assetledger.domain.access import Role
from assetledger.domain.journal import EntryKind
from assetledger.errors import Finding, InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.services.book_reports import EntitySummary, balances, entities, income_by_asset
from assetledger.services.entry_list import entries_page
from assetledger.services.entry_refs import RefWords
from assetledger.services.journal import reverse
from assetledger.web.auth import database, roles, user
from assetledger.web.history import code_label, ref_shown
from assetledger.web.i18n import one_side, translate

bp = Blueprint("accounts", __name__)
READERS = (Role.FINANCE, Role.AUDITOR, Role.VILLAGE_ACCOUNTANT)
WRITERS = (Role.FINANCE, Role.VILLAGE_ACCOUNTANT)
PAGE = 50
REVERSIBLE = {EntryKind.REVENUE.value, EntryKind.EXPENSE.value, EntryKind.IMPORTED.value, EntryKind.GENERAL.value}


def kind_label(kind: str) -> str:
    return code_label(kind, getattr(g, "lang", "zh"))  # the entry kinds as the entries list names them


def _ref_shown(ref: str | None, words: RefWords | None) -> str:
    return ref_shown(ref, words, getattr(g, "lang", "zh"))  # a system ref in words, never its identifiers


def _entity_choices() -> list[EntitySummary]:
    return entities(database(), user().name)


def _chosen_entity(choices: list[EntitySummary]) -> str | None:
    asked = (request.values.get("entity") or "").strip()
    if asked:
        return asked  # the services refuse one outside the reader's scope
    villages = [c for c in choices if c.kind == "village"] or choices
    return villages[0].code if villages else None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2999:
        raise InputError([Finding("books", None, "year", text, "年度为四位数字 (a year is four digits)")])
    return int(text)


def _page_number(text: str | None) -> int:
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise InputError([Finding("books", None, "page", text, "页码为正整数 (a page is a whole number from 1)")])
    return int(text)


@bp.route("/books")
@roles(*READERS)
def books() -> str:
    return _render(None, 200)[0]


def _render(problem: str | None, status: int, entry_id: str = "", reason: str = "") -> tuple[str, int]:
    choices = _entity_choices()
    entity = _chosen_entity(choices)
    page = _page_number(request.args.get("page"))
    year = _year(request.args.get("year"))
    reader = user().name
    listing = rows = by_asset = None
    if entity:
        listing = entries_page(database(), entity, reader, offset=(page - 1) * PAGE, limit=PAGE)
        rows = balances(database(), entity, actor=reader)
        start = dt.date(year, 1, 1) if year else None
        end = dt.date(year, 12, 31) if year else None
        by_asset = income_by_asset(database(), entity, start, end, actor=reader)
    pages = max(1, -(-listing.total // PAGE)) if listing else 1
    page_text = render_template(
        "books.html", choices=choices, entity=entity or "", listing=listing, balances=rows, by_asset=by_asset,
        page=page, pages=pages, year=year or "", kind_label=kind_label, reversible=REVERSIBLE, problem=problem,
        may_reverse=user().role in WRITERS, entry_id=entry_id, reason=reason, ref_shown=_ref_shown,
    )  # fmt: skip
    return page_text, status


@bp.route("/books/reverse", methods=["POST"])
@roles(*WRITERS)
def reverse_entry() -> Response | tuple[str, int]:
    """Reverse an entry with a reason; a refusal is shown on the books page in the reader's language."""
    text = (request.form.get("entry_id") or "").strip()
    reason = (request.form.get("reason") or "").strip()
    lang = getattr(g, "lang", "zh")
    if not text.isdigit() or len(text) > 18:
        return _render(translate("reverse_bad_id", lang, value=text), 422, text, reason)
    if not reason:
        return _render(translate("reverse_needs_reason", lang), 422, text, reason)
    try:
        done = reverse(database(), int(text), reason, user().name)
    except RuleViolation as exc:
        return _render(translate("reverse_refused", lang, why=one_side(str(exc), lang)), 409, text, reason)
    except NotFoundError:
        return _render(translate("reverse_no_entry", lang, id=text), 404, text, reason)
    except PermissionDenied:
        return _render(translate("reverse_not_permitted", lang, id=text), 403, text, reason)
    except InputError as exc:
        why = "; ".join(one_side(f.reason, lang) for f in exc.findings)
        return _render(translate("reverse_refused", lang, why=why), 422, text, reason)
    entity = (request.form.get("entity") or "").strip()
    month, was = (f"{done.date:%Y-%m}", f"{done.original_date:%Y-%m}") if done.note else (None, None)
    shown = url_for("accounts.books", entity=entity or None, reversed=text, by=done.entry_id, month=month, was=was)
    return redirect(shown, code=303)
