"""Reading files offered as documents of record: one file, a folder, or a ZIP, each file checked before anything is
stored. They know no database.

What is taken: PDF, JPEG, PNG, DOCX and XLSX up to 20 MB each, recognised by their bytes (a renamed file is refused
for what it is, not taken for what its name says). A ZIP is read without unpacking it to disk: member names that
climb out of the archive (`../`, absolute, drive letters), links, encrypted members, more members or bytes than the
limits and implausible compression ratios (zip bombs) are refused, and a member is never read past the size limit
whatever its header claims. Every problem is a finding naming the file (and the member); the caller stores nothing
unless there are none.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assetledger.errors import Finding

MAX_BYTES = 20 * 1024 * 1024  # one document
MAX_FILES = 2000  # files in one folder or ZIP
MAX_TOTAL = 2 * 1024 * 1024 * 1024  # bytes of one folder or ZIP, unpacked
MAX_RATIO = 200  # unpacked / packed size of a ZIP member above 1 MB: more is a zip bomb, not a scan or a photo
MAX_INNER_ENTRIES = 10_000  # parts of one DOCX/XLSX (itself a ZIP)
MAX_NAME = 255
SKIPPED = {"thumbs.db", "desktop.ini"}  # files the operating system leaves in folders

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {media: ext for ext, media in MEDIA_TYPES.items()}
ALLOWED = "PDF, JPG, PNG, DOCX, XLSX"


class NotADocument(Exception):
    """Why some bytes are not a document this system keeps."""


def media_type(data: bytes) -> str:
    """The media type of a document's bytes, by their content alone; NotADocument says why it is refused."""
    if not data:
        raise NotADocument("空文件 the file is empty")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise NotADocument("PDF 不完整 the PDF is cut short (no %%EOF at its end)")
        return MEDIA_TYPES["pdf"]
    if data.startswith(b"\xff\xd8\xff"):
        if b"\xff\xd9" not in data[-4096:]:
            raise NotADocument("JPEG 不完整 the JPEG image is cut short (no end marker)")
        return MEDIA_TYPES["jpg"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if b"IEND" not in data[-64:]:
            raise NotADocument("PNG 不完整 the PNG image is cut short (no IEND chunk)")
        return MEDIA_TYPES["png"]
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    raise NotADocument(
        f"文件类型不允许，可用 {ALLOWED}（按内容识别，不看文件名） "
        f"not an allowed type; allowed: {ALLOWED} (recognised by content, not name)"
    )


def _office(data: bytes) -> str:
    """DOCX or XLSX: a ZIP with the parts Office writes. Only its directory is read, nothing is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            infos = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotADocument(f"损坏的文件 a broken ZIP/Office file: {exc}") from exc
    if len(infos) > MAX_INNER_ENTRIES:
        raise NotADocument(f"too many parts ({len(infos)}) for an Office document")
    names = {info.filename for info in infos}
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return MEDIA_TYPES["docx"]
        if "xl/workbook.xml" in names:
            return MEDIA_TYPES["xlsx"]
    raise NotADocument(f"文件类型不允许 a ZIP that is not a DOCX or XLSX document; allowed: {ALLOWED}")


@dataclass(frozen=True)
class Offered:
    """One file offered as a document, checked: where it was, its name parts, content hash, size and type."""

    where: str  # as findings name it: the file, or "archive.zip: folder/name.pdf"
    parts: tuple[str, ...]  # folders and file name below the folder or ZIP offered (one part for a single file)
    sha256: str
    size: int
    media_type: str
    read: Callable[[], bytes]  # the bytes again (the second pass stores them; the caller re-checks the hash)

    @property
    def name(self) -> str:
        return self.parts[-1]


def _checked(where: str, parts: tuple[str, ...], data: bytes, read: Callable[[], bytes]) -> Offered:
    if len(data) > MAX_BYTES:
        raise NotADocument(_too_large(len(data)))
    kind = media_type(data)
    return Offered(where, parts, hashlib.sha256(data).hexdigest(), len(data), kind, read)


def _too_large(size: int) -> str:
    return f"文件过大 too large: {size:,} bytes; a document is at most {MAX_BYTES:,} bytes (20 MB)"


def _name_problem(name: str) -> str | None:
    if len(name) > MAX_NAME:
        return f"文件名过长 the file name is longer than {MAX_NAME} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "文件名含控制字符 the file name holds control characters"
    return None


def read_file(path: Path) -> tuple[Offered | None, list[Finding]]:
    """One file offered on its own."""
    where = str(path)
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return None, [Finding(where, None, None, None, "是链接 a link, not a file: give the file itself")]
        if not stat.S_ISREG(info.st_mode):
            return None, [Finding(where, None, None, None, "not a regular file")]
        if info.st_size > MAX_BYTES:
            return None, [Finding(where, None, None, None, _too_large(info.st_size))]
        data = path.read_bytes()
    except OSError as exc:
        return None, [Finding(where, None, None, None, f"cannot read the file: {exc.strerror or exc}")]
    problem = _name_problem(path.name)
    if problem:
        return None, [Finding(where, None, None, path.name[:80], problem)]
    try:
        return _checked(where, (path.name,), data, path.read_bytes), []
    except NotADocument as exc:
        return None, [Finding(where, None, None, None, str(exc))]


def read_batch(path: Path) -> tuple[list[Offered], list[Finding]]:
    """Every file of a folder (recursively) or a ZIP, checked; a single file as a batch of one."""
    if path.is_dir() and not path.is_symlink():
        return _folder(path)
    if path.suffix.lower() == ".zip":
        return _zip(path)
    offered, findings = read_file(path)
    return ([offered] if offered else []), findings


def _skipped(parts: tuple[str, ...]) -> bool:
    """Hidden files and folders, macOS resource forks (__MACOSX/, ._name) and Windows thumbnails."""
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or parts[-1].lower() in SKIPPED


def _folder(root: Path) -> tuple[list[Offered], list[Finding]]:
    offered: list[Offered] = []
    findings: list[Finding] = []
    total = 0
    for path in sorted(_walk(root, findings)):
        parts = path.relative_to(root).parts
        if _skipped(parts):
            continue
        if len(offered) + len(findings) >= MAX_FILES:
            findings.append(Finding(str(root), None, None, None, f"文件过多 more than {MAX_FILES} files in one batch"))
            break
        one, problems = read_file(path)
        findings += problems
        if one is not None:
            total += one.size
            offered.append(Offered(one.where, parts, one.sha256, one.size, one.media_type, one.read))
        if total > MAX_TOTAL:
            findings.append(Finding(str(root), None, None, None, f"more than {MAX_TOTAL:,} bytes in one batch"))
            break
    return offered, findings


def _walk(root: Path, findings: list[Finding]) -> Iterator[Path]:
    """Files below `root`; links are findings (a link may point anywhere) and are not followed."""
    for path in root.rglob("*"):
        if path.is_symlink():
            findings.append(Finding(str(path), None, None, None, "是链接 a link, not a file: give the file itself"))
        elif path.is_file():
            yield path


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: ZIPs made on Chinese Windows store GBK names without the UTF-8
    flag, which Python reads as code page 437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name.replace("\\", "/")


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name)
    first = path.parts[0] if path.parts else ""
    return name.startswith("/") or ".." in path.parts or ":" in first or "\x00" in name


def _zip(path: Path) -> tuple[list[Offered], list[Finding]]:
    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [], [Finding(source, None, None, None, f"不是有效的 ZIP 文件 not a readable ZIP: {exc}")]
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES:
            return [], [Finding(source, None, None, None, f"文件过多 {len(infos)} files; at most {MAX_FILES}")]
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL:
            reason = f"解压后过大 {declared:,} bytes unpacked; at most {MAX_TOTAL:,} (zip bomb?)"
            return [], [Finding(source, None, None, None, reason)]
        offered: list[Offered] = []
        findings: list[Finding] = []
        for info in infos:
            name = _member_name(info)
            where = f"{source}: {name}"
            if _unsafe(name):
                findings.append(Finding(where, None, None, name, "路径不安全 unsafe path in the ZIP (.., /, drive)"))
                continue
            parts = PurePosixPath(name).parts
            if _skipped(parts):
                continue
            try:
                offered.append(_zip_member(archive, path, info, where, parts))
            except NotADocument as exc:
                findings.append(Finding(where, None, None, None, str(exc)))
    return offered, findings


def _zip_member(
    archive: zipfile.ZipFile, path: Path, info: zipfile.ZipInfo, where: str, parts: tuple[str, ...]
) -> Offered:
    problem = _name_problem(parts[-1])
    if problem:
        raise NotADocument(problem)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise NotADocument("是链接 a link inside the ZIP, not a file")
    if info.flag_bits & 0x1:
        raise NotADocument("已加密 the member is encrypted")
    if info.file_size > MAX_BYTES:
        raise NotADocument(_too_large(info.file_size))
    if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise NotADocument(f"压缩比异常 compressed {MAX_RATIO}× or more: refused as a zip bomb")
    data = _read_member(archive, info)

    def again() -> bytes:
        with zipfile.ZipFile(path) as reopened:
            return _read_member(reopened, reopened.getinfo(info.filename))

    return _checked(where, parts, data, again)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than the limit whatever its header says."""
    try:
        with archive.open(info) as member:
            data = member.read(MAX_BYTES + 1)
    except Exception as exc:  # BadZipFile (a wrong CRC), zlib.error, an unsupported method: a damaged member
        raise NotADocument(f"无法读取 cannot read the member: {exc}") from exc
    if len(data) > MAX_BYTES:
        raise NotADocument(_too_large(len(data)) + " (its ZIP header said less)")
    return data
