"""Documents of record end to end through the services: attach one file or a folder/ZIP matched by asset id, the same
file twice is a no-op, each attachment an event, listed with the asset; `verify` re-hashes every kept file and names
one changed or missing (in the documents folder, or in the database); the audit package carries them; roles and
scopes are checked; a certificate and a label print for the asset. What `asset attach`, `asset show`, `asset
certificate/label` and `audit verify` print and their exit codes: tests/cli/test_inventory_commands.py."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import text

from assetledger.domain.documents import DocumentKind
from assetledger.errors import InputError, NotFoundError, PermissionDenied, RuleViolation
from assetledger.reports.papers import certificates_html, labels_html, qr_svg
from assetledger.reports.papers_pdf import certificates_pdf, cjk_font, labels_pdf
from assetledger.services.asset_queries import show_asset
from assetledger.services.audit import export_package, verify
from assetledger.services.certificates import asset_url, certificates, labels
from assetledger.services.documents import UNMATCHED, attach_batch, attach_file, documents_of
from assetledger.store.db import Database
from assetledger.store.document_files import DocumentPlace, content_path, documents_place
from tests.builders import ACTOR, assets, regions, user
from tests.builders.yearly_work import attach
from tests.helpers import ASSET_HEADER, asset_row, drop_append_only_guards, table_counts

BASE_URL = "https://zc.example.cn/"


def pdf_bytes(words: str = "acceptance") -> bytes:
    return f"%PDF-1.4\n1 0 obj << /Title ({words}) >> endobj\ntrailer << >>\n%%EOF\n".encode()


def png_bytes(seed: int = 0) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes([seed]) * 40 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def county(db: Database) -> None:
    """示范县's regions; A-1 (operating), A-2 and A-10 in 红旗村 of 东风镇, QS-1 in 青山乡."""
    regions(db)
    rows: list[list[object]] = [
        list(ASSET_HEADER),
        asset_row("A-1", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="甲"),
        asset_row("A-2"),
        asset_row("A-10"),
        asset_row("QS-1", 乡镇="青山乡"),
    ]
    assets(db, rows)


def _kept(db: Database) -> int:
    return table_counts(db)["documents"]


def _place(db: Database) -> DocumentPlace:
    """Where the documents are kept without --documents: beside a SQLite file, in PostgreSQL's database."""
    return documents_place(db.url)


def test_attach_one_file_twice_is_a_no_op_and_shows_on_the_asset(db: Database, tmp_path: Path) -> None:
    county(db)
    report = tmp_path / "验收报告.pdf"
    report.write_bytes(pdf_bytes())
    first = attach_file(db, _place(db), "A-1", report, ACTOR, title="县验〔2023〕5号", on=dt.date(2023, 11, 20))
    assert (first.attached, first.assets, first.already, first.dry_run) == (1, 1, 0, False)
    [attached] = first.attachments
    assert (attached.asset_id, attached.kind, attached.new) == ("A-1", DocumentKind.ACCEPTANCE, True)
    again = attach_file(db, _place(db), "A-1", report, ACTOR, kind=DocumentKind.PHOTO)
    assert (again.attached, again.already) == (0, 1)
    other = attach_file(db, _place(db), "A-2", report, ACTOR)  # the same file for another asset: kept once
    assert (other.attached, other.attachments[0].sha256) == (1, attached.sha256)
    assert _kept(db) == 1 and table_counts(db)["document_links"] == 2
    (document,) = documents_of(db, "A-1", ACTOR)
    assert (document.kind, document.name, document.title, document.document_date) == (
        DocumentKind.ACCEPTANCE, "验收报告.pdf", "县验〔2023〕5号", dt.date(2023, 11, 20))  # fmt: skip
    assert (document.sha256, document.actor) == (attached.sha256, ACTOR)
    event = show_asset(db, "A-1", ACTOR).events[-1]
    assert (event.kind, event.actor, event.date) == ("document_attached", ACTOR, dt.date(2023, 11, 20))
    assert event.details["document"] == document.sha256
    assert list(verify(db, ACTOR, bean_check=False)) == []


def test_a_folder_or_zip_is_matched_by_asset_id_all_or_nothing(db: Database, tmp_path: Path) -> None:
    county(db)
    folder = tmp_path / "档案"
    (folder / "A-2").mkdir(parents=True)
    (folder / "A-1_确权书.pdf").write_bytes(pdf_bytes("ownership"))
    (folder / "A-10-移交书.pdf").write_bytes(pdf_bytes("handover"))  # A-10, not A-1
    (folder / "A-2" / "现场.png").write_bytes(png_bytes())
    (folder / ".DS_Store").write_bytes(b"junk")  # hidden: skipped
    (folder / "说明.pdf").write_bytes(pdf_bytes("no asset"))
    before = table_counts(db)
    with pytest.raises(InputError) as refused:
        attach_batch(db, _place(db), folder, ACTOR)
    [unmatched] = refused.value.findings
    assert unmatched.source.endswith("说明.pdf") and (unmatched.value, unmatched.reason) == ("说明.pdf", UNMATCHED)
    assert "registered asset id" in unmatched.reason
    assert table_counts(db) == before
    (folder / "说明.pdf").unlink()
    dry = attach_batch(db, _place(db), folder, ACTOR, dry_run=True)
    assert (dry.dry_run, dry.attached, dry.assets) == (True, 3, 3) and table_counts(db) == before
    attach_batch(db, _place(db), folder, ACTOR)
    kinds = {d.asset_id: d.kind.value for a in ("A-1", "A-2", "A-10") for d in documents_of(db, a, ACTOR)}
    assert kinds == {"A-1": "ownership", "A-10": "handover", "A-2": "photo"}
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("A-1_确权书.pdf", pdf_bytes("ownership"))  # already attached: a no-op
        z.writestr("A-2/验收/合影.png", png_bytes(7))
        z.writestr("__MACOSX/._A-2.png", b"resource fork")
    zipped = attach_batch(db, _place(db), archive, ACTOR)
    assert (zipped.attached, zipped.assets, zipped.already) == (1, 2, 1)
    assert sorted((a.asset_id, a.new) for a in zipped.attachments) == [("A-1", False), ("A-2", True)]


def test_gbk_names_in_a_zip_made_on_chinese_windows_are_read(db: Database, tmp_path: Path) -> None:
    county(db)
    archive = tmp_path / "windows.zip"
    name = "A-2_验收报告.pdf"
    gbk = name.encode("gb18030")
    placeholder = "A-2_" + "X" * (len(gbk) - 8) + ".pdf"  # ASCII of the same length: no UTF-8 flag is set
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(placeholder, pdf_bytes())
    archive.write_bytes(archive.read_bytes().replace(placeholder.encode(), gbk))  # as Chinese Windows stores it
    assert attach_batch(db, _place(db), archive, ACTOR).attached == 1
    (document,) = documents_of(db, "A-2", ACTOR)
    assert document.name == name and document.kind.value == "acceptance"


def test_verify_names_a_changed_or_missing_file(db: Database, tmp_path: Path) -> None:
    county(db)
    one, two = tmp_path / "A-1_验收.pdf", tmp_path / "A-2_照片.png"
    one.write_bytes(pdf_bytes())
    two.write_bytes(png_bytes())
    attach(db, one)
    attach(db, two)
    place = documents_place(db.url)
    shas = {d.asset_id: d.sha256 for a in ("A-1", "A-2") for d in documents_of(db, a, ACTOR)}
    if place.folder is not None:  # SQLite: the folder next to the database file
        changed = content_path(place.folder, shas["A-1"])
        changed.chmod(0o644)
        changed.write_bytes(pdf_bytes("forged"))
        content_path(place.folder, shas["A-2"]).unlink()
    else:  # PostgreSQL: the bytes are in the database
        drop_append_only_guards(db, "document_contents")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE document_contents SET content = :c WHERE sha256 = :s"),
                         {"c": pdf_bytes("forged"), "s": shas["A-1"]})  # fmt: skip
            conn.execute(text("DELETE FROM document_contents WHERE sha256 = :s"), {"s": shas["A-2"]})
    found = list(verify(db, ACTOR, bean_check=False))
    lines = [detail for check, detail in found if check == "documents"]
    assert len(lines) == 2, found
    assert "A-1_验收.pdf" in lines[0] and "of A-1" in lines[0] and "改动" in lines[0] and "changed" in lines[0]
    assert "A-2_照片.png" in lines[1] and "缺失" in lines[1] and "missing" in lines[1]
    # listing still works; serving the changed copy does not
    assert [d.name for d in documents_of(db, "A-1", ACTOR)] == ["A-1_验收.pdf"]
    assert show_asset(db, "A-1", ACTOR).events[-1].kind == "document_attached"


def test_a_documents_folder_can_be_given_and_verify_says_when_it_is_missing(db: Database, tmp_path: Path) -> None:
    county(db)
    store = DocumentPlace(tmp_path / "archive-store")
    photo = tmp_path / "A-1.png"
    photo.write_bytes(png_bytes())
    assert attach_batch(db, store, photo, ACTOR).attached == 1
    assert store.folder is not None and len([p for p in store.folder.rglob("*") if p.is_file()]) == 1
    assert list(verify(db, ACTOR, bean_check=False, documents=store)) == []
    elsewhere = list(verify(db, ACTOR, bean_check=False, documents=DocumentPlace(tmp_path / "nowhere")))
    assert elsewhere and all(check == "documents" for check, _ in elsewhere), elsewhere
    said = " ".join(detail for _, detail in elsewhere)
    assert "does not exist" in said and "--documents" in said


def test_the_audit_package_carries_the_documents_in_scope(db: Database, tmp_path: Path) -> None:
    county(db)
    for name, data in (("A-1_确权书.pdf", pdf_bytes()), ("QS-1_照片.png", png_bytes(3))):
        (tmp_path / name).write_bytes(data)
        attach(db, tmp_path / name)
    package = tmp_path / "package"
    export_package(db, package, ACTOR, "360921101", documents_place(db.url))
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    kept = [name for name in manifest["files"] if name.startswith("documents/")]
    (sha,) = [d.sha256 for d in documents_of(db, "A-1", ACTOR)]
    assert sorted(kept) == sorted(["documents/documents.csv", f"documents/{sha}.pdf"])  # QS-1: another township
    assert (package / "documents" / f"{sha}.pdf").read_bytes() == pdf_bytes()
    listing = (package / "documents" / "documents.csv").read_text(encoding="utf-8-sig")
    assert "A-1,确权书,A-1_确权书.pdf" in listing and "QS-1" not in listing


def test_roles_and_scopes_are_checked_before_anything_is_stored(db: Database, tmp_path: Path) -> None:
    county(db)
    photo = tmp_path / "QS-1_清查照片.png"
    photo.write_bytes(png_bytes())
    zhang = user(db, "zhang", "finance", "360921")
    wang = user(db, "wang", "auditor", "360921", actor=zhang)
    zhao = user(db, "zhao", "inventory", "360921101", actor=zhang)
    before = table_counts(db)
    with pytest.raises(PermissionDenied) as auditor:  # auditors write nothing
        attach_batch(db, _place(db), photo, wang)
    assert auditor.value.exit_code == 6
    with pytest.raises(PermissionDenied):  # QS-1: not zhao's township
        attach_batch(db, _place(db), photo, zhao)
    with pytest.raises(PermissionDenied):  # an unknown name: refused before the asset is looked up
        attach_file(db, _place(db), "NO-SUCH", photo, "nobody")
    assert table_counts(db) == before
    own = tmp_path / "A-2_清查照片.png"
    own.write_bytes(png_bytes(1))
    evidence = attach_batch(db, _place(db), own, zhao)  # inventory evidence of its own village
    assert [(a.asset_id, a.kind, a.new) for a in evidence.attachments] == [("A-2", DocumentKind.INVENTORY, True)]
    contract = tmp_path / "A-2_合同.pdf"
    contract.write_bytes(pdf_bytes())
    before = table_counts(db)
    with pytest.raises(PermissionDenied):  # not inventory evidence
        attach_batch(db, _place(db), contract, zhao)
    assert table_counts(db) == before
    assert [a.kind for a in attach_batch(db, _place(db), contract, zhang).attachments] == [DocumentKind.CONTRACT]


def test_certificate_and_label_print_as_html_and_pdf(db: Database, tmp_path: Path) -> None:
    county(db)
    one = certificates(db, ACTOR, asset_id="A-1", base_url=BASE_URL)
    assert [p.asset_id for p in one.papers] == ["A-1"] and one.skipped == ()
    page = certificates_html(one.papers)
    assert "扶贫项目资产确权证书" in page and "红旗村股份经济合作社" in page and "<svg" in page
    certificates_pdf(certificates(db, ACTOR, asset_id="A-1").papers, tmp_path / "c.pdf", cjk_font(None))
    words = pypdf.PdfReader(tmp_path / "c.pdf").pages[0].extract_text()
    assert "扶贫项目资产确权证书" in words and "A-1" in words and "红旗村股份经济合作社" in words
    village = labels(db, ACTOR, within="360921101201")
    assert [p.asset_id for p in village.papers] == ["A-1", "A-10", "A-2"]
    labels_pdf(village.papers, tmp_path / "l.pdf", cjk_font(None))
    printed = "".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "l.pdf").pages)
    assert all(a in printed for a in ("A-1", "A-2", "A-10")) and "QS-1" not in printed
    with pytest.raises(InputError) as bad:
        labels(db, ACTOR, asset_id="A-1", base_url="javascript:alert(1)")
    [finding] = bad.value.findings
    assert finding.value == "javascript:alert(1)" and "http(s) address" in finding.reason
    assets(db, [ASSET_HEADER, asset_row("U-1", 确权主体=None, 确权级别=None, 确权日期=None)])
    with pytest.raises(RuleViolation, match="未确权") as refused:
        certificates(db, ACTOR, asset_id="U-1")
    assert (refused.value.exit_code, refused.value.asset_id) == (5, "U-1")
    batch = certificates(db, ACTOR, within="360921101201")
    assert batch.skipped == ("U-1",) and "U-1" not in [p.asset_id for p in batch.papers]
    with pytest.raises(NotFoundError):
        certificates(db, ACTOR, asset_id="NO-SUCH")


def test_the_label_qr_code_is_the_assets_page_address(db: Database) -> None:
    county(db)
    assert asset_url("https://zc.example.cn/app/", "A/1 村") == "https://zc.example.cn/app/assets/A%2F1%20%E6%9D%91"
    page = labels_html(labels(db, ACTOR, asset_id="A-2", base_url="https://zc.example.cn/app").papers)
    assert qr_svg("https://zc.example.cn/app/assets/A-2", 2) in page
    assert qr_svg("https://zc.example.cn/app/assets/A-1", 2) not in page


def test_a_missing_chinese_font_is_handled_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A font given without Chinese glyphs is refused naming why; with none given and none on the system, the
    built-in STSong-Light is used and said not to be embedded."""
    import matplotlib

    from assetledger.errors import InputError
    from assetledger.reports import papers_pdf

    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    with pytest.raises(InputError, match="字体不含中文 the font has no Chinese characters"):
        papers_pdf.cjk_font(latin)
    monkeypatch.delenv(papers_pdf.FONT_ENV, raising=False)
    monkeypatch.setattr(papers_pdf, "SYSTEM_FONTS", ())
    font = papers_pdf.cjk_font(None)
    assert font.name == "STSong-Light" and not font.embedded and "not embedded" in font.note()
