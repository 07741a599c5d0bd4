"""Logging in and out, the signed session, CSRF tokens, and which roles may open which pages."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from assetledger.domain.access import LABELS, Role
from assetledger.errors import PermissionDenied
from assetledger.services.access import User, current_user
from assetledger.services.users import check_password
from assetledger.store.db import Database
from assetledger.web.throttle import LoginThrottle

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
OPEN_ENDPOINTS = {"auth.login", "auth.favicon", "static"}


def database() -> Database:
    from flask import current_app

    return cast(Database, current_app.extensions["assetledger_db"])


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def user() -> User:
    return cast(User, g.user)


def install(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["assetledger_login_throttle"] = LoginThrottle()

    @app.before_request
    def _load_user() -> Response | None:
        g.user = None
        name = session.get("user")
        if name:
            with database().reading() as s:
                g.user = current_user(s, str(name))
            if g.user is None:  # revoked since logging in
                session.pop("user", None)
        if request.method == "POST":
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
            if not hmac.compare_digest(sent, str(session.get("csrf", ""))) or not sent:
                abort(400, description="csrf")
        if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
            return redirect(url_for("auth.login", next=request.full_path))
        return None


def roles(*allowed: Role) -> Callable[[F], F]:
    """The page is for these roles; anyone else gets the 403 page naming the role."""

    def wrap(view: F) -> F:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            who = user()
            if who.role not in allowed:
                raise PermissionDenied(f"{who.name} ({LABELS[who.role]}) may not open {request.path}")
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


def login_throttle() -> LoginThrottle:
    from flask import current_app

    return cast(LoginThrottle, current_app.extensions["assetledger_login_throttle"])


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        name = request.form.get("user", "").strip()
        throttle = login_throttle()
        wait_minutes = throttle.wait_minutes(name)
        if wait_minutes:  # the password is not even checked: no answer to learn from
            return render_template("login.html", error="too_many_logins", wait_minutes=wait_minutes), 429
        try:
            who = check_password(database(), name, request.form.get("password", ""))
        except PermissionDenied:
            throttle.failed(name)
            error = "wrong_login"
        else:
            throttle.succeeded(name)
            keep = session.get("lang")
            session.clear()
            session["user"] = who.name
            if keep:
                session["lang"] = keep
            csrf_token()
            target = request.args.get("next", "")
            if not _local(target):
                target = url_for(home_for(who))
            return redirect(target)
    return render_template("login.html", error=error), 401 if error else 200


def _local(target: str) -> bool:
    """A path on this site only (never //host or /\\host, which browsers take for another site)."""
    return target.startswith("/") and not target.startswith(("//", "/\\", "/login")) and "\\" not in target


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/favicon.ico")
def favicon() -> Response:
    return Response(status=204)


@bp.route("/")
def index() -> Any:
    return redirect(url_for(home_for(user())))


def role_label(who: User | None) -> str:
    return LABELS[who.role] if who else ""
