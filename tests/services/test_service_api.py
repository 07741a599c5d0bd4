"""The services are the library's API (README "Layout"): a function that opens the database (takes a `Database`)
takes the acting user and checks what that user may read or write. Functions that take a `Session` are the parts a
service composes inside its own transaction, after its check; they are not called from the CLI or the web alone."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "src" / "assetledger" / "services"

# Opened without an acting user, each for its reason.
WITHOUT_ACTOR = {
    "public_notices.public_village": "the village's public page: what was published, for anyone",
    "regions.region_names": "the names of places, printed on every notice",
    "regions.region_name_of": "the name of one place",
    "users.check_password": "establishes who the actor is",
    "web_sessions.log_in": "establishes who the actor is",
    "web_sessions.session_user": "establishes who the actor is",
    "web_sessions.log_out": "ends a session by its token",
}


def _opening_functions() -> dict[str, list[str]]:
    """module.function -> parameter names, for every public top-level function whose parameters include a
    `Database`."""
    found: dict[str, list[str]] = {}
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            if any(p.annotation is not None and ast.unparse(p.annotation) == "Database" for p in params):
                found[f"{path.stem}.{node.name}"] = [p.arg for p in params]
    return found


def test_every_service_that_opens_the_database_takes_the_actor() -> None:
    opening = _opening_functions()
    assert len(opening) > 100, "the walk found the services"
    without = sorted(name for name, params in opening.items() if "actor" not in params and name not in WITHOUT_ACTOR)
    assert without == []


def test_the_exceptions_are_still_services() -> None:
    """An exception that no longer exists (renamed, or given an actor) is taken off the list."""
    opening = _opening_functions()
    stale = sorted(name for name in WITHOUT_ACTOR if name not in opening or "actor" in opening[name])
    assert stale == []
