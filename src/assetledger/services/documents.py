"""Each asset's paper trail (资产档案): attach documents of record, list them, serve them, verify them, package them.

A document is kept once by its sha256 (the same file twice is a no-op) and linked to the assets it belongs to;
each link is an event in the asset's history with actor and time, and documents and links are sealed in the hash
chain, so `audit verify` re-hashes every kept file and names one that is missing or changed. A batch (a folder or a
ZIP whose file names, or folder names, start with the asset id) is all or nothing: any bad file, unknown asset or
refused permission is listed and nothing is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from assetledger.domain.access import Action
from assetledger.domain.documents import DocumentKind, guess_kind, id_prefixes, match_asset
from assetledger.errors import Finding, InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.io.document_files import EXTENSIONS, Offered, read_batch, read_file
from assetledger.services.access import require, require_read
from assetledger.services.context import now
from assetledger.store import document_files, document_repo
from assetledger.store.db import Database
from assetledger.store.document_files import DocumentPlace
from assetledger.store.document_repo import LinkRow

TITLE_LIMIT = 200
UNMATCHED = "文件名未含已登记的资产编号 the name does not start with a registered asset id (e.g. A-1_验收报告.pdf)"


def _kind(code: str) -> DocumentKind | str:
    return DocumentKind._value2member_map_.get(code, code)  # type: ignore[return-value]


def kind_label(kind: DocumentKind | str) -> str:
    """A document's kind in words; a stored text that is none of DocumentKind (only shown) as it is."""
    found = _kind(str(kind))
    return found.label if isinstance(found, DocumentKind) else found


@dataclass(frozen=True)
class AttachedDocument:
    """One document of an asset, as its page and `asset show` list it."""

    asset_id: str
    kind: DocumentKind | str  # a stored text that is no kind (written around the product): as it is
    title: str | None
    document_date: dt.date | None
    name: str
    sha256: str
    size: int
    media_type: str
    actor: str
    recorded_at: dt.datetime

    @property
    def kind_label(self) -> str:
        """The kind in words (验收报告); a stored text that is no kind as it is."""
        return kind_label(self.kind)

    @property
    def kind_code(self) -> str:
        return str(self.kind)

    @classmethod
    def of(cls, row: LinkRow) -> AttachedDocument:
        return cls(row.asset_id, _kind(row.kind), row.title, row.document_date, row.name, row.sha256,
                   row.size, row.media_type, row.actor, row.recorded_at)  # fmt: skip


@dataclass(frozen=True)
class Attachment:
    """One file of an attach request: where it came from, the asset and kind it goes to, and whether it is new."""

    where: str
    asset_id: str
    kind: DocumentKind
    sha256: str
    size: int
    new: bool


@dataclass(frozen=True)
class AttachResult:
    attachments: tuple[Attachment, ...]
    dry_run: bool = False

    @property
    def attached(self) -> int:
        return sum(1 for a in self.attachments if a.new)

    @property
    def already(self) -> int:
        return sum(1 for a in self.attachments if not a.new)

    @property
    def assets(self) -> int:
        return len({a.asset_id for a in self.attachments})


@dataclass(frozen=True)
class _Plan:
    offered: Offered
    asset_id: str
    kind: DocumentKind


def attach_file(
    db: Database,
    place: DocumentPlace,
    asset_id: str,
    path: Path,
    actor: str,
    *,
    kind: DocumentKind | None = None,
    title: str | None = None,
    on: dt.date | None = None,
    dry_run: bool = False,
) -> AttachResult:
    """Attach one file to one asset (its kind from `kind`, else from its name)."""
    offered, findings = read_file(path)
    with db.transaction() as session:
        _require(session, actor, {}, {}, kind)  # the role first: an unknown asset is not news to just anyone
        regions = document_repo.asset_regions(session, [asset_id])
        if asset_id not in regions:
            raise NotFoundError("asset", asset_id)
        _require(session, actor, {asset_id: kind or DocumentKind.OTHER}, regions, kind)
        findings += _title_findings(str(path), title)
        if findings or offered is None:
            raise InputError(findings)
        plan = _Plan(offered, asset_id, kind or guess_kind(offered.name, offered.media_type))
        return _attach(session, place, [plan], actor, title, on, dry_run)


def attach_batch(
    db: Database,
    place: DocumentPlace,
    path: Path,
    actor: str,
    *,
    kind: DocumentKind | None = None,
    on: dt.date | None = None,
    dry_run: bool = False,
) -> AttachResult:
    """Attach every file of a folder or ZIP to the asset its name (or its folder's name) starts with. All or
    nothing: every bad file and every file without a registered asset id is listed, and nothing is stored."""
    offered, findings = read_batch(path)
    if not offered and not findings:
        findings.append(Finding(str(path), None, None, None, "没有文件 no files to attach"))
    with db.transaction() as session:
        _require(session, actor, {}, {}, kind)
        candidates = [c for o in offered for part in o.parts for c in id_prefixes(part.rsplit(".", 1)[0])]
        candidates += [c for o in offered for part in o.parts for c in id_prefixes(part)]
        known = document_repo.registered_ids(session, candidates)
        plans: list[_Plan] = []
        for o in offered:
            asset_id = match_asset(o.parts, known.__contains__)
            if asset_id is None:
                findings.append(Finding(o.where, None, None, "/".join(o.parts), UNMATCHED))
                continue
            plans.append(_Plan(o, asset_id, kind or guess_kind(o.name, o.media_type)))
        regions = document_repo.asset_regions(session, [p.asset_id for p in plans])
        _require(session, actor, {p.asset_id: p.kind for p in plans}, regions, kind)
        if findings:
            raise InputError(sorted(findings, key=lambda f: f.source))
        return _attach(session, place, plans, actor, None, on, dry_run)


def _action(kind: DocumentKind | None) -> Action:
    return Action.INVENTORY if kind is DocumentKind.INVENTORY else Action.REGISTER


def _require(
    session: Session,
    actor: str,
    kinds: dict[str, DocumentKind],
    regions: dict[str, str],
    asked: DocumentKind | None,
) -> None:
    """Inventory evidence may come from the inventory team; every other document is a register change. With no
    asset yet (or none matched) the actor's role is checked all the same."""
    if not kinds and asked is None:  # the kind comes from the names: either right will do for now
        try:
            require(session, actor, Action.REGISTER, [])
        except PermissionDenied:
            require(session, actor, Action.INVENTORY, [])
        return
    by_action: dict[Action, set[str]] = {_action(asked): set()} if not kinds else {}
    for asset_id, kind in kinds.items():
        by_action.setdefault(_action(kind), set()).add(regions[asset_id])
    for action, places in sorted(by_action.items()):
        require(session, actor, action, places)


def _title_findings(source: str, title: str | None) -> list[Finding]:
    if title is not None and len(title) > TITLE_LIMIT:
        return [
            Finding(
                source,
                None,
                "title",
                title[:40] + "…",
                f"标题最多 {TITLE_LIMIT} 个字 (at most {TITLE_LIMIT} characters)",
            )
        ]
    return []


def _attach(
    session: Session,
    place: DocumentPlace,
    plans: Sequence[_Plan],
    actor: str,
    title: str | None,
    on: dt.date | None,
    dry_run: bool,
) -> AttachResult:
    linked = document_repo.linked_pairs(session, [p.asset_id for p in plans])
    kept = document_repo.documents_by_sha(session, [p.offered.sha256 for p in plans])
    at = now()
    done: list[Attachment] = []
    for plan in plans:
        o = plan.offered
        new = (plan.asset_id, o.sha256) not in linked
        linked.add((plan.asset_id, o.sha256))  # the same file twice in one batch is attached once
        done.append(Attachment(o.where, plan.asset_id, plan.kind, o.sha256, o.size, new))
        if not new or dry_run:
            continue
        if o.sha256 not in kept:
            data = o.read()
            if document_files.sha256_of(data) != o.sha256:
                raise InputError(
                    [
                        Finding(
                            o.where,
                            None,
                            None,
                            None,
                            "文件在附加过程中被改动，请重试 (the file changed while it was being attached)",
                        )
                    ]
                )
            document_files.put(session, place, o.sha256, data)
            kept[o.sha256] = document_repo.add_document(session, o.sha256, o.size, o.media_type, o.name, actor, at)
        payload = {"document": o.sha256, "name": o.name, "kind": plan.kind.value, "media_type": o.media_type,
                   "size": o.size, "title": title}  # fmt: skip
        document_repo.add_link(session, plan.asset_id, kept[o.sha256], plan.kind.value, title, on, payload, actor, at)
    return AttachResult(tuple(done), dry_run)


def documents_of(db: Database, asset_id: str, actor: str) -> list[AttachedDocument]:
    """An asset's documents, oldest first, for a reader whose scope covers the asset."""
    with db.reading() as session:
        region = document_repo.asset_regions(session, [asset_id]).get(asset_id)
        if region is None:
            raise NotFoundError("asset", asset_id)
        require_read(session, actor, region)
        return [AttachedDocument.of(row) for row in document_repo.links_of(session, asset_id)]


def document_content(
    db: Database, place: DocumentPlace, asset_id: str, sha256: str, actor: str
) -> tuple[AttachedDocument, bytes]:
    """A document of an asset and its bytes, checked against the sealed hash before they are served."""
    with db.reading() as session:
        region = document_repo.asset_regions(session, [asset_id]).get(asset_id)
        if region is None:
            raise NotFoundError("asset", asset_id)
        require_read(session, actor, region)
        found = [r for r in document_repo.links_of(session, asset_id) if r.sha256 == sha256]
        if not found:
            raise NotFoundError("document", sha256)
        data = document_files.get(session, place, sha256)
    if data is None or document_files.sha256_of(data) != sha256:
        raise RuleViolation(
            f"文件缺失或被改动 the kept copy of {found[0].name} is missing or does not match its sealed hash; "
            "run `audit verify`",
            asset_id=asset_id,
        )
    return AttachedDocument.of(found[0]), data


def verify_documents(session: Session, place: DocumentPlace) -> Iterator[tuple[str, str]]:
    """Re-hash every kept document against its sealed sha256 and size; yields ("documents", finding). A part of
    `audit.verify`, inside its read."""
    rows = list(document_repo.all_documents(session))
    if rows and place.folder is not None and not place.folder.is_dir():
        yield (
            "documents",
            (
                f"文件夹不存在 the documents folder {place.folder} does not exist: {len(rows)} document(s) "
                "cannot be checked; give the folder with --documents DIR (or ASSETLEDGER_DOCUMENTS)"
            ),
        )
        return
    for document_id, sha256, size, name, assets in rows:
        problem = document_files.problem(session, place, sha256, size)
        if problem:
            owners = ", ".join(assets) or "no asset"
            yield "documents", f"document {document_id} {name} (sha256 {sha256[:16]}…) of {owners}: {problem}"


PACKAGE_HEADERS = ("资产编号 asset_id", "类别 kind", "文件名 name", "标题 title", "文件日期 date", "sha256",
                   "大小 size", "类型 media_type", "上传人 actor", "上传时间 recorded_at", "包内文件 file",
                   "问题 problem")  # fmt: skip


def package_documents(db: Database, place: DocumentPlace, folder: Path, actor: str, within: str | None) -> list[Path]:
    """The documents of the assets in scope for an audit package: each kept file once as documents/<sha256>.<ext>
    and documents/documents.csv listing every link (a missing or changed file is listed with its problem and not
    copied). Returns the files written, for the package's manifest."""
    written: list[Path] = []
    target = folder / "documents"
    lines = io.StringIO()
    table = csv.writer(lines)
    table.writerow(PACKAGE_HEADERS)
    with db.reading() as session:
        require_read(session, actor, within)
        links = list(document_repo.links_within(session, within))
        copied: dict[str, str] = {}  # sha256 -> file name in the package, or the problem
        for link in links:
            if link.sha256 not in copied:
                copied[link.sha256] = _copy(session, place, link, target, written)
            packaged = copied[link.sha256]
            problem = "" if packaged.startswith(link.sha256) else packaged
            table.writerow([link.asset_id, kind_label(link.kind), link.name, link.title or "",
                            link.document_date or "", link.sha256, link.size, link.media_type, link.actor,
                            link.recorded_at, "" if problem else f"documents/{packaged}", problem])  # fmt: skip
    if links:
        target.mkdir(parents=True, exist_ok=True)
        listing = target / "documents.csv"
        listing.write_text(lines.getvalue(), encoding="utf-8-sig")
        written.append(listing)
    return written


def _copy(session: Session, place: DocumentPlace, link: LinkRow, target: Path, written: list[Path]) -> str:
    """Copy one kept file into the package; its name there, or the problem that kept it out."""
    problem = document_files.problem(session, place, link.sha256, link.size)
    if problem:
        return problem
    name = f"{link.sha256}.{EXTENSIONS.get(link.media_type, 'bin')}"
    target.mkdir(parents=True, exist_ok=True)
    if place.folder is not None:
        shutil.copyfile(document_files.content_path(place.folder, link.sha256), target / name)
    else:
        (target / name).write_bytes(document_files.get(session, place, link.sha256) or b"")
    written.append(target / name)
    return name


def keep_file(session: Session, place: DocumentPlace, path: Path, actor: str) -> tuple[int, str]:
    """Keep one file of record that belongs to no asset (e.g. a rectification case's evidence, 整改佐证): checked
    like any attachment, kept once by its sha256 and sealed, so `audit verify` re-hashes it. Returns (id, sha256).
    The caller checks the actor's permission; this runs inside its transaction."""
    offered, findings = read_file(path)
    if findings or offered is None:
        raise InputError(findings)
    kept = document_repo.documents_by_sha(session, [offered.sha256])
    if offered.sha256 in kept:
        return kept[offered.sha256], offered.sha256
    data = offered.read()
    if document_files.sha256_of(data) != offered.sha256:
        raise InputError(
            [
                Finding(
                    offered.where,
                    None,
                    None,
                    None,
                    "文件在保存过程中被改动，请重试 (the file changed while it was being kept)",
                )
            ]
        )
    document_files.put(session, place, offered.sha256, data)
    number = document_repo.add_document(session, offered.sha256, offered.size, offered.media_type, offered.name,
                                        actor, now())  # fmt: skip
    return number, offered.sha256
