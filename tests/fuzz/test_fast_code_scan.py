"""The fast engine reads a contract's code without its Solidity metadata: a metadata hash is
data, and a 0xFF byte in it once made a contract look self-destructing, so every
transaction read revm's whole journal (the bench's engine ran 4x slower after a source
change that only moved the hash)."""

from __future__ import annotations

from ape import project

from domacross_fuzz.dictionary import code_length
from domacross_fuzz.evm import _SELFDESTRUCT, _opcodes

# A CBOR map as solc appends it ({"ipfs": <34 bytes>, "solc": 0.8.28}), its hash all 0xFF.
METADATA = bytes([0xA2, 0x64]) + b"ipfs" + bytes([0x58, 0x22]) + b"\xff" * 34
METADATA += bytes([0x64]) + b"solc" + bytes([0x43, 0x00, 0x08, 0x1C])
TRAILER = METADATA + len(METADATA).to_bytes(2, "big")


def test_opcodes__0xff_in_the_metadata_hash__not_a_selfdestruct():
    code = bytes.fromhex("6001600101")  # PUSH1 1, PUSH1 1, ADD
    assert code_length(code + TRAILER) == len(code)
    assert _SELFDESTRUCT not in _opcodes(code + TRAILER)


def test_opcodes__a_real_selfdestruct__still_found():
    code = bytes.fromhex("6001ff")  # PUSH1 1, SELFDESTRUCT
    assert _SELFDESTRUCT in _opcodes(code + TRAILER)
    assert _SELFDESTRUCT in _opcodes(code)  # no metadata at all


def test_project__only_the_self_destructing_test_contracts__flagged():
    flagged = set()
    for name, contract_type in (project.manifest.contract_types or {}).items():
        runtime = contract_type.runtime_bytecode
        code = bytes.fromhex((runtime.bytecode or "0x")[2:]) if runtime else b""
        if code and _SELFDESTRUCT in _opcodes(code):
            flagged.add(name)
    assert flagged == {"Doomed", "EnvironmentProbe"}
