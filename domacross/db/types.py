"""Column types: uint256 stored exactly on every backend; datetimes always aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

UINT256_DIGITS = 78


class _Digits78(TypeDecorator[int]):
    """NUMERIC(78, 0) on PostgreSQL, a 78-character string elsewhere (SQLite has no exact
    numeric that wide)."""

    impl = String(UINT256_DIGITS)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(UINT256_DIGITS, 0))
        return dialect.type_descriptor(String(UINT256_DIGITS))


class Uint256(_Digits78):
    """An unsigned 256-bit integer, exact: NUMERIC(78, 0) on PostgreSQL; on SQLite a
    zero-padded 78-digit string, so that ordering and equality stay numeric."""

    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value < 0 or value >= 2**256:
            raise ValueError(f"not a uint256: {value}")
        return int(value) if dialect.name == "postgresql" else f"{int(value):0{UINT256_DIGITS}d}"

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


INT256_OFFSET = 2**255


class Int256(_Digits78):
    """A signed 256-bit integer (P&L), exact: NUMERIC(78, 0) on PostgreSQL; on SQLite the
    value plus 2**255 as a zero-padded 78-digit string, so that ordering stays numeric."""

    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not -INT256_OFFSET <= value < INT256_OFFSET:
            raise ValueError(f"not an int256: {value}")
        if dialect.name == "postgresql":
            return int(value)
        return f"{int(value) + INT256_OFFSET:0{UINT256_DIGITS}d}"

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(value) if dialect.name == "postgresql" else int(value) - INT256_OFFSET


class UtcDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that reads back an aware UTC datetime on every backend:
    SQLite keeps no offset and returns naive values, PostgreSQL returns the session's
    zone. A naive value written is taken as UTC; an aware one is shifted to UTC, so
    SQLite (which stores the wall time and drops the offset) keeps the right instant."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
