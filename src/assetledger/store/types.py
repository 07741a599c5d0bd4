"""Column types: money exact on every database, closed vocabularies as their enums."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, Dialect, String
from sqlalchemy.types import TypeDecorator

from assetledger.domain.money import MAX_FEN, OUT_OF_RANGE, MoneyFormatError, from_fen, to_fen


class Money(TypeDecorator[Decimal]):
    """Decimal yuan in Python, integer fen in the database.

    Integer fen is exact on SQLite (whose NUMERIC affinity would store REAL) and on PostgreSQL, and SUM over it
    stays exact inside the database. Binding a value with more than two decimals, or beyond the bound of
    domain.money (which keeps every SUM from overflowing), raises instead of storing it: the last line of defence
    behind the services' own checks, which name the file, row and column.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, never float")
        amount = Decimal(value)
        if not amount.is_finite():
            raise MoneyFormatError(f"{amount} 不是有限的数 ({amount}: not a finite number)")
        fen = to_fen(amount)
        if not -MAX_FEN <= fen <= MAX_FEN:
            raise MoneyFormatError(f"{amount}: {OUT_OF_RANGE}")
        return fen

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return from_fen(int(value))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A closed vocabulary (domain/enums.py) stored as its value in a VARCHAR, read back as the enum's member.

    A stored text that is no member (written around the product, or by a later version) is read back as the text
    itself, so that `audit verify` reports the row instead of failing to read it."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        self._members: dict[str, E] = {member.value: member for member in enum}

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        found: E | None = self._members.get(value)
        return found if found is not None else value

    @property
    def python_type(self) -> type[E]:
        return self.enum
