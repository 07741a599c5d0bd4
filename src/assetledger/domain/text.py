"""Free text as the record keeps it, and as it is shown again. Pure.

Text of record holds printable characters only: never NUL or another control character (C0, DEL, C1), never a
bidirectional override (text that displays in another order than it reads), never a lone surrogate (undecodable
bytes). A field holds one line (names, ids, documents, narrations) or several (notes, duties, reasons: there TAB,
CR and LF are allowed too), and never more characters than the column that stores it. The rule of each field comes
from that column (store/text_rules.py), so the limit lives once.

Such characters break spreadsheets (openpyxl refuses them), the audit package and Beancount files, and an ESC
sequence replayed to a terminal can rewrite what a reader sees; so they are refused at the door with a finding,
and anything that is shown is shown through `visible`, which writes each such character as an escape.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from assetledger.errors import Finding, InputError

_LINE_BREAKS = "\n\r\u2028\u2029"
# Refused everywhere: C0 controls but TAB, LF and CR; DEL and the C1 controls; bidirectional embeddings, overrides
# and isolates; the line and paragraph separators; lone surrogates; the two non-characters U+FFFE and U+FFFF.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufffe\uffff"
LINES_REFUSED = re.compile(f"[{_ALWAYS}]")  # text of several lines may hold TAB, LF and CR
ONE_LINE_REFUSED = re.compile(f"[\t\n\r{_ALWAYS}]")
SHOWN = 60  # characters of an over-long value shown in its finding
NAMES = {0x00: "NUL", 0x09: "TAB", 0x0A: "LF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI"}


@dataclass(frozen=True)
class TextRule:
    """What one field may hold: at most `limit` characters (None: no limit of its own, e.g. a code looked up),
    on one line or several."""

    limit: int | None = None
    lines: bool = False


ONE_LINE = TextRule()


def fold(text: str) -> str:
    """An identifier as the record keeps it (asset id, 户编号, region code, a count): full-width and other
    compatibility forms folded to their plain form (NFKC, as amounts are read), and stripped, so that
    360921－0000001 and ３６０９２１-0000001 are the id 360921-0000001, never a second asset beside it."""
    return unicodedata.normalize("NFKC", text).strip() if not text.isascii() else text.strip()


def text_problem(value: str, rule: TextRule = ONE_LINE) -> str | None:
    """Why `value` may not be stored under `rule`, or None when it may."""
    bad = (LINES_REFUSED if rule.lines else ONE_LINE_REFUSED).search(value)
    if bad is not None:
        return _bad_character(bad.group(), rule)
    if rule.limit is not None and len(value) > rule.limit:
        return (
            f"超过该栏最多 {rule.limit} 个字（现有 {len(value)} 个） "
            f"(longer than {rule.limit} characters, the most this column holds (it has {len(value)}))"
        )
    return None


def _bad_character(char: str, rule: TextRule) -> str:
    code = ord(char)
    name = f"U+{code:04X}" + (f" {NAMES[code]}" if code in NAMES else "")
    if rule.lines and char in _LINE_BREAKS:
        return (
            f"含有行或段落分隔符 {name}，请用普通换行 "
            f"(contains a line or paragraph separator ({name}); write an ordinary line break)"
        )
    if char in _LINE_BREAKS or char == "\t":
        return (
            f"含有换行或制表符 {name}，此栏只能写一行 "
            f"(contains a line break or tab ({name}); this field holds one line: write it on one line)"
        )
    if 0xD800 <= code <= 0xDFFF:
        return (
            f"含有不是文字的字节 {name}，请将文件存为 UTF-8 或重新输入 "
            f"(contains bytes that are not text ({name}); save the file or type the value as UTF-8)"
        )
    if 0x202A <= code <= 0x2069:
        return (
            f"含有改变文字显示方向的控制字符 {name}，请删去 "
            f"(contains a direction override ({name}) that makes text display in another order than it reads)"
        )
    return (
        f"含有控制字符 {name}，只能写可打印的字符 "
        f"(contains the control character {name}; text may hold printable characters only)"
    )


def any_refused(texts: list[str], rule: TextRule) -> bool:
    """Whether any of many texts breaks `rule`: one pattern search and one length pass over them all, so that bulk
    paths pay little for the common case and look value by value only when something is wrong."""
    if not texts:
        return False
    joined = "".join(texts)
    # isprintable() is False for every refused character (and for a few harmless ones, such as U+3000): a fast
    # all-clear for the common case, the pattern decides the rest.
    if not joined.isprintable() and (LINES_REFUSED if rule.lines else ONE_LINE_REFUSED).search(joined) is not None:
        return True
    return rule.limit is not None and len(joined) > rule.limit and max(map(len, texts)) > rule.limit


def shown(value: str) -> str:
    """The value as a finding shows it: over-long values cut to their first characters."""
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


def text_findings(source: str, row: int | None, texts: Iterable[tuple[str, str | None, TextRule]]) -> list[Finding]:
    """A finding for each (field, value, rule) whose value breaks its rule."""
    found = []
    for field, value, rule in texts:
        if value is not None:
            problem = text_problem(value, rule)
            if problem is not None:
                found.append(Finding(source, row, field, shown(value), problem))
    return found


def require_texts(source: str, texts: Iterable[tuple[str, str | None, TextRule]]) -> None:
    """Refuse (InputError, every finding) single values that break their rules: options and form fields."""
    found = text_findings(source, None, texts)
    if found:
        raise InputError(found)


# --- showing text again ----------------------------------------------------------------------------------------

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def visible(text: str, *, keep_lines: bool = False) -> str:
    """`text` with every refused character written as an escape (ESC as \\x1b, LF as \\n), so a terminal or a
    spreadsheet shows it instead of acting on it. `keep_lines` keeps TAB, LF and CR (for CSV, which quotes them)."""
    pattern = LINES_REFUSED if keep_lines else ONE_LINE_REFUSED
    return pattern.sub(_escape, text) if pattern.search(text) else text
