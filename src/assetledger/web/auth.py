"""Logging in and out, the signed session, CSRF protection (Flask-WTF), and which roles may open which pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from assetledger.domain.access import LABELS, Role
from assetledger.errors import PermissionDenied, ServiceBusy
from assetledger.services.access import User
from assetledger.services.password_gate import PasswordGate
from assetledger.services.web_sessions import SESSION_HOURS, log_in, log_out, session_user
from assetledger.store.db import Database
from assetledger.web.i18n import DEFAULT_LANG, translate
from assetledger.web.throttle import LoginThrottle, login_throttle

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
OPEN_ENDPOINTS = {"auth.login", "auth.favicon", "static"}


def database() -> Database:
    from flask import current_app

    return database_of(current_app)


def database_of(app: Flask) -> Database:
    return cast(Database, app.extensions["assetledger_db"])


def user() -> User:
    return cast(User, g.user)


def install(app: Flask, gate: PasswordGate, throttle_store: str | None = None) -> None:
    """Login, sessions and CSRF on `app`. Call after the language is picked (its before_request runs first), so the
    400 page of a refused form is in the reader's language."""
    app.register_blueprint(bp)
    install_csrf(app)
    app.extensions["assetledger_login_throttle"] = LoginThrottle(app, database_of(app), throttle_store)
    app.extensions["assetledger_password_gate"] = gate

    @app.before_request
    def _load_user() -> Response | None:
        g.user = None
        token = session.get("sid")
        if token:
            g.user = session_user(database(), str(token))
            if g.user is None:  # logged out elsewhere, password changed, user revoked, or too old
                _forget_session()
        if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
            return redirect(url_for("auth.login", next=request.full_path))
        return None


def install_csrf(app: Flask) -> None:
    """Every POST (PUT, PATCH, DELETE) carries the form's token (`csrf_token` field, or the X-CSRFToken /
    X-CSRF-Token header): Flask-WTF signs a random value kept in the session, so a token is good for its own
    session only, and for at most the session's lifetime; over HTTPS the Referer must also name this host.
    Refused: the 400 page in the reader's language (web/__init__.py, CSRFError). `csrf_token()` in templates is
    Flask-WTF's generate_csrf."""
    app.config.update(
        WTF_CSRF_FIELD_NAME="csrf_token",
        WTF_CSRF_HEADERS=["X-CSRFToken", "X-CSRF-Token"],
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,  # a form left open is good as long as a session can be
        WTF_CSRF_SSL_STRICT=True,
    )
    CSRFProtect(app)


def _forget_session() -> None:
    """Empty the cookie's session but for the language (and with it the CSRF token: a new session gets a new one)."""
    keep = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's token of this request, made from the old session
    if keep:
        session["lang"] = keep


def roles(*allowed: Role) -> Callable[[F], F]:
    """The page is for these roles; anyone else gets the 403 page naming the role."""

    def wrap(view: F) -> F:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            who = user()
            if who.role not in allowed:
                lang = getattr(g, "lang", DEFAULT_LANG)
                name, role = who.name, role_label(who)
                raise PermissionDenied(translate("may_not_open", lang, name=name, role=role, path=request.path))
            return view(*args, **kwargs)

        return cast(F, inner)

    return wrap


def home_for(who: User) -> str:
    return {
        Role.FINANCE: "bureau.dashboard",
        Role.VILLAGE_ACCOUNTANT: "village.post",
        Role.INVENTORY: "bureau.inventory",
        Role.AUDITOR: "audit.queries",
    }[who.role]


def scope_region(who: User) -> str | None:
    return None if who.scope == "*" else who.scope


def password_gate() -> PasswordGate:
    from flask import current_app

    return cast(PasswordGate, current_app.extensions["assetledger_password_gate"])


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        name = request.form.get("user", "").strip()
        throttle = login_throttle()  # a name over its limit never gets here (429): its password is not checked
        try:
            opened = log_in(database(), name, request.form.get("password", ""), password_gate())
        except ServiceBusy:  # neither a failure nor a success of this name: try again shortly
            page = render_template("login.html", error="login_busy")
            return page, 503, {"Retry-After": str(BUSY_RETRY_SECONDS)}
        except PermissionDenied:
            throttle.failed()
            error = "wrong_login"
        else:
            throttle.succeeded()
            _forget_session()  # a new session, never the one the browser came with
            session["sid"] = opened.token
            target = request.args.get("next", "")
            if not local_target(target):
                target = url_for(home_for(opened.user))
            return redirect(target)
    return render_template("login.html", error=error), 401 if error else 200


BUSY_RETRY_SECONDS = 5


def local_target(target: str) -> bool:
    """A path on this site only, safe to redirect to after login. Refused: anything with a scheme or host once
    parsed, a start of // or /\\ (another site to a browser), backslashes, and any control character (browsers
    drop TAB, CR and LF inside a URL, so "/<TAB>/evil.example" is "//evil.example" to them; CR and LF
    would also break the Location header)."""
    if not target.startswith("/") or len(target) > MAX_TARGET:
        return False
    if "\\" in target or any(c < " " or "\x7f" <= c <= "\x9f" for c in target):
        return False
    if target.startswith(("//", "/login")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


MAX_TARGET = 2000


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    token = session.get("sid")
    if token:
        log_out(database(), str(token))  # ended on the server: a copy of the cookie opens nothing any more
    _forget_session()
    return redirect(url_for("auth.login"))


@bp.route("/favicon.ico")
def favicon() -> Response:
    return Response(status=204)


@bp.route("/")
def index() -> Any:
    return redirect(url_for(home_for(user())))


def role_label(who: User | None) -> str:
    """The role as the page's language names it (县财政局 / County finance bureau)."""
    if who is None:
        return ""
    lang = getattr(g, "lang", DEFAULT_LANG)
    return LABELS[who.role] if lang == "zh" else translate(f"role_{who.role.value}", lang)
