"""What a SQLite file says of itself (store/sqlite_files.py), on a migrated database and on a stranger's file."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from assetledger.store import migrate, sqlite_files


def test_a_migrated_file_and_its_copy(sqlite_template: Path, tmp_path: Path) -> None:
    source, copied = tmp_path / "a.db", tmp_path / "copy.db"
    shutil.copyfile(sqlite_template, source)
    sqlite_files.copy(source, copied, read_only_source=True, self_contained=True)
    assert sqlite_files.revision(copied) in migrate.heads()
    assert sqlite_files.newest_seal(copied) == sqlite_files.newest_seal(source)
    assert sqlite_files.integrity(copied) == []
    assert sqlite_files.user_tables(copied) == sqlite_files.user_tables(source) != []
    assert not Path(f"{copied}-wal").exists()  # one self-contained file


def test_a_file_that_is_not_assetledgers(tmp_path: Path) -> None:
    other, missing, text_file = tmp_path / "other.db", tmp_path / "missing.db", tmp_path / "notes.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    text_file.write_text("not a database", encoding="utf-8")
    assert sqlite_files.revision(other) is None
    assert sqlite_files.newest_seal(other) == (0, None)
    assert sqlite_files.user_tables(other) == ["notes"]
    assert sqlite_files.user_tables(missing) == []
    assert sqlite_files.user_tables(text_file) == ["(not a SQLite database)"]
