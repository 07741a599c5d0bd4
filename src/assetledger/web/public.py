"""The public area (/public/<village>): a village's published notices, its assets and what they earned, for anyone,
without an account (issue 24).

It is a Flask app of its own, mounted under /public in front of the system's app (`mount`), not a blueprint of it:
none of the system's request hooks, sessions, cookies, CSRF tokens, language switch, error pages or navigation
run here, and no route of the system is reachable through it. What it serves:
- GET (and HEAD) /public/<village code> only; anything else is 404 (another path) or 405 (another method);
- the query string is ignored (a link shared in WeChat gets `?from=…` appended), so no parameter can widen what
  is shown: the page is a function of the village code and of what was published, nothing else;
- the page is the self-contained document of reports/public_page.py (styles inline, no script, no image, links
  only to its own sections), under a Content-Security-Policy that allows nothing else;
- no cookie is ever set, and the response says so to caches: public, short-lived.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from assetledger.errors import NotFoundError
from assetledger.reports.public_page import public_html
from assetledger.services.public_notices import public_village
from assetledger.store.db import Database

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

PREFIX = "/public"
VILLAGE_CODE = re.compile(r"[0-9]{6,32}")
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=300",
    "X-Robots-Tag": "noindex, nofollow",  # for villagers and their groups, not for search engines
}
MISSING = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>未找到 Not found</title></head>
<body><p>没有这个村的公示。<br>No published notice here.</p></body></html>"""


def create_public_app(db: Database, *, secure: bool = False) -> Flask:
    """The public area as an app of its own (see the module's notes); `secure`: served over TLS (HSTS)."""
    app = Flask(__name__, static_folder=None, template_folder=None)
    app.url_map.strict_slashes = False

    def village_page(village: str) -> Response:
        if not VILLAGE_CODE.fullmatch(village):
            raise NotFoundError("public page", village)
        return Response(public_html(public_village(db, village)), mimetype="text/html")

    app.add_url_rule("/<village>", "village", village_page, methods=["GET"], provide_automatic_options=False)

    @app.errorhandler(NotFoundError)
    def _missing(exc: NotFoundError) -> Response:
        return Response(MISSING, status=404, mimetype="text/html")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        code = exc.code or 500
        return Response(MISSING if code == 404 else f"{code}", status=code, mimetype="text/html")

    @app.errorhandler(Exception)
    def _failed(exc: Exception) -> Response:  # never a traceback to the public
        return Response("500 服务器错误 server error", status=500, mimetype="text/plain")

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers[name] = value
        if secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        response.headers.pop("Set-Cookie", None)  # nothing here sets one; this keeps it so
        if response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


def mount(system: WSGIApplication, db: Database, *, secure: bool = False) -> WSGIApplication:
    """`system` with the public area in front of it under /public."""
    return DispatcherMiddleware(system, {PREFIX: create_public_app(db, secure=secure)})
