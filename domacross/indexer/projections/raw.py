"""Raw events: one `raw_events` row per log that is ours, with its values as JSON.

Other projections read this history back (cancellations, reweights, expiries, scores),
and the follower finds reorg ancestors through its block hashes.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from domacross.db.models import RawEvent
from domacross.indexer.addressbook import ANY_ROLE
from domacross.indexer.registry import Key, Projection, Range
from domacross.indexer.rows import Row, args_json, bulk_insert_ignore, hexstr
from domacross_sdk.events_base import ContractEvent

projection = Projection("raw_events")


class Pending(list[Row]):
    """The range's raw rows, inserted in bulk after its events."""


@projection.on(ANY_ROLE, ContractEvent)
def on_event(r: Range, e: ContractEvent, key: Key) -> None:
    meta = e.meta
    r.state(Pending).append(
        {
            **key,
            "block_hash": hexstr(meta.block_hash),
            "address": meta.address,
            "name": type(e).__name__,
            "args": args_json(e),
        }
    )


@projection.after_range
def write(r: Range) -> None:
    bulk_insert_ignore(r.session, RawEvent.__table__, r.state(Pending))  # type: ignore[arg-type]


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    session.execute(
        delete(RawEvent).where(RawEvent.chain_id == chain_id, RawEvent.block_number > ancestor)
    )
