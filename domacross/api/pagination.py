"""Opaque cursors for keyset pagination: the sort key of the last item of a page.

A cursor is base64url of `[kind, key...]`; it names its kind so that a leaderboard cursor
is refused by the competitions list instead of being misread. A cursor comes back from the
client, so every part is checked before it reaches a query: integers fit a BIGINT id,
strings are short printable ASCII (what this API writes), times are in range.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from domacross.api.errors import ApiError

Row = TypeVar("Row")
MAX_ID = 2**63 - 1
"""Ids are BIGINT (int64) on every backend."""
MAX_CURSOR_TEXT = 100
"""Longest string part of a cursor: a 78-digit uint256, an ISO time or an address."""


def encode_cursor(kind: str, *key: str | int) -> str:
    raw = json.dumps([kind, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _part_ok(part: Any, expected: type) -> bool:
    if not isinstance(part, expected) or isinstance(part, bool):
        return False
    if isinstance(part, int):
        return 0 <= part <= MAX_ID
    if isinstance(part, str):
        # NOTE: ASCII only: `"²".isdigit()` is true, and PostgreSQL refuses NUL in text.
        return len(part) <= MAX_CURSOR_TEXT and part.isascii() and part.isprintable()
    return True


def decode_cursor(kind: str, cursor: str, types: tuple[type, ...]) -> list[Any]:
    """The key in a cursor of `kind`, checked against `types`; 400 otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "invalid cursor") from exc
    if (
        not isinstance(value, list)
        or len(value) != len(types) + 1
        or value[0] != kind
        or not all(
            _part_ok(part, expected) for part, expected in zip(value[1:], types, strict=True)
        )
    ):
        raise ApiError(400, "invalid cursor")
    return value[1:]


def as_utc(value: datetime, name: str) -> datetime:
    """`value` in UTC (naive means UTC); 400 when the shift leaves the datetime range."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ApiError(400, f"{name} is out of range: use a time between years 1 and 9999") from exc


def cursor_time(text: str) -> datetime:
    """The time part of a cursor, in UTC; 400 when it is not one."""
    try:
        return as_utc(datetime.fromisoformat(text), "cursor")
    except ValueError as exc:
        raise ApiError(400, "invalid cursor") from exc


def decode_time_cursor(kind: str, cursor: str, types: tuple[type, ...]) -> list[Any]:
    """A cursor whose first part is an ISO time: that part as an aware UTC datetime."""
    key = decode_cursor(kind, cursor, types)
    key[0] = cursor_time(key[0])
    return key


def older_than(
    query: Select[Any],
    ts_col: InstrumentedAttribute[datetime],
    id_col: InstrumentedAttribute[int],
    at: datetime,
    last_id: int,
) -> Select[Any]:
    """Rows strictly after `(at, last_id)` in newest-first order (time, then id, both
    descending). The leading `ts_col <= at` lets the index on the time column bound the
    scan; the `or_` alone would not."""
    return query.where(ts_col <= at, or_(ts_col < at, and_(ts_col == at, id_col < last_id)))


def newest_first(
    session: Session,
    query: Select[Row],
    kind: str,
    time_col: InstrumentedAttribute[datetime],
    id_col: InstrumentedAttribute[int],
    cursor: str | None,
    size: int,
) -> tuple[Sequence[Row], str | None]:
    """A page of `query`'s rows, newest first (time, then id, both descending), after the
    `kind` cursor if any; and the cursor of the next page (None at the end)."""
    if cursor is not None:
        at, last_id = decode_time_cursor(kind, cursor, (str, int))
        query = older_than(query, time_col, id_col, at, last_id)
    rows = session.scalars(query.order_by(time_col.desc(), id_col.desc()).limit(size + 1)).all()
    if len(rows) <= size:
        return rows, None
    last = rows[size - 1]
    at, last_id = getattr(last, time_col.key), getattr(last, id_col.key)
    return rows[:size], encode_cursor(kind, at.isoformat(), last_id)
