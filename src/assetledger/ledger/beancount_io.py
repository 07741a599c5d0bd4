"""Beancount as the interchange and proof format: render an entity's books as a .beancount text, validate it with
Beancount's own loader (what bean-check does), run BQL over it with beanquery, and read a ledger back."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data

from assetledger.domain.journal import CURRENCY, AccountSpec, EntryKind, JournalEntry, Posting
from assetledger.domain.money import FEN
from assetledger.errors import Finding

_META_KEY = re.compile(r"^[a-z][A-Za-z0-9_-]*$")
_RESERVED_META = {"filename", "lineno", "entry_id", "kind", "asset", "ref", "reverses"}


@dataclass
class EntityBooks:
    entity: str
    entity_name: str
    accounts: list[AccountSpec]
    entries: list[JournalEntry]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render(books: EntityBooks) -> str:
    """A complete Beancount file: options, opens (Chinese names as metadata), transactions in (date, id) order."""
    out = [
        f'option "title" {_quote(f"{books.entity_name} ({books.entity})")}',
        f'option "operating_currency" "{CURRENCY}"',
        "",
    ]
    for a in sorted(books.accounts, key=lambda a: (a.opened_on, a.name)):
        out.append(f"{a.opened_on.isoformat()} open {a.name} {CURRENCY}")
        out.append(f"  name_cn: {_quote(a.cn_name)}")
        if a.asset_id:
            out.append(f"  asset: {_quote(a.asset_id)}")
    out.append("")
    for e in sorted(books.entries, key=lambda e: (e.date, e.id or 0)):
        out.append(f"{e.date.isoformat()} * {_quote(e.narration)}")
        if e.id is not None:
            out.append(f"  entry_id: {_quote(str(e.id))}")
        out.append(f"  kind: {_quote(e.kind.value)}")
        if e.asset_id:
            out.append(f"  asset: {_quote(e.asset_id)}")
        if e.ref:
            out.append(f"  ref: {_quote(e.ref)}")
        if e.reverses is not None:
            out.append(f"  reverses: {_quote(str(e.reverses))}")
        for key, value in sorted(e.meta.items()):
            if _META_KEY.match(key) and key not in _RESERVED_META:
                out.append(f"  {key}: {_quote(str(value))}")
        for p in e.postings:
            out.append(f"  {p.account}  {p.amount:.2f} {CURRENCY}")
        out.append("")
    return "\n".join(out)


def _load(text: str) -> tuple[list[Any], list[Any], dict[str, Any]]:
    entries, errors, options = loader.load_string(text)
    return entries, errors, options


def check(text: str) -> list[str]:
    """Beancount's own validation (parse, balance, open-before-use, …): the messages bean-check would print."""
    _, errors, _ = _load(text)
    return [f"line {e.source.get('lineno', '?')}: {e.message}" if e.source else str(e.message) for e in errors]


def run_bql(books: EntityBooks, query: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a BQL query with beanquery over the entity's live books, in memory (no file is written).

    Values come back as beanquery gives them: Decimal numbers, beancount Amount/Inventory objects for
    positions (rendered by their str), dates as datetime.date.
    """
    import beanquery

    entries, errors, options = _load(render(books))
    connection = beanquery.connect("beancount:", entries=entries, errors=errors, options=options)
    cursor = connection.execute(query)
    columns = [c.name for c in cursor.description]
    rows = [tuple(_plain(v) for v in row) for row in cursor.fetchall()]
    return columns, rows


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, Decimal, dt.date)) or value is None:
        return value
    return str(value)


def parse_ledger(source: Path | str, entity: str) -> tuple[list[AccountSpec], list[JournalEntry], list[Finding]]:
    """Read a Beancount ledger (CNY, simple transactions) into accounts and entries, or say what is refused.

    Accepted: open (CNY or no currency constraint), transactions with CNY amounts of at most two decimals,
    commodity CNY, and balance assertions (Beancount verifies them while loading; a failing one is an error).
    Refused: other currencies, costs and prices, pad, close, price, note, event, document, query and custom
    directives, and anything Beancount itself reports as an error.
    """
    if isinstance(source, Path):
        name = str(source)
        entries, errors, _ = loader.load_file(name)
    else:
        name = "<ledger>"
        entries, errors, _ = _load(source)
    findings = [
        Finding(name, e.source.get("lineno") if e.source else None, None, None, f"Beancount: {e.message}")
        for e in errors
    ]
    accounts: list[AccountSpec] = []
    journal: list[JournalEntry] = []
    for d in entries:
        line = d.meta.get("lineno") if d.meta else None
        kind_name = type(d).__name__.lower()

        def refuse(reason: str, value: str | None = None, line: int | None = line, kind: str = kind_name) -> None:
            findings.append(Finding(name, line, kind, value, reason))

        if isinstance(d, data.Open):
            if d.currencies and list(d.currencies) != [CURRENCY]:
                refuse(f"only {CURRENCY} accounts can be imported", ",".join(d.currencies))
                continue
            asset = d.meta.get("asset")
            accounts.append(AccountSpec(d.account, str(d.meta.get("name_cn", d.account)), d.date, asset))
        elif isinstance(d, data.Transaction):
            entry = _transaction(d, entity, refuse)
            if entry is not None:
                journal.append(entry)
        elif (isinstance(d, data.Commodity) and d.currency == CURRENCY) or isinstance(d, data.Balance):
            continue
        else:
            refuse(f"{kind_name} directives cannot be represented in the books")
    return accounts, journal, findings


def _transaction(d: Any, entity: str, refuse: Any) -> JournalEntry | None:
    if d.flag == "P":
        refuse("padding transactions (pad) cannot be imported")
        return None
    postings = []
    ok = True
    for p in d.postings:
        units = p.units
        if units is None or units.currency != CURRENCY:
            refuse(f"only {CURRENCY} amounts can be imported", str(units), p.meta.get("lineno") if p.meta else None)
            ok = False
            continue
        if p.cost is not None or p.price is not None:
            refuse("costs and prices cannot be imported", str(p.cost or p.price))
            ok = False
            continue
        if units.number != units.number.quantize(FEN):
            refuse("amounts with more than two decimal places cannot be imported", str(units.number))
            ok = False
            continue
        postings.append(Posting(p.account, units.number.quantize(FEN)))
    if not ok:
        return None
    meta = {k: str(v) for k, v in d.meta.items() if k not in _RESERVED_META and not k.startswith("__")}
    kind_text = d.meta.get("kind", EntryKind.IMPORTED.value)
    kind = EntryKind(kind_text) if kind_text in EntryKind.__members__.values() else EntryKind.IMPORTED
    narration = f"{d.payee} {d.narration}".strip() if d.payee else (d.narration or "")
    return JournalEntry(
        entity=entity,
        date=d.date,
        narration=narration or "(no narration)",
        postings=tuple(postings),
        kind=kind,
        asset_id=d.meta.get("asset"),
        ref=d.meta.get("ref"),
        meta=meta,
    )
