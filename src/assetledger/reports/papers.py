"""Ownership certificates (确权证书) and asset labels (资产标签) as HTML to print, in Chinese, with a QR code (segno)
that opens the asset's page. One page per certificate; labels ten to an A4 page. They know no database."""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

import segno

from assetledger.domain.certificates import Paper

CERTIFICATE_TITLE = "扶贫项目资产确权证书"
LABEL_TITLE = "扶贫项目资产标识"
QR_CAPTION = "扫码查看资产档案"

STYLE = """
@page{size:A4;margin:12mm}
body{font-family:"Noto Serif CJK SC","Songti SC","SimSun","Noto Sans CJK SC","Microsoft YaHei",serif;color:#111;
 margin:0}
.certificate{page-break-after:always;border:6px double #8b0000;padding:12mm 16mm;min-height:245mm;box-sizing:border-box}
.certificate:last-child{page-break-after:auto}
.certificate h1{text-align:center;color:#8b0000;font-size:26pt;letter-spacing:.3em;margin:4mm 0 2mm}
.number{text-align:right;font-size:11pt}
.certificate table{width:100%;border-collapse:collapse;margin-top:6mm;font-size:12pt}
.certificate th,.certificate td{border:1px solid #555;padding:1.8mm 3mm;text-align:left;vertical-align:top}
.certificate th{width:28%;background:#f6f0e8;font-weight:normal}
.statement{margin-top:6mm;font-size:12pt;line-height:1.8;text-indent:2em}
.foot{margin-top:10mm;display:flex;justify-content:space-between;align-items:flex-end}
.issuer{text-align:right;font-size:13pt;line-height:2}
.qr{text-align:center;font-size:9pt}
.labels{display:grid;grid-template-columns:repeat(2,1fr);gap:4mm}
.label{border:1.5px solid #333;border-radius:2mm;padding:3mm;display:flex;gap:3mm;height:48mm;box-sizing:border-box;
 page-break-inside:avoid;overflow:hidden}
.label h2{font-size:11pt;margin:0 0 1.5mm;color:#8b0000}
.label dl{margin:0;font-size:9pt;line-height:1.45}.label dt{display:inline;color:#555}.label dd{display:inline;margin:0}
.label dd:after{content:"";display:block}
@media screen{body{background:#ddd}.certificate,.labels{background:#fff;max-width:190mm;margin:8mm auto}}
"""


def _e(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def qr_svg(url: str, scale: int = 3) -> str:
    """The QR code of a URL as inline SVG (error correction M: a scuffed label still scans)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=scale, border=2))


def _money(value: Decimal) -> str:
    return f"{value:,.2f} 元"


def _quantity(p: Paper) -> str | None:
    if p.quantity is None:
        return None
    number = p.quantity.normalize() if p.quantity == p.quantity.to_integral() else p.quantity
    return f"{number:f} {p.unit or ''}".strip()


def certificate_facts(p: Paper) -> list[tuple[str, str]]:
    """The lines of a certificate, label and value (the PDF prints the same)."""
    facts = [
        ("资产编号", p.asset_id), ("资产名称", p.name), ("资产类别", p.register), ("资产分类", p.category),
        ("坐落位置", f"{p.place}{p.location or ''}"), ("数量", _quantity(p)), ("资产原值", _money(p.original_value)),
        ("项目名称", p.project_name), ("建设年度", p.build_year), ("确权主体", p.owner_name),
        ("确权级别", p.owner_kind), ("确权日期", p.confirmed_on), ("确权文件", p.confirm_doc),
        ("移交日期", p.handed_over_on), ("管护主体", p.custodian),
    ]  # fmt: skip
    return [(k, str(v)) for k, v in facts if v is not None and v != ""]


def statement(p: Paper) -> str:
    return (f"经确认，上述扶贫项目资产的所有权归{p.owner_name}所有，特发此证。"
            "资产的管护、经营和收益分配按有关规定执行，不得擅自处置。")  # fmt: skip


def certificates_html(papers: Sequence[Paper]) -> str:
    pages = []
    for p in papers:
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in certificate_facts(p))
        pages.append(
            f'<section class="certificate"><div class="number">证号：{_e(p.number)}</div>'
            f"<h1>{CERTIFICATE_TITLE}</h1><table>{rows}</table>"
            f'<p class="statement">{_e(statement(p))}</p>'
            f'<div class="foot"><div class="qr">{qr_svg(p.url)}<br>{QR_CAPTION}</div>'
            f'<div class="issuer">颁证机关：{_e(p.county)}（盖章）<br>颁证日期：　　年　　月　　日</div></div>'
            "</section>"
        )
    return _document(CERTIFICATE_TITLE, "".join(pages))


def label_facts(p: Paper) -> list[tuple[str, str]]:
    facts = [("编号", p.asset_id), ("名称", p.name), ("类别", p.register), ("位置", p.place),
             ("确权主体", p.owner_name or "未确权"), ("管护主体", p.custodian)]  # fmt: skip
    return [(k, str(v)) for k, v in facts if v]


def labels_html(papers: Sequence[Paper]) -> str:
    cells = []
    for p in papers:
        facts = "".join(f"<dt>{_e(k)}：</dt><dd>{_e(v)}</dd>" for k, v in label_facts(p))
        cells.append(f'<div class="label"><div class="qr">{qr_svg(p.url, 2)}<br>{QR_CAPTION}</div>'
                     f"<div><h2>{LABEL_TITLE}</h2><dl>{facts}</dl></div></div>")  # fmt: skip
    return _document(LABEL_TITLE, f'<div class="labels">{"".join(cells)}</div>')


def _document(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")  # fmt: skip
