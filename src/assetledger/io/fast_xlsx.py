"""A minimal one-sheet XLSX writer for many small printed forms (count sheets): the SpreadsheetML parts written
as text, strings inline, a fixed set of styles. About ten times faster than openpyxl's write-only mode, which
spends most of its time serialising cells one element at a time (hundreds of sheets of a county's villages).

Strings are always inline text cells, so nothing a user typed ever becomes a live formula.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Style(IntEnum):
    """Indexes into the cellXfs of STYLES."""

    PLAIN = 0
    BOLD = 1
    BOLD_FILLED = 2  # header of a column to fill in
    MONEY = 3  # #,##0.00
    TITLE = 4


@dataclass(frozen=True)
class Cell:
    value: object
    style: Style = Style.PLAIN


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""  # noqa: E501
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>\
</Relationships>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>\
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>\
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, cell: object) -> str:
    value, style = (cell.value, cell.style) if isinstance(cell, Cell) else (cell, Style.PLAIN)
    s = f' s="{int(style)}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, (int, Decimal)):
        return f'<c r="{ref}"{s}><v>{format(value, "f") if isinstance(value, Decimal) else value}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    text = escape(_ILLEGAL.sub("", str(value)))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"{s}><is><t{space}>{text}</t></is></c>'


def write_sheet(
    path: Path,
    sheet_name: str,
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[float] = (),
    freeze: str | None = None,
    choices: tuple[str, Sequence[str]] | None = None,
) -> Path:
    """One sheet of rows (values or Cells). `freeze` is the top-left unfrozen cell (e.g. "E3"); `choices` a
    drop-down list on a range, e.g. ("M3:M200", ["在用", "盘亏"])."""
    letters = [column_letter(i) for i in range(max((len(r) for r in rows), default=0))]
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">']
    if freeze:
        match = re.fullmatch(r"([A-Z]+)(\d+)", freeze)
        assert match, freeze
        x = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(match.group(1)))) - 1
        y = int(match.group(2)) - 1
        parts.append(
            f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="{x}" ySplit="{y}" topLeftCell="{freeze}" '
            'activePane="bottomRight" state="frozen"/></sheetView></sheetViews>'
        )
    if widths:
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        parts.append(f"<cols>{cols}</cols>")
    parts.append("<sheetData>")
    for number, row in enumerate(rows, 1):
        cells = "".join(_cell(f"{letters[i]}{number}", c) for i, c in enumerate(row))
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData>")
    if choices:
        ref, options = choices
        formula = escape('"' + ",".join(options) + '"')
        parts.append(
            f'<dataValidations count="1"><dataValidation type="list" allowBlank="1" showErrorMessage="1" '
            f'sqref="{ref}"><formula1>{formula}</formula1></dataValidation></dataValidations>'
        )
    parts.append("</worksheet>")
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f'<sheets><sheet name="{escape(sheet_name[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return path
