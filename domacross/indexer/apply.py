"""Applies routed events to the database through the projections' registry, inside the
caller's transaction; and rolls every projection back after a reorg."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from domacross.db.models import BlockRecord
from domacross.indexer.addressbook import AddressBook
from domacross.indexer.ids import Ids
from domacross.indexer.projections import PROJECTIONS
from domacross.indexer.registry import Range, Registry, Routed

REGISTRY = Registry(PROJECTIONS)
"""Every projection's handlers, in one table."""


class Applier:
    """Applies one chain's ranges, with id caches across ranges.

    Args:
        chain_id: The chain.
        book: The chain's address book (the roles of its contracts).
        block_time: Any block's time by number, for projections that place rows at blocks
            without a header in the range (trades' expiries).
        registry: The projections to apply.
    """

    def __init__(
        self,
        chain_id: int,
        book: AddressBook,
        block_time: Callable[[int], datetime | None] | None = None,
        registry: Registry = REGISTRY,
    ) -> None:
        self.chain_id = chain_id
        self.book = book
        self.block_time = block_time
        self.registry = registry
        self.ids = Ids(chain_id)

    def load(self, session: Session) -> None:
        """Reads the chain's known contracts and their ids (at the start of each range)."""
        self.book.load(session)
        self.ids.load(session)

    def forget(self) -> None:
        """Drops the id caches (after a rollback deleted rows, or a range failed)."""
        self.ids.forget()

    def apply(
        self,
        session: Session,
        start: int,
        end: int,
        timestamps: dict[int, datetime],
        events: Iterable[Routed],
    ) -> None:
        """Writes one range: each event through its handlers, then the after-range hooks."""
        r = Range(session, self.chain_id, start, end, timestamps, self.ids, self.book)
        r.block_time = self.block_time
        self.registry.apply(r, events)


def rollback(session: Session, chain_id: int, ancestor: int, registry: Registry = REGISTRY) -> None:
    """Deletes every row of `chain_id` derived from blocks after `ancestor` (each
    projection its own, and the stored block hashes), then rebuilds the current-state
    columns from the remaining history."""
    registry.rollback(session, chain_id, ancestor)
    session.execute(
        delete(BlockRecord).where(BlockRecord.chain_id == chain_id, BlockRecord.number > ancestor)
    )
    registry.recompute(session, chain_id)
