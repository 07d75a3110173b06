"""The cache of solc outputs behind `verify-deployment` (`compile_cached`), on a small
source compiled by the real solc: a hit skips solc, any changed byte of the input or of
the compiler is a miss, a corrupt entry is compiled again and rewritten."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import solcx
from solcx.install import get_executable

from domacross_deploy import verify
from domacross_deploy.verify import cache_key, compile_cached

SOURCE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Small { function f() external pure returns (uint256) { return 41; } }
"""


def standard_input(source: str) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {"Small.sol": {"content": source}},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "outputSelection": {"*": {"*": ["evm.deployedBytecode.object"]}},
        },
    }


@pytest.fixture
def solc_runs(monkeypatch) -> list[dict[str, Any]]:
    """Every input that reached solc (the real compiler still runs)."""
    runs: list[dict[str, Any]] = []
    real = verify.run_solc

    def counted(standard_input, binary, base_path):
        runs.append(standard_input)
        return real(standard_input, binary, base_path)

    monkeypatch.setattr(verify, "run_solc", counted)
    return runs


@pytest.fixture
def compiler() -> tuple[str, Path]:
    version = max(solcx.get_installed_solc_versions())
    return str(version), Path(get_executable(version=version))


def code(output: dict[str, Any]) -> str:
    return output["contracts"]["Small.sol"]["Small"]["evm"]["deployedBytecode"]["object"]


def test_compile_cached__same_input_twice__solc_runs_once_same_output(
    solc_runs, compiler, tmp_path
):
    version, binary = compiler
    first = compile_cached(standard_input(SOURCE), version, binary, tmp_path, tmp_path / "c")
    second = compile_cached(standard_input(SOURCE), version, binary, tmp_path, tmp_path / "c")
    assert len(solc_runs) == 1
    assert second == first
    assert [p.suffix for p in (tmp_path / "c").iterdir()] == [".json"]  # no temp file left


def test_compile_cached__one_source_byte_changed__compiled_again_new_code(
    solc_runs, compiler, tmp_path
):
    version, binary = compiler
    before = compile_cached(standard_input(SOURCE), version, binary, tmp_path, tmp_path)
    edited = SOURCE.replace("return 41", "return 42")
    after = compile_cached(standard_input(edited), version, binary, tmp_path, tmp_path)
    assert len(solc_runs) == 2
    assert code(after) != code(before)


@pytest.mark.parametrize("content", ["", '{"contracts": {"Small.sol"', "[]", "\x00\xff"])
def test_compile_cached__corrupt_entry__ignored_and_rewritten(
    solc_runs, compiler, tmp_path, content
):
    version, binary = compiler
    good = compile_cached(standard_input(SOURCE), version, binary, tmp_path, tmp_path / "c")
    (entry,) = (tmp_path / "c").iterdir()
    entry.write_text(content)
    again = compile_cached(standard_input(SOURCE), version, binary, tmp_path, tmp_path / "c")
    assert len(solc_runs) == 2
    assert again == good
    assert json.loads(entry.read_text()) == good


def test_cache_key__other_compiler_version_or_binary__other_key(tmp_path):
    one, other = tmp_path / "solc-a", tmp_path / "solc-b"
    one.write_text("#!/bin/sh\nexec node soljson-a.js\n")
    other.write_text("#!/bin/sh\nexec node soljson-b.js\n")
    key = cache_key(standard_input(SOURCE), "0.8.28+commit.7893614a", one)
    assert cache_key(standard_input(SOURCE), "0.8.28+commit.7893614a", one) == key
    assert cache_key(standard_input(SOURCE), "0.8.27+commit.40a35a09", one) != key
    assert cache_key(standard_input(SOURCE), "0.8.28+commit.7893614a", other) != key
    remapped = standard_input(SOURCE)
    remapped["settings"]["remappings"] = ["@oz=oz"]
    assert cache_key(remapped, "0.8.28+commit.7893614a", one) != key
