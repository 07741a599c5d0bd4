"""What every list page shares: reading page, size, sort and search words from the address, the pager, and the
CSV/XLSX export of exactly what the filter shows. Views parse with these and render; the services query.

A bad parameter (page=abc, size=7, sort=nonsense, year=0000) is an InputError whose reason is in the page's
language; the error page shows it as a 400 in that language, never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import g, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from assetledger.errors import Finding, InputError
from assetledger.io.output import render_csv, write_xlsx
from assetledger.services.paging import Sorting
from assetledger.web.i18n import DEFAULT_LANG, mark, translate

SIZES = (20, 50, 100, 200)
DEFAULT_SIZE = 50
EXPORTS = ("csv", "xlsx")
MAX_PAGE = 10**6
YEARS = (1949, 2200)  # a build, award or report year outside these is a typing error

Rows = TypeVar("Rows")


def _lang() -> str:
    return str(getattr(g, "lang", DEFAULT_LANG))


def bad(name: str, value: str | None, reason: str, **values: object) -> InputError:
    """The error of one bad address parameter, its reason (a message id) in the page's language."""
    return InputError([Finding(translate("address", _lang()), None, name, value, translate(reason, _lang(), **values))])


def int_arg(args: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    """A whole number parameter between `low` and `high`, or None when absent or empty."""
    text = (args.get(name) or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,9}", text) or not low <= int(text) <= high:
        raise bad(name, text, mark("bad_number"), low=low, high=high)
    return int(text)


def year_arg(args: Mapping[str, str], name: str = "year") -> int | None:
    text = (args.get(name) or "").strip()
    if text and not re.fullmatch(r"\d{4}", text):
        raise bad(name, text, mark("bad_year"))
    return int_arg(args, name, *YEARS)


def date_arg(args: Mapping[str, str], name: str) -> dt.date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise bad(name, text, mark("bad_date")) from exc


def choice_arg(args: Mapping[str, str], name: str, allowed: Sequence[str]) -> str | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    if text not in allowed:
        raise bad(name, text, mark("bad_choice"))
    return text


def words_arg(args: Mapping[str, str], name: str = "q") -> tuple[str, ...]:
    """The search words: separated by spaces (either width); every one must match."""
    return tuple(w for w in re.split(r"[\s\u3000]+", (args.get(name) or "").strip()) if w)[:10]


@dataclass(frozen=True)
class Listing:
    """Which page of a list, how many a page, and the order."""

    page: int
    size: int
    sort: str
    descending: bool

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def of(self, total: int) -> Pager:
        return Pager(min(self.page, max(1, -(-total // self.size))), self.size, total)

    def sorting(self, page: int | None = None) -> Sorting:
        """The services' order of the list, from the start of `page` (default: this one)."""
        return Sorting(self.sort, self.descending, ((page or self.page) - 1) * self.size)


def paged(fetch: Callable[[Sorting], tuple[Rows, int]], order: Listing) -> tuple[Rows, Pager]:
    """The page asked for of a list (`fetch`: a page's rows in an order from an offset, and how many the list has),
    or its last page when the list is shorter than that now (it shrank since the link was made)."""
    rows, total = fetch(order.sorting())
    pager = order.of(total)
    if pager.page != order.page:
        rows, _ = fetch(order.sorting(pager.page))
    return rows, pager


def listing(args: Mapping[str, str], sorts: Sequence[str], default_sort: str, default_desc: bool = False) -> Listing:
    size = int_arg(args, "size", 1, max(SIZES)) or DEFAULT_SIZE
    if size not in SIZES:
        raise bad("size", str(size), mark("bad_size"), sizes=" / ".join(str(s) for s in SIZES))
    sort = choice_arg(args, "sort", sorts) or default_sort
    order = choice_arg(args, "order", ("asc", "desc"))
    descending = default_desc if order is None and sort == default_sort else order == "desc"
    return Listing(int_arg(args, "page", 1, MAX_PAGE) or 1, size, sort, descending)


@dataclass(frozen=True)
class Pager:
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.size)


def here(**changes: object) -> str:
    """This page's address with some parameters changed (None: removed), e.g. the next page, another order, the
    other language: the filters stay."""
    args = MultiDict(request.args)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None and value != "":
            args[key] = str(value)
    query = urlencode(list(args.items(multi=True)))
    return request.path + ("?" + query if query else "")


def export_arg(args: Mapping[str, str]) -> str | None:
    return choice_arg(args, "export", EXPORTS)


def export(rows: Sequence[Mapping[str, Any]], headers: Mapping[str, str], kind: str, name: str) -> Response:
    """The rows as a CSV (UTF-8 with BOM, so Excel opens the Chinese; formulas neutralised) or XLSX download."""
    stamp = dt.date.today().isoformat()
    if kind == "csv":
        body = "\ufeff" + render_csv(list(rows), headers)
        return _download(body.encode("utf-8"), "text/csv; charset=utf-8", f"{name}-{stamp}.csv")
    with tempfile.TemporaryDirectory(prefix="assetledger-export-") as folder:
        path = write_xlsx(Path(folder) / "export.xlsx", {name: list(rows)}, headers)
        data = path.read_bytes()
    kind_xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(data, kind_xlsx, f"{name}-{stamp}.xlsx")


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    from urllib.parse import quote

    response = Response(data, mimetype=mimetype)
    ascii_name = re.sub(r"[^A-Za-z0-9.\-]", "_", filename)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
