"""The ABIs and creation bytecode shipped with the package (generated from contracts/)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from domacross_sdk.errors import UnknownContractNameError
from domacross_sdk.suite import CONTRACT_NAMES

__all__ = ["CONTRACT_NAMES", "abi", "artifact"]


@cache
def artifact(name: str) -> dict[str, Any]:
    """The shipped artifact of a contract: `contractName`, `abi` and `bytecode`.

    Raises:
        UnknownContractNameError: the package ships no contract of that name (a
            `KeyError`).
    """
    if name not in CONTRACT_NAMES:
        raise UnknownContractNameError(
            f"unknown contract {name!r}; known: {', '.join(CONTRACT_NAMES)}"
        )
    text = resources.files("domacross_sdk").joinpath("abi", f"{name}.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def abi(name: str) -> list[dict[str, Any]]:
    """The ABI of a contract."""
    result: list[dict[str, Any]] = artifact(name)["abi"]
    return result
