"""Certificates and labels as PDF (ReportLab), in Chinese, with the same QR codes as the HTML.

Chinese needs a font with Chinese glyphs. In order: the font given (`--font FILE` or ASSETLEDGER_CJK_FONT: a
TrueType .ttf/.ttc with Chinese, e.g. Debian's fonts-wqy-zenhei or Windows' simsun.ttc), else the first such font
found in the usual system places, embedded (subset) in the PDF; else ReportLab's built-in Adobe font STSong-Light,
which is not embedded: PDF readers with Chinese support (Acrobat, WPS, Foxit, browsers) draw it with their own Song
face, and the caller is told so. A given font that cannot be read, has PostScript outlines (OpenType/CFF, as Noto
Sans CJK) or lacks Chinese is refused with the reason.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from assetledger.domain.certificates import Paper
from assetledger.errors import Finding, InputError
from assetledger.reports.papers import (
    CERTIFICATE_TITLE,
    LABEL_TITLE,
    QR_CAPTION,
    certificate_facts,
    label_facts,
    statement,
)

FONT_ENV = "ASSETLEDGER_CJK_FONT"
BUILT_IN = "STSong-Light"
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
PROBE = "资产确权证书"  # a font without these is no font for a Chinese certificate
RED = (0.55, 0, 0)


@dataclass(frozen=True)
class PdfFont:
    name: str  # as registered with ReportLab
    source: str  # the file, or the built-in font's name
    embedded: bool

    def note(self) -> str:
        if self.embedded:
            return f"font {self.source} (embedded)"
        return (
            f"字体未嵌入 font {BUILT_IN} is not embedded: readers with Chinese support show it; for an embedded "
            f"font give --font FILE (or {FONT_ENV}), a TrueType Chinese font such as Debian's fonts-wqy-zenhei"
        )


def cjk_font(given: Path | None = None) -> PdfFont:
    """The font to set Chinese in (see the module's docstring)."""
    chosen = given or (Path(os.environ[FONT_ENV]) if os.environ.get(FONT_ENV) else None)
    if chosen is not None:
        font, problem = _load(chosen)
        if font is None:
            raise InputError([Finding(str(chosen), None, "font", None, problem)])
        return font
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            font, _ = _load(Path(candidate))
            if font is not None:
                return font
    if BUILT_IN not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(BUILT_IN))
    return PdfFont(BUILT_IN, BUILT_IN, embedded=False)


def _load(path: Path) -> tuple[PdfFont | None, str]:
    name = f"cjk-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    if name in pdfmetrics.getRegisteredFontNames():
        return PdfFont(name, str(path), embedded=True), ""
    try:
        font = TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError, ValueError, KeyError, IndexError) as exc:
        return None, f"无法使用该字体 cannot use this font: {exc} (a TrueType .ttf/.ttc is needed)"
    glyphs = font.face.charToGlyph
    if not all(ord(c) in glyphs for c in PROBE):
        return None, "字体不含中文 the font has no Chinese characters"
    pdfmetrics.registerFont(font)
    return PdfFont(name, str(path), embedded=True), ""


def _lines(text: str, font: str, size: float, width: float) -> list[str]:  # not money: points
    """`text` cut into lines no wider than `width` (character by character: Chinese has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:  # not money: points
    """The QR code of `url`, `size` wide, its lower left corner at (x, y)."""
    rows = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(border=2)]
    cell = size / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules: a smaller, faster page
            if not row[c]:
                c += 1
                continue
            run = c
            while run < len(row) and row[run]:
                run += 1
            path.rect(x + c * cell, y + size - (r + 1) * cell, (run - c) * cell, cell)
            c = run
    canvas.drawPath(path, stroke=0, fill=1)


def certificates_pdf(papers: Sequence[Paper], target: Path, font: PdfFont) -> Path:
    canvas = Canvas(str(target), pagesize=A4, pageCompression=1)
    canvas.setTitle(CERTIFICATE_TITLE)
    width, height = A4
    for p in papers:
        canvas.setStrokeColorRGB(*RED)
        canvas.setLineWidth(3)
        canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        canvas.setLineWidth(0.8)
        canvas.rect(14.5 * mm, 14.5 * mm, width - 29 * mm, height - 29 * mm)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(font.name, 10.5)
        canvas.drawRightString(width - 24 * mm, height - 26 * mm, f"证号：{p.number}")
        canvas.setFillColorRGB(*RED)
        canvas.setFont(font.name, 24)
        canvas.drawCentredString(width / 2, height - 42 * mm, CERTIFICATE_TITLE)
        canvas.setFillColorRGB(0, 0, 0)
        y = height - 58 * mm
        left, label_width, right = 26 * mm, 30 * mm, width - 26 * mm
        for label, value in certificate_facts(p):
            lines = _lines(value, font.name, 11.5, right - left - label_width) or [""]
            canvas.setFont(font.name, 11.5)
            canvas.drawString(left, y, f"{label}：")
            for line in lines:
                canvas.drawString(left + label_width, y, line)
                y -= 7.5 * mm
        y -= 3 * mm
        for line in _lines(statement(p), font.name, 12, right - left):
            canvas.setFont(font.name, 12)
            canvas.drawString(left, y, line)
            y -= 7.5 * mm
        _qr(canvas, p.url, left, 24 * mm, 34 * mm)
        canvas.setFont(font.name, 8.5)
        canvas.drawCentredString(left + 17 * mm, 20 * mm, QR_CAPTION)
        canvas.setFont(font.name, 12.5)
        canvas.drawRightString(right, 44 * mm, f"颁证机关：{p.county}（盖章）")
        canvas.drawRightString(right, 34 * mm, "颁证日期：　　年　　月　　日")
        canvas.showPage()
    canvas.save()
    return target


LABEL_COLUMNS, LABEL_ROWS = 2, 5


def labels_pdf(papers: Sequence[Paper], target: Path, font: PdfFont) -> Path:
    """Ten labels to an A4 page, each 90 × 52 mm with its QR code on the left."""
    canvas = Canvas(str(target), pagesize=A4, pageCompression=1)
    canvas.setTitle(LABEL_TITLE)
    width, height = A4
    box_w, box_h, gap = 90 * mm, 52 * mm, 4 * mm
    left = (width - LABEL_COLUMNS * box_w - (LABEL_COLUMNS - 1) * gap) / 2
    top = height - (height - LABEL_ROWS * box_h - (LABEL_ROWS - 1) * gap) / 2
    per_page = LABEL_COLUMNS * LABEL_ROWS
    for i, p in enumerate(papers):
        if i and i % per_page == 0:
            canvas.showPage()
        row, column = divmod(i % per_page, LABEL_COLUMNS)
        x = left + column * (box_w + gap)
        y = top - (row + 1) * box_h - row * gap
        canvas.setStrokeColorRGB(0.2, 0.2, 0.2)
        canvas.setLineWidth(1)
        canvas.roundRect(x, y, box_w, box_h, 2 * mm)
        _qr(canvas, p.url, x + 3 * mm, y + 10 * mm, 32 * mm)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(font.name, 7)
        canvas.drawCentredString(x + 19 * mm, y + 6 * mm, QR_CAPTION)
        text_x, text_w = x + 38 * mm, box_w - 41 * mm
        canvas.setFillColorRGB(*RED)
        canvas.setFont(font.name, 10.5)
        canvas.drawString(text_x, y + box_h - 8 * mm, LABEL_TITLE)
        canvas.setFillColorRGB(0, 0, 0)
        line_y = y + box_h - 15 * mm
        for label, value in label_facts(p):
            for j, line in enumerate(_lines(f"{label}：{value}", font.name, 8, text_w)[:2]):
                if line_y < y + 3 * mm:
                    break
                canvas.setFont(font.name, 8)
                canvas.drawString(text_x + (3 * mm if j else 0), line_y, line)
                line_y -= 4.6 * mm
    canvas.showPage()
    canvas.save()
    return target
