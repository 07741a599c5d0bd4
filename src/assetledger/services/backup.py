"""Backup and restore of the system of record.

SQLite: SQLite's online backup API copies the database page by page inside one read transaction, so the copy is a
consistent snapshot even while other processes write (WAL lets them go on). The copy is written to a temporary file
beside the target, switched to a single self-contained file (journal_mode=DELETE), checked with
`PRAGMA integrity_check`, flushed to disk and only then renamed onto the target: a crash leaves either no backup or
a whole one, never half a file under the backup's name.

A restore checks the backup first (it is a SQLite database, `PRAGMA integrity_check` says ok, its Alembic revision is
the one this assetledger expects) and then copies it into the target with the same backup API, which writes through
SQLite's own locking and journal: the target is replaced in one transaction, so a crash leaves the old database or
the restored one, and a stale write-ahead log can never be replayed over the new content.

PostgreSQL: pg_dump / pg_restore are the right tools (consistent snapshots, parallel restore, roles); assetledger
refuses and prints the exact commands for the database in use.
"""

from __future__ import annotations

import hashlib
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from assetledger.errors import ConfigError, Finding, InputError, RuleViolation
from assetledger.services.access import require_whole_database
from assetledger.store import migrate, sqlite_files
from assetledger.store.db import Database, resolve_url


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, read from the file itself."""

    path: Path
    size: int
    sha256: str
    revision: str | None
    chain_seq: int
    chain_head: str | None
    tables: int


def backup(url: str | None, target: Path, actor: str, *, force: bool = False) -> BackupInfo:
    """Copy the database at `url` into the file `target` (SQLite only; PostgreSQL refuses with pg_dump commands),
    for a finance user whose scope covers the whole database (services/access.require_whole_database)."""
    resolved = resolve_url(url)
    _require_whole_database(resolved, actor)
    if not resolved.startswith("sqlite"):
        raise RuleViolation(postgres_advice(resolved, target, "backup"))
    source = sqlite_path(resolved)
    if not source.exists():
        raise ConfigError(f"找不到数据库 {source} (no database at {source})")
    target = target.resolve()
    if target == source.resolve():
        raise RuleViolation(
            "备份文件就是数据库本身，请另选一个文件 (the backup file is the database itself; choose another file)"
        )
    if target.exists() and not force:
        raise RuleViolation(
            f"文件 {target} 已存在，请另选新文件，或加 --force 替换 "
            f"({target} exists; choose a new file or give --force to replace it)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    sqlite_files.remove(partial)
    try:
        sqlite_files.copy(source, partial, self_contained=True)  # one snapshot, even while others write
        problems = sqlite_files.integrity(partial)
        if problems:
            raise ConfigError(
                f"{source} 的副本未通过完整性检查 "
                f"(the copy of {source} fails integrity_check: {'; '.join(problems[:5])})"
            )
        sqlite_files.fsync(partial)
        os.replace(partial, target)
        sqlite_files.fsync(target.parent)
    finally:
        sqlite_files.remove(partial)
    return describe(target)


def restore(url: str | None, source: Path, actor: str, *, force: bool = False) -> BackupInfo:
    """Check the backup `source` and copy it into the database at `url` (SQLite only), for a finance user whose
    scope covers the whole database it replaces (none to replace: anyone, as in set-up mode)."""
    resolved = resolve_url(url)
    _require_whole_database(resolved, actor)
    if not resolved.startswith("sqlite"):
        raise RuleViolation(postgres_advice(resolved, source, "restore"))
    check_backup(source)
    target = sqlite_path(resolved)
    if target.resolve() == source.resolve():
        raise RuleViolation("备份文件就是要恢复到的数据库本身 (the backup file is the target database itself)")
    if not force:
        held = sqlite_files.user_tables(target)
        if held:
            raise RuleViolation(
                f"{target} 不是空数据库（已有 {len(held)} 张表），请恢复到新文件，或加 --force 替换其全部内容 "
                f"({target} is not empty ({len(held)} tables, e.g. {', '.join(held[:3])}); restore into a new file "
                "or give --force to replace its whole content)"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:  # one write transaction on the target: the old content or the new, never a mixture
        sqlite_files.copy(source, target, read_only_source=True)
    except sqlite_files.Error as exc:
        raise ConfigError(f"无法恢复到 {target} (cannot restore into {target}: {exc})") from exc
    problems = sqlite_files.integrity(target)
    if problems:  # pragma: no cover - the copy of a checked file; kept as the last guard
        raise ConfigError(
            f"恢复后 {target} 未通过完整性检查 "
            f"({target} fails integrity_check after the restore: {'; '.join(problems[:5])})"
        )
    return describe(target)


def _require_whole_database(resolved: str, actor: str) -> None:
    """The actor's check against the database as it is now; a SQLite file not made yet, or without the schema's
    users, has no one to ask (set-up mode)."""
    if resolved.startswith("sqlite"):
        path = sqlite_path(resolved)
        if not path.exists() or "user_grants" not in sqlite_files.user_tables(path):
            return
    db = Database(resolved)
    try:
        with db.reading() as session:
            require_whole_database(session, actor)
    finally:
        db.dispose()


def check_backup(path: Path) -> BackupInfo:
    """A backup assetledger can restore: a readable SQLite file that passes integrity_check, at the current revision."""
    name = str(path)
    if not path.is_file():
        raise InputError([Finding(name, None, None, None, "找不到备份文件 (backup file not found)")])
    try:
        problems = sqlite_files.integrity(path, read_only=True)
        revision = sqlite_files.revision(path)
    except sqlite_files.Error as exc:
        if "not a database" in str(exc) or "unable to open" in str(exc):
            raise InputError(
                [Finding(name, None, None, None, f"不是可读的 SQLite 数据库 (not a readable SQLite database: {exc})")]
            ) from exc
        problems, revision = [str(exc)], None
    if problems:
        raise InputError(
            [
                Finding(name, None, "PRAGMA integrity_check", p, "备份文件已损坏 (the backup is damaged)")
                for p in problems[:20]
            ]
        )
    if revision is None:
        raise InputError(
            [Finding(name, None, "alembic_version", None, "不是 assetledger 的数据库 (not an assetledger database)")]
        )
    heads = migrate.heads()
    if revision not in heads:
        raise InputError(
            [
                Finding(
                    name,
                    None,
                    "alembic_version",
                    revision,
                    "备份的数据库版本与本程序不符：请先用 `assetledger --db "
                    "副本 db upgrade` 升级备份的副本（或用写入它的版本），"
                    f"再恢复该副本 (this assetledger expects revision {', '.join(heads)}; upgrade a copy of the backup "
                    "with `assetledger --db COPY db upgrade` (or use the version that wrote it) and restore that)",
                )
            ]
        )
    return describe(path)


def describe(path: Path) -> BackupInfo:
    seq, head = sqlite_files.newest_seal(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    size, revision, tables = path.stat().st_size, sqlite_files.revision(path), sqlite_files.table_count(path)
    return BackupInfo(path, size, digest.hexdigest(), revision, seq, head, tables)


def postgres_advice(url: str, file: Path, what: str) -> str:
    """Why PostgreSQL is refused, with the exact pg_dump / pg_restore commands for this database."""
    parsed = make_url(url).set(drivername="postgresql")
    schema = None
    options = parsed.query.get("options")
    if options:
        text = options if isinstance(options, str) else " ".join(options)
        for part in text.split():
            if part.startswith("-csearch_path="):
                schema = part.split("=", 1)[1].split(",")[0]
    shown = parsed.render_as_string(hide_password=True)
    conn = shlex.quote(shown)
    schema_opt = f" --schema={shlex.quote(schema)}" if schema else ""
    dump = f"pg_dump --format=custom{schema_opt} --file={shlex.quote(str(file))} {conn}"
    restore_cmd = f"pg_restore --exit-on-error --no-owner --single-transaction --dbname={conn} {shlex.quote(str(file))}"
    secret = " (password hidden: give it by PGPASSWORD or ~/.pgpass)" if parsed.password else ""
    return (
        f"`db {what}` 只用于 SQLite 文件；PostgreSQL 请用 pg_dump 和 pg_restore "
        f"(`db {what}` works on SQLite files; on PostgreSQL use pg_dump and pg_restore{secret}):\n"
        f"  backup:  {dump}\n"
        f"  restore: {restore_cmd}   (into an empty database: createdb first)\n"
        f"  then:    assetledger --db {conn} audit verify"
    )


def sqlite_path(resolved_url: str) -> Path:
    database = make_url(resolved_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ConfigError(f"{resolved_url} 不是 SQLite 数据库文件 ({resolved_url} is not a SQLite database file)")
    return Path(database)


__all__ = ["BackupInfo", "backup", "check_backup", "describe", "postgres_advice", "restore"]
