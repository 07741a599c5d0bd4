"""Documents, contracts, certificates and labels on the web, through Flask's test client on the real test
database: the asset page lists its documents and contracts, a document downloads within the reader's scope only,
finance attaches one file or a ZIP (a bad file is a 422 page naming it, nothing stored), the QR labels and the
certificate print as HTML and PDF, and the governance list shows the contract alerts."""

from __future__ import annotations

import io
import zipfile

from flask import Flask

from assetledger.store.db import Database
from tests.conftest import Cli
from tests.helpers import table_counts, write_csv
from tests.services.test_documents import pdf_bytes, png_bytes
from tests.web.conftest import VILLAGE, login


def _attach_form(token: str, name: str, data: bytes, **extra: str) -> dict[str, object]:
    return {"csrf_token": token, "file": (io.BytesIO(data), name), **extra}


def test_asset_page_lists_documents_and_contracts_and_they_download(app: Flask, county: Cli, db: Database) -> None:
    header = ["合同编号", "资产编号", "经营主体", "经营方式", "合同起始日期", "合同截止日期", "年租金"]
    row = ["HT-9", "A-1", "绿源公司", "出租", "2024-01-01", "2028-12-31", "40000"]
    county("contract", "import", str(write_csv(county.cwd / "c.csv", [header, row])), user="zhang")
    zhang, token = login(app, "zhang")
    sent = zhang.post("/assets/A-1/documents", content_type="multipart/form-data",
                      data=_attach_form(token, "验收报告.pdf", pdf_bytes(), title="县验〔2023〕5号"))  # fmt: skip
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/assets/A-1#documents")
    page = zhang.get("/assets/A-1").get_data(as_text=True)
    assert 'id="document-list"' in page and "验收报告.pdf" in page and "县验〔2023〕5号" in page and "验收材料" in page
    assert "HT-9" in page and "绿源公司" in page and "40,000.00" in page
    assert "打印确权证书" in page and "打印资产标签" in page
    link = page.split('href="/assets/A-1/documents/', 1)[1].split('"', 1)[0]
    got = zhang.get(f"/assets/A-1/documents/{link}")
    assert got.status_code == 200 and got.data == pdf_bytes() and got.mimetype == "application/pdf"
    assert "attachment" in got.headers["Content-Disposition"]
    li, _ = login(app, "li")  # the accountant of 红旗村 reads A-1's documents, not B-1's page
    assert li.get(f"/assets/A-1/documents/{link}").status_code == 200
    assert li.get(f"/assets/B-1/documents/{link}").status_code == 403
    assert zhang.get(f"/assets/A-2/documents/{link}").status_code == 404  # not A-2's document
    assert zhang.get("/assets/A-1/documents/..%2F..%2Fetc%2Fpasswd").status_code == 404
    wang, wang_token = login(app, "wang")  # auditors read and write nothing
    refused = wang.post("/assets/A-1/documents", content_type="multipart/form-data",
                        data=_attach_form(wang_token, "照片.png", png_bytes()))  # fmt: skip
    assert refused.status_code == 403


def test_a_bad_file_or_zip_is_a_page_of_findings_and_nothing_is_stored(app: Flask, db: Database) -> None:
    zhang, token = login(app, "zhang")
    before = table_counts(db)
    bad = zhang.post("/assets/A-1/documents", content_type="multipart/form-data",
                     data=_attach_form(token, "合同.pdf", b"MZ not a pdf"))  # fmt: skip
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "合同.pdf" in page and "文件类型不允许，可用 PDF" in page
    assert "not an allowed type" not in page  # a Chinese page says it in Chinese
    assert "/tmp" not in page and "assetledger-document" not in page
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("A-1_确权书.pdf", pdf_bytes())
        z.writestr("../A-2_移交书.pdf", pdf_bytes("2"))
    archive.seek(0)
    refused = zhang.post("/documents/upload", content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (archive, "红旗村档案.zip")})  # fmt: skip
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "路径不安全" in text and "/tmp" not in text
    assert table_counts(db) == before
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("A-1_确权书.pdf", pdf_bytes())
        z.writestr("A-2/现场照片.png", png_bytes())
    archive.seek(0)
    done = zhang.post("/documents/upload", content_type="multipart/form-data",
                      data={"csrf_token": token, "file": (archive, "红旗村档案.zip")})  # fmt: skip
    assert done.status_code == 200 and "已归档 2 份文件，涉及 2 项资产" in done.get_data(as_text=True)
    assert "确权书" in zhang.get("/assets/A-1").get_data(as_text=True)


def test_certificate_and_labels_print_with_qr_codes_to_the_asset_page(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    certificate = zhang.get("/print/certificate?asset=A-1")
    page = certificate.get_data(as_text=True)
    assert certificate.status_code == 200 and "扶贫项目资产确权证书" in page and "<svg" in page
    pdf = zhang.get("/print/label?village=" + VILLAGE + "&format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    from assetledger.reports.papers import qr_svg

    labels = zhang.get("/print/label?asset=A-1").get_data(as_text=True)
    assert qr_svg("http://localhost/assets/A-1", 2) in labels  # the address the page was asked at
    assert zhang.get("/assets/A-1").status_code == 200  # …which opens the asset's page
    li, _ = login(app, "li")
    assert li.get("/print/label?asset=B-1").status_code == 403  # another village


def test_governance_list_shows_contract_alerts(app: Flask) -> None:
    zhang, _ = login(app, "zhang")
    page = zhang.get("/governance?as_of=2025-06-30").get_data(as_text=True)
    assert 'id="alerts"' in page and "经营无合同" in page  # A-1 and B-1 run without a contract
    assert 'class="alert-no_contract"' in page
    english = zhang.get("/governance?as_of=2025-06-30&lang=en").get_data(as_text=True)
    assert "operating without a contract" in english
