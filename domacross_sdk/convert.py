"""Conversions between ABI values and the SDK's Python types.

Times are timezone-aware UTC `datetime`s (a zero time, "never set", is the Unix epoch),
durations are `timedelta`s, addresses are checksummed strings, wei are `int`s (typed
`Wei` where a signature returns an amount, `ChainId` where it returns a chain id: plain
`int`s at run time, names for the reader and for mypy).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NewType

from eth_typing import ChecksumAddress
from eth_utils.address import is_address, to_checksum_address
from hexbytes import HexBytes

from domacross_sdk.errors import InvalidInputError

Wei = NewType("Wei", int)
"""An amount of the native currency or of a token, in its smallest unit."""
ChainId = NewType("ChainId", int)
"""An EIP-155 chain id, as `eth_chainId` returns it."""

EPOCH = datetime.fromtimestamp(0, UTC)


def to_datetime(seconds: int) -> datetime:
    """A Unix time in seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(int(seconds), UTC)


def from_time(value: datetime | int) -> int:
    """A datetime (aware, or naive meaning UTC) or Unix seconds as Unix seconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())
    return int(value)


def to_timedelta(seconds: int) -> timedelta:
    """A duration in seconds as a timedelta."""
    return timedelta(seconds=int(seconds))


def from_duration(value: timedelta | int) -> int:
    """A timedelta or seconds as whole seconds."""
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


def to_address(value: str | bytes) -> ChecksumAddress:
    """Any address form as a checksummed address.

    Raises:
        InvalidInputError: the value is not a 20-byte address (a `ValueError`).
    """
    if isinstance(value, bytes):
        value = "0x" + value.hex()
    return _checksum(value)


@lru_cache(maxsize=65_536)
def _checksum(value: str) -> ChecksumAddress:
    # NOTE: cached: checksumming hashes the address, and the same few addresses (tokens,
    # contracts, entrants) recur in nearly every log an indexer decodes.
    if not is_address(value):
        raise InvalidInputError(f"not an address: {value!r}")
    return to_checksum_address(value)


def to_bytes(value: bytes | str) -> bytes:
    """Bytes, or a 0x-prefixed hex string, as bytes."""
    return bytes(HexBytes(value))
