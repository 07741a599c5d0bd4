"""The web interface (`assetledger serve`): server-rendered pages on the same services as the CLI.

Layers as the CLI: a view parses the form, calls a service and renders the result; the services check roles
and scopes (`require`, `require_read`), and their errors become pages (403 not permitted, 404, 409 refused by a
rule, 409 a duplicate or a conflicting voucher, 422 bad input with every finding).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal
from typing import Any

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from assetledger.domain.distribution import plain
from assetledger.domain.enums import AssetStatus, LabelledEnum, OperatingMode, OwnerKind, Register
from assetledger.domain.text import visible
from assetledger.errors import (
    AssetLedgerError,
    ConfigError,
    DuplicateError,
    InputError,
    NotFoundError,
    PermissionDenied,
    RuleViolation,
    ServiceBusy,
)
from assetledger.services.password_gate import CHECKS, PasswordGate
from assetledger.store.db import Database
from assetledger.store.document_files import DocumentPlace, documents_place
from assetledger.web import auth, i18n
from assetledger.web.i18n import DEFAULT_LANG, LANGS, field, known, mark, one_side, translate
from assetledger.web.listing import here
from assetledger.web.reading import place

LANG_COOKIE = "assetledger_lang"


MIN_SECRET = 32  # bytes of session signing key, at least


def create_app(
    db: Database,
    *,
    secret_key: bytes | None = None,
    awards_policy: str | None = None,
    awards_policies: list[str] | None = None,
    secure_cookies: bool = False,
    proxy_fix: int = 0,
    password_checks: int = CHECKS,
    documents: DocumentPlace | None = None,
    base_url: str | None = None,
    throttle_store: str | None = None,
) -> Flask:
    """The web app. `secret_key`: the session signing key (at least MIN_SECRET bytes; None: a random one, so every
    restart logs everyone out). `secure_cookies`: behind TLS, cookies only over HTTPS (and the session cookie named
    __Host-…, so no other site of the domain can set it). `proxy_fix`: the number of reverse proxies in front whose
    X-Forwarded-For/-Proto to trust. `password_checks`: Argon2 checks at once (64 MiB each; see password_gate.py).
    `documents`: where documents of record are kept (default: next to the database); `base_url`: the address
    QR codes on labels and certificates open (default: the address a page was asked at); `throttle_store`: where
    failed logins are counted (None: the app's own database; or a `limits` storage URI such as redis://host:6379)."""
    if secret_key is not None and len(secret_key) < MIN_SECRET:
        raise ConfigError(f"the session signing key has {len(secret_key)} bytes; it needs at least {MIN_SECRET}")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(MIN_SECRET),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_NAME="__Host-assetledger" if secure_cookies else "session",
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        AWARDS_POLICY=awards_policy,  # one policy; AWARDS_POLICIES: several (default: the three examples)
        AWARDS_POLICIES=awards_policies,
        BASE_URL=base_url,
    )
    from assetledger.web.public import mount as mount_public  # /public: an app of its own (issue 24)

    app.wsgi_app = mount_public(app.wsgi_app, db, secure=secure_cookies)  # type: ignore[method-assign,assignment]
    if proxy_fix:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_fix, x_proto=proxy_fix)  # type: ignore[method-assign]
    app.extensions["assetledger_db"] = db
    app.extensions["assetledger_documents"] = documents or documents_place(db.url)
    _install_language(app)  # first: the pages of every later check (CSRF, login) speak the reader's language
    auth.install(app, PasswordGate(password_checks), throttle_store)
    from assetledger.web.audit import bp as audit_pages
    from assetledger.web.awards import bp as award_pages
    from assetledger.web.bureau import bp as bureau_pages
    from assetledger.web.papers import bp as paper_pages
    from assetledger.web.publishing import bp as publishing_pages
    from assetledger.web.supervision import bp as supervision_pages
    from assetledger.web.village import bp as village_pages

    for pages in (bureau_pages, award_pages, village_pages, audit_pages, paper_pages):
        app.register_blueprint(pages)
    for pages in daily_pages():
        app.register_blueprint(pages)
    app.register_blueprint(supervision_pages)  # 监管指标 (issue 24)
    app.register_blueprint(publishing_pages)  # 公示上网 (issue 24)
    i18n.install(app)
    _install_errors(app)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["visible"] = visible
    app.jinja_env.filters["weight"] = plain
    # A finding's reason as the services write it, "中文 english": the side of the page's language.
    app.jinja_env.filters["side"] = lambda text: one_side(text, str(getattr(g, "lang", DEFAULT_LANG)))
    app.jinja_env.filters["edition"] = lambda text: i18n.edition(str(text), str(getattr(g, "lang", DEFAULT_LANG)))
    app.jinja_env.tests["decimal"] = lambda value: isinstance(value, Decimal)
    app.jinja_env.globals.update(role_label=auth.role_label, here=here, place=place)  # csrf_token: Flask-WTF
    return app


def daily_pages() -> list[Any]:
    """The daily work of each role (issue 22 item 4): books, count sheets, stored award policies, Fava."""
    from assetledger.web.accounts import bp as account_pages
    from assetledger.web.award_policies import bp as award_policy_pages
    from assetledger.web.fava_mount import bp as fava_pages
    from assetledger.web.inventory import bp as count_sheet_pages

    return [account_pages, count_sheet_pages, award_policy_pages, fava_pages]


def money(value: Any) -> str:
    """An amount as an accountant reads it: thousands separators and two decimals (12,345.60)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


def number(value: Any) -> str:
    """A count with thousands separators (2,818); anything that is not a whole number as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        return str(value)
    try:
        whole = Decimal(value)
    except ArithmeticError:
        return str(value)
    return f"{int(whole):,}" if whole == whole.to_integral_value() else str(value)


_BILINGUAL = re.compile(r"(.*[\u4e00-\u9fff].*?)\s*\(([^\u4e00-\u9fff]*[A-Za-z]+ [^\u4e00-\u9fff]*)\)\s*", re.S)


def one_language(text: str, lang: str) -> str:
    """Of a message written "中文 (English)" (as the services write refusals), the part in the page's language."""
    found = _BILINGUAL.fullmatch(text)
    if found is None:
        return text
    return found.group(1) if lang == "zh" else found.group(2)


ENUMS: dict[str, type[LabelledEnum]] = {"register": Register, "status": AssetStatus, "owner_kind": OwnerKind,
                                         "operating_mode": OperatingMode}  # fmt: skip


def labelled(value: Any, kind: str, lang: str) -> str:
    """The Chinese label of a register, status, owner kind or operating mode (in English the code as words)."""
    enum = ENUMS.get(kind)
    if value is None:
        return ""
    if enum is None or lang != "zh":
        return str(value).replace("_", " ")
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def _install_language(app: Flask) -> None:
    @app.before_request
    def _pick() -> None:
        asked = request.args.get("lang")
        g.lang_set = asked if asked in LANGS else None
        cookie = request.cookies.get(LANG_COOKIE)
        g.lang = g.lang_set or (cookie if cookie in LANGS else DEFAULT_LANG)

    @app.after_request
    def _remember(response: Response) -> Response:
        secure = bool(app.config["SESSION_COOKIE_SECURE"])
        if getattr(g, "lang_set", None):
            response.set_cookie(
                LANG_COOKIE, g.lang_set, max_age=365 * 86400, samesite="Lax", httponly=True, secure=secure
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if secure:  # served over TLS: browsers keep to HTTPS for this host from now on
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.context_processor
    def _words() -> dict[str, Any]:
        lang = getattr(g, "lang", DEFAULT_LANG)
        return {"t": lambda key, **v: translate(key, lang, **v), "f": lambda key: field(key, lang), "lang": lang,
                "me": getattr(g, "user", None), "today": dt.date.today(),
                "label": lambda value, kind: labelled(value, kind, lang)}  # fmt: skip


def _install_errors(app: Flask) -> None:
    def lang() -> str:
        return str(getattr(g, "lang", DEFAULT_LANG))

    def page(status: int, title: str, message: str, findings: list[Any] | None = None) -> tuple[str, int]:
        return render_template("error.html", status=status, title=title, message=message, findings=findings), status

    @app.errorhandler(PermissionDenied)
    def _forbidden(exc: PermissionDenied) -> tuple[str, int]:
        said = i18n.denied(getattr(exc, "reason", None), getattr(exc, "facts", {}), lang())
        return page(403, mark("forbidden"), said or one_language(str(exc), lang()))

    @app.errorhandler(NotFoundError)
    def _missing(exc: NotFoundError) -> tuple[str, int]:
        kind = f"kind_{exc.kind}"
        named = translate(kind, lang()) if known(kind) else exc.kind
        return page(404, mark("not_found"), translate("not_found_thing", lang(), kind=named, what=exc.key))

    @app.errorhandler(RuleViolation)
    def _refused(exc: RuleViolation) -> tuple[str, int]:
        findings = getattr(exc, "findings", None)  # a batch refused by a rule lists each entry
        return page(
            409, mark("refused"), one_language(str(exc).split("\n", 1)[0] if findings else str(exc), lang()), findings
        )

    @app.errorhandler(DuplicateError)
    def _duplicate(exc: DuplicateError) -> tuple[str, int]:
        findings = getattr(exc, "findings", None)  # a voucher conflict names the booked entry and the new one
        return page(409, mark("duplicate"), one_language(str(exc).split("\n", 1)[0] if findings else str(exc), lang()),
                    findings)  # fmt: skip

    @app.errorhandler(InputError)
    def _bad_input(exc: InputError) -> tuple[str, int]:
        status = 400 if request.method in ("GET", "HEAD") else 422  # a bad address is a bad request
        title = mark("bad_request") if status == 400 else mark("bad_input")
        return page(status, title, translate("input_problems", lang(), n=len(exc.findings)), exc.findings)

    @app.errorhandler(ServiceBusy)
    def _busy_service(exc: ServiceBusy) -> tuple[str, int, dict[str, str]]:
        return (*page(503, mark("busy"), one_language(str(exc), lang())), {"Retry-After": "5"})

    @app.errorhandler(AssetLedgerError)
    def _other(exc: AssetLedgerError) -> tuple[str, int]:
        return page(400, mark("bad_request"), one_language(str(exc), lang()))

    @app.errorhandler(OperationalError)
    def _busy(exc: OperationalError) -> tuple[str, int]:
        text = str(exc.orig)
        app.logger.error("database error on %s: %s", request.path, text)
        if "locked" in text or "busy" in text:
            return page(503, mark("busy"), translate("db_busy", lang()))
        return page(500, mark("error"), translate("db_error", lang()))

    pages = {  # status: (title, message)
        404: (mark("not_found"), mark("not_found_page")),
        405: (mark("method_not_allowed"), mark("method_detail")),
        413: (mark("too_large"), mark("too_large_detail")),
        500: (mark("server_error"), mark("server_error_detail")),
    }

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        app.logger.info("form refused on %s: %s", request.path, exc.description)  # missing, expired, wrong, ...
        return page(400, mark("bad_request"), translate("csrf", lang()))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        if code >= 500:
            original = getattr(exc, "original_exception", None)
            if original is not None:
                app.logger.error("error on %s", request.path, exc_info=original)
        title, message = pages.get(code, (mark("bad_request") if code < 500 else mark("error"), ""))
        if not message:
            return page(code, title, str(exc.description or exc.name))
        return page(code, title, translate(message, lang(), path=request.path, method=request.method))
