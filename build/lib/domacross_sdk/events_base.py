"""The base of every typed event, and the decoder from raw logs to events."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from eth_abi.abi import decode
from eth_typing import ChecksumAddress
from hexbytes import HexBytes

from domacross_sdk.convert import to_address

if TYPE_CHECKING:
    from typing import Self


@dataclass(frozen=True, slots=True)
class LogMeta:
    """Where a log came from: emitter, block, transaction and position."""

    address: ChecksumAddress
    block_number: int
    block_hash: bytes
    transaction_hash: bytes
    log_index: int
    removed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractEvent:
    """A decoded contract event. Subclasses are generated, one per event of the ABIs."""

    SIGNATURE: ClassVar[str]
    TOPIC0: ClassVar[bytes]
    INDEXED: ClassVar[str]
    ABI_TYPES: ClassVar[tuple[str, ...]]

    meta: LogMeta

    @classmethod
    def from_values(cls, meta: LogMeta, values: list[Any]) -> Self:
        """Builds the event from its decoded values, in ABI order."""
        raise NotImplementedError

    @classmethod
    def decode(cls, log: Mapping[str, Any]) -> Self:
        """Decodes a raw log (as web3 returns it) into this event.

        Raises:
            ValueError: the log is not this event.
        """
        event: Self = _plan(cls)(log)
        return event


_STATIC = re.compile(r"^(u?int\d*|address|bool|bytes([1-9]|[12]\d|3[012]))$")
_TYPES: dict[type, tuple[list[str], list[str]]] = {}


def _types(cls: type[ContractEvent]) -> tuple[list[str], list[str]]:
    """(indexed, data) ABI types of an event class, worked out once per class."""
    found = _TYPES.get(cls)
    if found is None:
        pairs = list(zip(cls.ABI_TYPES, cls.INDEXED, strict=True))
        found = ([t for t, k in pairs if k == "i"], [t for t, k in pairs if k == "d"])
        _TYPES[cls] = found
    return found


def _bytes(value: Any) -> bytes:
    """A node's 0x-hex string (or web3's HexBytes) as bytes. NOTE: bytes.fromhex is ~10x
    cheaper than HexBytes, which decoding called eight times per log."""
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value[:2] in ("0x", "0X") else value)
    return bytes(HexBytes(value))


def _word(abi_type: str, word: bytes) -> Any:
    """One static ABI value from its 32-byte word (what eth_abi does, minus its overhead)."""
    if abi_type == "address":
        return "0x" + word[12:].hex()
    if abi_type == "bool":
        return word[-1] != 0
    if abi_type.startswith("uint"):
        return int.from_bytes(word, "big")
    if abi_type.startswith("int"):
        return int.from_bytes(word, "big", signed=True)
    if abi_type.startswith("bytes") and abi_type != "bytes":
        return word[: int(abi_type[5:])]
    return decode([abi_type], word)[0]


def _word_reader(abi_type: str) -> Callable[[bytes], Any]:
    """`_word` for one ABI type, chosen once (decoding calls it for every value)."""
    if abi_type == "address":
        return lambda word: "0x" + word[12:].hex()
    if abi_type == "bool":
        return lambda word: word[-1] != 0
    if abi_type.startswith("uint"):
        return lambda word: int.from_bytes(word, "big")
    return lambda word: _word(abi_type, word)


_PLANS: dict[type, Callable[[Mapping[str, Any]], Any]] = {}


def _plan(cls: type[ContractEvent]) -> Callable[[Mapping[str, Any]], Any]:
    """The decoder of one event class, with every per-type choice made once: an indexer
    decodes tens of thousands of logs per second of backfill, so per-log work counts."""
    found = _PLANS.get(cls)
    if found is not None:
        return found
    indexed_types, data_types = _types(cls)
    topic0, n_indexed, n_data = cls.TOPIC0, len(indexed_types), len(data_types)
    read_indexed = [_word_reader(t) for t in indexed_types]
    read_data = [_word_reader(t) for t in data_types]
    static = _all_static(tuple(data_types))
    # Where each value (in ABI order) comes from: (indexed?, position).
    order: list[tuple[bool, int]] = []
    i = d = 0
    for kind in cls.INDEXED:
        order.append((kind == "i", i if kind == "i" else d))
        i, d = (i + 1, d) if kind == "i" else (i, d + 1)

    def decode_one(log: Mapping[str, Any]) -> Any:
        topics = [_bytes(t) for t in log["topics"]]
        if not topics or topics[0] != topic0 or len(topics) - 1 != n_indexed:
            raise ValueError(f"log is not {cls.SIGNATURE}")
        indexed = [read(topic) for read, topic in zip(read_indexed, topics[1:], strict=True)]
        raw = _bytes(log["data"])
        if static and len(raw) == 32 * n_data:
            data = [read(raw[32 * k : 32 * k + 32]) for k, read in enumerate(read_data)]
        else:
            data = list(decode(data_types, raw))
        values = [indexed[n] if is_indexed else data[n] for is_indexed, n in order]
        return cls.from_values(meta_of(log), values)

    _PLANS[cls] = decode_one
    return decode_one


@lru_cache(maxsize=1_024)
def _all_static(types: tuple[str, ...]) -> bool:
    return all(_STATIC.match(t) for t in types)


def _decode_data(types: list[str], data: bytes) -> list[Any]:
    """The non-indexed values of a log: word by word when every type is static."""
    if _all_static(tuple(types)) and len(data) == 32 * len(types):
        return [_word(t, data[32 * i : 32 * i + 32]) for i, t in enumerate(types)]
    return list(decode(types, data))


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def meta_of(log: Mapping[str, Any]) -> LogMeta:
    """The position of a raw log (web3's formatted logs, or the node's hex JSON)."""
    return LogMeta(
        address=to_address(log["address"]),
        block_number=_int(log["blockNumber"]),
        block_hash=_bytes(log["blockHash"]),
        transaction_hash=_bytes(log["transactionHash"]),
        log_index=_int(log["logIndex"]),
        removed=bool(log.get("removed", False)),
    )


def decode_log(log: Mapping[str, Any]) -> ContractEvent | None:
    """Decodes a raw log into its typed event, or None for a log of no known event."""
    from domacross_sdk.generated.events import EVENTS

    topics = log.get("topics") or []
    if not topics:
        return None
    cls = EVENTS.get((_bytes(topics[0]), len(topics) - 1))
    return cls.decode(log) if cls is not None else None


def decode_logs(logs: Iterable[Mapping[str, Any]]) -> list[ContractEvent]:
    """Decodes the logs of known events, in order, skipping the others."""
    return [event for event in map(decode_log, logs) if event is not None]
