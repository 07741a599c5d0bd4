"""Beancount as the interchange and proof format: an entity's books as directives and as a .beancount text,
Beancount's own validation (what bean-check does), BQL over the directives in memory, and a ledger read back.

The journal model (assetledger.domain.journal) stays free of Beancount; this module is the only translation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import beanquery
from beancount import loader
from beancount.core import amount, data, inventory, position
from beancount.ops import validation
from beancount.parser import booking, parser, printer
from beancount.parser import options as bc_options

from assetledger.domain.journal import (
    CURRENCY,
    AccountSpec,
    EntryKind,
    JournalEntry,
    Posting,
    account_name_problem,
    entry_problems,
)
from assetledger.domain.money import FEN
from assetledger.errors import Finding, InputError

SOURCE = "<assetledger>"
_META_KEY = re.compile(r"^[a-z][A-Za-z0-9_-]+$")  # Beancount's metadata key syntax: two characters at least
_FIELDS = ("entry_id", "kind", "asset", "ref", "reverses")  # written from the entry's own fields, in this order
_NOT_META = {"filename", "lineno", "kind", "asset", "ref"}  # never copied from a directive into entry.meta
_KINDS = {k.value for k in EntryKind}

Refuse = Callable[[str, str | None], None]


@dataclass
class EntityBooks:
    """One accounting entity's books: its opened accounts and its entries (with store ids when booked)."""

    entity: str
    entity_name: str
    accounts: list[AccountSpec]
    entries: list[JournalEntry]

    @property
    def title(self) -> str:
        return f"{self.entity_name} ({self.entity})"


# --- export ---------------------------------------------------------------------------------------------------


def _meta(items: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
    meta = data.new_metadata(SOURCE, 0)
    meta.update((k, v) for k, v in items if v is not None)
    return meta


def _open(account: AccountSpec) -> data.Open:
    meta = _meta([("name_cn", account.cn_name), ("asset", account.asset_id)])
    return data.Open(meta, account.opened_on, account.name, [CURRENCY], None)


def _units(p: Posting) -> amount.Amount:
    """Always two places, so the text reads 100.00, never 1E+2; refuses to round a fen away silently."""
    number = p.amount.quantize(FEN)
    if number != p.amount:
        raise ValueError(f"{p.account}: amount {p.amount} has more than two decimal places")
    return amount.Amount(number, CURRENCY)


def _transaction(e: JournalEntry) -> data.Transaction:
    """Fields first in a fixed order, then the entry's own metadata by key. An id from the store wins over an
    entry_id/reverses carried in meta (which is how an imported ledger keeps its source's ids)."""
    bad = [k for k in e.meta if not _META_KEY.match(k)]
    if bad:
        raise ValueError(f"entry {e.id}: metadata keys {bad} are not valid Beancount keys")
    fields = {
        "entry_id": str(e.id) if e.id is not None else e.meta.get("entry_id"),
        "kind": str(e.kind),  # a stored text that is none of EntryKind: as it is
        "asset": e.asset_id,
        "ref": e.ref,
        "reverses": str(e.reverses) if e.reverses is not None else e.meta.get("reverses"),
    }
    extra = sorted((k, str(v)) for k, v in e.meta.items() if k not in fields and k not in _NOT_META)
    postings = [data.Posting(p.account, _units(p), None, None, None, None) for p in e.postings]
    meta = _meta([*fields.items(), *extra])
    return data.Transaction(meta, e.date, "*", None, e.narration, data.EMPTY_SET, data.EMPTY_SET, postings)


def to_directives(books: EntityBooks) -> list[data.Directive]:
    """Opens by (date, name), then transactions by (date, id): the order of the rendered file."""
    opens = [_open(a) for a in sorted(books.accounts, key=lambda a: (a.opened_on, a.name))]
    entries = sorted(books.entries, key=lambda e: (e.date, e.id or 0))
    return [*opens, *(_transaction(e) for e in entries)]


def render(books: EntityBooks) -> str:
    """A complete .beancount file, written by Beancount's own printer so that loading it gives the same directives.

    Layout: the options, a blank line, the opens, a blank line, then the transactions separated by blank lines.
    """
    directives = to_directives(books)
    fmt = printer.EntryPrinter()  # type: ignore[no-untyped-call]  # one printer: its number formats are built once
    header = f'option "title" {_quoted(books.title)}\noption "operating_currency" "{CURRENCY}"\n'
    opens = "".join(fmt(d) for d in directives if isinstance(d, data.Open))
    transactions = "\n".join(fmt(d) for d in directives if isinstance(d, data.Transaction))
    return "\n".join([header, opens, transactions])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(text: str) -> list[str]:
    """Beancount's full load (parse, booking, plugins, open-before-use, balance): the errors bean-check prints."""
    _, errors, _ = loader.load_string(text)
    return [_message(e) for e in errors]


def _message(error: Any) -> str:
    line = error.source.get("lineno") if error.source else None
    return f"line {line}: {error.message}" if line is not None else str(error.message)


# --- BQL ------------------------------------------------------------------------------------------------------


def run_bql(source: EntityBooks | Sequence[data.Directive], query: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run BQL with beanquery over directives in memory: no file is written and nothing is re-parsed.

    Money comes back as Decimal: a CNY Amount or Position gives its number, a CNY Inventory (e.g. sum(position))
    its total (0.00 when empty). Anything holding another currency or a cost gives its str. Strings, ints, bools,
    Decimals, dates and None pass unchanged; tags and links give 'a,b'; anything else (metadata dicts) its str.
    A query beanquery cannot parse or compile raises InputError.
    """
    directives = to_directives(source) if isinstance(source, EntityBooks) else list(source)
    directives.sort(key=data.entry_sortkey)
    options = dict(bc_options.OPTIONS_DEFAULTS, operating_currency=[CURRENCY])
    options["title"] = source.title if isinstance(source, EntityBooks) else SOURCE
    connection = beanquery.connect("beancount:", entries=directives, errors=[], options=options)
    try:
        cursor = connection.execute(query)
    except beanquery.Error as exc:
        raise InputError([Finding("BQL", None, None, query, str(exc))]) from exc
    columns = [c.name for c in cursor.description]
    return columns, [tuple(_plain(v) for v in row) for row in cursor.fetchall()]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, Decimal, dt.date)):
        return value
    if isinstance(value, amount.Amount):
        return value.number if value.currency == CURRENCY else str(value)
    if isinstance(value, position.Position):
        return value.units.number if value.cost is None and value.units.currency == CURRENCY else str(value)
    if isinstance(value, inventory.Inventory) and all(p.cost is None and p.units.currency == CURRENCY for p in value):
        return sum((p.units.number for p in value), Decimal("0.00"))
    if isinstance(value, (set, frozenset)):
        return ",".join(sorted(map(str, value)))
    return str(value)


# --- import ---------------------------------------------------------------------------------------------------


def _load_untrusted(source: Path | str) -> tuple[str, list[data.Directive], list[Any], list[Finding]]:
    """Beancount's loader pipeline without what an untrusted file could abuse: no `plugin` is imported or run,
    no `include` is followed, no `documents` folder is walked, and no pickle cache next to the file is read
    (loader.load_file would)."""
    name = str(source) if isinstance(source, Path) else "<ledger>"
    if isinstance(source, Path):
        entries, errors, options = parser.parse_file(name)
    else:
        entries, errors, options = parser.parse_string(source, report_filename=name)
    refused = [Finding(name, None, "plugin", p, "plugins are not run on import") for p, _ in options["plugin"]]
    refused += [Finding(name, None, "include", f, "includes are not followed on import") for f in options["include"]]
    refused += [Finding(name, None, "documents", d, "document folders are not scanned") for d in options["documents"]]
    options.update(plugin=[], documents=[], plugin_processing_mode="default")  # "raw" would skip the balance checks
    entries.sort(key=data.entry_sortkey)
    entries, booking_errors = booking.book(entries, options)  # type: ignore[no-untyped-call]
    entries, errors = loader.run_transformations(entries, errors + booking_errors, options, None)
    errors += validation.validate(entries, options)  # type: ignore[no-untyped-call]
    return name, entries, errors, refused


def parse_ledger(source: Path | str, entity: str) -> tuple[list[AccountSpec], list[JournalEntry], list[Finding]]:
    """Read a Beancount ledger (a Path, or the text itself) into accounts and entries, and say what is refused.

    Accepted: `open` (CNY or no currency constraint; name_cn -> cn_name, asset -> asset_id), `commodity CNY`,
    transactions flagged '*' with CNY amounts of at most two places (an amount Beancount interpolates is taken as
    interpolated), and `balance` assertions, which are checks only: Beancount verifies them while loading (a failing
    one is a finding) and they are not kept. Transaction metadata is kept in entry.meta, entry_id and reverses too
    (they name entries of the source ledger, not of the store). Everything else is refused as a Finding (row = the
    directive's line, column = its type): loader errors, other currencies, costs and prices, tags and links, other
    flags, posting flags and metadata, pad, close, price, note, event, document, query and custom directives,
    plugins, includes and document folders, and entries the journal model refuses (zero amounts, no narration).
    """
    name, entries, errors, findings = _load_untrusted(source)
    findings += [Finding(name, e.source.get("lineno") if e.source else None, None, None, _beancount(e)) for e in errors]
    failed_lines = {e.source.get("lineno") for e in errors if e.source}
    accounts: list[AccountSpec] = []
    journal: list[JournalEntry] = []
    for d in entries:
        line, kind = d.meta.get("lineno"), type(d).__name__.lower()

        def refuse(reason: str, value: str | None, line: int | None = line, kind: str = kind) -> None:
            findings.append(Finding(name, line, kind, value, reason))

        if line in failed_lines:
            continue  # Beancount has said what is wrong with it
        if isinstance(d, data.Open):
            account = _account(d, refuse)
            accounts += [account] if account else []
        elif isinstance(d, data.Transaction) and d.flag != "P":  # pad's own entries: the pad itself is refused
            entry = _entry(d, entity, refuse)
            journal += [entry] if entry else []
        elif not isinstance(d, (data.Balance, data.Transaction)) and not _is_cny(d):
            refuse(f"{kind} directives cannot be represented in the books", None)
    return accounts, journal, findings


def _beancount(error: Any) -> str:
    return f"Beancount: {error.message}"


def _is_cny(d: data.Directive) -> bool:
    return isinstance(d, data.Commodity) and d.currency == CURRENCY


def _account(d: data.Open, refuse: Refuse) -> AccountSpec | None:
    if d.currencies and list(d.currencies) != [CURRENCY]:
        refuse(f"only {CURRENCY} accounts can be imported", ",".join(d.currencies))
        return None
    problem = account_name_problem(d.account)
    if problem:
        refuse(problem, d.account)
        return None
    asset = d.meta.get("asset")
    return AccountSpec(d.account, str(d.meta.get("name_cn", d.account)), d.date, None if asset is None else str(asset))


def _posting_problem(p: data.Posting) -> tuple[str, str | None] | None:
    """(reason, value) when a posting cannot become a Posting of the journal model."""
    units = p.units
    if not isinstance(units, amount.Amount) or not isinstance(units.number, Decimal):
        return "posting without an amount", p.account
    if p.cost is not None or p.price is not None:
        return "costs and prices cannot be imported", str(p.cost or p.price)
    if units.currency != CURRENCY:
        return f"only {CURRENCY} amounts can be imported", str(units)
    if units.number != units.number.quantize(FEN):
        return "amounts with more than two decimal places cannot be imported", str(units.number)
    if p.flag:
        return "posting flags cannot be imported", p.flag
    if p.meta and any(k not in ("filename", "lineno") and not k.startswith("__") for k in p.meta):
        return "posting metadata cannot be imported", p.account
    return None


def _entry(d: data.Transaction, entity: str, refuse: Refuse) -> JournalEntry | None:
    problems = [_posting_problem(p) for p in d.postings]
    if d.flag != "*":
        problems.append(("only complete ('*') transactions can be imported", d.flag))
    if d.tags or d.links:
        problems.append(("tags and links cannot be imported", " ".join([*sorted(d.tags), *sorted(d.links)])))
    for reason, value in filter(None, problems):
        refuse(reason, value)
    if any(problems):
        return None
    kind = d.meta.get("kind")
    meta = {k: "" if v is None else str(v) for k, v in d.meta.items() if k not in _NOT_META and not k.startswith("__")}
    entry = JournalEntry(
        entity=entity,
        date=d.date,
        narration=f"{d.payee} {d.narration}".strip() if d.payee else d.narration or "",
        postings=tuple(Posting(p.account, _number(p)) for p in d.postings),
        kind=EntryKind(kind) if kind in _KINDS else EntryKind.IMPORTED,
        asset_id=_text(d.meta.get("asset")),
        ref=_text(d.meta.get("ref")),
        meta=meta,
    )
    model_problems = entry_problems(entry)
    for problem in model_problems:
        refuse(problem, None)
    return None if model_problems else entry


def _number(p: data.Posting) -> Decimal:
    assert p.units is not None and isinstance(p.units.number, Decimal), "checked by _posting_problem"
    return p.units.number


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
