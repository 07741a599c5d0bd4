"""Heavy read-only views (award evaluations, their chart, inventory progress) kept until the record changes.

Every write seals its rows into the hash chain when it commits, so the chain head is a version of the whole
record: a value computed at one head is still right while the head is unchanged. The head is read before the
value is computed, so a write that lands meanwhile only makes the next request compute again; a value is never
served for a head it was not computed at or after. Access checks are not cached: callers check every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from assetledger.store.db import Database
from assetledger.store.integrity import chain_head

T = TypeVar("T")
LIMIT = 32
_LOCK = threading.Lock()
_VALUES: OrderedDict[tuple[str, Hashable], tuple[tuple[int, str], Any]] = OrderedDict()


def record_version(db: Database) -> tuple[int, str]:
    with db.reading() as session:
        return chain_head(session.connection())


def until_changed(db: Database, key: Hashable, compute: Callable[[], T]) -> T:
    version = record_version(db)
    slot = (db.url, key)
    with _LOCK:
        held = _VALUES.get(slot)
        if held is not None and held[0] == version:
            _VALUES.move_to_end(slot)
            return held[1]  # type: ignore[no-any-return]
    value = compute()
    with _LOCK:
        _VALUES[slot] = (version, value)
        _VALUES.move_to_end(slot)
        while len(_VALUES) > LIMIT:
            _VALUES.popitem(last=False)
    return value
