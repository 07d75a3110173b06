"""Opaque cursors for keyset pagination: the sort key of the last item of a page.

A cursor is base64url of `[kind, key...]`; it names its kind so that a leaderboard cursor
is refused by the competitions list instead of being misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from domacross.api.errors import ApiError


def encode_cursor(kind: str, *key: str | int) -> str:
    raw = json.dumps([kind, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, types: tuple[type, ...]) -> list[Any]:
    """The key in a cursor of `kind`, checked against `types`; 400 otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid cursor") from exc
    if (
        not isinstance(value, list)
        or len(value) != len(types) + 1
        or value[0] != kind
        or not all(
            isinstance(part, expected) and not isinstance(part, bool)
            for part, expected in zip(value[1:], types, strict=True)
        )
    ):
        raise ApiError(400, "invalid cursor")
    return value[1:]
