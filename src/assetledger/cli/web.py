"""`assetledger serve`: the web interface for the bureau, the villages and the auditors."""

from __future__ import annotations

import os
from pathlib import Path

import click

from assetledger.cli.common import App, pass_app

SECRET_ENV = "ASSETLEDGER_WEB_SECRET"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep 127.0.0.1 "
              "unless a TLS reverse proxy is in front).")  # fmt: skip
@click.option("--port", type=int, default=8000, show_default=True, help="Port.")
@click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path),
              help=f"File holding the session signing key (created if missing). Default: env {SECRET_ENV}, "
              "else a random key per run (everyone logs in again after a restart).")  # fmt: skip
@click.option("--awards-policy", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Award policy (TOML) for the awards page; repeat for the year's several evaluations (default: "
              "the three examples of ledgers/policy).")  # fmt: skip
@click.option("--threads/--no-threads", default=True, show_default=True, help="Serve requests in threads.")
@pass_app
def command(app: App, host: str, port: int, secret_file: Path | None, awards_policy: tuple[Path, ...],
            threads: bool) -> None:  # fmt: skip
    """Serve the web interface (Chinese; ?lang=en for English) on the same database and services as the CLI.

    \b
    Users log in with a password set by `assetledger user password NAME`; each sees what its role and scope
    allow: finance 县财政局 (registers, upload, governance, inventory, awards, books, distribution, audit),
    village-accountant 村会计 (revenue and costs, distribution, public notice), auditor 审计 (BQL, read-only
    SQL, audit package, Fava), inventory 清查组 (inventory progress). Every form carries a CSRF token.
    \b
    assetledger user password zhang          # prompts twice; or --password-stdin
    assetledger serve --port 8000            # then open http://127.0.0.1:8000/
    """
    from werkzeug.serving import run_simple

    from assetledger.web import create_app

    web = create_app(app.db, secret_key=_secret(secret_file),
                     awards_policies=[str(p) for p in awards_policy] or None)  # fmt: skip
    click.echo(f"assetledger web on http://{host}:{port}/ ({app.db.url.split('://', 1)[0]}) — Ctrl-C to stop")
    run_simple(host, port, web, threaded=threads, use_reloader=False, use_debugger=False)


def _secret(path: Path | None) -> bytes | None:
    if path is not None:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(32))
            path.chmod(0o600)
        return path.read_bytes()
    env = os.environ.get(SECRET_ENV)
    return env.encode() if env else None
