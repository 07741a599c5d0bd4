"""The bulk path converts each distinct value once (`bulk.converted`): what it binds must be exactly what converting
every value on its own binds, whatever mix of values a batch holds — equal values of other types (1, True, 1.0,
Decimal 1.00), equal instants in other zones, maps whose items are equal but not alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from assetledger.domain.journal import EntryKind
from assetledger.store.bulk import converted
from assetledger.store.journal_models import Entry
from assetledger.store.models import AssetFunding
from assetledger.store.tables import table_of

ZONES = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5))])
SCALARS = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.integers(-2, 2),
    st.booleans(),
    st.floats(allow_nan=False, min_value=-2, max_value=2),
    st.decimals(min_value=-2, max_value=2, places=3, allow_nan=False),
    st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 3)),
    st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 2), timezones=ZONES),
    st.sampled_from(list(EntryKind)),
)
_EIGHT = dt.timezone(dt.timedelta(hours=8))
# Values equal in Python that bind differently: each batch draws from these often, so that they meet.
ALIKE_BUT_NOT = [
    0, False, 0.0, -0.0, Decimal("0"), Decimal("0.00"), Decimal("-0"), 1, True, 1.0, Decimal("1.0"), Decimal("1"),
    dt.datetime(2025, 1, 1, 8, tzinfo=dt.UTC), dt.datetime(2025, 1, 1, 16, tzinfo=_EIGHT), dt.date(2025, 1, 1),
    "revenue", EntryKind.REVENUE, {"a": 1}, {"a": True}, {"a": 1.0}, {"a": "1"}, {"a": "x", "b": "y"},
    {"b": "y", "a": "x"}, {1: "x"}, {True: "x"}, {"1": "x"},
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(ALIKE_BUT_NOT),
    SCALARS,
    st.dictionaries(st.text(max_size=2), SCALARS, max_size=2),
    st.lists(SCALARS, max_size=2),
)


def _plain(process: Any, values: list[Any]) -> list[Any]:
    return [process(v) for v in values]


@given(st.lists(VALUES, max_size=30))
def test_each_value_binds_as_if_converted_alone(values: list[Any]) -> None:
    """A converter that tells every representation apart: nothing equal but unlike may share a result."""

    def process(value: Any) -> str:
        return f"{type(value).__name__}:{value!r}"

    assert converted(process, values) == _plain(process, values)


def _repr_of(value: Any) -> str:
    return f"{type(value).__name__}:{value!r}"


def test_equal_values_that_bind_differently_never_share_a_conversion() -> None:
    """Every pair of the values equal in Python but unlike, in both orders."""
    for first in ALIKE_BUT_NOT:
        for second in ALIKE_BUT_NOT:
            assert converted(_repr_of, [first, second]) == [_repr_of(first), _repr_of(second)], (first, second)


def _comparable(bound: Any) -> Any:
    """psycopg's JSON parameters are wrappers that do not compare: compare what they wrap, and its type."""
    wrapped = getattr(bound, "obj", _NOTHING)
    return bound if wrapped is _NOTHING else (type(bound).__name__, repr(wrapped))


_NOTHING = object()


def _outcome(process: Any, values: list[Any]) -> tuple[str, list[Any] | None]:
    try:
        return "ok", [_comparable(b) for b in converted(process, values)]
    except Exception as error:  # a value the column refuses: refused alike, whichever way it is converted
        return type(error).__name__, None


def _expected(process: Any, values: list[Any]) -> tuple[str, list[Any] | None]:
    try:
        return "ok", [_comparable(b) for b in _plain(process, values)]
    except Exception as error:
        return type(error).__name__, None


COLUMNS = {
    "date": (table_of(Entry).c.date, st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 3))),
    "kind": (table_of(Entry).c.kind, st.one_of(st.sampled_from(list(EntryKind)), st.sampled_from(["revenue", "x"]))),
    "meta": (
        table_of(Entry).c.meta,
        st.one_of(
            st.none(),
            st.sampled_from([{"type": "rent"}, {"type": "rent", "n": "1"}, {"n": "1", "type": "rent"}, {"n": 1}]),
            st.dictionaries(st.sampled_from(["type", "n"]), st.one_of(st.text(max_size=2), SCALARS)),
        ),
    ),
    "money": (
        table_of(AssetFunding).c.amount,
        st.one_of(
            st.sampled_from([Decimal("1"), Decimal("1.00"), 1, 1.0, True, Decimal("1.001"), Decimal("NaN")]),
            st.decimals(min_value=-2, max_value=2, places=3, allow_nan=False),
            st.floats(allow_nan=False, min_value=-2, max_value=2),
            st.integers(-2, 2),
        ),
    ),
}


@given(st.data(), st.sampled_from(sorted(COLUMNS)), st.sampled_from([sqlite.dialect(), postgresql.dialect()]))
def test_real_columns_bind_what_they_bind_value_by_value(data: st.DataObject, name: str, dialect: Any) -> None:
    column, strategy = COLUMNS[name]
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return
    values = data.draw(st.lists(strategy, max_size=20))
    assert _outcome(process, values) == _expected(process, values)


def test_a_batch_of_repeated_values_converts_each_once() -> None:
    seen: list[Any] = []

    def process(value: Any) -> Any:
        seen.append(value)
        return value

    day, meta = dt.date(2025, 6, 30), {"type": "rent"}
    assert converted(process, [day, day, dict(meta), dict(meta), None, None, Decimal(1), Decimal(1)]) == [
        day, day, meta, meta, None, None, Decimal(1), Decimal(1)
    ]  # fmt: skip
    assert seen == [day, meta, None, Decimal(1), Decimal(1)]  # a Decimal is converted each time
