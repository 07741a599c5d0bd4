"""Which rows and columns of a workbook's sheet are hidden (hidden by hand, by a filter, or in a collapsed group).

calamine reads the cells but not this, and openpyxl's read-only mode does not expose it; its full mode loads every
cell as an object (slow and large for a 50,000-row register). So the sheet's XML part is scanned with the standard
library: a streaming pass for hidden="1" (a sheet with nothing hidden, nearly every file, costs one decompression),
then, only when it is there, a scan of the <row> and <col> tags (50,000 rows: about half calamine's own read)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

_CHUNK = 1 << 20
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HIDDEN = re.compile(rb"""hidden\s*=\s*["'](?:1|true)["']""")
# A <row ...> or <col ...> start tag (x:row in some producers' files): SpreadsheetML puts no ">" in their
# attributes, and no cell's text holds an unescaped "<".
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|col)\b([^>]*)>")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TRUE = (b"1", b"true")


@dataclass
class Hidden:
    rows: set[int] = field(default_factory=set)  # row numbers as Excel shows them (1 is the first)
    columns: set[int] = field(default_factory=set)  # column positions (0 is A)


def hidden_lines(path: Path, sheet: str) -> Hidden:
    """The hidden rows and columns of the sheet named `sheet` (none when the workbook's parts cannot be found: the
    cells were read, so the file is a workbook; a part laid out in some other way hides nothing we can see)."""
    with zipfile.ZipFile(path) as book:
        part = _sheet_part(book, sheet)
        if part is None or not _says_hidden(book, part):
            return Hidden()
        return _scan(book.read(part))


def _says_hidden(book: zipfile.ZipFile, part: str) -> bool:
    """Whether the part has a hidden="1" anywhere, read a chunk at a time (the attribute may straddle two)."""
    tail = b""
    with book.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if _HIDDEN.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _scan(xml: bytes) -> Hidden:
    hidden = Hidden()
    last_row = 0
    for tag in _TAG.finditer(xml):
        attrs = {name: double or single for name, double, single in _ATTR.findall(tag.group(2))}
        if tag.group(1) == b"row":
            last_row = int(attrs[b"r"]) if b"r" in attrs else last_row + 1  # r may be left out: the next row
            if attrs.get(b"hidden") in _TRUE:
                hidden.rows.add(last_row)
        elif attrs.get(b"hidden") in _TRUE:
            hidden.columns.update(range(int(attrs[b"min"]) - 1, int(attrs[b"max"])))
    return hidden


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member of the sheet named `sheet`: the workbook part (from the package's relationships) lists the
    sheets by name and relationship id, and the workbook's relationships give each id's part."""
    workbook = _member(
        book, _target(book, "_rels/.rels", "", lambda rel: rel.get("Type", "").endswith("/officeDocument"))
    )
    if workbook is None:
        return None
    root = ElementTree.fromstring(book.read(workbook))
    rel_id = next(
        (_attr(s, "id") for s in root.iter() if s.tag.rpartition("}")[2] == "sheet" and s.get("name") == sheet),
        None,
    )
    if rel_id is None:
        return None
    folder, name = posixpath.split(workbook)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    return _member(book, _target(book, rels, folder, lambda rel: rel.get("Id") == rel_id))


def _member(book: zipfile.ZipFile, name: str | None) -> str | None:
    """The zip member a relationship targets: some producers' targets differ from the member's name in case."""
    if name is None:
        return None
    return {m.lower(): m for m in book.namelist()}.get(name.lower())


def _target(book: zipfile.ZipFile, rels: str, folder: str, wanted: Callable[[ElementTree.Element], bool]) -> str | None:
    try:
        root = ElementTree.fromstring(book.read(rels))
    except KeyError:
        return None
    for rel in root.iter(f"{{{_RELS}}}Relationship"):
        if wanted(rel):
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
    return None


def _attr(element: ElementTree.Element, local: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id)."""
    return next((v for k, v in element.attrib.items() if k.rpartition("}")[2] == local), None)
