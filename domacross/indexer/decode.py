"""Raw logs (the node's hex JSON) to typed events, fast: one decoder compiled per event
class, reading values straight from the hex strings.

`domacross_sdk.events_base.decode_log` turns every topic and the data into bytes first,
then each 32-byte word into a value, through a few function calls per value: on a
backfill that was a third of the indexer's own time per log. Here each event class whose
data is all static words (every event the indexer routes in bulk) gets a decoder whose
every value is one slice of a hex string and one conversion, and the same `from_values`
builds the same event. Anything else (dynamic data, a web3-formatted log, an unexpected
length) goes through `decode_log`, so the result is always the SDK's.

Where every field of the class is a plain address, integer, bool or bytes (no enum,
time or struct to convert), the decoder also builds the event without `from_values` and
the frozen dataclass's `__init__`: it fills the slots through their descriptors, which
cost a third as much per field (a frozen `__init__` sets each field through
`object.__setattr__`). The values are those `from_values` would pass: the SDK's own
`to_address` for addresses, and ints, bools and bytes as sliced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from domacross_sdk.convert import to_address
from domacross_sdk.events_base import ContractEvent, LogMeta, decode_log
from domacross_sdk.generated.events import EVENTS

Decoder = Callable[[Mapping[str, Any]], ContractEvent | None]
_UINT = {f"uint{8 * n}" for n in range(1, 33)}
_INT = {f"int{8 * n}" for n in range(1, 33)}
_BYTES = {f"bytes{n}" for n in range(1, 33)}


def _reader(abi_type: str, source: str) -> str | None:
    """A Python expression of one value of `abi_type` from the 64 hex digits in `source`
    (an expression), as the SDK's decoder reads it; None when the type is not static."""
    if abi_type in _UINT:
        return f"int({source}, 16)"
    if abi_type == "address":
        return f"'0x' + {source}[24:].lower()"
    if abi_type == "bool":
        return f"{source}[62:] != '00'"
    if abi_type in _INT:
        return f"_signed(int({source}, 16))"
    if abi_type in _BYTES:
        return f"_fromhex({source}[: {2 * int(abi_type[5:])}])"
    return None


_PLAIN = {"address": "ChecksumAddress", "bool": "bool"}
"""ABI type -> the field annotation whose value the decoder's expression already is (uint
and int: "int", bytesN: "bytes"), so `from_values` would convert nothing but addresses."""


def _plain(abi_type: str, annotation: object) -> bool:
    if abi_type in _UINT or abi_type in _INT:
        return annotation == "int"
    if abi_type in _BYTES:
        return annotation == "bytes"
    return _PLAIN.get(abi_type) == annotation


def _slots_of(cls: type) -> list[str] | None:
    """The setters' names of `cls`'s fields (meta first), when it can be built slot by
    slot: a slotted dataclass without `__post_init__` whose every field is plain."""
    if hasattr(cls, "__post_init__") or hasattr(object.__new__(cls), "__dict__"):
        return None
    names = [f.name for f in fields(cls)]
    if names[0] != "meta" or len(names) != len(cls.ABI_TYPES) + 1:  # type: ignore[attr-defined]
        return None
    types = [f.type for f in fields(cls)][1:]
    if not all(_plain(a, t) for a, t in zip(cls.ABI_TYPES, types, strict=True)):  # type: ignore[attr-defined]
        return None
    return names


_ADDRESSES: dict[str, str] = {}
"""Lower-case hex -> checksummed: the same few addresses recur in nearly every log, and a
dict is a third of the cost of `to_address`'s own cache."""


def _address(value: str) -> str:
    found = _ADDRESSES.get(value)
    if found is None:
        if len(_ADDRESSES) >= 65_536:
            _ADDRESSES.clear()
        found = _ADDRESSES[value] = to_address(value)
    return found


def _signed(value: int) -> int:
    return value - (1 << 256) if value >> 255 else value


def _compile(cls: type[ContractEvent]) -> Decoder | None:
    """The fast decoder of `cls`, or None when its data is not all static words."""
    pairs = list(zip(cls.ABI_TYPES, cls.INDEXED, strict=True))
    n_data = sum(1 for _, kind in pairs if kind == "d")
    names = _slots_of(cls)
    values: list[str] = []
    i = d = 0
    for abi_type, kind in pairs:
        if kind == "i":
            i += 1
            expression = _reader(abi_type, f"t[{i}][2:]")
        else:
            start = 2 + 64 * d
            expression = _reader(abi_type, f"x[{start}:{start + 64}]")
            d += 1
        if expression is None:
            return None
        if names is not None and abi_type == "address":
            expression = f"_address({expression})"  # NOTE: `to_address`, as `from_values`
        values.append(expression)
    if names is None:
        build = f"    return _build(meta, [{', '.join(values)}])\n"
    else:
        build = "    event = _new(_cls)\n    _set0(event, meta)\n"
        build += "".join(f"    _set{k}(event, {v})\n" for k, v in enumerate(values, 1))
        build += "    return event\n"
    # NOTE: generated once per class: the values inline, no call per value. The inputs
    # are the node's strings, read by slicing and int()/bytes.fromhex, never evaluated.
    source = (
        "def decode(log):\n"
        "    t = log['topics']\n"
        "    x = log['data']\n"
        f"    if len(x) != {2 + 64 * n_data} or type(x) is not str:\n"
        "        return _slow(log)\n"
        "    block, index = log['blockNumber'], log['logIndex']\n"
        "    if type(block) is not str or type(index) is not str:\n"
        "        return _slow(log)\n"
        "    meta = _new(_Meta)\n"
        "    _meta_address(meta, _address(log['address'].lower()))\n"
        "    _meta_block(meta, int(block, 16))\n"
        "    _meta_block_hash(meta, _fromhex(log['blockHash'][2:]))\n"
        "    _meta_tx_hash(meta, _fromhex(log['transactionHash'][2:]))\n"
        "    _meta_index(meta, int(index, 16))\n"
        "    _meta_removed(meta, bool(log.get('removed', False)))\n" + build
    )
    scope: dict[str, Any] = {
        "_slow": decode_log,
        "_Meta": LogMeta,
        "_address": _address,
        "_fromhex": bytes.fromhex,
        "_signed": _signed,
        "_build": cls.from_values,
        "_cls": cls,
        "_new": object.__new__,
        **_META_SETTERS,
    }
    if names is not None:
        scope.update({f"_set{k}": getattr(cls, n).__set__ for k, n in enumerate(names)})
    exec(compile(source, f"<decoder of {cls.__name__}>", "exec"), scope)  # noqa: S102
    decoder: Decoder = scope["decode"]
    return decoder


_META_SETTERS = {
    f"_meta_{key}": getattr(LogMeta, name).__set__
    for key, name in (
        ("address", "address"),
        ("block", "block_number"),
        ("block_hash", "block_hash"),
        ("tx_hash", "transaction_hash"),
        ("index", "log_index"),
        ("removed", "removed"),
    )
}
"""LogMeta's slot setters: every field of it, so a meta built slot by slot is whole."""
if sorted(n for n in LogMeta.__slots__) != sorted(  # NOTE: a new LogMeta field must be set here
    ["address", "block_number", "block_hash", "transaction_hash", "log_index", "removed"]
):
    raise RuntimeError("LogMeta changed: update domacross.indexer.decode")

_DECODERS: dict[tuple[str, int], Decoder] = {}
for (_topic, _indexed), _cls in EVENTS.items():
    _DECODERS[("0x" + _topic.hex(), _indexed)] = _compile(_cls) or decode_log


def decode(log: Mapping[str, Any]) -> ContractEvent | None:
    """The typed event of a raw log, or None for a log of no known event (as `decode_log`)."""
    topics = log.get("topics")
    if not topics:
        return None
    found = _DECODERS.get((topics[0], len(topics) - 1))
    if found is None:
        # NOTE: an unknown event, or a topic not in lower-case hex: the SDK decides.
        return decode_log(log)
    return found(log)
