"""Kill -9 a bulk import at a chosen moment and check what is left: shared by tests/hardening/test_crash.py and
benchmarks/crash_stress.py.

The commands run in real child processes. To keep each kill cheap, a "zygote" process imports assetledger once
and forks one child per command; the test sends SIGKILL to that child's pid after a delay counted from the moment
the child starts running the command (interpreter start-up and imports are not part of the window).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from assetledger.store.db import Database
from assetledger.store.integrity import WRITER_LOCK_KEY
from tests.hardening.harness import ROOT, assets_file, entries_file, findings, lost_rows, table_checksums, table_rows

ZYGOTE = r"""
import json, os, sys, traceback
from assetledger.cli.main import main, preload
preload()  # every command imported before the first fork, so no child's timing includes it
print("READY", flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "wait":
        _, status = os.waitpid(cmd["pid"], 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
        continue
    started_r, started_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(started_r)
        os.chdir(cmd["cwd"])
        log = os.open(cmd["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.write(started_w, b"1")
        os.close(started_w)
        code = 0
        try:
            if cmd["op"] == "py":  # a script (e.g. a concurrency worker) with assetledger already imported
                sys.argv = ["worker", *cmd["args"]]
                exec(compile(cmd["code"], "<worker>", "exec"), {"__name__": "__worker__"})
            else:
                sys.argv = ["assetledger", *cmd["args"]]
                main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 99
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    os.close(started_w)
    os.read(started_r, 1)
    os.close(started_r)
    print(pid, flush=True)
"""


class Zygote:
    """A process with assetledger imported that forks a child per command."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        if self._read() != "READY":
            raise RuntimeError("zygote did not start")

    def _read(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def _send(self, cmd: dict[str, object]) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def start(self, args: Sequence[str], cwd: Path, log: Path) -> int:
        """Fork a child running `assetledger ARGS`; returns its pid once it has started."""
        return int(self._send({"op": "run", "args": list(args), "cwd": str(cwd), "log": str(log)}))

    def spawn(self, code: str, args: Sequence[str], cwd: Path, log: Path) -> int:
        """Fork a child running the Python `code` with sys.argv[1:] = ARGS; returns its pid once it has started."""
        return int(self._send({"op": "py", "code": code, "args": list(args), "cwd": str(cwd), "log": str(log)}))

    def wait(self, pid: int) -> int:
        return int(self._send({"op": "wait", "pid": pid}))

    def run(self, args: Sequence[str], cwd: Path, log: Path) -> tuple[int, str]:
        code = self.wait(self.start(args, cwd, log))
        return code, log.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


@dataclass
class Job:
    """One bulk command and how to count its rows in the database (every count is 0 before, `full` after)."""

    name: str
    args: list[str]
    counts_sql: list[str]
    full: tuple[int, ...]

    def state(self, db: Database) -> tuple[int, ...]:
        with db.engine.connect() as conn:
            return tuple(int(conn.execute(text(sql)).scalar() or 0) for sql in self.counts_sql)


def asset_job(folder: Path, trial: str, rows: int) -> Job:
    """`asset import` of `rows` new operating assets (each also gets an opening entry in its village's books)."""
    path = assets_file(folder / f"assets-{trial}.csv", rows, prefix=trial)
    return Job(
        "asset import",
        ["asset", "import", str(path)],
        [
            f"SELECT count(*) FROM assets WHERE asset_id LIKE '{trial}-%'",
            f"SELECT count(*) FROM import_batches WHERE source_name = '{path.name}'",
            f"SELECT count(*) FROM entries WHERE asset_id LIKE '{trial}-%'",
            f"SELECT count(*) FROM asset_events WHERE asset_id LIKE '{trial}-%'",
        ],
        (rows, 1, rows, rows),
    )


def entries_job(folder: Path, trial: str, rows: int, assets: Sequence[str]) -> Job:
    """`ledger import-entries` of `rows` revenue rows, each with its own ref."""
    path = entries_file(folder / f"entries-{trial}.csv", assets, rows, trial)
    return Job(
        "import-entries",
        ["ledger", "import-entries", str(path)],
        [
            f"SELECT count(*) FROM entries WHERE ref LIKE '{trial}-%'",
            f"SELECT count(*) FROM postings p JOIN entries e ON e.id = p.entry_id WHERE e.ref LIKE '{trial}-%'",
        ],
        (rows, 2 * rows),
    )


# Before e4d6cd7 a writer killed while sealing on PostgreSQL left a gap in chain_links.seq (sequences are not
# transactional) that `audit verify` reported as "links missing". Kept as a counter so the stress run shows it is 0.
SEQ_GAP = "links missing before this sequence number"


@dataclass
class Outcome:
    job: str
    delay: float
    exit_code: int  # of the killed child: -9 if the kill landed, 0 if it had finished
    committed: bool
    partial: tuple[int, ...] | None  # the counts if neither none nor all of the file's rows are there
    lost: dict[str, int]
    findings: list[str]
    seq_gap_alarms: int
    rerun_code: int
    rerun_complete: bool
    third_run_noop: bool
    rerun_findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.partial is None
            and not self.lost
            and not self.findings
            and self.rerun_code == 0
            and self.rerun_complete
            and self.third_run_noop
            and not self.rerun_findings
        )


def settle(db: Database) -> None:
    """Wait until no writer holds the writer lock (a killed client's PostgreSQL backend finishes or rolls back)."""
    if db.is_sqlite:
        return  # the kernel dropped the dead process's file locks; the next reader recovers from the WAL
    with db.engine.begin() as conn:
        conn.execute(text(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})"))


PAUSE_AT_SEAL = r"""
import sys, time
from pathlib import Path
import assetledger.store.db as store_db
from assetledger.cli.main import main
flag, deadline = Path(sys.argv[1]), time.monotonic() + 600
real_seal = store_db.seal
def seal(*args, **kwargs):  # every row written and sealed, COMMIT not yet sent: wait here to be killed
    count = real_seal(*args, **kwargs)
    flag.touch()
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return count
store_db.seal = seal
sys.argv = ["assetledger", *sys.argv[2:]]
main()
"""


def crash_trial(
    zygote: Zygote, db: Database, job: Job, delay: float | None, folder: Path, *, third_run: bool = True
) -> Outcome:
    """Kill `job` after `delay` seconds, then check, re-run it, and (`third_run`) run it once more.

    `delay` None: kill it at a known point instead, once it has written and sealed its rows and is about to commit
    (the child waits there for the kill), so that the trial lands inside the transaction whatever the load.
    """
    before = table_rows(db)
    args = ["--db", db.url, "--user", "tester", *job.args]
    if delay is None:
        flag = folder / f"sealed-{time.monotonic_ns()}"
        pid = zygote.spawn(PAUSE_AT_SEAL, [str(flag), *args], folder, folder / "killed.log")
        deadline = time.monotonic() + 300  # only keeps a broken child from hanging the suite
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        pid = zygote.start(args, folder, folder / "killed.log")
        time.sleep(delay)
    os.kill(pid, signal.SIGKILL)  # a child that already finished is a zombie until wait(): the kill is harmless
    code = zygote.wait(pid)
    settle(db)
    state = job.state(db)
    none = tuple(0 for _ in job.full)
    lost = lost_rows(before, table_rows(db))
    found = [f"{check}: {what}" for check, what in findings(db)]
    gaps = sum(1 for f in found if SEQ_GAP in f)
    rerun_code, _ = zygote.run(["--db", db.url, "--user", "tester", *job.args], folder, folder / "rerun.log")
    complete = job.state(db) == job.full
    noop = True
    if third_run:
        again_before = table_checksums(db)
        third_code, _ = zygote.run(["--db", db.url, "--user", "tester", *job.args], folder, folder / "third.log")
        noop = third_code == 0 and table_checksums(db) == again_before
    after = [f"{check}: {what}" for check, what in findings(db)]
    return Outcome(
        job=job.name,
        delay=delay,
        exit_code=code,
        committed=state == job.full,
        partial=None if state in (none, job.full) else state,
        lost=lost,
        findings=found,
        seq_gap_alarms=gaps,
        rerun_code=rerun_code,
        rerun_complete=complete,
        third_run_noop=noop,
        rerun_findings=after,
    )


def timed_run(zygote: Zygote, db: Database, job: Job, folder: Path) -> float:
    """Run a job to the end and return how long it took (the window the kill delays are drawn from)."""
    start = time.perf_counter()
    code, log = zygote.run(["--db", db.url, "--user", "tester", *job.args], folder, folder / "timed.log")
    if code != 0:
        raise RuntimeError(f"{job.name} failed ({code}): {log}")
    return time.perf_counter() - start
