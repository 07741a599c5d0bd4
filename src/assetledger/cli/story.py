"""An asset's events (`asset show`) and trail (`audit trail`) on a terminal in the reader's words: each line's
day, what happened (Chinese, the English beside) and who recorded it, then its facts one "字段：值" line each.

The words are the web asset page's (web/history.py): field labels from the register catalogue
(domain/register_fields.py) and the web catalogs, amounts with separators, codes by their labels, regions by their
names. No payload, JSON or code reaches the screen; `--format json/csv` keeps the record as it is for tools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from assetledger.web import history


def story_text(items: Iterable[Mapping[str, Any]], names: Mapping[str, str], *, areas: bool = True) -> str:
    """Blocks of lines, one block a line of the story (`kind`, `facts`, `date`, `recorded_at`, `actor`, `area`)."""
    blocks: list[str] = []
    for item in items:
        zh, en = history.what(item, "zh"), history.what(item, "en")
        what = zh if zh == en else f"{zh} ({en})"
        if areas and item.get("area"):
            what = f"{history.area(str(item['area']), 'zh')} · {what}"
        head = f"{_day(item.get('date'), item.get('recorded_at'))}  {what}"
        who = [f"记录人 {item['actor']}"] if item.get("actor") else []
        if item.get("recorded_at"):
            who.append(f"记录于 {_moment(item['recorded_at'])}")
        lines = [f"{head}（{'，'.join(who)}）" if who else head]
        facts = history.facts(item, "zh", names)
        lines += [f"    {name}：{shown}" if name else f"    {shown}" for name, shown in facts]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) if blocks else "（无 none）"


def _day(on: object, at: object) -> str:
    if on:
        return str(on)
    return str(at)[:10] if at else ""


def _moment(at: object) -> str:
    """A time of record in UTC, to the minute (PostgreSQL gives it a zone, SQLite none: both are UTC)."""
    if isinstance(at, dt.datetime):
        utc = at.astimezone(dt.UTC) if at.tzinfo is not None else at
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    return str(at)
