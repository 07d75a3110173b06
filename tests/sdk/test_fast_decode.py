"""The word-by-word log decoder agrees with eth_abi on every static type it handles."""

from __future__ import annotations

from eth_abi.abi import encode
from hypothesis import given
from hypothesis import strategies as st

from domacross_sdk.events_base import _decode_data

values = {
    "uint256": st.integers(0, 2**256 - 1),
    "uint64": st.integers(0, 2**64 - 1),
    "int256": st.integers(-(2**255), 2**255 - 1),
    "address": st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
    "bool": st.booleans(),
    "bytes32": st.binary(min_size=32, max_size=32),
    "bytes4": st.binary(min_size=4, max_size=4),
}


@st.composite
def rows(draw):
    types = draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=6))
    return types, [draw(values[t]) for t in types]


@given(rows())
def test_fast_decode__equals_eth_abi(row):
    types, data = row
    encoded = encode(types, data)
    from eth_abi.abi import decode

    assert _decode_data(types, encoded) == [
        v.lower() if t == "address" else v
        for t, v in zip(types, decode(types, encoded), strict=True)
    ]
