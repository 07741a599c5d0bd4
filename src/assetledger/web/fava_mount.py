"""Fava inside the app (审计 → Fava): an entity's books served by Fava under /fava/<entity>/, behind the app's login
and the reader's scope, read-only, current, and gone with the server.

- Behind the login: Fava is not a server of its own; each request passes the app's session and role check, then
  the reader's scope (`readable_entity`), and only then reaches Fava's WSGI app (fava.application.create_app) with
  SCRIPT_NAME set to /fava/<entity>, so every link Fava makes stays under that prefix.
- Read-only: Fava runs with read_only=True (anything but GET is refused), only GET reaches it here, and the
  editor, import, source, document and extension pages are refused before Fava sees them; their links are hidden.
- Current: the export is kept with the version of the record it was made at (the hash chain head, as web/cache.py
  does); when the books have changed since, the entity is exported again and Fava loads the new file.
- Gone with the server: no process is started; the exports live in the process's own temporary folder, each
  removed when replaced and all when the server exits (or, if it was killed, when the next server starts).

Fava is an optional extra (`pip install 'assetledger[fava]'`); without it the page says how to install it.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, g, render_template, request
from werkzeug.wrappers import Response

from assetledger.domain.access import Role
from assetledger.ledger.fava_local import BLOCKED as LOCAL_BLOCKED
from assetledger.ledger.fava_local import fava_app
from assetledger.services.ledger_files import export_entity, readable_entity
from assetledger.store.db import Database
from assetledger.web.auth import database, roles, user
from assetledger.web.cache import record_version

bp = Blueprint("fava", __name__, url_prefix="/fava")
READERS = (Role.AUDITOR, Role.FINANCE)
# Fava pages and API calls that edit, import or read files beyond the exported books, and its Referer redirect:
# refused here, as by `ledger fava` (ledger/fava_local.py).
BLOCKED = LOCAL_BLOCKED
HIDE = (
    '<style id="assetledger-read-only">a[href$="/editor/"],a[href$="/import/"],a[href*="/editor/?"],'
    'a[href*="/import/?"]{display:none!important}</style>'
)


@dataclass
class Mounted:
    version: tuple[int, str]
    folder: Path
    app: Flask


_LOCK = threading.Lock()
_MOUNTED: OrderedDict[tuple[str, str], Mounted] = OrderedDict()
LIMIT = 8  # entities kept loaded at once; the least recently read is dropped (and its export removed)


def fava_available() -> bool:
    return importlib.util.find_spec("fava") is not None


@bp.route("/<entity>/", defaults={"rest": ""}, methods=["GET"])
@bp.route("/<entity>/<path:rest>", methods=["GET"])
@roles(*READERS)
def serve(entity: str, rest: str) -> Any:
    name = readable_entity(database(), entity, user().name)  # refused outside the reader's scope, every request
    if not fava_available():
        return render_template("fava.html", entity=entity, name=name), 501
    if BLOCKED.search(rest):
        return render_template("fava_blocked.html", entity=entity, name=name), 403
    mounted = current(database(), entity, user().name)
    environ = dict(request.environ)
    environ["SCRIPT_NAME"] = f"{request.script_root}/fava/{entity}"
    environ["PATH_INFO"] = str(request.environ.get("PATH_INFO", "")).removeprefix(f"/fava/{entity}") or "/"  # WSGI text
    environ["REQUEST_METHOD"] = "GET"
    environ["HTTP_ACCEPT_LANGUAGE"] = "zh" if getattr(g, "lang", "zh") == "zh" else "en"  # Fava in the page's language
    response = Response.from_app(mounted.app, environ, buffered=True)
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        response.set_data(page.replace("</head>", HIDE + "</head>", 1))
    response.headers["Cache-Control"] = "no-store"
    return response


def current(db: Database, entity: str, actor: str) -> Mounted:
    """Fava on the entity's books as they are now: exported again when the record changed since the last export."""
    version = record_version(db)
    key = (db.url, entity)
    with _LOCK:
        held = _MOUNTED.get(key)
        if held is not None and held.version == version:
            _MOUNTED.move_to_end(key)
            return held
        folder = Path(tempfile.mkdtemp(prefix=f"{safe_entity(entity)}-", dir=_own_folder()))
        path, _ = export_entity(db, entity, folder / f"{safe_entity(entity)}.beancount", actor)
        app = fava_app([str(path)], poll_watcher=True)
        _MOUNTED[key] = Mounted(version, folder, app)
        _MOUNTED.move_to_end(key)
        if held is not None:
            shutil.rmtree(held.folder, ignore_errors=True)
        while len(_MOUNTED) > LIMIT:
            shutil.rmtree(_MOUNTED.popitem(last=False)[1].folder, ignore_errors=True)
        return _MOUNTED[key]


def safe_entity(entity: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", entity)


def _own_folder() -> Path:
    """This process's folder of exports (<tmp>/assetledger-fava/<pid>); the folders of processes that are gone (a
    server killed before its exit handlers ran) are removed the first time."""
    root = Path(tempfile.gettempdir()) / "assetledger-fava"
    own = root / str(os.getpid())
    if not own.exists():
        root.mkdir(mode=0o700, exist_ok=True)
        for other in root.iterdir():
            if other.name.isdigit() and not _alive(int(other.name)):
                shutil.rmtree(other, ignore_errors=True)
        own.mkdir(mode=0o700, exist_ok=True)
    return own


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, someone else's
    return True


@atexit.register
def forget_all() -> None:
    """Remove every export (at exit, and in tests)."""
    with _LOCK:
        for held in _MOUNTED.values():
            shutil.rmtree(held.folder, ignore_errors=True)
        _MOUNTED.clear()
        shutil.rmtree(Path(tempfile.gettempdir()) / "assetledger-fava" / str(os.getpid()), ignore_errors=True)
