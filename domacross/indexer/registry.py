"""Projections and the one table of their handlers.

A projection turns events into rows of its own tables. It registers, in the style of
Silverback's `@app.on_(contract.Event)` and Ponder's `Contract:Event` handlers:

* `@projection.on(Role.ORACLE, ev.PriceUpdated)`: called for each such event of a contract
  in that role (`ANY_ROLE`: any of ours; `ContractEvent`: every event), in log order;
* `@projection.on_batch(Role.ORACLE, ev.PriceUpdated)`: called once per range with the
  list of every such event of the range (per event class and set of roles), in log
  order, after every per-event handler of the range. A batch handler only gathers into
  its projection's range state: batches save a call and a key per event where a range
  holds thousands of the same event (a backfill);
* `@projection.after_range`: called once per range, after every event of it, in
  registration order (bulk writes, derived rows, rescoring);
* `@projection.rollback`: deletes its rows above a block (called newest projection first,
  the reverse of registration, so rows go before the rows they refer to);
* `@projection.recompute`: rebuilds its current-state columns from its remaining history,
  after every projection rolled back.

`Registry(projections)` builds the dispatch table: for a contract's roles and an event
class, the handlers of every projection, in the projections' order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar

from domacross.indexer.addressbook import AddressBook, Role
from domacross.indexer.ids import Ids
from domacross.indexer.rows import hexstr
from domacross_sdk.events_base import ContractEvent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

E = TypeVar("E", bound=ContractEvent)
S = TypeVar("S")
Key = dict[str, Any]
"""Where a log's rows come from: chain_id, block_number, tx_hash, log_index (unique per
table on chain, block and log index)."""
Handler = Callable[["Range", E, Key], None]
BatchHandler = Callable[["Range", list[E]], None]
"""(range, events): every event of one class from contracts in one set of roles, in log
order."""
RangeHook = Callable[["Range"], None]
Rollback = Callable[["Session", int, int], None]
"""(session, chain id, ancestor block): delete the rows of blocks above the ancestor."""
Recompute = Callable[["Session", int], None]
"""(session, chain id): rebuild current-state columns from the history rows."""
Routed = tuple[ContractEvent, frozenset[Role]]
"""An event that is ours, with the roles of its contract (`AddressBook.route`)."""


@dataclass
class Range:
    """One range of blocks being written, in one transaction: what handlers and hooks see.

    Projections keep what they gather for their after-range hook in `state(TheirClass)`.
    """

    session: Session
    chain_id: int
    start: int
    end: int
    timestamps: dict[int, datetime]
    """Times of the range's headers: every block with an event, and `start` and `end`."""
    ids: Ids
    book: AddressBook
    block_time: Callable[[int], datetime | None] | None = None
    """Any block's time by number (from the node), for blocks without a header here."""
    _states: dict[type, Any] = field(default_factory=dict)

    def state(self, kind: type[S]) -> S:
        """This range's instance of `kind` (made on first use): a projection's pending rows."""
        found = self._states.get(kind)
        if found is None:
            found = self._states[kind] = kind()
        return found

    def time(self, event: ContractEvent) -> datetime:
        """The time of an event's block."""
        return self.timestamps[event.meta.block_number]


class Projection:
    """A family of rows: its handlers, after-range hooks, rollback and recompute."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: list[tuple[frozenset[Role], type[ContractEvent], Handler[Any]]] = []
        self.batch_handlers: list[
            tuple[frozenset[Role], type[ContractEvent], BatchHandler[Any]]
        ] = []
        self.after_range_hooks: list[RangeHook] = []
        self.rollbacks: list[Rollback] = []
        self.recomputes: list[Recompute] = []

    def on(
        self, roles: Role | Iterable[Role], event: type[E]
    ) -> Callable[[Handler[E]], Handler[E]]:
        """Registers a handler of `event` (and its subclasses) from contracts in `roles`."""
        wanted = frozenset([roles] if isinstance(roles, Role) else roles)

        def register(handler: Handler[E]) -> Handler[E]:
            self.handlers.append((wanted, event, handler))
            return handler

        return register

    def on_batch(
        self, roles: Role | Iterable[Role], event: type[E]
    ) -> Callable[[BatchHandler[E]], BatchHandler[E]]:
        """Registers a handler of all of a range's `event`s (and its subclasses') from
        contracts in `roles` at once: one call per event class and set of roles."""
        wanted = frozenset([roles] if isinstance(roles, Role) else roles)

        def register(handler: BatchHandler[E]) -> BatchHandler[E]:
            self.batch_handlers.append((wanted, event, handler))
            return handler

        return register

    def after_range(self, hook: RangeHook) -> RangeHook:
        """Registers a hook run once per range, after its events."""
        self.after_range_hooks.append(hook)
        return hook

    def rollback(self, hook: Rollback) -> Rollback:
        """Registers the deletion of this projection's rows above a block."""
        self.rollbacks.append(hook)
        return hook

    def recompute(self, hook: Recompute) -> Recompute:
        """Registers the rebuild of this projection's current state after a rollback."""
        self.recomputes.append(hook)
        return hook


def in_log_order(batches: list[list[E]]) -> list[E]:
    """A range's batches (of one projection, several classes or sets of roles) as one list
    in log order: the batch itself when there is one."""
    if len(batches) == 1:
        return batches[0]
    return sorted(chain(*batches), key=lambda e: (e.meta.block_number, e.meta.log_index))


_Entry = tuple[tuple[Handler[Any], ...], tuple[BatchHandler[Any], ...]]
"""(per-event handlers, batch handlers) of an event class from contracts in a set of roles."""
F = TypeVar("F")


def _matching(
    registered: list[list[tuple[frozenset[Role], type[ContractEvent], F]]],
    roles: frozenset[Role],
    kind: type[ContractEvent],
) -> tuple[F, ...]:
    """The handlers, of every projection in order, for `kind` from a contract in `roles`."""
    return tuple(
        handler
        for handlers in registered
        for wanted, event, handler in handlers
        if issubclass(kind, event) and not wanted.isdisjoint(roles)
    )


class Registry:
    """The dispatch table of a sequence of projections."""

    def __init__(self, projections: Sequence[Projection]) -> None:
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise ValueError(f"two projections share a name: {names}")
        self.projections = tuple(projections)
        self._table: dict[tuple[frozenset[Role], type], _Entry] = {}

    def _entry(self, roles: frozenset[Role], kind: type[ContractEvent]) -> _Entry:
        key = (roles, kind)
        found = self._table.get(key)
        if found is None:
            found = (
                _matching([p.handlers for p in self.projections], roles, kind),
                _matching([p.batch_handlers for p in self.projections], roles, kind),
            )
            self._table[key] = found
        return found

    def handlers(
        self, roles: frozenset[Role], kind: type[ContractEvent]
    ) -> tuple[Handler[Any], ...]:
        """Every per-event handler of an event of class `kind` from a contract in `roles`,
        in order."""
        return self._entry(roles, kind)[0]

    def batch_handlers(
        self, roles: frozenset[Role], kind: type[ContractEvent]
    ) -> tuple[BatchHandler[Any], ...]:
        """Every batch handler of events of class `kind` from contracts in `roles`."""
        return self._entry(roles, kind)[1]

    def apply(self, r: Range, events: Iterable[Routed]) -> None:
        """Runs the handlers of each event in log order, then each batch handler with its
        events of the range, then every after-range hook."""
        chain_id, table, entry = r.chain_id, self._table, self._entry
        batches: dict[tuple[frozenset[Role], type], list[ContractEvent]] = {}
        for event, roles in events:
            kind = type(event)
            found = table.get((roles, kind)) or entry(roles, kind)
            if found[1]:
                group = batches.get((roles, kind))
                if group is None:
                    group = batches[(roles, kind)] = []
                group.append(event)
            if found[0]:
                meta = event.meta
                key = {
                    "chain_id": chain_id,
                    "block_number": meta.block_number,
                    "tx_hash": hexstr(meta.transaction_hash),
                    "log_index": meta.log_index,
                }
                for handler in found[0]:
                    handler(r, event, key)
        for group_key, group in batches.items():
            for batch in table[group_key][1]:
                batch(r, group)
        for projection in self.projections:
            for hook in projection.after_range_hooks:
                hook(r)

    def rollback(self, session: Session, chain_id: int, ancestor: int) -> None:
        """Every projection's rows above `ancestor` deleted (the last registered first)."""
        for projection in reversed(self.projections):
            for hook in projection.rollbacks:
                hook(session, chain_id, ancestor)

    def recompute(self, session: Session, chain_id: int) -> None:
        """Every projection's current state rebuilt from its history (in registration order)."""
        for projection in self.projections:
            for hook in projection.recomputes:
                hook(session, chain_id)
