"""Raw logs (the node's hex JSON) to typed events, fast: one decoder compiled per event
class, reading values straight from the hex strings.

`domacross_sdk.events_base.decode_log` turns every topic and the data into bytes first,
then each 32-byte word into a value, through a few function calls per value: on a
backfill that was a third of the indexer's own time per log. Here each event class whose
data is all static words (every event the indexer routes in bulk) gets a decoder whose
every value is one slice of a hex string and one conversion, and the same `from_values`
builds the same event. Anything else (dynamic data, a web3-formatted log, an unexpected
length) goes through `decode_log`, so the result is always the SDK's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def _signed(value: int) -> int:
    return value - (1 << 256) if value >> 255 else value


def _compile(cls: type[ContractEvent]) -> Decoder | None:
    """The fast decoder of `cls`, or None when its data is not all static words."""
    pairs = list(zip(cls.ABI_TYPES, cls.INDEXED, strict=True))
    n_data = sum(1 for _, kind in pairs if kind == "d")
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
        values.append(expression)
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
        "    meta = _Meta(_address(log['address']), int(block, 16),\n"
        "                 _fromhex(log['blockHash'][2:]), _fromhex(log['transactionHash'][2:]),\n"
        "                 int(index, 16), bool(log.get('removed', False)))\n"
        f"    return _build(meta, [{', '.join(values)}])\n"
    )
    scope: dict[str, Any] = {
        "_slow": decode_log,
        "_Meta": LogMeta,
        "_address": to_address,
        "_fromhex": bytes.fromhex,
        "_signed": _signed,
        "_build": cls.from_values,
    }
    exec(compile(source, f"<decoder of {cls.__name__}>", "exec"), scope)  # noqa: S102
    decoder: Decoder = scope["decode"]
    return decoder


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
