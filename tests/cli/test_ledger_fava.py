"""`assetledger ledger fava`: Fava with no login, so on this computer only and read-only. Through the real export of
the web tests' county, Fava's real WSGI app, and the real command in a process of its own on a free port."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urlsplit
from urllib.request import Request, urlopen

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from assetledger.cli.main import cli
from assetledger.ledger.fava_local import local_fava
from assetledger.services.ledger_files import export_entity
from assetledger.store.db import Database
from tests.conftest import Cli
from tests.web.conftest import VILLAGE

pytestmark = pytest.mark.skipif(importlib.util.find_spec("fava") is None, reason="Fava is not installed")
ENTITY = f"V{VILLAGE}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_only_this_computers_requests_and_only_reading_reach_fava(county: Cli, db: Database, tmp_path: Path) -> None:
    county("ledger", "post", "--asset", "A-1", "--revenue", "rent", "--amount", "2500", "--date", "2025-04-01",
           "--narration", "四月租金", user="li")  # fmt: skip
    path, _ = export_entity(db, ENTITY, tmp_path / "books.beancount", "wang")
    port = 5123
    client = Client(local_fava(path, port))
    location = client.get("/", base_url=f"http://127.0.0.1:{port}").headers["Location"]
    slug = unquote(urlsplit(location).path).strip("/").split("/")[0]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        shown = client.get(f"/{slug}/api/journal_page?page=1&order=desc", base_url=f"http://{host}")
        assert shown.status_code == 200 and "四月租金" in shown.json["data"]["journal"], host
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}", "10.0.0.5", ""):
        refused = client.get("/", base_url=f"http://{host}" if host else "http://x", headers={"Host": host})
        assert refused.status_code == 403 and "/fava/" in refused.get_data(as_text=True), host  # DNS rebinding
    here = f"http://127.0.0.1:{port}"
    assert client.post(f"/{slug}/api/source", base_url=here).status_code == 405
    for page in ("editor/", "import/", "api/source?filename=x", "document/?filename=/etc/passwd"):
        assert client.get(f"/{slug}/{page}", base_url=here).status_code == 403, page


def test_the_command_serves_on_127_0_0_1_and_says_who_else_goes_where(
    county: Cli, db: Database, tmp_path: Path
) -> None:
    """Served from a folder of exported books, removed when the command is stopped (here by SIGTERM)."""
    shown = CliRunner().invoke(cli, ["ledger", "fava", "--help"])
    assert "127.0.0.1" in shown.output and "read-only" in shown.output and "/fava/" in shown.output
    if not db.is_sqlite:
        pytest.skip("the command itself: once, on SQLite")
    port = _free_port()
    args = [sys.executable, "-m", "assetledger.cli.main", "--db", county.url, "--user", "wang", "ledger", "fava",
            "--entity", ENTITY, "--port", str(port)]  # fmt: skip
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        status = 0
        for _ in range(300):  # up to a minute for the export and Fava's first load
            try:
                with urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    status = answer.status
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert status == 200, server.stdout.read().decode() if server.poll() is not None and server.stdout else ""
        assert [p.name for p in temp.iterdir() if p.name.startswith("assetledger-fava-")], "the books are exported"
        with pytest.raises(HTTPError) as refused:
            urlopen(Request(f"http://127.0.0.1:{port}/", headers={"Host": "evil.example"}), timeout=5)
        assert refused.value.code == 403
        with socket.socket() as probe:  # nothing listens on the other loopback addresses: bound to 127.0.0.1 only
            assert probe.connect_ex(("127.0.0.2", port)) != 0
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.returncode == 0
    assert [p.name for p in temp.iterdir() if p.name.startswith("assetledger-fava-")] == [], "the books are removed"
