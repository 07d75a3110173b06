"""Raw events: one `raw_events` row per log that is ours, with its values as JSON.

Other projections read this history back (cancellations, reweights, expiries, scores),
and the follower finds reorg ancestors through its block hashes.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from domacross.db.models import RawEvent
from domacross.indexer.addressbook import ANY_ROLE
from domacross.indexer.registry import Projection, Range, in_log_order
from domacross.indexer.rows import args_json, bulk_insert_columns
from domacross_sdk.events_base import ContractEvent

projection = Projection("raw_events")


class Pending(list[list[ContractEvent]]):
    """The range's events, by class (as batches come), inserted in bulk after them."""


@projection.on_batch(ANY_ROLE, ContractEvent)
def on_events(r: Range, events: list[ContractEvent]) -> None:
    r.state(Pending).append(events)


@projection.after_range
def write(r: Range) -> None:
    batches = r.state(Pending)
    # Log order across classes, so ids follow the chain as they did event by event.
    events = in_log_order(batches)
    metas = [e.meta for e in events]
    columns = {
        "chain_id": [r.chain_id] * len(events),
        "block_number": [m.block_number for m in metas],
        "tx_hash": ["0x" + m.transaction_hash.hex() for m in metas],
        "log_index": [m.log_index for m in metas],
        "block_hash": ["0x" + m.block_hash.hex() for m in metas],
        "address": [m.address for m in metas],
        "name": [type(e).__name__ for e in events],
        "args": [args_json(e) for e in events],
    }
    bulk_insert_columns(r.session, RawEvent.__table__, columns)  # type: ignore[arg-type]


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    session.execute(
        delete(RawEvent).where(RawEvent.chain_id == chain_id, RawEvent.block_number > ancestor)
    )
