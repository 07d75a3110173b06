"""What a failed call on the fast engine raises: decoded, like Ape's ``CustomError``."""

from __future__ import annotations

from typing import Any

from domacross_sdk.errors import DomaCrossError


class ExecutionError(DomaCrossError):
    """A call or transaction on the fast engine did not succeed."""


class ContractRevertError(ExecutionError):
    """The EVM reverted. Custom errors, ``Error(string)`` and ``Panic(uint256)`` are decoded.

    Attributes:
        name: The error's name (``"OraclePriceChangeTooLarge"``, ``"Error"``, ``"Panic"``), or
            None when the selector is in no ABI the engine knows, or the revert had no data.
        inputs: The error's arguments by name, as Ape's ``CustomError.inputs``.
        data: The raw revert data (selector and arguments).
        address: The contract the call was sent to (the revert may come from deeper).
    """

    def __init__(self, name: str | None, inputs: dict[str, Any], data: bytes, address: str) -> None:
        # NOTE: the message is formatted when shown: fuzzing raises and catches thousands
        # of expected reverts a second, and nobody reads theirs.
        super().__init__(name, inputs, data, address)
        self.name = name
        self.inputs = inputs
        self.data = data
        self.address = address

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.inputs.items())
        what = f"{self.name}({shown})" if self.name else f"revert data 0x{self.data.hex()}"
        return f"{what} (call to {self.address})"

    @property
    def selector(self) -> bytes:
        """The first four bytes of the revert data (empty for a bare ``revert()``)."""
        return self.data[:4]


class ExecutionHaltedError(ExecutionError):
    """The EVM halted exceptionally (out of gas, invalid opcode, stack overflow, ...)."""


class InvalidTransactionError(ExecutionError, ValueError):
    """The transaction could not start (for instance the sender cannot pay the value)."""
