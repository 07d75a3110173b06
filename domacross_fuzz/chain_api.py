"""What a contract needs of its chain, and the receipts and events a chain returns.

A leaf module: :mod:`domacross_fuzz.contract` calls a chain through the :class:`ChainApi`
protocol, which :class:`~domacross_fuzz.evm.FastChain` satisfies, so that the chain can
build contracts without the two modules importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from domacross_fuzz.abi import EventAbi

if TYPE_CHECKING:
    from pyrevm import Log


@dataclass(frozen=True)
class Event:
    """A decoded log. Arguments read as attributes (``event.price``) or from ``args``.

    ``name`` is None for a log whose event is in no ABI the chain knows; ``args`` then holds
    the raw ``topics`` and ``data``.
    """

    address: str
    name: str | None
    args: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, item: str) -> Any:
        try:
            return self.args[item]
        except KeyError:
            raise AttributeError(item) from None


class LogDecoder(Protocol):
    """What a :class:`Receipt` needs to decode its logs."""

    def decode_log(self, log: Log) -> Event:
        """A raw log as an :class:`Event`."""
        ...


class Receipt:
    """The outcome of a successful transaction; events are decoded on first use."""

    __slots__ = ("_chain", "_events", "_logs", "gas_used", "output", "to")

    def __init__(
        self, chain: LogDecoder, to: str, output: bytes, logs: list[Log], gas_used: int
    ) -> None:
        self._chain = chain
        self.to = to
        self.output = output
        self._logs = logs
        self.gas_used = gas_used
        self._events: list[Event] | None = None

    @property
    def events(self) -> list[Event]:
        """Every log of the transaction, decoded, in order."""
        if self._events is None:
            self._events = [self._chain.decode_log(log) for log in self._logs]
        return self._events

    def decode_logs(self, event: EventAbi | str) -> list[Event]:
        """The events named like ``event`` (``contract.SomeEvent``, or its name)."""
        name = event if isinstance(event, str) else event.name
        return [e for e in self.events if e.name == name]


class ChainApi(LogDecoder, Protocol):
    """The calls a :class:`~domacross_fuzz.contract.FastContract` makes of its chain."""

    def call(self, to: str, data: bytes, *, sender: Any = None, value: int = 0) -> bytes:
        """Runs a call and discards its effects; returns the output."""
        ...

    def view(self, to: str, data: bytes, *, sender: Any = None) -> bytes:
        """Runs a call of a ``view`` or ``pure`` function; returns the output."""
        ...

    def views(self, calls: Sequence[tuple[str, bytes]]) -> list[bytes]:
        """Runs several ``view`` calls; returns their outputs in order."""
        ...

    def transact(self, to: str, data: bytes, *, sender: Any = None, value: int = 0) -> Receipt:
        """Runs a transaction and keeps its effects."""
        ...

    def balance_of(self, account: Any) -> int:
        """The native balance of ``account``."""
        ...
