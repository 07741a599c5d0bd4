"""`assetledger serve`: the web interface for the bureau, the villages and the auditors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import click

from assetledger.cli.common import App, pass_app, say
from assetledger.io.tabular import reporting_notes

SECRET_ENV = "ASSETLEDGER_WEB_SECRET"
SECURE_ENV = "ASSETLEDGER_SECURE_COOKIES"
STORE_ENV = "ASSETLEDGER_THROTTLE_STORE"
MAKE_SECRET = "head -c 32 /dev/urandom > FILE && chmod 600 FILE"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep 127.0.0.1 "
              "unless a TLS reverse proxy is in front).")  # fmt: skip
@click.option("--port", type=int, default=8000, show_default=True, help="Port.")
@click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the session signing key, at least 32 bytes (created with 32 random bytes "
              f"if missing; make one: {MAKE_SECRET}). Default: env {SECRET_ENV}, else a random key per run "
              "(everyone logs in again after a restart).")  # fmt: skip
@click.option("--secure-cookies/--no-secure-cookies", envvar=SECURE_ENV, default=False, show_default=True,
              help="Behind TLS: cookies are sent over HTTPS only (session cookie __Host-assetledger) and browsers "
              f"are told to keep to HTTPS (HSTS). Env {SECURE_ENV}=1.")  # fmt: skip
@click.option("--proxy-fix", type=click.IntRange(min=0), default=0, show_default=True,
              help="Number of reverse proxies in front whose X-Forwarded-For and X-Forwarded-Proto to trust "
              "(0: none; give 1 behind one TLS proxy that sets them).")  # fmt: skip
@click.option("--password-checks", type=click.IntRange(min=1), default=2, show_default=True,
              help="Password (Argon2) checks at once; each holds 64 MiB, others wait up to 10 s and are then "
              "answered 503 (try again).")  # fmt: skip
@click.option("--awards-policy", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Award policy (TOML) for the awards page, overriding the policies finance stores on the page "
              "(/awards/policies, versioned); repeat for the year's several evaluations.")  # fmt: skip
@click.option("--threads/--no-threads", default=True, show_default=True, help="Serve requests in threads.")
@click.option("--base-url", envvar="ASSETLEDGER_BASE_URL", help="Public address of the app (behind the proxy), "
              "for QR codes on labels and certificates. Default: the address each page is asked at.")  # fmt: skip
@click.option("--throttle-store", envvar=STORE_ENV, default="database", show_default=True,
              help="Where failed logins are counted (5 per user name in 15 minutes, then a pause), shared by "
              "every server process and kept over a restart: 'database' (the app's own database), or a Redis "
              "URI such as redis://127.0.0.1:6379/0 (needs pip install 'assetledger[redis]'). "
              f"Env {STORE_ENV}.")  # fmt: skip
@pass_app
def command(app: App, host: str, port: int, secret_file: Path | None, secure_cookies: bool, proxy_fix: int,
            password_checks: int, awards_policy: tuple[Path, ...], threads: bool,
            base_url: str | None, throttle_store: str) -> None:  # fmt: skip
    """Serve the web interface (Chinese; ?lang=en for English) on the same database and services as the CLI.

    \b
    Users log in with a password set by `assetledger user password NAME`; each sees what its role and scope
    allow: finance 县财政局 (registers, upload, governance, inventory, awards, books, distribution, audit),
    village-accountant 村会计 (revenue and costs, distribution, public notice), auditor 审计 (BQL, read-only
    SQL, audit package, Fava), inventory 清查组 (inventory progress). Every form carries a CSRF token; a
    session ends at logout, at a password change, when the user is revoked, and 12 hours after login.
    \b
    assetledger user password zhang          # prompts twice; or --password-stdin
    assetledger serve --port 8000            # then open http://127.0.0.1:8000/
    assetledger serve --secret-file /etc/assetledger/web.key --secure-cookies --proxy-fix 1   # behind TLS
    """
    from werkzeug.serving import run_simple

    from assetledger.web import create_app

    if base_url:
        from assetledger.services.certificates import asset_url

        asset_url(base_url, "x")  # refused now, not on the first label
    web = create_app(app.db, secret_key=_secret(secret_file), awards_policies=[str(p) for p in awards_policy] or None,
                     secure_cookies=secure_cookies, proxy_fix=proxy_fix, password_checks=password_checks,
                     documents=app.place, base_url=base_url, throttle_store=_store(throttle_store))  # fmt: skip
    from assetledger.reports.charts import font_note

    click.echo(font_note())  # a chart without a Chinese font is drawn in English: said now, with how to install one
    kind = app.db.url.split("://", 1)[0]
    say(
        f"assetledger 网页版：http://{host}:{port}/（{kind}），按 Ctrl-C 停止",
        f"assetledger web on http://{host}:{port}/ ({kind}) — Ctrl-C to stop",
    )
    with reporting_notes(None):  # an upload's notes are the page's to show (io/tabular.py), not the console's
        run_simple(host, port, web, threaded=threads, use_reloader=False, use_debugger=False)


def _store(uri: str) -> str:
    """The throttle's store, checked now (an unknown scheme, or Redis without its client, is refused at start)."""
    if uri == "database":
        return uri
    from limits.errors import ConfigurationError
    from limits.storage import storage_from_string

    try:
        storage_from_string(uri)
    except (ConfigurationError, ImportError) as exc:
        raise click.BadParameter(
            f"{uri!r}：无法使用，请给出 database，或 Redis 地址如 redis://127.0.0.1:6379/0 并安装 "
            f"pip install 'assetledger[redis]' ({exc}; give 'database', or a Redis URI like "
            "redis://127.0.0.1:6379/0 with pip install 'assetledger[redis]')",
            param_hint="--throttle-store",
        ) from exc
    return uri


def _secret(path: Path | None) -> bytes | None:
    """The signing key: the file's bytes (the file made if missing), else the environment's; never fewer than
    MIN_SECRET bytes (an empty or short key is refused, not replaced by a random one)."""
    from assetledger.web import MIN_SECRET  # the web app's own bound (imported with the app anyway)

    if path is not None:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
            )  # never readable by others, not even briefly
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(MIN_SECRET))
        key = path.read_bytes()
        if len(key) < MIN_SECRET:
            raise click.BadParameter(
                f"{path} 只有 {len(key)} 字节，签名密钥至少需要 {MIN_SECRET} 字节 "
                f"({path} holds {len(key)} bytes; a signing key needs at least {MIN_SECRET}. Make one: "
                f"{MAKE_SECRET.replace('FILE', str(path))} (or remove the file and serve makes one))",
                param_hint="--secret-file",
            )
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            say(
                f"警告：其他用户可读取 {path}；请运行 chmod 600 {path}",
                f"warning: {path} can be read by other users; chmod 600 {path}",
                err=True,
            )
        return key
    env = os.environ.get(SECRET_ENV)
    if env is None:
        return None
    if len(env.encode()) < MIN_SECRET:
        raise click.BadParameter(
            f"{SECRET_ENV} 只有 {len(env.encode())} 字节，签名密钥至少需要 {MIN_SECRET} 字节 "
            f"({SECRET_ENV} holds {len(env.encode())} bytes; a signing key needs at least {MIN_SECRET} "
            "(e.g. python3 -c 'import secrets; print(secrets.token_hex(32))'))",
            param_hint=SECRET_ENV,
        )
    return env.encode()
