"""Documents of record end to end: attach one file or a folder/ZIP matched by asset id, the same file twice is a
no-op, each attachment an event, listed in `asset show`; `audit verify` re-hashes every kept file and names one
changed or missing (in the documents folder, or in the database); the audit package carries them; roles and
scopes are checked; a certificate and a label print for the asset."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import text

from assetledger.services.audit import verify
from assetledger.services.documents import documents_of
from assetledger.store.db import Database
from assetledger.store.document_files import content_path, documents_place
from tests.conftest import Cli
from tests.helpers import ASSET_HEADER, REGIONS, asset_row, drop_append_only_guards, table_counts, write_csv


def pdf_bytes(words: str = "acceptance") -> bytes:
    return f"%PDF-1.4\n1 0 obj << /Title ({words}) >> endobj\ntrailer << >>\n%%EOF\n".encode()


def png_bytes(seed: int = 0) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes([seed]) * 40 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _county(run: Cli) -> None:
    run("region", "import", str(write_csv(run.cwd / "regions.csv", REGIONS)))
    rows = [ASSET_HEADER, asset_row("A-1", 资产名称="光伏电站", 资产类别="经营性", 经营方式="出租", 经营主体="甲"),
            asset_row("A-2"), asset_row("A-10"), asset_row("QS-1", 乡镇="青山乡")]  # fmt: skip
    run("asset", "import", str(write_csv(run.cwd / "assets.csv", rows)))


def _kept(db: Database) -> int:
    return table_counts(db)["documents"]


def test_attach_one_file_twice_is_a_no_op_and_shows_on_the_asset(run: Cli, db: Database) -> None:
    _county(run)
    report = run.cwd / "验收报告.pdf"
    report.write_bytes(pdf_bytes())
    out = run("asset", "attach", str(report), "--asset", "A-1", "--title", "县验〔2023〕5号", "--date",
              "2023-11-20").output  # fmt: skip
    assert "attached 1 document(s) to 1 asset(s)" in out
    again = run("asset", "attach", str(report), "--asset", "A-1", "--kind", "photo").output
    assert "attached 0 document(s)" in again and "1 already attached" in again
    run("asset", "attach", str(report), "--asset", "A-2")  # the same file for another asset: kept once
    assert _kept(db) == 1 and table_counts(db)["document_links"] == 2
    shown = json.loads(run("asset", "show", "A-1", "--format", "json").output)
    (document,) = shown["documents"]
    assert (document["kind"], document["name"], document["title"], document["document_date"]) == (
        "acceptance", "验收报告.pdf", "县验〔2023〕5号", "2023-11-20")  # fmt: skip
    event = shown["events"][-1]
    assert event["kind"] == "document_attached" and event["actor"] == "tester" and event["date"] == "2023-11-20"
    assert event["details"]["document"] == document["sha256"]
    assert "档案 documents" in run("asset", "show", "A-1").output
    assert list(verify(db, "tester", bean_check=False)) == []


def test_a_folder_or_zip_is_matched_by_asset_id_all_or_nothing(run: Cli, db: Database) -> None:
    _county(run)
    folder = run.cwd / "档案"
    (folder / "A-2").mkdir(parents=True)
    (folder / "A-1_确权书.pdf").write_bytes(pdf_bytes("ownership"))
    (folder / "A-10-移交书.pdf").write_bytes(pdf_bytes("handover"))  # A-10, not A-1
    (folder / "A-2" / "现场.png").write_bytes(png_bytes())
    (folder / ".DS_Store").write_bytes(b"junk")  # hidden: skipped
    (folder / "说明.pdf").write_bytes(pdf_bytes("no asset"))
    before = table_counts(db)
    refused = run("asset", "attach", str(folder), ok=False)
    assert refused.exit_code == 2 and "说明.pdf" in refused.output and "registered asset id" in refused.output
    assert table_counts(db) == before
    (folder / "说明.pdf").unlink()
    dry = run("asset", "attach", str(folder), "--dry-run").output
    assert "would attach 3 document(s) to 3 asset(s)" in dry and table_counts(db) == before
    run("asset", "attach", str(folder))
    kinds = {d.asset_id: d.kind.value for a in ("A-1", "A-2", "A-10") for d in documents_of(db, a, "tester")}
    assert kinds == {"A-1": "ownership", "A-10": "handover", "A-2": "photo"}
    archive = run.cwd / "batch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("A-1_确权书.pdf", pdf_bytes("ownership"))  # already attached: a no-op
        z.writestr("A-2/验收/合影.png", png_bytes(7))
        z.writestr("__MACOSX/._A-2.png", b"resource fork")
    out = run("asset", "attach", str(archive)).output
    assert "attached 1 document(s) to 2 asset(s); 1 already attached" in out


def test_gbk_names_in_a_zip_made_on_chinese_windows_are_read(run: Cli, db: Database) -> None:
    _county(run)
    archive = run.cwd / "windows.zip"
    name = "A-2_验收报告.pdf"
    gbk = name.encode("gb18030")
    placeholder = "A-2_" + "X" * (len(gbk) - 8) + ".pdf"  # ASCII of the same length: no UTF-8 flag is set
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(placeholder, pdf_bytes())
    archive.write_bytes(archive.read_bytes().replace(placeholder.encode(), gbk))  # as Chinese Windows stores it
    run("asset", "attach", str(archive))
    (document,) = documents_of(db, "A-2", "tester")
    assert document.name == name and document.kind.value == "acceptance"


def test_verify_names_a_changed_or_missing_file(run: Cli, db: Database) -> None:
    _county(run)
    one, two = run.cwd / "A-1_验收.pdf", run.cwd / "A-2_照片.png"
    one.write_bytes(pdf_bytes())
    two.write_bytes(png_bytes())
    run("asset", "attach", str(one))
    run("asset", "attach", str(two))
    place = documents_place(db.url)
    shas = {d.asset_id: d.sha256 for a in ("A-1", "A-2") for d in documents_of(db, a, "tester")}
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
    result = run("audit", "verify", "--skip-bean-check", ok=False)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("[documents]")]
    assert len(lines) == 2, result.output
    assert "A-1_验收.pdf" in lines[0] and "of A-1" in lines[0] and "改动" in lines[0] and "changed" in lines[0]
    assert "A-2_照片.png" in lines[1] and "缺失" in lines[1] and "missing" in lines[1]
    refused = run("asset", "show", "A-1").output  # listing still works; serving the changed copy does not
    assert "A-1_验收.pdf" in refused


def test_a_documents_folder_can_be_given_and_verify_says_when_it_is_missing(run: Cli, db: Database) -> None:
    _county(run)
    store = run.cwd / "archive-store"
    photo = run.cwd / "A-1.png"
    photo.write_bytes(png_bytes())
    run("--documents", str(store), "asset", "attach", str(photo))
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1
    assert run("--documents", str(store), "audit", "verify", "--skip-bean-check").exit_code == 0
    elsewhere = run("--documents", str(run.cwd / "nowhere"), "audit", "verify", "--skip-bean-check", ok=False)
    assert elsewhere.exit_code == 1 and "does not exist" in elsewhere.output and "--documents" in elsewhere.output


def test_the_audit_package_carries_the_documents_in_scope(run: Cli, db: Database) -> None:
    _county(run)
    for name, data in (("A-1_确权书.pdf", pdf_bytes()), ("QS-1_照片.png", png_bytes(3))):
        (run.cwd / name).write_bytes(data)
        run("asset", "attach", str(run.cwd / name))
    package = run.cwd / "package"
    run("audit", "export", "--scope", "360921101", "--out", str(package))
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    kept = [name for name in manifest["files"] if name.startswith("documents/")]
    (sha,) = [d.sha256 for d in documents_of(db, "A-1", "tester")]
    assert sorted(kept) == sorted(["documents/documents.csv", f"documents/{sha}.pdf"])  # QS-1: another township
    assert (package / "documents" / f"{sha}.pdf").read_bytes() == pdf_bytes()
    listing = (package / "documents" / "documents.csv").read_text(encoding="utf-8-sig")
    assert "A-1,确权书,A-1_确权书.pdf" in listing and "QS-1" not in listing


def test_roles_and_scopes_are_checked_before_anything_is_stored(run: Cli, db: Database) -> None:
    _county(run)
    photo = run.cwd / "QS-1_清查照片.png"
    photo.write_bytes(png_bytes())
    run("user", "add", "zhang", "--role", "finance", "--scope", "360921")
    run("user", "add", "wang", "--role", "auditor", "--scope", "360921", user="zhang")
    run("user", "add", "zhao", "--role", "inventory", "--scope", "360921101", user="zhang")
    before = table_counts(db)
    assert run("asset", "attach", str(photo), user="wang", ok=False).exit_code == 6  # auditors write nothing
    assert run("asset", "attach", str(photo), user="zhao", ok=False).exit_code == 6  # QS-1: not zhao's township
    assert run("asset", "attach", str(photo), "--asset", "NO-SUCH", user="nobody", ok=False).exit_code == 6
    assert table_counts(db) == before
    own = run.cwd / "A-2_清查照片.png"
    own.write_bytes(png_bytes(1))
    run("asset", "attach", str(own), user="zhao")  # inventory evidence of its own village
    contract = run.cwd / "A-2_合同.pdf"
    contract.write_bytes(pdf_bytes())
    assert run("asset", "attach", str(contract), user="zhao", ok=False).exit_code == 6  # not inventory evidence
    run("asset", "attach", str(contract), user="zhang")


def test_certificate_and_label_print_as_html_and_pdf(run: Cli, db: Database) -> None:
    _county(run)
    run("asset", "certificate", "A-1", "--out", str(run.cwd / "c.html"), "--base-url", "https://zc.example.cn/")
    page = (run.cwd / "c.html").read_text(encoding="utf-8")
    assert "扶贫项目资产确权证书" in page and "红旗村股份经济合作社" in page and "<svg" in page
    out = run("asset", "certificate", "A-1", "--out", str(run.cwd / "c.pdf")).output
    assert "wrote" in out and ("not embedded" in out or "(embedded)" in out)
    words = pypdf.PdfReader(run.cwd / "c.pdf").pages[0].extract_text()
    assert "扶贫项目资产确权证书" in words and "A-1" in words and "红旗村股份经济合作社" in words
    run("asset", "label", "--village", "360921101201", "--out", str(run.cwd / "l.pdf"))
    labels = "".join(p.extract_text() for p in pypdf.PdfReader(run.cwd / "l.pdf").pages)
    assert all(a in labels for a in ("A-1", "A-2", "A-10")) and "QS-1" not in labels
    bad = run("asset", "label", "A-1", "--out", str(run.cwd / "x.html"), "--base-url", "javascript:alert(1)",
              ok=False)  # fmt: skip
    assert bad.exit_code == 2 and "http(s) address" in bad.output
    unconfirmed = [ASSET_HEADER, asset_row("U-1", 确权主体=None, 确权级别=None, 确权日期=None)]
    run("asset", "import", str(write_csv(run.cwd / "u.csv", unconfirmed)))
    refused = run("asset", "certificate", "U-1", "--out", str(run.cwd / "u.pdf"), ok=False)
    assert refused.exit_code == 5 and "未确权" in refused.output
    batch = run("asset", "certificate", "--village", "360921101201", "--out", str(run.cwd / "v.html")).output
    assert "1 asset(s) not confirmed, no certificate: U-1" in batch


def test_the_label_qr_code_is_the_assets_page_address(run: Cli) -> None:
    from assetledger.reports.papers import qr_svg
    from assetledger.services.certificates import asset_url

    _county(run)
    assert asset_url("https://zc.example.cn/app/", "A/1 村") == "https://zc.example.cn/app/assets/A%2F1%20%E6%9D%91"
    run("asset", "label", "A-2", "--out", str(run.cwd / "l.html"), "--base-url", "https://zc.example.cn/app")
    page = (run.cwd / "l.html").read_text(encoding="utf-8")
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
