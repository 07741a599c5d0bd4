"""Fava on this computer only (`assetledger ledger fava`): an entity's exported books served by Fava's own WSGI app
in this process, on 127.0.0.1, read-only, with no login, so it must answer nobody but this computer's own browser.

- Bound to 127.0.0.1 only (never another address), and a request must name 127.0.0.1:PORT or localhost:PORT as its
  Host: a page of another site whose name was made to point at 127.0.0.1 (DNS rebinding) is refused (403).
- Read-only: Fava runs with read_only=True, only GET and HEAD pass, and the editor, import, source, document and
  extension pages are refused (403) before Fava sees them, as in the web app's mount (web/fava_mount.py).

Anyone else (another computer, another user) reads the books in the web app, `/fava/<entity>/`, behind its login,
role and scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, url_for

HOST = "127.0.0.1"
# Fava pages and API calls that edit, import or read files beyond the exported books, and its Referer redirect.
BLOCKED = re.compile(
    r"^[^/]+/(?:editor|import)/|^[^/]+/api/(?:source|source_slice|imports|extract|documents|upload_import_file)\b"
    r"|^[^/]+/(?:document|statement)/|^[^/]+/extension(?:_js_module)?/"
    r"|^jump\b"  # redirects to the Referer: wherever the previous page was
)
READING = ("GET", "HEAD")

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def local_fava(path: Path, port: int) -> Wsgi:
    """Fava's app on the ledger file `path`, read-only, answering requests addressed to this computer only."""
    return guarded(fava_app([str(path)]), port)


def fava_app(paths: list[str], **options: Any) -> Flask:
    """Fava's WSGI app on the ledger files, read-only.

    Fava memoises its links process-wide by endpoint and values alone, not by the app or the prefix it is served
    under, so in one process serving several ledgers (the web's /fava/<entity>/) a link made for one entity would
    be handed to another's pages. Its links are made afresh each time instead (a cache that holds nothing)."""
    from fava import application

    application._cached_url_for = lru_cache(maxsize=0)(url_for)
    return application.create_app(paths, load=True, read_only=True, **options)


def guarded(app: Wsgi, port: int) -> Wsgi:
    """`app` behind the checks above: other hosts, methods that write, and the blocked pages are refused."""
    hosts = {f"{HOST}:{port}", f"localhost:{port}"}

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = str(environ.get("HTTP_HOST", "")).lower()
        if host not in hosts:
            return _refuse(start_response, "403 Forbidden",
                           f"只接受本机访问 http://{HOST}:{port}/ ；其他人请使用 Web 应用的 /fava/（需登录）"
                           f" (this Fava answers http://{HOST}:{port}/ on this computer only; others use the web "
                           "app's /fava/ behind its login)")  # fmt: skip
        if environ.get("REQUEST_METHOD", "GET") not in READING:
            return _refuse(start_response, "405 Method Not Allowed", "只读 (read-only)")
        if BLOCKED.search(str(environ.get("PATH_INFO", "")).lstrip("/")):
            return _refuse(start_response, "403 Forbidden", "只读：此页面不可用 (read-only: not available here)")
        return app(environ, start_response)

    return wsgi


def _refuse(start_response: Callable[..., Any], status: str, text: str) -> Iterable[bytes]:
    body = (text + "\n").encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
