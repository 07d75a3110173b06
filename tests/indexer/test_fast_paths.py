"""The backfill's fast paths give exactly what the SDK's general ones give, for every
event the SDK knows: the compiled decoders (`domacross.indexer.decode`) against
`decode_log`, and the compiled args encoders (`rows.args_json`) against
`json.dumps(event_args(...))`."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import FrozenInstanceError, fields
from datetime import UTC, datetime
from typing import Any

import pytest
from eth_abi import encode
from sqlalchemy import select

from domacross.db import make_engine, session_factory
from domacross.db.models import PauseChange, Price, RawEvent
from domacross.indexer.decode import decode
from domacross.indexer.rows import JsonText, args_json, bulk_insert_ignore, copy_text, event_args
from domacross_sdk.events_base import decode_log
from domacross_sdk.generated.events import EVENTS


def _sample(abi_type: str, seed: int) -> Any:
    """A value of `abi_type` that varies with `seed` (and differs from zero)."""
    if abi_type.endswith("[]"):
        return [_sample(abi_type[:-2], seed + k) for k in range(2)]
    if abi_type.startswith("("):
        inner = re.findall(r"\([^()]*\)|[^,()]+", abi_type[1:-1])
        return tuple(_sample(t, seed + k) for k, t in enumerate(inner))
    if abi_type == "address":
        return "0x" + f"{seed % 256:02x}" * 20
    if abi_type == "bool":
        return seed % 2 == 0
    if abi_type == "uint8":
        return seed % 2  # enums (asset and component kinds) are uint8
    if abi_type.startswith("uint"):
        bits = int(abi_type[4:] or 256)
        return (seed * 7919 + 1) % (2**bits)
    if abi_type.startswith("int"):
        bits = int(abi_type[3:] or 256)
        return -((seed * 7919 + 1) % (2 ** (bits - 1)))
    if abi_type == "string":
        return f'name "{seed}" é'
    if abi_type == "bytes":
        return bytes([seed % 256]) * 3
    if abi_type.startswith("bytes"):
        return bytes([seed % 256]) * int(abi_type[5:])
    raise AssertionError(f"no sample for {abi_type}")


def _log(cls: type, seed: int) -> dict[str, Any]:
    values = [_sample(t, seed + k) for k, t in enumerate(cls.ABI_TYPES)]
    indexed = [v for v, kind in zip(values, cls.INDEXED, strict=True) if kind == "i"]
    data_types = [t for t, kind in zip(cls.ABI_TYPES, cls.INDEXED, strict=True) if kind == "d"]
    data = [v for v, kind in zip(values, cls.INDEXED, strict=True) if kind == "d"]
    index_types = [t for t, kind in zip(cls.ABI_TYPES, cls.INDEXED, strict=True) if kind == "i"]
    topics = ["0x" + cls.TOPIC0.hex()]
    topics += ["0x" + encode([t], [v]).hex() for t, v in zip(index_types, indexed, strict=True)]
    return {
        "address": "0x" + "ab" * 20,
        "blockNumber": hex(100 + seed),
        "blockHash": "0x" + f"{seed:064x}",
        "transactionHash": "0x" + f"{seed + 1:064x}",
        "logIndex": hex(seed % 7),
        "removed": False,
        "topics": topics,
        "data": "0x" + encode(data_types, data).hex(),
    }


@pytest.mark.parametrize("cls", sorted(EVENTS.values(), key=lambda c: c.__name__), ids=str)
def test_fast_paths__every_event__equal_the_sdk(cls):
    for seed in (1, 2, 250):
        log = _log(cls, seed)
        event = decode_log(log)
        assert event is not None
        fast = decode(log)
        assert fast == event
        # == alone would take 1 for True: every field must have the SDK's type too.
        assert _types(fast) == _types(event)
        text = args_json(event)
        assert type(text) is JsonText
        assert text == json.dumps(event_args(event))


def _types(event: Any) -> list[tuple[str, type]]:
    values = [(f.name, getattr(event, f.name)) for f in fields(event)]
    values += [(f"meta.{f.name}", getattr(event.meta, f.name)) for f in fields(event.meta)]
    return [(name, type(value)) for name, value in values]


def test_decode__slot_built_events__are_whole_and_frozen():
    cls = next(c for c in EVENTS.values() if c.__name__ == "PriceUpdated")
    event = decode(_log(cls, 5))
    assert event == decode_log(_log(cls, 5))
    assert hash(event) == hash(decode_log(_log(cls, 5)))
    with pytest.raises(FrozenInstanceError):
        event.price = 1  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        event.meta.block_number = 1  # type: ignore[misc]


def test_decode__upper_case_hex__falls_back_to_the_sdk():
    cls = next(c for c in EVENTS.values() if c.__name__ == "PriceUpdated")
    log = _log(cls, 3)
    log["topics"] = [t.upper().replace("0X", "0x") for t in log["topics"]]
    assert decode(log) == decode_log(log)


def _stored(url: str, table: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            query = select(*(table.c[c] for c in columns)).order_by(table.c.log_index)
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def test_bulk_insert__awkward_values__read_back_as_written(database_url):
    """`bulk_insert_ignore` (on PostgreSQL a COPY whose text is built here) stores every
    value as an ORM insert would: text with tabs, line breaks, backslashes and `\\N`, JSON
    with escapes, NULLs, booleans, uint256 extremes and times; a replay (some rows new,
    some not) adds only the new ones."""
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    awkward = ["a\tb", "line\nbreak\r", "back\\slash", "\\N", "plain"]
    raw = [
        {
            "chain_id": 1,
            "block_number": 7,
            "tx_hash": "0x" + f"{i:064x}",
            "log_index": i,
            "block_hash": "0x" + "ab" * 32,
            "address": "0x" + "cd" * 20,
            "name": name,
            "args": JsonText(json.dumps({"note": name + ' é "q"', "n": str(i)})),
        }
        for i, name in enumerate(awkward)
    ]
    pauses = [
        {
            "chain_id": 1,
            "block_number": 7,
            "tx_hash": "0x" + f"{i:064x}",
            "log_index": i,
            "address": "0x" + "cd" * 20,
            "paused": i % 2 == 0,
            "account": "0x" + "ef" * 20,
            "timestamp": None if i == 1 else when,
        }
        for i in range(3)
    ]
    prices = [
        {
            "chain_id": 1,
            "block_number": 7,
            "tx_hash": "0x" + f"{i:064x}",
            "log_index": i,
            "oracle": "0x" + "01" * 20,
            "token": "0x" + "02" * 20,
            "token_id": value,
            "fungible": False,
            "price": 2**256 - 1 - i,
            "previous_price": 0,
            "reporter": "0x" + "03" * 20,
            "overridden": True,
            "timestamp": when,
        }
        for i, value in enumerate([0, 2**256 - 1])
    ]
    sessions = session_factory(make_engine(database_url))
    tables = [(RawEvent.__table__, raw), (PauseChange.__table__, pauses), (Price.__table__, prices)]
    with sessions.begin() as session:
        for table, rows in tables:
            bulk_insert_ignore(session, table, rows[:-1])
    with sessions.begin() as session:  # a replay: the last row of each is new
        for table, rows in tables:
            bulk_insert_ignore(session, table, rows)
    sessions.kw["bind"].dispose()
    for table, rows in tables:
        columns = list(rows[0])
        stored = _stored(database_url, table, columns)
        expected = [
            tuple(json.loads(v) if type(v) is JsonText else v for v in row.values()) for row in rows
        ]
        assert stored == expected


def test_copy_text__columns__one_payload_in_copy_text_format():
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    payload = copy_text(
        [
            [1, None],
            [True, False],
            ["a\tb\\", None],
            [when, when],
            [JsonText('{"a": "\\u00e9"}')] * 2,
        ]
    )
    assert payload == (
        b'1\tt\ta\\tb\\\\\t2026-01-02T03:04:05+00:00\t{"a": "\\\\u00e9"}\n'
        b'\\N\tf\t\\N\t2026-01-02T03:04:05+00:00\t{"a": "\\\\u00e9"}\n'
    )


@pytest.mark.parametrize(
    "column",
    [[1.5], [datetime(2026, 1, 2)], [1, True], [b"\x00"], ["a", 1]],
    ids=["float", "naive time", "int and bool", "bytes", "str and int"],
)
def test_copy_text__a_type_it_does_not_write__left_to_psycopg(column):
    assert copy_text([column]) is None


@pytest.mark.parametrize("address", ['0x"}, "price": "1', "0xé", "0x\\n"])
def test_args_json__an_address_field_that_is_not_hex__escaped_as_json_dumps_would(address):
    cls = next(c for c in EVENTS.values() if c.__name__ == "PriceUpdated")
    event = decode(_log(cls, 5))
    args_json(event)  # the class's encoder, compiled from a well-formed event
    forged = dataclasses.replace(event, token=address)
    assert args_json(forged) == json.dumps(event_args(forged))
    assert json.loads(args_json(forged))["token"] == address
