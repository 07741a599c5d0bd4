"""Peak memory of `assetledger serve` under many logins at once, with the password gate at its default size and
opened wide (as before the gate existed). Not run by CI.

Makes a SQLite database in a temporary folder with --users users (each with a password), starts the real server
(`python -m assetledger.cli.main serve`) on a free port, and sends one login per user at the same moment from as
many threads (each with its own cookie jar: GET /login for the CSRF token, then POST). It reads the server's peak
resident memory (VmHWM in /proc/PID/status) before and after, and counts the answers (302 logged in, 503 busy).

    python benchmarks/login_memory.py                  # 24 users; gate 2 (default) and gate 24
    python benchmarks/login_memory.py --users 24 --gates 2 4 24
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from assetledger.domain.access import Role
from assetledger.services import users
from assetledger.store import migrate
from assetledger.store.db import Database

PASSWORD = "correct horse battery"


def _kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    assert found, field
    return int(found.group(1))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database(folder: Path, count: int) -> str:
    url = f"sqlite:///{folder / 'login.db'}"
    migrate.upgrade(url)
    db = Database(url)
    users.grant(db, "admin", Role.FINANCE, "*", "setup")
    for i in range(count):
        users.grant(db, f"user{i:02d}", Role.AUDITOR, "*", "admin")
        users.set_password(db, f"user{i:02d}", PASSWORD, "admin")
    db.dispose()
    return url


def _login(base: str, name: str, answers: Counter[int], start: threading.Barrier) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(f"{base}/login", timeout=120).read().decode()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    form = urllib.parse.urlencode({"user": name, "password": PASSWORD, "csrf_token": found.group(1)}).encode()
    start.wait()
    try:
        status = opener.open(f"{base}/login", data=form, timeout=120).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    answers[status] += 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def measure(url: str, folder: Path, count: int, gate: int) -> dict[str, object]:
    port = _free_port()
    key = folder / "web.key"
    server = subprocess.Popen(
        [sys.executable, "-m", "assetledger.cli.main", "--db", url, "serve", "--port", str(port), "--secret-file",
         str(key), "--password-checks", str(gate)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/login", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        before = _kib(server.pid, "VmHWM")
        answers: Counter[int] = Counter()
        start = threading.Barrier(count)
        threads = [threading.Thread(target=_login, args=(base, f"user{i:02d}", answers, start)) for i in range(count)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - began
        peak = _kib(server.pid, "VmHWM")
        return {"gate": gate, "before_mib": before / 1024, "peak_mib": peak / 1024, "answers": dict(answers),
                "seconds": seconds}  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--gates", type=int, nargs="+", default=[2, 24])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assetledger-login-") as tmp:
        folder = Path(tmp)
        url = _database(folder, args.users)
        for gate in args.gates:
            r = measure(url, folder, args.users, gate)
            print(f"gate {r['gate']:>3}: {args.users} logins at once, peak RSS {r['before_mib']:.0f} MiB -> "
                  f"{r['peak_mib']:.0f} MiB, answers {r['answers']}, {r['seconds']:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
