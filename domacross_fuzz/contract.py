"""Contracts, receipts and events of the fast engine, shaped like Ape's.

``contract.fn(*args, sender=..., value=...)`` calls a view and returns its value, or sends
a transaction and returns a :class:`Receipt`; ``contract.fn.call(...)`` simulates any
function and returns what it would return. ``contract.SomeError`` and
``contract.SomeEvent`` give the error and event definitions, as in Ape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domacross_fuzz.abi import ContractAbi, ErrorAbi, FunctionAbi
from domacross_fuzz.chain_api import Event, Receipt
from domacross_fuzz.errors import ContractRevertError, ExecutionHaltedError

if TYPE_CHECKING:
    from types import TracebackType

    from domacross_fuzz.chain_api import ChainApi

__all__ = [
    "ContractFunction",
    "Event",
    "FastContract",
    "Receipt",
    "RevertInfo",
    "Reverts",
    "error_name",
    "reverts",
]


class ContractFunction:
    """A function bound to a deployed contract (all overloads of one name)."""

    __slots__ = ("_address", "_chain", "_overloads", "name")

    def __init__(self, contract: FastContract, overloads: tuple[FunctionAbi, ...]) -> None:
        self._chain = contract.chain
        self._address = contract.address
        self._overloads = overloads
        self.name = overloads[0].name

    def abi(self, n_args: int) -> FunctionAbi:
        """The overload taking ``n_args`` arguments."""
        if len(self._overloads) == 1:
            return self._overloads[0]
        matching = [f for f in self._overloads if len(f.inputs.types) == n_args]
        if len(matching) != 1:
            raise TypeError(f"{self.name}: {len(matching)} overloads take {n_args} arguments")
        return matching[0]

    def __call__(self, *args: Any, sender: Any = None, value: int = 0) -> Any:
        """A view's value, or the :class:`Receipt` of a transaction."""
        fn = self._overloads[0] if len(self._overloads) == 1 else self.abi(len(args))
        data = fn.selector + fn.inputs.encode(args)
        if fn.is_view:
            return fn.decode_result(self._chain.view(self._address, data, sender=sender))
        return self._chain.transact(self._address, data, sender=sender, value=value)

    def many(self, arguments: Iterable[Sequence[Any]]) -> list[Any]:
        """The view's value for each argument tuple (:meth:`FastChain.views`: less Python
        per call than calling the view once per tuple).

        Raises:
            ExecutionError: A call reverted (decoded) or halted.
        """
        fns, calls = [], []
        address = self._address
        for args in arguments:
            fn = self._overloads[0] if len(self._overloads) == 1 else self.abi(len(args))
            fns.append(fn)
            calls.append((address, fn.selector + fn.inputs.encode(args)))
        outputs = self._chain.views(calls)
        return [fn.decode_result(out) for fn, out in zip(fns, outputs, strict=True)]

    def call(self, *args: Any, sender: Any = None, value: int = 0) -> Any:
        """What the function would return, its effects discarded (any function)."""
        fn = self.abi(len(args))
        output = self._chain.call(self._address, fn.calldata(args), sender=sender, value=value)
        return fn.decode_result(output)

    def transact(self, *args: Any, sender: Any = None, value: int = 0) -> Receipt:
        """Sends a transaction even to a view function."""
        fn = self.abi(len(args))
        return self._chain.transact(self._address, fn.calldata(args), sender=sender, value=value)

    def calldata(self, *args: Any) -> bytes:
        """Selector and encoded arguments, for :meth:`FastChain.transact` in hot loops."""
        return self.abi(len(args)).calldata(args)

    def decode_result(self, output: bytes, n_args: int = 0) -> Any:
        """Decodes what the function returned (``Receipt.output``)."""
        return self.abi(n_args).decode_result(output)


class FastContract:
    """A deployed contract on a :class:`FastChain`, called by ABI with Python values."""

    def __init__(self, chain: ChainApi, abi: ContractAbi, address: str, name: str = "") -> None:
        self.chain = chain
        self.abi = abi
        self.address = address
        self.name = name

    def __getattr__(self, item: str) -> Any:
        abi: ContractAbi = self.__dict__["abi"]
        overloads = abi.functions.get(item)
        if overloads is not None:
            bound = ContractFunction(self, overloads)
            self.__dict__[item] = bound  # later lookups skip __getattr__
            return bound
        if item in abi.errors_by_name:
            return abi.errors_by_name[item]
        if item in abi.events_by_name:
            return abi.events_by_name[item]
        raise AttributeError(f"{self.name or 'contract'} has no function, error or event {item!r}")

    @property
    def balance(self) -> int:
        """The contract's native balance."""
        return self.chain.balance_of(self.address)

    def __eq__(self, other: object) -> bool:
        address = getattr(other, "address", other)
        return isinstance(address, str) and address.lower() == self.address.lower()

    def __hash__(self) -> int:
        return hash(self.address.lower())

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"<{self.name or 'FastContract'} {self.address}>"


@dataclass
class RevertInfo:
    """Filled by :func:`reverts` with the exception that was raised."""

    value: ContractRevertError | ExecutionHaltedError | None = None


def _same(expected: Any, actual: Any) -> bool:
    expected = getattr(expected, "address", expected)
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.lower() == actual.lower()
    return bool(expected == actual)


def reverts(error: ErrorAbi | str | None = None, /, **inputs: Any) -> Reverts:
    """Asserts that the body reverts, with ``error`` (its definition or name) and ``inputs``.

    Like ``ape.reverts``: ``with reverts(oracle.OracleZeroPrice, tokenId=1): ...``. An
    exceptional halt (INVALID, out of gas) counts as a revert with no error, as on Ape's
    chain, where it is a ``ContractLogicError`` too.

    Raises:
        AssertionError: Nothing reverted, or the error or an argument differs.
    """
    return Reverts(error, inputs)


class Reverts:
    """The context manager of :func:`reverts`; a class rather than ``@contextmanager``: a
    property asserting reverts enters one per example, and a generator costs more."""

    __slots__ = ("error", "info", "inputs")

    def __init__(self, error: ErrorAbi | str | None, inputs: dict[str, Any]) -> None:
        self.error = error
        self.inputs = inputs
        self.info = RevertInfo()

    def __enter__(self) -> RevertInfo:
        return self.info

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        error, inputs = self.error, self.inputs
        if exc is None:
            raise AssertionError(f"expected a revert ({error_name(error)}), the call succeeded")
        if isinstance(exc, ExecutionHaltedError):
            self.info.value = exc
            if error is not None or inputs:
                raise AssertionError(f"expected {error_name(error)}, got a halt: {exc}") from exc
            return True
        if not isinstance(exc, ContractRevertError):
            return False  # anything else goes on up
        self.info.value = exc
        name = error.name if isinstance(error, ErrorAbi) else error
        if name is not None and exc.name != name:
            raise AssertionError(f"expected {name}, got {exc}") from exc
        wrong = {
            k: v for k, v in inputs.items() if k not in exc.inputs or not _same(v, exc.inputs[k])
        }
        if wrong:
            raise AssertionError(f"expected {name or 'revert'} with {wrong}, got {exc}") from exc
        return True


def error_name(error: ErrorAbi | str | None) -> str:
    """The name of an error given by definition or name, for messages."""
    if isinstance(error, ErrorAbi):
        return error.name
    return error or "any error"
