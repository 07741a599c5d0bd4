"""Where the bytes of documents live: a content-addressed folder (`ab/cd/<sha256>`), or the database.

The default is next to the database: for a SQLite file `x/assetledger.db` the folder `x/assetledger-documents/`;
for PostgreSQL the database itself (`document_contents`), so every application server sees the same files and a
`pg_dump` carries them. `--documents DIR` (or ASSETLEDGER_DOCUMENTS) names a folder instead. A file is written
under a temporary name and renamed into place, read-only, so a crash never leaves half a document under its hash.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assetledger.store.document_models import DocumentContent

DOCUMENTS_ENV = "ASSETLEDGER_DOCUMENTS"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class DocumentPlace:
    folder: Path | None  # None: in the database

    def describe(self) -> str:
        return f"folder {self.folder}" if self.folder else "the database (document_contents)"


def documents_place(db_url: str, configured: str | Path | None = None) -> DocumentPlace:
    """The configured folder, else the default next to the database (see the module's docstring)."""
    if configured:
        return DocumentPlace(Path(configured))
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return DocumentPlace(database.parent / f"{database.stem}-documents")
    return DocumentPlace(None)


def content_path(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256[2:4] / sha256


def put(session: Session, place: DocumentPlace, sha256: str, data: bytes) -> None:
    """Keep the bytes under their hash; bytes already kept intact are left as they are."""
    if place.folder is None:
        if session.get(DocumentContent, sha256) is None:
            session.add(DocumentContent(sha256=sha256, content=data))
        return
    target = content_path(place.folder, sha256)
    if target.exists() and _file_sha256(target) == sha256:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def get(session: Session, place: DocumentPlace, sha256: str) -> bytes | None:
    """The kept bytes, or None when they are missing (the caller checks them against the sealed hash)."""
    if place.folder is None:
        return session.scalar(select(DocumentContent.content).where(DocumentContent.sha256 == sha256))
    try:
        return content_path(place.folder, sha256).read_bytes()
    except FileNotFoundError:
        return None


def problem(session: Session, place: DocumentPlace, sha256: str, size: int) -> str | None:
    """Why the kept bytes are not the document sealed as (sha256, size): missing or changed; None when intact."""
    if place.folder is None:
        data = get(session, place, sha256)
        if data is None:
            return "内容缺失 its content is missing from the database"
        actual = sha256_of(data)
        return None if actual == sha256 and len(data) == size else "内容被改动 its content was changed"
    path = content_path(place.folder, sha256)
    if not path.exists():
        return f"文件缺失 the file is missing ({path})"
    if path.stat().st_size != size or _file_sha256(path) != sha256:
        return f"文件被改动 the file was changed ({path})"
    return None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
